/*
 * The edges of a window (store/filter.h): its whole minutes, which the
 * rollups answer for, and the SQL of its counts, with the text it shares
 * with filter.c (the parameters of a window, the columns of the counted
 * relation from its sources).  Times in microseconds, KS_TIME_NONE for
 * an open end.
 */
#ifndef KS_FILTER_EDGE_H
#define KS_FILTER_EDGE_H

#include <stdint.h>

#define MINUTE		INT64_C(60000000)

/* The parameters of the window's edges, as SQL text. */
#define S_SINCE	"?213"
#define S_UNTIL	"?214"
#define S_MLO	"?215"
#define S_MHI	"?216"

/* The columns of the counted relation (filter.h), from request_outcomes. */
#define OUTCOME_COLS \
    "actor, verb, api_group, resource, subresource, namespace," \
    " time, time AS first_us, time AS last_us, NOT refused AS allowed," \
    " refused AS denied, decision, origin"
#define ROLLUP_COLS(t) \
    "actor, verb, api_group, resource, subresource, namespace, " t \
    " AS time, first_us, last_us, allowed, denied, decision," \
    " 'audit' AS origin"
/* A request rollup with its group's columns (rollup_groups). */
#define GROUPED(table)	" FROM " table " JOIN rollup_groups ON id = gid"

/* The refusals found only in logs, closing the counted relation. */
#define LOGS_ONLY \
    " UNION ALL SELECT actor, verb, api_group, resource, subresource," \
    " namespace, time, time, time, 0, 1, 'forbid', 'log'" \
    " FROM log_denials_only)"
/* A window's whole minutes (from a rollup); its edges row by row. */
#define WHOLE_MINUTES	" WHERE minute >= " S_MLO " AND minute < " S_MHI
#define SINCE_ROWS \
    " UNION ALL SELECT " OUTCOME_COLS " FROM request_outcomes" \
    " WHERE origin = 'audit' AND time >= " S_SINCE " AND time < " S_MLO
#define UNTIL_ROWS \
    " UNION ALL SELECT " OUTCOME_COLS " FROM request_outcomes" \
    " WHERE origin = 'audit' AND time >= " S_MHI " AND time <= " S_UNTIL
#define EDGES_AND_LOGS	SINCE_ROWS UNTIL_ROWS LOGS_ONLY

/* The columns of the denial groups (filter.h), from denial rollups. */
#define DENIAL_COLS(t) \
    "actor, verb, api_group, resource, subresource, namespace," \
    " CASE decision WHEN 'allow' THEN 'admission' ELSE 'authorizer' END" \
    " AS refused_by, decision, " t " AS time, n, first_us, last_us," \
    " audit_id, source_id, line, message, gid"
/* The denials view's audit rows, one per refused request. */
#define DENIAL_ROWS \
    " UNION ALL SELECT actor, verb, api_group, resource, subresource," \
    " namespace, refused_by, decision, time, 1, time, time, audit_id," \
    " source_id, line, message, gid FROM denial_audit"
#define DENIAL_LOG_ROWS \
    "SELECT actor, verb, api_group, resource, subresource, namespace," \
    " 'log' AS refused_by, 'forbid' AS decision, time, 1 AS n," \
    " time AS first_us, time AS last_us, NULL AS audit_id, source_id," \
    " line, NULL AS message, NULL AS gid FROM log_denials_only"
#define DENIAL_LOGS	" UNION ALL " DENIAL_LOG_ROWS ")"
/* A window's edges row by row. */
#define DENIAL_SINCE_ROWS \
    DENIAL_ROWS " WHERE time >= " S_SINCE " AND time < " S_MLO
#define DENIAL_UNTIL_ROWS \
    DENIAL_ROWS " WHERE time >= " S_MHI " AND time <= " S_UNTIL

/* The same by group: gid, time, n, first_us, last_us, audit_id, source_id,
   line, message. */
#define DENIAL_GID_COLS(t) \
    "gid, " t " AS time, n, first_us, last_us, audit_id, source_id," \
    " line, message"
#define DENIAL_GID_ROWS \
    " UNION ALL SELECT gid, time, 1, time, time, audit_id, source_id," \
    " line, message FROM denial_audit"
#define DENIAL_GID_SINCE_ROWS \
    DENIAL_GID_ROWS " WHERE time >= " S_SINCE " AND time < " S_MLO
#define DENIAL_GID_UNTIL_ROWS \
    DENIAL_GID_ROWS " WHERE time >= " S_MHI " AND time <= " S_UNTIL

/*
 * The whole minutes of the window: [lo, hi).  The rollups answer for
 * them; the base rows for the partial minutes at its edges, [since, lo)
 * and [hi, until].  Without a whole minute, lo = hi = until + 1: the base
 * rows answer for all of it.
 */
void	ks_filter_edge_minutes(int64_t since_us, int64_t until_us,
	    int64_t *lo, int64_t *hi);

/*
 * The counts of a window (ks_filter_counts, no bucket finer than a
 * minute): rows, the window's SQL reading both edges row by row, unless
 * an edge minute is mostly inside: then that minute less its part
 * outside.
 */
const char	*ks_filter_edge_counts(int64_t since_us, int64_t until_us,
		    const char *rows);

/*
 * The same for the denials of a window (ks_filter_denials): rows, both
 * edges row by row, unless an edge minute is mostly inside: then its
 * groups whose denials of that minute are all inside from denial_minute,
 * the others row by row.  With gid, the audit denials by gid only
 * (ks_filter_denial_groups; DENIAL_GID_COLS).
 */
const char	*ks_filter_edge_denials(int64_t since_us, int64_t until_us,
		    const char *rows, int gid);

#endif
