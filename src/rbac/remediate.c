/*
 * Remediation planning: the denial groups, which of them are RBAC gaps,
 * and one change per actor and scope (remediate-fix.c builds each and
 * replays the denials against it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/filter.h"
#include "util/jutil.h"
#include "rbac/rbacdb.h"
#include "rbac/rbacfmt.h"
#include "rbac/remediate.h"
#include "rbac/remediate-int.h"

/* Why a group gets no RBAC change at all, or NULL. */
static const char *
not_for_rbac(const struct ks_remediate_group *g)
{
	const char *actor = g->actor;

	if (actor == NULL || *actor == '\0' ||
	    strcmp(actor, "system:anonymous") == 0 ||
	    strcmp(actor, "system:unauthenticated") == 0)
		return "anonymous requests: refuse them (they are often "
		    "probes); granting access to anonymous users is not a fix";
	if (strncmp(actor, "system:node:", 12) == 0)
		return "a kubelet: the Node authorizer and NodeRestriction "
		    "decide its access, not an RBAC grant";
	if (g->verb == NULL || (g->resource == NULL && g->path == NULL))
		return "the denial does not say its verb and resource";
	return NULL;
}

/*
 * A group the authorizer allowed and admission then refused (the event's
 * own decision is "allow"): not an RBAC gap, whatever the snapshot holds.
 */
static struct ks_remediate_group *
admission_refusal(struct ks_remediate_group *g)
{
	g->explanation = "the authorizer allowed this request "
	    "(authorization.k8s.io/decision: allow) and admission refused it "
	    "after RBAC (PodSecurity, a validating webhook, a quota): no RBAC "
	    "change ends it";
	g->class = "not-rbac";
	g->reason = g->explanation;
	return g;
}

/* A group RBAC already allows: say by what, and what else could deny. */
static struct ks_remediate_group *
not_gap(struct ks_remediate_group *g, const struct ks_rbac_why *why)
{
	char buf[512];
	const char *by = ks_rbacfmt_grant(&why->grant, buf, sizeof(buf));

	g->allowed_by = by != NULL ? strdup(by) : NULL;
	g->explanation = g->gap_at_time ? "RBAC refused this request "
	    "at the time (rebuilt from the snapshot and the audit log) and "
	    "allows it since: it was fixed" : "the RBAC in the "
	    "evidence allows this request, so RBAC did not refuse it: another "
	    "authorizer (a webhook, the Node authorizer) did, or the RBAC "
	    "changed between the request and the snapshot";
	g->class = "not-rbac";
	g->reason = g->explanation;
	return g;
}


/* What one plan needs while it sorts the groups. */
struct plan_ctx {
	sqlite3				*db;
	struct ks_rbac			*rbac;
	const struct ks_filter		*filter;
	const struct ks_remediate_opts	*opts;
	struct ks_remediate_plan	*plan;
	json_t				*suspects;	/* actor -> detection rule */
	struct ks_rbac_hist		*hist;		/* RBAC over time, or NULL */
	struct ks_remediate_fix		*fixes;
	size_t				 nfixes;
	json_t				*fix_index;	/* actor and namespace ->
							   index in fixes */
	struct ks_remediate_fix		*last_fix;	/* fix_for's last answer */
	const char			*held_actor;	/* hold's last actor filed
							   whole (interned), */
	const char			*held_class;	/* with this class */
	const char			*held_reason;	/* and reason */
	struct ks_remediate_memo	 memo;
};

/* The fix for g's actor and namespace, made on first use; NULL when out
   of memory. */
static struct ks_remediate_fix *
fix_for(struct plan_ctx *c, const struct ks_remediate_group *g)
{
	const char *actor = g->actor;
	const char *ns = g->namespace;
	struct ks_remediate_fix *f;
	json_t *at;
	char *key;

	/* (The groups come by actor: most ask what the last one asked.) */
	if ((f = c->last_fix) != NULL && actor != NULL && f->actor != NULL &&
	    strcmp(f->actor, actor) == 0 && (ns == NULL ? f->namespace ==
	    NULL : f->namespace != NULL && strcmp(f->namespace, ns) == 0))
		return f;
	/* (The namespace after a mark that tells NULL from every name.) */
	if (asprintf(&key, "%s\x1f%c%s", actor, ns ? '+' : '-', ns ? ns :
	    "") < 0)
		return NULL;
	if ((at = json_object_get(c->fix_index, key)) != NULL) {
		free(key);
		return c->last_fix = &c->fixes[json_integer_value(at)];
	}
	json_object_set_new(c->fix_index, key, json_integer((json_int_t)
	    c->nfixes));
	free(key);
	f = &c->fixes[c->nfixes++];
	*f = (struct ks_remediate_fix){ .actor = actor, .namespace = ns,
	    .rules = json_array(), .memo = &c->memo };
	return c->last_fix = f;
}

