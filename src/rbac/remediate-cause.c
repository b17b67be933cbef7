/*
 * Was it a gap at the time of the denials, and which RBAC write made it
 * one: the RBAC rebuilt (rbacat.h) on each side of each candidate write
 * (declared in remediate-int.h).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbacfmt.h"
#include "rbac/remediate-int.h"
#include "util/jutil.h"
#include "util/timeutil.h"

#define MAX_CANDIDATES	32	/* writes tried per denial group */

/* What a rebuild at one moment says about req. */
struct verdict {
	int		 allowed;	/* 1 allowed, 0 definitely not, -1
					   unknown (or no memory) */
	char		 by[512];	/* when allowed: the grant, as words */
	char		 rule[1024];	/* and its rule */
};

static void
judge(struct ks_rbac_hist *h, int64_t t, const struct ks_rbac_request *req,
    struct verdict *v)
{
	struct ks_rbac_at *at = ks_rbac_hist_at(h, t, NULL);
	struct ks_rbac_why why;
	json_t *unknown;

	v->allowed = -1;
	if (at == NULL)
		return;
	v->allowed = ks_rbac_allows(at->rbac, req, &why);
	if (v->allowed == 1) {
		ks_rbacfmt_grant(&why.grant, v->by, sizeof(v->by));
		ks_rbacfmt_rule(&why.grant.role->rules[why.grant.rule], v->rule,
		    sizeof(v->rule));
	} else if (v->allowed == 0) {
		unknown = ks_rbac_at_unknown_for(at, req, 0);
		if (json_array_size(unknown) > 0)
			v->allowed = -1;
		json_decref(unknown);
	}
}

/* The cause object for write w (before: what allowed the request just
   before it, or NULL when that is not known). */
static json_t *
cause_json(const struct ks_rbac_write *w, int64_t first,
    const struct verdict *before)
{
	char t[KS_TIME_BUFSZ];

	json_t *c = json_pack("{s:s?,s:s,s:s?,s:s,s:s,s:s?,s:s?,s:I}",
	    "audit_id", w->audit_id, "time", ks_time_format(w->time, t),
	    "actor", w->actor, "verb", w->verb, "kind", w->kind, "namespace",
	    w->namespace, "name", w->name, "seconds_before",
	    (json_int_t)((first - w->time) / 1000000));

	if (c != NULL && before != NULL) {
		json_object_set_new(c, "allowed_by", json_string(before->by));
		json_object_set_new(c, "rule", json_string(before->rule));
	}
	return c;
}

/*
 * Is w's object one of the objects of unknown state at t that could allow
 * req?  Why its state is unknown (a new string of the entry), or NULL.
 */
static json_t *
unknown_object(struct ks_rbac_hist *h, int64_t t,
    const struct ks_rbac_request *req, const struct ks_rbac_write *w)
{
	struct ks_rbac_at *at = ks_rbac_hist_at(h, t, NULL);
	json_t *unknown, *u, *why = NULL;
	const char *ns;
	size_t i;

	if (at == NULL || w->name == NULL)
		return NULL;
	unknown = ks_rbac_at_unknown_for(at, req, 0);
	json_array_foreach(unknown, i, u) {
		ns = ks_json_str(u, "namespace");
		if (ks_json_str(u, "kind") != NULL && ks_json_str(u, "name") !=
		    NULL && strcmp(ks_json_str(u, "kind"), w->kind) == 0 &&
		    strcmp(ks_json_str(u, "name"), w->name) == 0 &&
		    (ns == NULL ? w->namespace == NULL : w->namespace != NULL &&
		    strcmp(ns, w->namespace) == 0)) {
			why = json_string(ks_json_str(u, "reason") ?
			    ks_json_str(u, "reason") : "not in the evidence");
			break;
		}
	}
	json_decref(unknown);
	return why;
}

/*
 * The cause of g's denials (ks_remediate_cause), or NULL; *possible, when
 * there is none, the last write in the window such that the RBAC just
 * after it refused the request and the object it wrote is of unknown
 * state just before it (and could have allowed the request): a possible
 * cause, with "unknown_because", or NULL.
 */
static json_t *
search(struct ks_rbac_hist *h, const struct ks_remediate_group *g,
    json_t **possible)
{
	const struct ks_rbac_write *w;
	struct ks_rbac_request req;
	struct verdict before, after;
	const char *gv[64], *fs = g->first_seen;
	int64_t first;
	size_t n, tried = 0;
	json_t *why;

	*possible = NULL;
	if (fs == NULL || ks_time_parse(fs, strlen(fs), &first) < 0)
		return NULL;
	ks_remediate_request(g, &req, gv, 64);
	judge(h, first, &req, &after);
	if (after.allowed != 0)
		return NULL;	/* not a known gap when the denials began */
	w = ks_rbac_hist_writes(h, &n);
	for (size_t i = n; i-- > 0 && tried < MAX_CANDIDATES; ) {
		if (w[i].time > first)
			continue;
		if (w[i].time < first - KS_CAUSE_WINDOW)
			break;
		if (w[i].dry_run || w[i].code < 200 || w[i].code >= 300)
			continue;
		tried++;
		judge(h, w[i].time, &req, &after);
		if (after.allowed != 0)
			continue;
		judge(h, w[i].time - 1, &req, &before);
		if (before.allowed == 1) {
			json_decref(*possible);
			*possible = NULL;
			return cause_json(&w[i], first, &before);
		}
		if (before.allowed == -1 && *possible == NULL && (why =
		    unknown_object(h, w[i].time - 1, &req, &w[i])) != NULL) {
			*possible = cause_json(&w[i], first, NULL);
			json_object_set_new(*possible, "unknown_because", why);
		}
	}
	return NULL;
}

