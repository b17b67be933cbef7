/*
 * kubesift can ACTOR VERB RESOURCE [-n NS]: the offline `kubectl auth
 * can-i`.  Says yes or no and why: the binding, role and rule that allow
 * it, or the closest rules bound to the actor and what in them does not
 * match.  Exit status as grep's: 0 yes, 1 no, 2 could not answer (usage,
 * no database, an ambiguous resource name).  -o json prints one object,
 * -o table, csv, md or jsonl one row; -q prints nothing.
 *
 * The database is opened here, not by the dispatcher, so that a missing
 * or unreadable database exits 2 like any other failure to answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rbac/actor.h"
#include "cli/at-opt.h"
#include "cli/cmd.h"
#include "store/db.h"
#include "rbac/rbacdb.h"
#include "rbac/rbacfmt.h"
#include "store/resname.h"
#include "util/timeutil.h"

#define EXIT_YES	KS_EXIT_OK
#define EXIT_NO		1
#define EXIT_UNKNOWN	KS_EXIT_USAGE

static const struct ks_opt opts[] = {
	{ "namespace", 'n', "NS", "in this namespace (default: cluster scope)" },
	{ "name", 'N', "NAME", "for this object name" },
	{ "group", 'g', "GROUP", "the actor is in GROUP (repeat; default: the "
	    "groups of its latest audit event)" },
	{ "snapshot", 'S', "ID", "only this snapshot" },
	{ "at", 256, "TIME", "the RBAC as it stood at TIME (exit 2 when the "
	    "answer depends on an object whose state then is unknown)" },
	{ NULL, 0, NULL, NULL }
};

/* The options of one run (ctx->state); the strings are borrowed. */
struct can_state {
	const char	*ns, *name;	/* -n, --name */
	const char	*groups[64];	/* --group */
	size_t		 ngroups;
	long long	 snapshot;	/* --snapshot; 0 = every snapshot */
	const char	*at;		/* --at, or NULL */
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct can_state *cs = ctx->state;

	switch (key) {
	case 'n': cs->ns = arg; return 0;
	case 'N': cs->name = arg; return 0;
	case 'S': return ks_cmd_opt_snapshot(arg, &cs->snapshot);
	case 256: cs->at = arg; return 0;
	case 'g':
		if (cs->ngroups == sizeof(cs->groups) / sizeof(cs->groups[0]))
			return -1;
		cs->groups[cs->ngroups++] = arg;
		return 0;
	}
	return -1;
}

/* The closest rules: the smallest distance seen, up to five of them. */
struct near {
	struct ks_rbac_near best[5];
	size_t	 n;
};

/* Everything the answer says, for each way of printing it. */
struct answer {
	const char	*as_written;	/* RESOURCE operand */
	struct ks_resname rn;		/* its resolution */
	struct ks_rbac_request req;	/* borrows rn's strings */
	const char	*groups_from;	/* "option", "audit" or "implicit" */
	int		 yes;
	struct ks_rbac_why why;		/* grant when yes */
	struct near	 near;		/* closest rules when no */
	const char	*other;		/* other authorizers, or NULL */
	struct ks_rbac_at *at;		/* --at: the RBAC rebuilt, or NULL */
	json_t		*unknown;	/* --at: objects of unknown state the
					   answer depends on (a refusal only) */
};

/* The answer depends on objects whose state at --at is unknown. */
static int
undecided(const struct answer *a)
{
	return !a->yes && json_array_size(a->unknown) > 0;
}

static int
keep(const struct ks_rbac_near *nr, void *arg)
{
	struct near *k = arg;

	if (k->n > 0 && nr->distance > k->best[0].distance)
		return 0;
	if (k->n > 0 && nr->distance < k->best[0].distance)
		k->n = 0;
	if (k->n < 5)
		k->best[k->n++] = *nr;
	return 0;
}

/* "in API group "G" (built in)" and the like, into buf. */
static const char *
resolution(const struct ks_resname *rn, char *buf, size_t sz)
{
	static const char *const how[] = { "built in", "a CRD of the "
	    "snapshot", "from resource_kinds", "as written", "assumed: not "
	    "in the snapshot nor built in" };

	snprintf(buf, sz, "in API group \"%s\"%s (%s)", rn->api_group,
	    rn->api_group[0] ? "" : ", the core group",
	    (unsigned)rn->how < 5 ? how[rn->how] : "?");
	return buf;
}

