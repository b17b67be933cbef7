/*
 * The evidence of use: every allowed request of the window, grouped in one
 * pass (unused-scan.c), and the span the audit log covers.
 *
 * A group counts the final stage of each request (as request_outcomes
 * counts them); a request read from two copies of the log counts once
 * (distinct auditIDs).  The authorizer sees no name for a create or
 * deletecollection of a collection, and names matter only to rules with
 * resourceNames: the name is kept for their resources alone, so that the
 * groups stay few.  An impersonated request, allowed or not (the
 * apiserver records impersonatedUser only once impersonation was
 * allowed), also used its impersonator's impersonate permission, which
 * one() derives from the impersonator and its groups.
 */
#include <stdio.h>
#include <string.h>

#include "rbac/actor.h"
#include "rbac/unused-int.h"
#include "rbac/unused.h"
#include "store/sqltime.h"
#include "util/timeutil.h"

/* Is "|" the cut bytes of res "|" in the list buf? */
static int
listed(const char *buf, const char *res, size_t cut)
{
	for (const char *p = buf; (p = strstr(p, "|")) != NULL; p++)
		if (strncmp(p + 1, res, cut) == 0 && p[1 + cut] == '|')
			return 1;
	return 0;
}

/*
 * The resources of rules with resourceNames, as "|configmaps|leases|" in
 * buf (of size sz; cut short, *all is set); *all also when such a rule
 * names every resource.  Each once: SQLite looks for the resource of every
 * row in it.
 */
static void
named_resources(struct ks_rbac *rbac, char *buf, size_t sz, int *all)
{
	struct ks_rbac_role *const *roles;
	const struct ks_rbac_rule *r;
	size_t n, len = 1, cut;

	snprintf(buf, sz, "|");
	*all = 0;
	roles = ks_rbac_roles(rbac, &n);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < roles[i]->nrules; k++) {
			r = &roles[i]->rules[k];
			for (size_t j = 0; r->resource_names.n && j <
			    r->resources.n; j++) {
				cut = strcspn(r->resources.v[j], "/");
				*all |= r->resources.v[j][0] == '*';
				if (listed(buf, r->resources.v[j], cut))
					continue;
				if (len + cut + 2 >= sz)
					*all = 1;
				else
					len += (size_t)snprintf(buf + len, sz -
					    len, "%.*s|", (int)cut,
					    r->resources.v[j]);
			}
		}
}