/* Append g to the plan's list, with its class and reason. */
static void
file_as(struct plan_ctx *c, int list, struct ks_remediate_group *g,
    const char *cls, const char *reason)
{
	g->class = ks_remediate_intern(&c->plan->store->in, cls);
	g->reason = ks_remediate_intern(&c->plan->store->in, reason);
	ks_remediate_list_add(&c->plan->lists[list], g);
}

/* File g as needing a decision, as every group of its actor (the same
   class and reason, kept for the actor's next groups). */
static void
file_whole(struct plan_ctx *c, struct ks_remediate_group *g,
    const char *cls, const char *reason)
{
	file_as(c, KS_PLAN_NEEDS_DECISION, g, cls, reason);
	c->held_actor = g->actor;
	c->held_class = g->class;
	c->held_reason = g->reason;
}

/*
 * A group that is an RBAC gap: a person not asked for, or a dangerous
 * permission not allowed, is filed away (1); else 0 (why_change says
 * why the actor gets a change).
 */
static int
hold(struct plan_ctx *c, struct ks_remediate_group *g, int component,
    const char *idc, char *buf, size_t sz)
{
	const char *actor = g->actor, *why, *sus;
	char dbuf[512];
	int named;

	/* (The groups come by actor; whether the actor is suspicious or a
	   person not asked for is the same for each of its groups.) */
	if (actor != NULL && actor == c->held_actor) {
		g->class = c->held_class;
		g->reason = c->held_reason;
		ks_remediate_list_add(&c->plan->lists[KS_PLAN_NEEDS_DECISION],
		    g);
		return 1;
	}
	sus = ks_remediate_detection(c->suspects, actor);
	named = ks_remediate_named(c->filter, actor);
	if (sus != NULL && !(named && c->opts->force)) {
		snprintf(buf, sz, "the actor appears in the detection %s: "
		    "its refusals are a finding, never a change (unless "
		    "named with --actor and --force)", sus);
		file_whole(c, g, "suspicious", buf);
		return 1;
	}
	if (!component && !named && !c->opts->include_people) {
		snprintf(buf, sz, "a person (identity class %s): refusals of "
		    "people are a finding, not a gap; name the actor with "
		    "--actor, or use --include-people, to propose a change",
		    idc);
		file_whole(c, g, "person", buf);
		return 1;
	}
	if (!c->opts->allow_dangerous &&
	    (why = ks_remediate_dangerous(g, dbuf, sizeof(dbuf))) != NULL) {
		snprintf(buf, sz, "held back as dangerous: %s; "
		    "--allow-dangerous proposes it", why);
		file_as(c, KS_PLAN_HELD_BACK, g, sus ? "suspicious" : component ?
		    "component" : "person", buf);
		return 1;
	}
	if (component && !named && sus == NULL &&
	    g->count == 1 &&
	    ks_remediate_refusals(&c->memo, actor) == 1) {
		snprintf(buf, sz, "seen once: the only refusal of this "
		    "component in the evidence; one that lacks a permission "
		    "it needs asks again (controllers retry), so a single "
		    "refusal is rather a transient (a race before its "
		    "binding arrived, a one-off call) than a gap; name the "
		    "actor with --actor to propose a change");
		file_as(c, KS_PLAN_NEEDS_DECISION, g, "component", buf);
		return 1;
	}
	return 0;
}

/* Why g's actor gets a change (in buf, of size sz): the same for each
   of its groups. */
static void
why_change(struct plan_ctx *c, const struct ks_remediate_group *g,
    int component, const char *idc, char *buf, size_t sz)
{
	const char *sus = ks_remediate_detection(c->suspects, g->actor);
	int named = ks_remediate_named(c->filter, g->actor);

	if (sus != NULL)
		snprintf(buf, sz, "the actor appears in the detection %s; "
		    "proposed because it was named with --actor and --force "
		    "was given", sus);
	else if (component)
		snprintf(buf, sz, "a component (identity class %s) refused a "
		    "permission it asks for: an RBAC gap", idc);
	else
		snprintf(buf, sz, "a person (identity class %s), proposed "
		    "because %s", idc, named ? "it was named with --actor" :
		    "--include-people was given");
}