static void
text_no(const struct answer *a)
{
	char g[512], r[1024], m[128];

	if (a->near.n == 0) {
		printf("  no binding in the evidence names this actor or its "
		    "groups\n");
		return;
	}
	printf("  closest rules bound to the actor:\n");
	for (size_t i = 0; i < a->near.n; i++) {
		const struct ks_rbac_near *nr = &a->near.best[i];
		printf("  - %s", ks_rbacfmt_grant(&nr->grant, g, sizeof(g)));
		if (nr->grant.role != NULL && nr->grant.rule != (size_t)-1)
			printf(", rule #%zu: %s", nr->grant.rule,
			    ks_rbacfmt_rule(&nr->grant.role->rules[
			    nr->grant.rule], r, sizeof(r)));
		printf("\n    does not match: %s\n",
		    ks_rbac_miss_str(nr->miss, m, sizeof(m)));
	}
}

static void
text(const struct answer *a)
{
	const struct ks_rbac_request *req = &a->req;
	char g[512], r[1024];

	printf("%s\n", a->yes ? "yes" : undecided(a) ? "unknown" : "no");
	if (undecided(a))
		printf("  no known rule allows it at that time, but the state "
		    "of %zu object(s) that could is unknown (listed on "
		    "stderr)\n", json_array_size(a->unknown));
	if (a->rn.how != KS_RESNAME_URL)
		printf("  resource: %s %s\n", ks_resname_str(&a->rn, g,
		    sizeof(g)), resolution(&a->rn, r, sizeof(r)));
	for (size_t i = 0; i < a->rn.ncand; i++)
		printf("  note: \"%s\" also names %s (lower priority, as in "
		    "kubectl)\n", a->as_written, a->rn.cand[i]);
	printf("  groups: ");
	for (size_t i = 0; i < req->ngroups; i++)
		printf("%s%s", i ? ", " : "", req->groups[i]);
	printf("%s\n", strcmp(a->groups_from, "implicit") == 0 ? "(none in "
	    "the evidence; the authenticator's defaults assumed)" :
	    strcmp(a->groups_from, "audit") == 0 ? " (from its latest audit "
	    "event)" : "");
	if (a->yes)
		printf("  allowed by %s, rule #%zu: %s\n",
		    ks_rbacfmt_grant(&a->why.grant, g, sizeof(g)),
		    a->why.grant.rule, ks_rbacfmt_rule(&a->why.grant.role->rules[
		    a->why.grant.rule], r, sizeof(r)));
	else
		text_no(a);
	if (a->why.unresolved > 0)
		printf("  note: %zu binding(s) of this actor name a role that is "
		    "not in the evidence\n", a->why.unresolved);
	if (a->other != NULL)
		printf("  note: %s\n", a->other);
}

static json_t *
strv_json(const struct ks_rbac_strv *v)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < v->n; i++)
		json_array_append_new(arr, json_string(v->v[i]));
	return arr;
}

