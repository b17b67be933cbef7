/*
 * The filters shared by the query commands (--actor, --verb, --resource,
 * --group, --namespace, --since, --until, --decision), turned into a SQL
 * WHERE clause whose values are bound parameters, never pasted into SQL.
 * The options themselves are parsed by the command layer
 * (cli/filter-opt.h), which hands a struct ks_filter * down.
 *
 * Repeating an option ORs its values (--verb get --verb list); different
 * options AND together.  The rules, as kubesift(1) states them:
 *
 *   --actor	exact, or a GLOB when it holds * ? or [
 *   --resource	RES[.GROUP][/SUB]: RES alone matches the resource and all
 *		its subresources; RES/SUB only that subresource; a GROUP
 *		given here applies to this resource only
 *   --group	the API group ('' = the core group of a resource request)
 *   --namespace	'' = cluster scope (no namespace)
 *   --since/--until	inclusive bounds on the request's time
 *   --decision	the authorizer's decision: forbid = RBAC (or another
 *		authorizer) refused; allow = it allowed, even if admission
 *		then refused the request
 */
#ifndef KS_FILTER_H
#define KS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

#define KS_FILTER_MAXV	16	/* values of one repeated option */
/*
 * Room for a command's query: its head, the counts of ks_filter_counts*
 * (about 6 KB when both edges of a window are corrected from the
 * rollups), every filter's conditions and its tail.
 */
#define KS_FILTER_QUERY_MAX	32768

/* One --resource, split into its parts (NULL = any). */
struct ks_filter_res {
	const char	*resource;
	const char	*subresource;
	const char	*group;
	char		 buf[256];	/* storage for the three */
};

/* A repeated option's values, borrowed from argv. */
struct ks_filter_list {
	const char	*v[KS_FILTER_MAXV];
	int		 n;
};

/*
 * The filters of one command, filled by the command layer's option
 * parsing (cli/filter-opt.h); the strings are borrowed from argv.
 */
struct ks_filter {
	struct ks_filter_list actor, verb, resource, group, namespace;
	struct ks_filter_res res[KS_FILTER_MAXV];	/* from resource */
	const char	*since, *until;	/* as given */
	int64_t		 since_us, until_us;	/* KS_TIME_NONE = open */
	const char	*decision;	/* allow, forbid or NULL */
	int		 resolved;	/* ks_filter_resolve has run */
	/*
	 * Told what ks_filter_resolve warns about (a message, one line, no
	 * "warning:" prefix), for the command layer to print; may be NULL.
	 */
	void		(*warn)(void *arg, const char *msg);
	void		*warn_arg;
};

/* An empty filter: no option, open times, no warning callback. */
void	ks_filter_init(struct ks_filter *f);

/* Whether no filter option was given. */
int	ks_filter_empty(const struct ks_filter *f);

/* Whether no --since, --until or --decision was given. */
int	ks_filter_rollup_ok(const struct ks_filter *f);

/*
 * f in two (resolved as f is): when, its window only (--since, --until),
 * and what, the rest (the columns and --decision); ks_filter_sql of each
 * appends its part, ks_filter_bind(f) binds both.  what is empty when
 * ks_filter_empty(what).
 */
void	ks_filter_split(const struct ks_filter *f, struct ks_filter *when,
	    struct ks_filter *what);

/*
 * Split --resource values and resolve relative times against db;
 * warnings go to f->warn.  Returns 0, or -1 with err (a usage error:
 * exit 2).  Call once, before ks_filter_sql.
 */
int	ks_filter_resolve(struct ks_filter *f, sqlite3 *db,
	    struct ks_err *err);

/*
 * Append " AND ..." conditions to sql (size sz) over the columns actor,
 * verb, api_group, resource, subresource, namespace, time_col and, unless
 * decision_col is NULL, decision_col (which holds allow or forbid).  The
 * values are parameters ?101.. that ks_filter_bind binds.  Returns 0, or
 * -1 when sql is too small.
 */
int	ks_filter_sql(const struct ks_filter *f, char *sql, size_t sz,
	    const char *time_col, const char *decision_col);
void	ks_filter_bind(const struct ks_filter *f, sqlite3_stmt *st);

/*
 * What the counting commands (actors, summary, timeline --bucket) read: a
 * parenthesised subquery with the columns actor, verb, api_group,
 * resource, subresource, namespace, time, first_us, last_us, allowed,
 * denied, decision and origin (audit or log), counting what the
 * request_outcomes view holds.  From the rollups kept at import
 * (sql/016-rollups.sql) when bucket_us is 0 or whole minutes: over all
 * time, request_total (time is then the first request's); per minute,
 * request_minute (time is the minute); with a window, the window's whole
 * minutes from request_minute and its partial edge minutes row by row,
 * so that every filter is exact.  Other buckets: row by row.  The
 * filter's conditions go after it (ks_filter_sql, time_col "time",
 * decision_col "decision"); ks_filter_bind binds its parameters.  The
 * string is static.
 */
const char *ks_filter_counts(const struct ks_filter *f,
	    int64_t bucket_us);

