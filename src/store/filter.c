#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/filter.h"
#include "store/filter-edge.h"
#include "store/resname.h"
#include "util/timeutil.h"

/* Parameter numbers: a block per option, one per value (filter.h). */
#define P_ACTOR		101
#define P_VERB		(P_ACTOR + KS_FILTER_MAXV)
#define P_GROUP		(P_VERB + KS_FILTER_MAXV)
#define P_NAMESPACE	(P_GROUP + KS_FILTER_MAXV)
#define P_RES		(P_NAMESPACE + KS_FILTER_MAXV)	/* 3 per value */
#define P_SINCE		(P_RES + 3 * KS_FILTER_MAXV)
#define P_UNTIL		(P_SINCE + 1)
#define P_MLO		(P_UNTIL + 1)	/* the window's whole minutes */
#define P_MHI		(P_UNTIL + 2)

void
ks_filter_init(struct ks_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since_us = KS_TIME_NONE;
	f->until_us = KS_TIME_NONE;
}

/* Hand a warning to the filter's callback, if it has one. */
static void
warn(const struct ks_filter *f, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (f->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->warn(f->warn_arg, msg);
}

int
ks_filter_empty(const struct ks_filter *f)
{
	return f->actor.n + f->verb.n + f->resource.n + f->group.n +
	    f->namespace.n == 0 && ks_filter_rollup_ok(f);
}

int
ks_filter_rollup_ok(const struct ks_filter *f)
{
	return f->since == NULL && f->until == NULL && f->decision == NULL;
}

void
ks_filter_split(const struct ks_filter *f, struct ks_filter *when,
    struct ks_filter *what)
{
	*when = *f;
	*what = *f;
	memset(&when->actor, 0, sizeof(when->actor));
	when->verb = when->resource = when->group = when->namespace =
	    when->actor;
	when->decision = NULL;
	what->since = what->until = NULL;
	what->since_us = what->until_us = KS_TIME_NONE;
}

int
ks_filter_time(const char *s, int64_t latest_us, int64_t *us)
{
	char buf[40];
	int64_t span;

	if (ks_time_parse(s, strlen(s), us) == 0)
		return 0;
	if (strlen(s) == 10) {		/* a date: its midnight, UTC */
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		return ks_time_parse(buf, strlen(buf), us);
	}
	if (s[0] != '-' || ks_time_span(s + 1, &span) < 0 ||
	    latest_us == KS_TIME_NONE)	/* a relative time counts back */
		return -1;
	*us = latest_us - span;
	return 0;
}

/* The time of the last event in the evidence, for relative times. */
static int64_t
latest(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t t = KS_TIME_NONE;

	/* (IS NOT NULL: the partial index by time answers max.) */
	if (sqlite3_prepare_v2(db, "SELECT max(t) FROM (SELECT max(received_us)"
	    " AS t FROM audit_rows WHERE received_us IS NOT NULL"
	    " UNION ALL SELECT max(time_us) FROM log_denials)", -1, &st,
	    NULL) != SQLITE_OK)
		return t;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

int
ks_filter_when(sqlite3 *db, const char *s, int64_t *us)
{
	return ks_filter_time(s, s[0] == '-' ? latest(db) : KS_TIME_NONE, us);
}

/* RES[.GROUP][/SUB] into its parts; -1 when a part is empty. */
static int
split_resource(const char *arg, struct ks_filter_res *r)
{
	char *slash, *dot;

	if (strlen(arg) >= sizeof(r->buf))
		return -1;
	memcpy(r->buf, arg, strlen(arg) + 1);
	r->subresource = r->group = NULL;
	if ((slash = strchr(r->buf, '/')) != NULL) {
		*slash = '\0';
		r->subresource = slash + 1;
		if (*r->subresource == '\0' || strchr(r->subresource, '/'))
			return -1;
	}
	if ((dot = strchr(r->buf, '.')) != NULL) {
		*dot = '\0';
		r->group = dot + 1;
		if (*r->group == '\0')
			return -1;
	}
	r->resource = r->buf;
	return *r->resource == '\0' ? -1 : 0;
}

/*
 * Resolve one --resource as kubectl would (resname.h): short names,
 * singulars and CRDs of the snapshot name their group.  A name nothing
 * knows matches that resource in any group, with a warning; an ambiguous
 * one is an error.
 */
static int
resolve_resource(sqlite3 *db, struct ks_filter *f, int i, struct ks_err *err)
{
	struct ks_filter_res *r = &f->res[i];
	struct ks_resname rn;
	char arg[512];

	if (split_resource(f->resource.v[i], r) < 0 || r->resource[0] == '/')
		return ks_err_set(err, "--resource: not a resource: %s (RES, "
		    "RES/SUBRESOURCE or RES.GROUP)", f->resource.v[i]);
	/* With one --group, a bare name is looked up in that group. */
	if (r->group == NULL && f->group.n == 1 && f->group.v[0][0])
		snprintf(arg, sizeof(arg), "%s.%s%s%s", r->resource,
		    f->group.v[0], r->subresource ? "/" : "",
		    r->subresource ? r->subresource : "");
	else
		snprintf(arg, sizeof(arg), "%s", f->resource.v[i]);
	if (ks_resname_resolve(db, arg, &rn, err) < 0) {
		if (rn.how == KS_RESNAME_AMBIGUOUS)
			return -1;
		/* An older database cannot resolve: take it as written. */
		warn(f, "%s; matching \"%s\" as written", err->msg,
		    f->resource.v[i]);
		ks_err_clear(err);
		return 0;
	}
	if (rn.how == KS_RESNAME_ASSUMED) {
		if (r->group == NULL && !(f->group.n == 1 && f->group.v[0][0]))
			warn(f, "no resource named \"%s\" is built in or in "
			    "a snapshot's CRDs: matching it in any API group",
			    r->resource);
		return 0;
	}
	/* buf holds "resource\0group\0subresource". */
	if (strlen(rn.resource) + strlen(rn.api_group) +
	    strlen(rn.subresource) + 3 > sizeof(r->buf))
		return ks_err_set(err, "--resource: too long: %s",
		    f->resource.v[i]);
	r->resource = strcpy(r->buf, rn.resource);
	r->group = strcpy(r->buf + strlen(r->resource) + 1, rn.api_group);
	r->subresource = rn.subresource[0] == '\0' ? NULL :
	    strcpy((char *)r->group + strlen(r->group) + 1, rn.subresource);
	return 0;
}

int
ks_filter_resolve(struct ks_filter *f, sqlite3 *db, struct ks_err *err)
{
	int64_t last = KS_TIME_NONE;

	for (int i = 0; i < f->resource.n; i++)
		if (resolve_resource(db, f, i, err) < 0)
			return -1;
	if ((f->since && f->since[0] == '-') || (f->until && f->until[0] ==
	    '-'))
		last = latest(db);
	if (f->since && ks_filter_time(f->since, last, &f->since_us) < 0)
		return ks_err_set(err, "--since: not a time: %s (RFC 3339, a "
		    "date, or -2h, -30m, -1d before the last event%s)",
		    f->since, last == KS_TIME_NONE && f->since[0] == '-' ?
		    "; the evidence has no timed event" : "");
	if (f->until && ks_filter_time(f->until, last, &f->until_us) < 0)
		return ks_err_set(err, "--until: not a time: %s (same forms as "
		    "--since)", f->until);
	if (f->since_us != KS_TIME_NONE && f->until_us != KS_TIME_NONE &&
	    f->since_us > f->until_us)
		return ks_err_set(err, "--since %s is after --until %s",
		    f->since, f->until);
	f->resolved = 1;
	return 0;
}

/* Append "(a OR b ...)" made by fmt for each of n values. */
static void
add_any(char *sql, size_t sz, int n, const char *(*cond)(char *, size_t,
    int, const void *), const void *arg)
{
	char c[512];
	size_t len;

	if (n == 0)
		return;
	len = strlen(sql);
	snprintf(sql + len, sz - len, " AND (");
	for (int i = 0; i < n; i++) {
		len = strlen(sql);
		snprintf(sql + len, sz - len, "%s%s", i ? " OR " : "",
		    cond(c, sizeof(c), i, arg));
	}
	len = strlen(sql);
	snprintf(sql + len, sz - len, ")");
}

static const char *
actor_cond(char *c, size_t sz, int i, const void *arg)
{
	const struct ks_filter *f = arg;

	snprintf(c, sz, "actor %s ?%d", strpbrk(f->actor.v[i], "*?[") ?
	    "GLOB" : "=", P_ACTOR + i);
	return c;
}

static const char *
verb_cond(char *c, size_t sz, int i, const void *arg)
{
	snprintf(c, sz, "verb = ?%d", P_VERB + i);
	return c;
}

/* '' is the core group of a resource request (and of a log line that
 * does not name its group). */
static const char *
group_cond(char *c, size_t sz, int i, const void *arg)
{
	snprintf(c, sz, "api_group = ?%d OR (?%d = '' AND api_group IS NULL"
	    " AND resource IS NOT NULL)", P_GROUP + i, P_GROUP + i);
	return c;
}

/* '' is cluster scope. */
static const char *
namespace_cond(char *c, size_t sz, int i, const void *arg)
{
	snprintf(c, sz, "namespace IS nullif(?%d, '')", P_NAMESPACE + i);
	return c;
}

static const char *
res_cond(char *c, size_t sz, int i, const void *arg)
{
	const struct ks_filter_res *r = &((const struct ks_filter *)arg)->res[i];
	size_t n;

	snprintf(c, sz, "(resource = ?%d", P_RES + 3 * i);
	n = strlen(c);
	if (r->subresource != NULL)
		snprintf(c + n, sz - n, " AND subresource = ?%d",
		    P_RES + 3 * i + 1);
	n = strlen(c);
	if (r->group != NULL)
		snprintf(c + n, sz - n, " AND (api_group = ?%d OR (?%d = '' AND"
		    " api_group IS NULL))", P_RES + 3 * i + 2, P_RES + 3 * i + 2);
	n = strlen(c);
	snprintf(c + n, sz - n, ")");
	return c;
}

/* The window's conditions on col (" AND ..."), appended to sql. */
static void
window_on(const struct ks_filter *f, char *sql, size_t sz, const char *col)
{
	size_t n = strlen(sql);

	if (f->since_us != KS_TIME_NONE)
		snprintf(sql + n, sz - n, " AND %s >= ?%d", col, P_SINCE);
	n = strlen(sql);
	if (f->until_us != KS_TIME_NONE)
		snprintf(sql + n, sz - n, " AND %s <= ?%d", col, P_UNTIL);
}

int
ks_filter_sql(const struct ks_filter *f, char *sql, size_t sz,
    const char *time_col, const char *decision_col)
{
	size_t n;

	assert(f->resolved);
	add_any(sql, sz, f->actor.n, actor_cond, f);
	add_any(sql, sz, f->verb.n, verb_cond, f);
	add_any(sql, sz, f->resource.n, res_cond, f);
	add_any(sql, sz, f->group.n, group_cond, f);
	add_any(sql, sz, f->namespace.n, namespace_cond, f);
	window_on(f, sql, sz, time_col);
	n = strlen(sql);
	if (f->decision != NULL && decision_col != NULL)
		snprintf(sql + n, sz - n, " AND %s = '%s'", decision_col,
		    strcmp(f->decision, "forbid") == 0 ? "forbid" : "allow");
	/* Leave room for the caller's GROUP BY and ORDER BY. */
	return strlen(sql) + 256 < sz ? 0 : -1;
}

static void
bind_list(sqlite3_stmt *st, const struct ks_filter_list *l, int first)
{
	for (int i = 0; i < l->n; i++)
		sqlite3_bind_text(st, first + i, l->v[i], -1, SQLITE_STATIC);
}

static void
bind_window(const struct ks_filter *f, sqlite3_stmt *st)
{
	int64_t lo, hi;

	if (f->since_us == KS_TIME_NONE && f->until_us == KS_TIME_NONE)
		return;
	ks_filter_edge_minutes(f->since_us, f->until_us, &lo, &hi);
	sqlite3_bind_int64(st, P_MLO, lo);
	sqlite3_bind_int64(st, P_MHI, hi);
}

void
ks_filter_bind(const struct ks_filter *f, sqlite3_stmt *st)
{
	bind_list(st, &f->actor, P_ACTOR);
	bind_list(st, &f->verb, P_VERB);
	bind_list(st, &f->group, P_GROUP);
	bind_list(st, &f->namespace, P_NAMESPACE);
	for (int i = 0; i < f->resource.n; i++) {
		const struct ks_filter_res *r = &f->res[i];
		sqlite3_bind_text(st, P_RES + 3 * i, r->resource, -1,
		    SQLITE_STATIC);
		if (r->subresource)
			sqlite3_bind_text(st, P_RES + 3 * i + 1,
			    r->subresource, -1, SQLITE_STATIC);
		if (r->group)
			sqlite3_bind_text(st, P_RES + 3 * i + 2, r->group, -1,
			    SQLITE_STATIC);
	}
	if (f->since_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, P_SINCE, f->since_us);
	if (f->until_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, P_UNTIL, f->until_us);
	bind_window(f, st);
}

/* Requests without a time and refusals found only in logs. */
#define UNTIMED_AND_LOGS \
    " UNION ALL SELECT actor, verb, api_group, resource, subresource," \
    " namespace, NULL, NULL, NULL, NOT refused, refused, decision, 'audit'" \
    " FROM untimed_requests" \
    " UNION ALL SELECT actor, verb, api_group, resource, subresource," \
    " namespace, time, time, time, 0, 1, 'forbid', 'log'" \
    " FROM log_denials_only)"

/* Row by row: any bucket. */
static const char counts_rows[] =
    "(SELECT " OUTCOME_COLS " FROM request_outcomes)";

/* No window, no bucket: the totals. */
static const char counts_total[] =
    "(SELECT " ROLLUP_COLS("first_us") GROUPED("request_total")
    UNTIMED_AND_LOGS;

/* No window, buckets of whole minutes: the minutes. */
static const char counts_minute[] =
    "(SELECT " ROLLUP_COLS("minute") GROUPED("request_minute")
    UNTIMED_AND_LOGS;

/* A window: its whole minutes, its edges row by row, and the logs. */
static const char counts_window[] =
    "(SELECT " ROLLUP_COLS("first_us") GROUPED("request_minute")
    WHOLE_MINUTES EDGES_AND_LOGS;

static int
windowed(const struct ks_filter *f)
{
	return f->since_us != KS_TIME_NONE || f->until_us != KS_TIME_NONE;
}

const char *
ks_filter_counts(const struct ks_filter *f, int64_t bucket_us)
{
	if (bucket_us % MINUTE != 0)
		return counts_rows;
	if (windowed(f))
		return ks_filter_edge_counts(f->since_us, f->until_us,
		    counts_window);
	return bucket_us == 0 ? counts_total : counts_minute;
}

/* No window, no filter on a column but the actor: the actors' totals. */
static const char counts_actor[] =
    "(SELECT actor, NULL AS verb, NULL AS api_group, NULL AS resource,"
    " NULL AS subresource, NULL AS namespace, first_us AS time, first_us,"
    " last_us, allowed, denied, decision, 'audit' AS origin"
    " FROM request_actor" UNTIMED_AND_LOGS;

const char *
ks_filter_counts_actors(const struct ks_filter *f)
{
	if (!windowed(f) && f->verb.n + f->resource.n + f->group.n +
	    f->namespace.n == 0)
		return counts_actor;
	return ks_filter_counts(f, 0);
}

/* No filter on a column: the minutes' totals (time: the minute, or in a
   window its first request's). */
#define MINUTE_ALL(t) \
    "(SELECT NULL AS actor, NULL AS verb, NULL AS api_group," \
    " NULL AS resource, NULL AS subresource, NULL AS namespace," \
    " " t " AS time, first_us, last_us, allowed, denied, decision," \
    " 'audit' AS origin FROM request_minute_all"
static const char counts_all[] = MINUTE_ALL("minute") UNTIMED_AND_LOGS;
static const char counts_all_window[] = MINUTE_ALL("first_us")
    WHOLE_MINUTES EDGES_AND_LOGS;

const char *
ks_filter_counts_sums(const struct ks_filter *f, int64_t bucket_us)
{
	if (bucket_us > 0 && bucket_us % MINUTE == 0 &&
	    f->actor.n + f->verb.n + f->resource.n + f->group.n +
	    f->namespace.n == 0)
		return windowed(f) ? counts_all_window : counts_all;
	return ks_filter_counts(f, bucket_us);
}

static const char denials_total[] =
    "(SELECT " DENIAL_COLS("first_us") GROUPED("denial_total") DENIAL_LOGS;

static const char denials_window[] =
    "(SELECT " DENIAL_COLS("first_us") GROUPED("denial_minute")
    WHOLE_MINUTES DENIAL_SINCE_ROWS DENIAL_UNTIL_ROWS DENIAL_LOGS;

const char *
ks_filter_denials(const struct ks_filter *f)
{
	if (!windowed(f))
		return denials_total;
	return ks_filter_edge_denials(f->since_us, f->until_us,
	    denials_window, 0);
}

/* The groups of audit denials over all time, one row each. */
static const char denial_groups[] =
    "(SELECT " DENIAL_COLS("first_us") GROUPED("denial_total") ")";

/* The audit denials of a window by gid, without their groups' columns. */
static const char denial_groups_window[] =
    "(SELECT " DENIAL_GID_COLS("first_us") " FROM denial_minute"
    WHOLE_MINUTES DENIAL_GID_SINCE_ROWS DENIAL_GID_UNTIL_ROWS ")";

/* The refusals found only in logs, one row each. */
static const char denial_logs[] = "(" DENIAL_LOG_ROWS ")";

const char *
ks_filter_denial_groups(const struct ks_filter *f)
{
	if (!windowed(f))
		return denial_groups;
	return ks_filter_edge_denials(f->since_us, f->until_us,
	    denial_groups_window, 1);
}

const char *
ks_filter_denial_logs(const struct ks_filter *f)
{
	return denial_logs;
}

/* The events of the auditIDs folded whole (timeline_split). */
#define SPLIT_IDS \
    " UNION ALL SELECT x.id FROM timeline_split s CROSS JOIN audit_rows x" \
    " INDEXED BY audit_events_by_audit_id ON x.audit_key = s.audit_key)"

int
ks_filter_request_ids(const struct ks_filter *f, char *sql, size_t sz)
{
	size_t n = strlen(sql);
	int exact = f->actor.n > 0;

	for (int i = 0; i < f->actor.n; i++)
		if (strpbrk(f->actor.v[i], "*?[") != NULL)
			exact = 0;
	if (exact) {
		/* A row's actor is that of an event of its fid's request:
		   the event itself (its time the row's), unless its auditID
		   is folded whole. */
		snprintf(sql + n, sz - n, " AND fid IN (SELECT c.id"
		    " FROM audit_rows c INDEXED BY audit_events_actor_time"
		    " WHERE c.actor_id IN (SELECT id FROM strings"
		    " WHERE value IN (");
		for (int i = 0; i < f->actor.n; i++) {
			n = strlen(sql);
			snprintf(sql + n, sz - n, "%s?%d", i ? ", " : "",
			    P_ACTOR + i);
		}
		strncat(sql, "))", sz - strlen(sql) - 1);
		window_on(f, sql, sz, "c.received_us");
	} else if (f->decision != NULL && strcmp(f->decision, "forbid") == 0) {
		/* A request refused has a refused event, so a row in
		   denial_requests, whose time is the request's (one time,
		   unless its auditID is folded whole). */
		snprintf(sql + n, sz - n, " AND fid IN (SELECT x.id"
		    " FROM denial_requests d CROSS JOIN audit_rows x"
		    " INDEXED BY audit_events_timeline"
		    " ON x.received_us = d.time WHERE 1");
		window_on(f, sql, sz, "d.time");
	} else
		return strlen(sql) + 256 < sz ? 0 : -1;
	strncat(sql, SPLIT_IDS, sz - strlen(sql) - 1);
	return strlen(sql) + 256 < sz ? 0 : -1;
}