/* Bind the window's bounds to ?1 and ?2 (NULL: open). */
static void
bind_params(const struct ks_unused *u, sqlite3_stmt *st)
{
	if (u->since_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 1, u->since_us);
	if (u->until_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 2, u->until_us);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Does the apiserver add group g itself when impersonating user? */
static int
added(const char *g, const char *user)
{
	return strcmp(g, "system:authenticated") == 0 ||
	    (strncmp(g, "system:serviceaccounts", 22) == 0 &&
	    strncmp(user, "system:serviceaccount:", 22) == 0);
}

/*
 * The impersonate requests of the impersonator of group r (and its
 * groups): on users, or on the serviceaccount, and on each of the groups
 * asked for (groups, of ngroups) that the apiserver does not add by
 * itself.  fn's first nonzero return, else 0.
 */
static int
impersonation(const struct ks_unused_row *r, char **groups, size_t ngroups,
    ks_unused_req_fn fn, void *arg)
{
	const char *user = r->actor, *colon;
	struct ks_rbac_request req;
	char **mine, ns[256];
	size_t nmine = 0;
	int rc;

	memset(&req, 0, sizeof(req));
	mine = ks_actor_groups_parse(r->impersonator_groups, &nmine);
	req.user = r->impersonator;
	req.groups = (const char *const *)mine;
	req.ngroups = nmine;
	req.verb = "impersonate";
	req.api_group = "";
	req.resource = "users";
	req.name = user;
	if (strncmp(user, "system:serviceaccount:", 22) == 0 &&
	    (colon = strchr(user + 22, ':')) != NULL) {
		snprintf(ns, sizeof(ns), "%.*s", (int)(colon - user - 22),
		    user + 22);
		req.resource = "serviceaccounts";
		req.namespace = ns;
		req.name = colon + 1;
	}
	rc = fn(&req, r->n, arg);
	req.resource = "groups";
	req.namespace = NULL;
	for (size_t i = 0; rc == 0 && i < ngroups; i++)
		if (!added(groups[i], user)) {
			req.name = groups[i];
			rc = fn(&req, r->n, arg);
		}
	ks_actor_groups_free(mine);
	return rc;
}

/* One group of ks_unused_scan handed to fn; its return. */
static int
one(const struct ks_unused_row *r, ks_unused_req_fn fn, void *arg)
{
	struct ks_rbac_request req;
	char **groups;
	size_t ngroups = 0;
	int rc = 0;

	if (r->actor == NULL)
		return 0;
	memset(&req, 0, sizeof(req));
	groups = ks_actor_groups_parse(r->groups, &ngroups);
	req.user = r->actor;
	req.groups = (const char *const *)groups;
	req.ngroups = ngroups;
	req.verb = r->verb;
	req.api_group = r->api_group;
	req.resource = r->resource;
	req.subresource = r->subresource;
	req.namespace = r->namespace;
	req.name = r->name;
	req.path = r->path;
	if (r->allowed && (req.resource || req.path))
		rc = fn(&req, r->n, arg);
	if (rc == 0 && r->impersonator != NULL)
		rc = impersonation(r, groups, ngroups, fn, arg);
	ks_actor_groups_free(groups);
	return rc;
}

/* Copy s (NULL stays NULL); sets *failed when out of memory. */
static const char *
dup(const char *s, int *failed)
{
	char *d = s ? strdup(s) : NULL;

	*failed |= s != NULL && d == NULL;
	return d;
}

/* ks_unused_req_fn: keep a copy of req in u->reqs. */
static int
keep(const struct ks_rbac_request *req, long long n, void *arg)
{
	struct ks_unused *u = arg;
	struct ks_unused_group *g, *more;
	char **groups;
	int failed = 0;

	if (u->nreqs == u->capreqs) {
		u->capreqs = u->capreqs ? 2 * u->capreqs : 256;
		if ((more = realloc(u->reqs, u->capreqs * sizeof(*more))) ==
		    NULL)
			return 1;
		u->reqs = more;
	}
	g = &u->reqs[u->nreqs++];
	memset(g, 0, sizeof(*g));
	g->count = n;
	g->first_us = u->row_first_us;
	g->last_us = u->row_last_us;
	if ((groups = calloc(req->ngroups + 1, sizeof(*groups))) == NULL)
		return 1;
	for (size_t i = 0; i < req->ngroups; i++)
		groups[i] = (char *)dup(req->groups[i], &failed);
	g->req.groups = (const char *const *)groups;
	g->req.ngroups = req->ngroups;
	g->req.user = dup(req->user, &failed);
	g->req.verb = dup(req->verb, &failed);
	g->req.api_group = dup(req->api_group, &failed);
	g->req.resource = dup(req->resource, &failed);
	g->req.subresource = dup(req->subresource, &failed);
	g->req.namespace = dup(req->namespace, &failed);
	g->req.name = dup(req->name, &failed);
	g->req.path = dup(req->path, &failed);
	return failed;
}

/* ks_unused_row_fn: the requests of group r into u->reqs. */
static int
load_row(const struct ks_unused_row *r, void *arg)
{
	struct ks_unused *u = arg;

	u->row_first_us = r->lo;
	u->row_last_us = r->hi;
	return one(r, keep, u);
}

int
ks_unused_load(struct ks_unused *u, struct ks_err *err)
{
	char names[8192];
	int all, rc;

	named_resources(u->rbac, names, sizeof(names), &all);
	if ((rc = ks_unused_scan(u, names, all, load_row, u, err)) > 0)
		ks_err_set(err, "out of memory");
	return rc != 0 ? -1 : 0;
}

void
ks_unused_requests(const struct ks_unused *u, ks_unused_req_fn fn,
    void *arg)
{
	for (size_t i = 0; i < u->nreqs; i++)
		if (fn(&u->reqs[i].req, u->reqs[i].count, arg) != 0)
			break;
}

void
ks_unused_unload(struct ks_unused *u)
{
	const struct ks_rbac_request *r;

	for (size_t i = 0; i < u->nreqs; i++) {
		r = &u->reqs[i].req;
		for (size_t j = 0; j < r->ngroups; j++)
			free((char *)r->groups[j]);
		free((void *)r->groups);
		free((char *)r->user);
		free((char *)r->verb);
		free((char *)r->api_group);
		free((char *)r->resource);
		free((char *)r->subresource);
		free((char *)r->namespace);
		free((char *)r->name);
		free((char *)r->path);
	}
	free(u->reqs);
	u->reqs = NULL;
	u->nreqs = u->capreqs = 0;
}

/*
 * The strength of the evidence of a span of seconds with events on days
 * distinct days: a log of scattered days covers those days, not the span.
 */
static const char *
strength(int events, double seconds, long long days)
{
	if (!events)
		return "none";
	if (seconds > days * 86400.0)
		seconds = days * 86400.0;
	if (seconds < 86400)
		return "weak";
	return seconds < 30 * 86400.0 ? "moderate" : "strong";
}

#define DAY_US	86400000000LL
/* The window's events from ?1 on, as the time index gives them. */
#define WINDOW_FROM " FROM audit_rows WHERE received_us IS NOT NULL" \
	" AND received_us >= coalesce(?1, -9223372036854775807 - 1)" \
	" AND received_us <= coalesce(?2, 9223372036854775807)"

/*
 * The days with events from lo, the window's first time, on (as
 * count(DISTINCT received_us / 86400000000) counts them: the quotient
 * truncated toward zero): from each day's first time, the first time of
 * the next quotient, looked up in the time index.  -1 with err.
 */
static long long
count_days(const struct ks_unused *u, int64_t lo, struct ks_err *err)
{
	sqlite3_stmt *st;
	long long days = 0;
	int64_t t = lo, d;
	int rc = SQLITE_ROW;

	if (sqlite3_prepare_v2(u->db, "SELECT min(received_us)" WINDOW_FROM,
	    -1, &st, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s", sqlite3_errmsg(u->db));
		return -1;
	}
	if (u->until_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 2, u->until_us);
	while (t != KS_TIME_NONE) {
		days++;
		d = t / DAY_US;
		if (t >= 0 && d >= INT64_MAX / DAY_US - 1)
			break;
		sqlite3_bind_int64(st, 1, t >= 0 ? (d + 1) * DAY_US : d < 0 ?
		    d * DAY_US + 1 : DAY_US);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		t = sqlite3_column_type(st, 0) == SQLITE_NULL ? KS_TIME_NONE :
		    sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (rc != SQLITE_ROW)
		ks_err_set(err, "%s", sqlite3_errmsg(u->db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? days : -1;
}

json_t *
ks_unused_span(const struct ks_unused *u, struct ks_err *err)
{
	static const char q[] = "SELECT " KS_SQL_TIME("lo") ","
	    " " KS_SQL_TIME("hi") ", (hi - lo) / 1e6, lo FROM (SELECT"
	    " (SELECT min(received_us)" WINDOW_FROM ") AS lo,"
	    " (SELECT max(received_us)" WINDOW_FROM ") AS hi)";
	sqlite3_stmt *st;
	json_t *o = NULL;
	double secs;
	long long days = 0;
	int any;

	if (sqlite3_prepare_v2(u->db, q, -1, &st, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s", sqlite3_errmsg(u->db));
		return NULL;
	}
	bind_params(u, st);
	if (sqlite3_step(st) == SQLITE_ROW) {
		secs = sqlite3_column_double(st, 2);
		any = sqlite3_column_type(st, 3) != SQLITE_NULL;
		if (any && (days = count_days(u, sqlite3_column_int64(st, 3),
		    err)) < 0) {
			sqlite3_finalize(st);
			return NULL;
		}
		o = json_pack("{s:s?,s:s?,s:f,s:I,s:s,s:I}", "from",
		    col(st, 0), "to", col(st, 1), "seconds", secs, "days",
		    (json_int_t)days, "strength", strength(any, secs, days),
		    "requests", (json_int_t)u->requests);
	} else
		ks_err_set(err, "%s", sqlite3_errmsg(u->db));
	sqlite3_finalize(st);
	return o;
}

/*
 * The span of the window's events when it is too short to judge a grant
 * unused (no event, or under a day: strength "none" or "weak"), read from
 * the time index alone: its first and last times, and the days with
 * events, one or two (the days of the first and the last: any time
 * between falls on one of them).  JSON null when the span is a day or
 * more (ks_unused_plan says then, from every request); NULL on error.
 */
json_t *
ks_unused_short_span(sqlite3 *db, const struct ks_filter *f,
    struct ks_err *err)
{
#define KS_WINDOW_EVENTS " FROM audit_rows WHERE received_us IS NOT NULL" \
	" AND received_us >= coalesce(?1, -9223372036854775807 - 1)" \
	" AND received_us <= coalesce(?2, 9223372036854775807))"
	static const char q[] = "SELECT " KS_SQL_TIME("lo") ","
	    " " KS_SQL_TIME("hi") ", (hi - lo) / 1e6,"
	    " 1 + (lo / 86400000000 != hi / 86400000000),"
	    " hi - lo < 86400000000"
	    " FROM (SELECT (SELECT min(received_us)" KS_WINDOW_EVENTS " AS lo,"
	    " (SELECT max(received_us)" KS_WINDOW_EVENTS " AS hi)";
#undef KS_WINDOW_EVENTS
	sqlite3_stmt *st;
	json_t *o = NULL;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		return NULL;
	}
	if (f->since_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 1, f->since_us);
	if (f->until_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 2, f->until_us);
	if (sqlite3_step(st) != SQLITE_ROW) {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		o = json_pack("{s:n,s:n,s:f,s:i,s:s,s:i}", "from", "to",
		    "seconds", 0.0, "days", 0, "strength", "none", "events", 0);
	else if (sqlite3_column_int(st, 4))
		o = json_pack("{s:s,s:s,s:f,s:I,s:s}", "from", col(st, 0),
		    "to", col(st, 1), "seconds", sqlite3_column_double(st, 2),
		    "days", (json_int_t)sqlite3_column_int64(st, 3),
		    "strength", "weak");
	else
		o = json_null();
	if (o == NULL)
		ks_err_set(err, "out of memory");
	sqlite3_finalize(st);
	return o;
}