/*
 * The same with no bucket for a caller that sums per actor only (actors,
 * summary): without a window or a filter on a column but the actor, the
 * actors' totals (request_actor; verb, api_group, resource, subresource
 * and namespace NULL).
 */
const char *ks_filter_counts_actors(const struct ks_filter *f);

/*
 * The same for a caller that only sums allowed and denied per bucket
 * (timeline --bucket): without a window or a filter on a column, the
 * minutes' totals (request_minute_all; the other columns NULL).
 */
const char *ks_filter_counts_sums(const struct ks_filter *f,
	    int64_t bucket_us);

/*
 * What denied and summary read: the denials view's rows, grouped where
 * the rollups allow, as a parenthesised subquery with the columns actor,
 * verb, api_group, resource, subresource, namespace, refused_by,
 * decision, time, n (denials in the row), first_us, last_us, audit_id,
 * source_id, line (the least of them), message (the greatest) and gid
 * (the group's id in rollup_groups; NULL for a refusal found only in
 * logs).  Over all time one row per group (denial_total); with a window
 * its whole minutes from denial_minute and its edges from
 * denial_requests (an edge minute mostly inside: its groups whose
 * denials of that minute are all inside from denial_minute); refusals
 * found only in logs row by row.  Exact under every filter.  Static.
 */
const char *ks_filter_denials(const struct ks_filter *f);

/*
 * The same in two parts: the audit denials, and the refusals found only
 * in logs, one row each, for the caller to group.  The audit denials:
 * without a window one row per group, from denial_total (a group is one
 * actor, verb, api_group, resource, subresource, namespace and decision,
 * so one refused_by); in a window rows to sum per group, with the
 * columns gid, time, n, first_us, last_us, audit_id, source_id, line and
 * message only (the group's others are its row of rollup_groups), for
 * the caller to sum per gid, filter by time, then join to rollup_groups
 * and filter by its columns.  Static.
 */
const char *ks_filter_denial_groups(const struct ks_filter *f);
const char *ks_filter_denial_logs(const struct ks_filter *f);

/*
 * Each actor's requests among those f selects, as actors and summary
 * count them (ks_filter_counts_actors, f's conditions on each row):
 * requests = sum(allowed + denied), denied = sum(denied), audited = the
 * same as requests over the rows of origin 'audit', first_us =
 * min(first_us), last_us = max(last_us), per actor (NULL is one actor),
 * as SQL's aggregates give them (NULL without a value: KS_SUM_* bits
 * say which are not); and the actor's class, the first pattern of
 * identity_classes (by priority) it matches, as GLOB does.  In the order
 * the actors came.  0 with *s (ks_filter_actor_sums_free), 1 when a
 * value was not an integer or text or a sum went past 64 bits (then
 * SQL's GROUP BY must answer), or -1 with err.
 */
#define KS_SUM_REQUESTS	1
#define KS_SUM_DENIED	2
#define KS_SUM_AUDITED	4
#define KS_SUM_FIRST	8
#define KS_SUM_LAST	16
struct ks_actor_sum {
	char		*actor;		/* NUL-terminated; NULL: no actor */
	size_t		 len;		/* bytes of actor (a NUL may be inside) */
	const char	*cls;		/* NULL: no class */
	int64_t		 requests, denied, audited, first_us, last_us;
	unsigned	 has;		/* KS_SUM_*: not NULL */
};
struct ks_actor_sums {
	struct ks_actor_sum *v;
	size_t		 n;
	char		**pat;		/* pattern, class pairs */
	size_t		 npat;
};
int	ks_filter_actor_sums(sqlite3 *db, const struct ks_filter *f,
	    struct ks_actor_sums *s, struct ks_err *err);
void	ks_filter_actor_sums_free(struct ks_actor_sums *s);

/*
 * Microseconds t as KS_SQL_TIME writes them (store/sqltime.h), into w
 * of sz >= 64 bytes: its length, or -1 when SQL's text is NULL.
 */
int	ks_filter_utc(sqlite3 *db, int64_t t, char *w, size_t sz);

/*
 * For timeline_requests (sql/018-timeline-stream.sql): append to sql (size
 * sz) " AND fid IN (...)", the events whose rows can satisfy the filter,
 * when a filter narrows them cheaply: --actor with exact names (the
 * actor's events, audit_events_actor_time), else --decision forbid (the
 * events at the times of the refused requests, denial_requests); with
 * the events of timeline_split's auditIDs (folded whole).  The rows are
 * the same; only the events read differ.  Nothing else appended.  0, or
 * -1 when sql is too small.
 */
int	ks_filter_request_ids(const struct ks_filter *f, char *sql,
	    size_t sz);

/*
 * Parse a time as --since/--until take it, relative times counted back
 * from the last event in db.  0, or -1 when s is not a time.
 */
int	ks_filter_when(sqlite3 *db, const char *s, int64_t *us);

/* Parse a time as --since/--until take it; relative to latest_us. */
int	ks_filter_time(const char *s, int64_t latest_us, int64_t *us);

#endif