json_t *
ks_remediate_cause(struct ks_rbac_hist *h, const struct ks_remediate_group *g)
{
	json_t *possible, *c = search(h, g, &possible);

	json_decref(possible);
	return c;
}

void
ks_remediate_cause_set(struct ks_rbac_hist *h, json_t *change,
    const struct ks_remediate_list *evidence)
{
	json_t *c, *p, *first = NULL;

	for (size_t i = 0; i < evidence->n; i++) {
		if ((c = search(h, evidence->v[i], &p)) != NULL) {
			json_decref(first);
			json_decref(p);
			json_object_set_new(change, "cause", c);
			return;
		}
		if (first == NULL)
			first = p;
		else
			json_decref(p);
	}
	if (first != NULL)
		json_object_set_new(change, "possible_cause", first);
}

/* The time of g's first_seen or last_seen, or KS_TIME_NONE. */
static int64_t
group_time(const char *s)
{
	int64_t t;

	return s != NULL && ks_time_parse(s, strlen(s), &t) == 0 ? t :
	    KS_TIME_NONE;
}

/* The first write after the denials that made RBAC allow req, or NULL. */
static json_t *
fixed_by(struct ks_rbac_hist *h, int64_t last, int64_t now,
    const struct ks_rbac_request *req)
{
	const struct ks_rbac_write *w;
	struct verdict before, after;
	size_t n, tried = 0;
	char t[KS_TIME_BUFSZ];

	w = ks_rbac_hist_writes(h, &n);
	for (size_t i = 0; i < n && tried < MAX_CANDIDATES; i++) {
		if (w[i].time <= last || w[i].dry_run || w[i].code < 200 ||
		    w[i].code >= 300)
			continue;
		if (w[i].time > now)
			break;
		tried++;
		judge(h, w[i].time, req, &after);
		if (after.allowed != 1)
			continue;
		/* Before it, no known grant (an object of unknown state
		   could not have been the fix: this write was). */
		judge(h, w[i].time - 1, req, &before);
		if (before.allowed != 1)
			return json_pack("{s:s?,s:s,s:s?,s:s,s:s,s:s?,s:s?,s:s}",
			    "audit_id", w[i].audit_id, "time", ks_time_format(
			    w[i].time, t), "actor", w[i].actor, "verb", w[i].verb,
			    "kind", w[i].kind, "namespace", w[i].namespace, "name",
			    w[i].name, "allowed_by", after.by);
	}
	return NULL;
}

/* Say on g that it was a gap at the time, fixed since (by what). */
static void
fixed_since(struct ks_rbac_hist *h, struct ks_remediate_group *g,
    const int64_t *t, const struct ks_rbac_request *req)
{
	g->gap_at_time = 1;
	g->has_fixed_by = 1;
	json_decref(g->fixed_by);
	g->fixed_by = fixed_by(h, t[2], t[0], req);
}

int
ks_remediate_gap_then(sqlite3 *db, struct ks_rbac_hist **hist,
    struct ks_remediate_group *g)
{
	int64_t t[3] = { KS_TIME_NONE, group_time(g->first_seen),
	    group_time(g->last_seen) };
	struct ks_rbac_request req;
	struct verdict v[3];
	const char *gv[64];
	size_t n;

	if (t[1] == KS_TIME_NONE || t[2] == KS_TIME_NONE)
		return 0;
	if (*hist == NULL && (*hist = ks_rbac_hist_load(db, NULL)) == NULL)
		return 0;
	ks_rbac_hist_writes(*hist, &n);
	if (n == 0 || (t[0] = ks_rbac_hist_now(*hist)) == KS_TIME_NONE)
		return 0;	/* nothing over time beyond the snapshots */
	ks_remediate_request(g, &req, gv, 64);
	/* Then, a known refusal at the first and the last denial. */
	for (int i = 2; i >= 0; i--) {
		judge(*hist, t[i], &req, &v[i]);
		if (i > 0 && v[i].allowed != 0)
			return 0;
	}
	/* Now, a known grant means it was fixed since; an object of unknown
	   state is said (a warning of the change). */
	if (v[0].allowed == 1) {
		fixed_since(*hist, g, t, &req);
		return 0;
	}
	return 1;
}

void
ks_remediate_then_warn(struct ks_rbac_at *then, json_t *change,
    const struct ks_remediate_list *evidence)
{
	struct ks_rbac_request req;
	const char *gv[64];
	json_t *u, *unknown;
	char buf[1024];
	size_t i, k;

	for (i = 0; i < evidence->n; i++) {
		ks_remediate_request(evidence->v[i], &req, gv, 64);
		unknown = ks_rbac_at_unknown_for(then, &req, 0);
		json_array_foreach(unknown, k, u) {
			snprintf(buf, sizeof(buf), "the state of %s %s%s%s at the "
			    "end of the evidence is unknown (%s): it may "
			    "already allow these requests", ks_json_str(u,
			    "kind"), ks_json_str(u, "namespace") ? ks_json_str(u,
			    "namespace") : "", ks_json_str(u, "namespace") ? "/" :
			    "", ks_json_str(u, "name") ? ks_json_str(u, "name") :
			    "(name not in the log)", ks_json_str(u, "reason"));
			json_array_append_new(json_object_get(change,
			    "warnings"), json_string(buf));
		}
		json_decref(unknown);
	}
}

struct ks_rbac_at *
ks_remediate_rbac_then(const struct ks_rbac_hist *h,
    const struct ks_remediate_list *groups)
{
	int any = 0;

	for (size_t i = 0; i < groups->n; i++)
		any |= groups->v[i]->gap_at_time;
	if (!any || h == NULL || ks_rbac_hist_now(h) == KS_TIME_NONE)
		return NULL;
	return ks_rbac_at_build(h, ks_rbac_hist_now(h), NULL);
}