/* A grant (binding, role, rule if any) as a JSON object. */
static json_t *
grant_json(const struct ks_rbac_grant *gr)
{
	const struct ks_rbac_binding *b = gr->binding;
	json_t *o = json_object();

	json_object_set_new(o, "binding_kind", json_string(b->cluster ?
	    "ClusterRoleBinding" : "RoleBinding"));
	json_object_set_new(o, "binding", json_string(b->name));
	json_object_set_new(o, "binding_namespace", b->namespace ?
	    json_string(b->namespace) : json_null());
	json_object_set_new(o, "subject", json_string(
	    b->subjects[gr->subject].kind_name));
	json_object_set_new(o, "subject_name", json_string(
	    b->subjects[gr->subject].name));
	json_object_set_new(o, "role_kind", b->role_kind ?
	    json_string(b->role_kind) : json_null());
	json_object_set_new(o, "role", b->role_name ?
	    json_string(b->role_name) : json_null());
	json_object_set_new(o, "role_namespace", gr->role &&
	    gr->role->namespace ? json_string(gr->role->namespace) :
	    json_null());
	if (gr->role != NULL && gr->rule != (size_t)-1) {
		const struct ks_rbac_rule *r = &gr->role->rules[gr->rule];
		json_t *rj = json_object();
		json_object_set_new(rj, "verbs", strv_json(&r->verbs));
		json_object_set_new(rj, "apiGroups", strv_json(&r->api_groups));
		json_object_set_new(rj, "resources", strv_json(&r->resources));
		if (r->resource_names.n > 0)
			json_object_set_new(rj, "resourceNames",
			    strv_json(&r->resource_names));
		if (r->urls.n > 0)
			json_object_set_new(rj, "nonResourceURLs",
			    strv_json(&r->urls));
		json_object_set_new(o, "rule_index", json_integer(
		    (json_int_t)gr->rule));
		json_object_set_new(o, "rule", rj);
	}
	return o;
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

static json_t *
subject_json(const struct answer *a)
{
	json_t *o = json_object(), *g = json_array();

	for (size_t i = 0; i < a->req.ngroups; i++)
		json_array_append_new(g, json_string(a->req.groups[i]));
	json_object_set_new(o, "user", json_string(a->req.user));
	json_object_set_new(o, "groups", g);
	json_object_set_new(o, "groups_from", json_string(a->groups_from));
	return o;
}

/* The reason none matched, and the closest rules. */
static void
json_no(json_t *o, const struct answer *a)
{
	json_t *near = json_array();
	char m[128];

	for (size_t i = 0; i < a->near.n; i++) {
		const struct ks_rbac_near *nr = &a->near.best[i];
		json_t *g = grant_json(&nr->grant);
		json_object_set_new(g, "does_not_match",
		    json_string(ks_rbac_miss_str(nr->miss, m, sizeof(m))));
		json_array_append_new(near, g);
	}
	json_object_set_new(o, "reason", json_string(a->near.n == 0 ?
	    "no binding in the evidence names this actor or its groups" :
	    "no rule bound to the actor allows it; the closest rules are "
	    "in \"closest\""));
	json_object_set_new(o, "closest", near);
}

/* --at: the time, the base, what is unknown and the warnings. */
static void
at_json(json_t *o, const struct answer *a)
{
	char t[KS_TIME_BUFSZ];

	json_object_set_new(o, "at", json_string(ks_time_format(a->at->at,
	    t)));
	json_object_set_new(o, "snapshot", a->at->snapshot_id ?
	    json_integer(a->at->snapshot_id) : json_null());
	json_object_set_new(o, "writes_applied", json_integer(
	    a->at->applied));
	json_object_set(o, "unknown_objects", a->unknown ? a->unknown :
	    json_array());
	json_object_set(o, "warnings", a->at->warnings);
}

static json_t *
answer_json(const struct answer *a)
{
	json_t *o = json_object(), *res = json_object(), *cand = json_array();

	json_object_set_new(o, "allowed", undecided(a) ? json_null() :
	    json_boolean(a->yes));
	json_object_set_new(o, "subject", subject_json(a));
	json_object_set_new(o, "verb", json_string(a->req.verb));
	json_object_set_new(o, "api_group", a->req.resource ?
	    json_string(a->rn.api_group) : json_null());
	json_object_set_new(o, "resource", str_or_null(a->req.resource));
	json_object_set_new(o, "subresource", str_or_null(a->req.subresource));
	json_object_set_new(o, "path", str_or_null(a->req.path));
	json_object_set_new(o, "name", str_or_null(a->req.name));
	json_object_set_new(o, "namespace", str_or_null(a->req.namespace));
	json_object_set_new(res, "as_written", json_string(a->as_written));
	json_object_set_new(res, "how", json_string(ks_resname_how_str(
	    a->rn.how)));
	json_object_set_new(res, "matched", str_or_null(a->rn.matched));
	json_object_set_new(res, "kind", str_or_null(a->rn.kind));
	for (size_t i = 0; i < a->rn.ncand; i++)
		json_array_append_new(cand, json_string(a->rn.cand[i]));
	json_object_set_new(res, "also_matches", cand);
	json_object_set_new(o, "resolved", res);
	if (a->yes)
		json_object_set_new(o, "grant", grant_json(&a->why.grant));
	else
		json_no(o, a);
	json_object_set_new(o, "unresolved_bindings",
	    json_integer((json_int_t)a->why.unresolved));
	json_object_set_new(o, "note", str_or_null(a->other));
	if (a->at != NULL)
		at_json(o, a);
	return o;
}

/* One row for table, csv, md and jsonl. */
static int
row(const struct answer *a, const char *fmt)
{
	static const char *const cols[] = { "allowed", "subject", "verb",
	    "api_group", "resource", "subresource", "namespace", "resolved",
	    "binding", "role", "rule" };
	char r[1024] = "", b[512] = "", m[128];
	struct ks_out *out;
	struct ks_err err;
	const struct ks_rbac_grant *gr = a->yes ? &a->why.grant :
	    a->near.n > 0 ? &a->near.best[0].grant : NULL;

	if (gr != NULL)
		ks_rbacfmt_grant(gr, b, sizeof(b));
	if (a->yes)
		ks_rbacfmt_rule(&gr->role->rules[gr->rule], r, sizeof(r));
	else if (gr != NULL)
		snprintf(r, sizeof(r), "closest; does not match: %s",
		    ks_rbac_miss_str(a->near.best[0].miss, m, sizeof(m)));
	else
		snprintf(r, sizeof(r), "no binding names this actor or its "
		    "groups");
	struct ks_cell c[11] = {
		ks_cell_text(a->yes ? "yes" : undecided(a) ? "unknown" : "no"),
		ks_cell_text(a->req.user),
		ks_cell_text(a->req.verb), ks_cell_text(a->req.resource ?
		    a->rn.api_group : NULL),
		ks_cell_text(a->req.resource ? a->req.resource : a->req.path),
		ks_cell_text(a->req.subresource), ks_cell_text(a->req.namespace),
		ks_cell_text(ks_resname_how_str(a->rn.how)),
		ks_cell_text(gr ? b : NULL), ks_cell_text(gr && gr->role ?
		    gr->role->name : NULL), ks_cell_text(r),
	};
	if ((out = ks_out_new(fmt, stdout, &err)) == NULL)
		return -1;
	ks_out_begin(out, 11, cols);
	ks_out_row(out, c);
	if (ks_out_end(out, &err) < 0) {
		ks_out_free(out);
		return -1;
	}
	ks_out_free(out);
	return 0;
}

/* Print the answer as ctx asks; 0, or -1 on a write error. */
static int
print(struct ks_ctx *ctx, const struct answer *a)
{
	const char *fmt = ctx->format;
	json_t *o;
	int rc;

	if (ctx->quiet)
		return 0;
	if (fmt == NULL || strcmp(fmt, "text") == 0) {
		text(a);
		return 0;
	}
	if (strcmp(fmt, "json") != 0)
		return row(a, fmt);
	if ((o = answer_json(a)) == NULL)
		return -1;
	rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	putchar('\n');
	return rc;
}

/* Warn about a resource name that was not found (not with -q). */
static void
warn(struct ks_ctx *ctx, const struct ks_resname *rn, const char *arg)
{
	if (ctx->quiet || rn->how != KS_RESNAME_ASSUMED)
		return;
	fflush(stdout);
	fprintf(stderr, "kubesift: warning: no resource named \"%s\" in the "
	    "snapshot or built in; assuming API group \"%s\"%s\n", arg,
	    rn->api_group, rn->api_group[0] ? "" : " (core)");
}

/* Is fmt one can prints?  (The dispatcher does not check: no KS_CMD_ROWS.) */
static int
known_format(const char *fmt)
{
	static const char *const extra[] = { "text", "json", NULL };
	const char *const *f;

	if (fmt == NULL)
		return 1;
	for (f = extra; *f != NULL; f++)
		if (strcmp(*f, fmt) == 0)
			return 1;
	for (f = ks_out_formats(); *f != NULL; f++)
		if (strcmp(*f, fmt) == 0)
			return 1;
	return 0;
}

/* Resolve RESOURCE into a->rn and a->req; 0 or -1 (printed). */
static int
resolve(struct ks_ctx *ctx, struct answer *a)
{
	struct ks_err err;

	if (ks_resname_resolve(ctx->db, a->as_written, &a->rn, &err) < 0) {
		ks_cmd_error("can: %s", err.msg);
		return -1;
	}
	warn(ctx, &a->rn, a->as_written);
	if (a->rn.how == KS_RESNAME_URL) {
		a->req.path = a->as_written;
		return 0;
	}
	a->req.api_group = a->rn.api_group;
	a->req.resource = a->rn.resource;
	a->req.subresource = a->rn.subresource[0] ? a->rn.subresource : NULL;
	return 0;
}

/* The actor's groups: --group, its latest audit event, or implicit. */
static char **
set_groups(struct ks_ctx *ctx, struct answer *a)
{
	const struct can_state *cs = ctx->state;
	char **found = NULL;
	size_t n = 0;

	a->groups_from = "option";
	if (cs->ngroups > 0) {
		a->req.groups = cs->groups;
		a->req.ngroups = cs->ngroups;
	} else if ((found = ks_actor_groups(ctx->db, a->req.user, &n)) !=
	    NULL) {
		a->req.groups = (const char *const *)found;
		a->req.ngroups = n;
		a->groups_from = "audit";
	} else {
		a->req.implicit_groups = 1;
		a->groups_from = "implicit";
	}
	return found;
}

/* The RBAC to ask: of --snapshot, or rebuilt --at (a->at); NULL after
   printing why. */
static struct ks_rbac *
load(struct ks_ctx *ctx, struct answer *a)
{
	const struct can_state *cs = ctx->state;
	struct ks_err err;
	long nobj;
	int usage;	/* a bad time: exit 2, as every failure of can */

	if (cs->at == NULL) {
		struct ks_rbac *r = ks_rbacdb_load(ctx->db, cs->snapshot, &nobj,
		    &err);
		if (r == NULL)
			ks_cmd_error("can: %s", err.msg);
		return r;
	}
	if (cs->snapshot != 0) {
		ks_cmd_error("can: --at and --snapshot exclude each other");
		return NULL;
	}
	if ((a->at = ks_at_opt_build(ctx->db, ctx->quiet, "can", cs->at,
	    &usage, &err)) == NULL) {
		ks_cmd_error("can: %s", err.msg);
		return NULL;
	}
	return a->at->rbac;
}

static int
exec_can(struct ks_ctx *ctx)
{
	const struct can_state *cs = ctx->state;
	struct answer a;
	struct ks_rbac *rbac = NULL;
	struct ks_err err;
	char **found = NULL;
	int rc = EXIT_UNKNOWN;

	memset(&a, 0, sizeof(a));
	a.as_written = ctx->argv[2];
	a.req = (struct ks_rbac_request){ .user = ctx->argv[0],
	    .verb = ctx->argv[1], .name = cs->name, .namespace = cs->ns };
	if (!known_format(ctx->format)) {
		ks_cmd_error("can: unknown output format: %s", ctx->format);
		return EXIT_UNKNOWN;
	}
	if (ks_db_open_ro(ctx->db_path, &ctx->db, &err) < 0) {
		ks_cmd_error("can: %s", err.msg);
		return EXIT_UNKNOWN;
	}
	if (resolve(ctx, &a) < 0)
		goto out;
	found = set_groups(ctx, &a);
	if ((rbac = load(ctx, &a)) == NULL)
		goto out;
	if ((a.yes = ks_rbac_allows(rbac, &a.req, &a.why)) < 0) {
		ks_cmd_error("can: bad request");
		goto out;
	}
	if (!a.yes)
		ks_rbac_explain(rbac, &a.req, keep, &a.near);
	if (!a.yes && a.at != NULL) {
		a.unknown = ks_rbac_at_unknown_for(a.at, &a.req, 0);
		ks_at_opt_unknown(ctx->quiet, "can", a.unknown);
	}
	a.other = ks_rbacfmt_other_authorizers(a.req.user, a.req.groups,
	    a.req.ngroups);
	if (print(ctx, &a) < 0) {
		ks_cmd_error("can: write error");
		goto out;
	}
	rc = undecided(&a) ? EXIT_UNKNOWN : a.yes ? EXIT_YES : EXIT_NO;
out:
	if (a.at == NULL)
		ks_rbac_free(rbac);
	ks_rbac_at_free(a.at);
	json_decref(a.unknown);
	ks_actor_groups_free(found);
	return rc;
}

const struct ks_cmd ks_cmd_can = {
	.name = "can",
	.summary = "would RBAC allow ACTOR to VERB RESOURCE? yes (exit 0) or "
	    "no (1), and why",
	.usage = "ACTOR VERB RESOURCE [-n NS] [--name NAME] [--group GROUP]... "
	    "[--snapshot ID | --at TIME]",
	.opts = opts,
	.formats = KS_FMT_ROWS,
	.min_args = 3, .max_args = 3,
	.flags = 0,
	.state_size = sizeof(struct can_state),
	.option = option,
	.exec = exec_can,
};