/* File one denial group: a change, or one of the lists, and why. */
static int
place(struct plan_ctx *c, struct ks_remediate_group *g)
{
	struct ks_rbac_request req;
	struct ks_rbac_why why;
	struct ks_remediate_fix *f;
	const char *gv[64], *why_not, *by = g->refused_by;
	char idc[64], buf[1024];
	int allowed, component;

	if (by != NULL && strcmp(by, "admission") == 0)
		return ks_remediate_list_add(&c->plan->lists[KS_PLAN_NOT_RBAC],
		    admission_refusal(g));
	component = ks_remediate_identity(&c->memo, g->actor, idc,
	    sizeof(idc));
	if ((why_not = not_for_rbac(g)) != NULL) {
		file_as(c, KS_PLAN_NOT_REMEDIATED, g, component ? "component" :
		    "person", why_not);
		return 0;
	}
	ks_remediate_request(g, &req, gv, 64);
	if ((allowed = ks_rbac_allows(c->rbac, &req, &why)) < 0)
		return -1;
	if (allowed && !ks_remediate_gap_then(c->db, &c->hist, g))
		return ks_remediate_list_add(&c->plan->lists[KS_PLAN_NOT_RBAC],
		    not_gap(g, &why));
	if (allowed)	/* the snapshot allows it; the RBAC then did not */
		g->gap_at_time = 1;
	if (hold(c, g, component, idc, buf, sizeof(buf)))
		return 0;
	if ((f = fix_for(c, g)) == NULL)
		return -1;
	if (f->reason[0] == '\0') {	/* (the fix's first group) */
		f->class = ks_remediate_detection(c->suspects, g->actor) ?
		    "suspicious" : component ? "component" : "person";
		why_change(c, g, component, idc, f->reason,
		    sizeof(f->reason));
	}
	return ks_remediate_list_add(&f->groups, g);
}

/* Sort each denial group into changes and the lists. */
static int
classify(struct plan_ctx *c, struct ks_remediate_store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		/* (The groups in the plan's order, anywhere in memory.) */
		if (i + 8 < s->n)
			ks_remediate_prefetch(s->v[i + 8]);
		if (place(c, s->v[i]) < 0)
			return -1;
	}
	return 0;
}

/* Most denials first; then by actor, for a stable order. */
static int
by_weight(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t dx = json_integer_value(json_object_get(x, "denials"));
	json_int_t dy = json_integer_value(json_object_get(y, "denials"));

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return strcmp(ks_json_str(x, "actor"), ks_json_str(y, "actor"));
}

static void
sort_changes(json_t *changes)
{
	size_t n = json_array_size(changes);
	json_t **v = calloc(n + 1, sizeof(*v));

	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(changes, i));
	qsort(v, n, sizeof(*v), by_weight);
	json_array_clear(changes);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(changes, v[i]);
	free(v);
}

/* Build the change of each fix, most denials first, into the plan. */
static void
build_changes(struct plan_ctx *c)
{
	struct ks_rbac_at *then;
	json_t *change;

	/* The RBAC over time (the write that made a gap), known issues. */
	if (c->nfixes > 0 && c->hist == NULL)
		c->hist = ks_rbac_hist_load(c->db, NULL);
	c->memo.known_keys = c->nfixes > 0 ? ks_remediate_known_keys(c->db) :
	    NULL;
	for (size_t i = 0; i < c->nfixes; i++) {
		/* A gap only at the time is fixed against the RBAC then. */
		then = ks_remediate_rbac_then(c->hist, &c->fixes[i].groups);
		change = ks_remediate_change(then ? then->rbac : c->rbac,
		    &c->fixes[i]);
		/* (Its merged rules are the change's business only: freed
		   now, their blocks are the next change's.) */
		json_decref(c->fixes[i].rules);
		c->fixes[i].rules = NULL;
		if (then != NULL && change != NULL)
			ks_remediate_then_warn(then, change,
			    &c->fixes[i].groups);
		/* (Replayed: unless printed, their blocks are the next
		   change's too.) */
		if (change != NULL && c->opts->no_manifests)
			json_object_del(change, "manifests");
		ks_rbac_at_free(then);
		if (change == NULL)
			continue;
		/* (The evidence: the fix's groups, at the same index.) */
		json_object_set_new(change, "evidence", json_integer(
		    (json_int_t)i));
		if (c->hist != NULL)
			ks_remediate_cause_set(c->hist, change,
			    &c->fixes[i].groups);
		json_object_set_new(change, "class", json_string(
		    c->fixes[i].class));
		json_object_set_new(change, "reason", json_string(
		    c->fixes[i].reason));
		json_array_append_new(json_object_get(c->plan->json,
		    "changes"), change);
	}
	sort_changes(json_object_get(c->plan->json, "changes"));
	/* The fixes' groups become the changes' evidence. */
	if ((c->plan->evidence = calloc(c->nfixes + 1,
	    sizeof(*c->plan->evidence))) == NULL)
		return;
	for (size_t i = 0; i < c->nfixes; i++) {
		c->plan->evidence[i] = c->fixes[i].groups;
		c->fixes[i].groups = (struct ks_remediate_list){ 0 };
	}
	c->plan->nevidence = c->nfixes;
}

/*
 * One read of the database for the whole plan: a statement left on its
 * first row keeps the read transaction open until it is finalized, so
 * that the plan's thousands of small statements (an actor's class and
 * refusals, a string, a resource) each skip taking and dropping the
 * file's lock and checking its header; and they all see one state of the
 * file.  NULL when it cannot be (each statement then reads on its own).
 */
static sqlite3_stmt *
read_hold(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_get_autocommit(db) && sqlite3_prepare_v2(db,
	    "SELECT 1 FROM sqlite_schema", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		return st;
	sqlite3_finalize(st);
	return NULL;
}

/* A new plan, empty, with its store; NULL when out of memory. */
static struct ks_remediate_plan *
plan_new(void)
{
	struct ks_remediate_plan *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->store = calloc(1, sizeof(*p->store))) == NULL ||
	    (p->store->parsed = json_object()) == NULL) {
		ks_remediate_plan_free(p);
		return NULL;
	}
	return p;
}

struct ks_remediate_plan *
ks_remediate_plan(sqlite3 *db, int64_t snapshot_id,
    const struct ks_filter *filter, const struct ks_remediate_opts *opts,
    struct ks_err *err)
{
	static const struct ks_remediate_opts defaults;
	struct plan_ctx c = { .db = db, .filter = filter, .opts = opts ? opts :
	    &defaults };
	struct ks_remediate_store *s;
	sqlite3_stmt *hold_st = read_hold(db);
	long nobj;

	ks_remediate_memo_init(&c.memo, db, filter);
	c.fix_index = json_object();
	if ((c.plan = plan_new()) == NULL) {
		ks_err_set(err, "out of memory");
		goto out;
	}
	s = c.plan->store;
	if (ks_remediate_groups(db, filter, s, err) < 0 ||
	    (c.rbac = ks_rbacdb_load(db, snapshot_id, &nobj, err)) == NULL) {
		ks_remediate_plan_free(c.plan);
		c.plan = NULL;
		goto out;
	}
	c.plan->json = json_pack("{s:[],s:I,s:I}", "changes", "rbac_objects",
	    (json_int_t)nobj, "denial_groups", (json_int_t)s->n);
	/* (Without a filter the groups are every refusal: each actor's
	   counted from them, not looked up.) */
	if (ks_filter_empty(filter))
		ks_remediate_refusals_fill(&c.memo, s->v, s->n);
	/* (Up to one per group, each made whole by fix_for: SQLite's
	   allocator, of huge pages in a query process, and only the fixes
	   made touched.) */
	c.fixes = sqlite3_malloc64((s->n + 1) * sizeof(*c.fixes));
	c.suspects = ks_remediate_suspects(db);
	if (c.plan->json == NULL || c.fixes == NULL || c.suspects == NULL ||
	    c.fix_index == NULL || classify(&c, s) < 0) {
		ks_err_set(err, "out of memory");
		ks_remediate_plan_free(c.plan);
		c.plan = NULL;
		goto out;
	}
	build_changes(&c);
out:
	for (size_t i = 0; i < c.nfixes; i++) {
		free(c.fixes[i].groups.v);
		json_decref(c.fixes[i].rules);
	}
	sqlite3_free(c.fixes);
	json_decref(c.fix_index);
	json_decref(c.suspects);
	ks_rbac_free(c.rbac);
	ks_rbac_hist_free(c.hist);
	ks_remediate_memo_free(&c.memo);
	sqlite3_finalize(hold_st);
	return c.plan;
}
