/*
 * A window's counts when an edge minute is mostly inside it: that
 * minute's rollup rows less the requests of its part outside, read row
 * by row (the smaller part), rather than its part inside row by row.
 */
#include <stdint.h>

#include "store/filter-edge.h"
#include "util/timeutil.h"

/*
 * A group of the minute keeps the rows with a request inside.  Its last
 * (first) request of the minute is then inside; its first (last) inside,
 * when the rollup's is outside, is found through audit_events_actor_time
 * (+: compared without the column's affinity, so that the index answers)
 * with request_outcomes' rules: a request once, by its final stage (a
 * cut one only without a whole one, and first in time of the cut ones).
 */
#define E_MS	"(" S_MLO " - 60000000)"	/* the first edge's minute */
#define FINAL_STAGE(x) \
    "coalesce(" x ".stage, 'ResponseComplete') IN ('ResponseComplete'," \
    " 'Panic')"
#define INSIDE(range, dir) \
    "CASE WHEN g.actor IS NULL THEN " LOOKUP("timeline", "IS", range, dir) \
    " ELSE " LOOKUP("actor_time", "=", range, dir) " END"
#define LOOKUP(index, is, range, dir) \
    "(SELECT e.received_us FROM audit_rows e" \
    " INDEXED BY audit_events_" index \
    " WHERE e.actor_id " is " (SELECT s.id FROM strings s" \
    " WHERE s.value = g.actor)" \
    " AND " range " AND e.verb IS g.verb AND e.api_group IS g.api_group" \
    " AND e.resource IS g.resource AND e.subresource IS g.subresource" \
    " AND e.namespace IS g.namespace AND CASE WHEN e.decision IN" \
    " ('allow', 'forbid') THEN e.decision WHEN e.code = 403 THEN 'forbid'" \
    " ELSE 'allow' END = g.decision AND " FINAL_STAGE("e") \
    " AND NOT EXISTS (SELECT 1 FROM audit_rows d" \
    " INDEXED BY audit_events_timeline WHERE d.received_us = e.received_us" \
    " AND d.audit_key = e.audit_key AND (d.partial, d.id) < (e.partial," \
    " e.id) AND " FINAL_STAGE("d") ") AND NOT (e.partial AND EXISTS" \
    " (SELECT 1 FROM audit_rows w WHERE w.audit_key = e.audit_key" \
    " AND NOT w.partial AND " FINAL_STAGE("w") "))" \
    " AND NOT (e.partial AND EXISTS (SELECT 1 FROM audit_rows c" \
    " INDEXED BY audit_events_cut WHERE c.partial = 1" \
    " AND c.audit_key = e.audit_key AND c.received_us < e.received_us" \
    " AND " FINAL_STAGE("c") "))" \
    " ORDER BY e.received_us " dir " LIMIT 1)"
#define EDGE_SUB(m, outside, first, last) \
    " UNION ALL SELECT actor, verb, api_group, resource, subresource," \
    " namespace, f AS time, f AS first_us, l AS last_us, allowed, denied," \
    " decision, 'audit' FROM (SELECT g.actor, g.verb, g.api_group," \
    " g.resource, g.subresource, g.namespace, g.decision, " first " AS f," \
    " " last " AS l, r.allowed - coalesce(x.a, 0) AS allowed," \
    " r.denied - coalesce(x.d, 0) AS denied FROM request_minute r" \
    " JOIN rollup_groups g ON g.id = r.gid LEFT JOIN (SELECT o.gid," \
    " sum(NOT o.refused) AS a, sum(o.refused) AS d FROM (SELECT" \
    " (SELECT id FROM rollup_groups k WHERE k.actor IS q.actor" \
    " AND k.verb IS q.verb AND k.api_group IS q.api_group" \
    " AND k.resource IS q.resource AND k.subresource IS q.subresource" \
    " AND k.namespace IS q.namespace AND k.decision = q.decision) AS gid," \
    " refused FROM request_outcomes q WHERE q.origin = 'audit' AND " \
    outside ") o GROUP BY o.gid) x ON x.gid = r.gid WHERE r.minute = " m \
    " AND r.allowed + r.denied > coalesce(x.a, 0) + coalesce(x.d, 0))"
#define SINCE_SUB EDGE_SUB(E_MS, "q.time >= " E_MS " AND q.time < " S_SINCE, \
    "CASE WHEN r.first_us >= " S_SINCE " THEN r.first_us ELSE " \
    INSIDE("e.received_us >= " S_SINCE " AND e.received_us < " S_MLO, \
    "ASC") " END", "r.last_us")
#define UNTIL_SUB EDGE_SUB(S_MHI, "q.time > " S_UNTIL " AND q.time < " \
    S_MHI " + 60000000", "r.first_us", "CASE WHEN r.last_us <= " S_UNTIL \
    " THEN r.last_us ELSE " INSIDE("e.received_us >= " S_MHI \
    " AND e.received_us <= " S_UNTIL, "DESC") " END")
#define WINDOW_WITH(a, b) \
    "(SELECT " ROLLUP_COLS("first_us") GROUPED("request_minute") \
    WHOLE_MINUTES a b LOGS_ONLY

static const char *const counts_sub[3] = {
	WINDOW_WITH(SINCE_SUB, UNTIL_ROWS),
	WINDOW_WITH(SINCE_ROWS, UNTIL_SUB),
	WINDOW_WITH(SINCE_SUB, UNTIL_SUB),
};

/*
 * The denials (ks_filter_denials) of an edge minute mostly inside: a
 * group's row of denial_minute as it is when all its denials of that
 * minute are inside (its first, or last, is), else its denials inside
 * row by row (denial_requests_group).  The minute's other groups have
 * none inside.  MINUTES: the select list and source of denial_minute's
 * rows, ROWS that of denial_audit r's.
 */
#define DENIAL_SUB(m, whole, part, MINUTES, ROWS) \
    " UNION ALL SELECT " MINUTES " WHERE minute = " m " AND " whole \
    " UNION ALL SELECT " ROWS " FROM denial_minute m" \
    " CROSS JOIN denial_audit r ON r.gid = m.gid" \
    " AND " part " WHERE m.minute = " m " AND NOT (m." whole ")"
#define SINCE_SUB_OF(MINUTES, ROWS) DENIAL_SUB(E_MS, "first_us >= " \
    S_SINCE, "r.time >= " S_SINCE " AND r.time < " S_MLO, MINUTES, ROWS)
#define UNTIL_SUB_OF(MINUTES, ROWS) DENIAL_SUB(S_MHI, "last_us <= " \
    S_UNTIL, "r.time >= " S_MHI " AND r.time <= " S_UNTIL, MINUTES, ROWS)

/* The denials with their groups' columns (ks_filter_denials). */
#define D_MINUTES	DENIAL_COLS("first_us") GROUPED("denial_minute")
#define D_ROWS \
    "r.actor, r.verb, r.api_group, r.resource, r.subresource," \
    " r.namespace, r.refused_by, r.decision, r.time, 1, r.time, r.time," \
    " r.audit_id, r.source_id, r.line, r.message, r.gid"
#define DENIALS_WITH(a, b) \
    "(SELECT " D_MINUTES WHOLE_MINUTES a b DENIAL_LOGS

/* The audit denials by gid (ks_filter_denial_groups). */
#define G_MINUTES	DENIAL_GID_COLS("first_us") " FROM denial_minute"
#define G_ROWS \
    "r.gid, r.time, 1, r.time, r.time, r.audit_id, r.source_id, r.line," \
    " r.message"
#define GIDS_WITH(a, b) \
    "(SELECT " G_MINUTES WHOLE_MINUTES a b ")"

/* [gid][edges - 1] */
static const char *const denials_sub[2][3] = { {
	DENIALS_WITH(SINCE_SUB_OF(D_MINUTES, D_ROWS), DENIAL_UNTIL_ROWS),
	DENIALS_WITH(DENIAL_SINCE_ROWS, UNTIL_SUB_OF(D_MINUTES, D_ROWS)),
	DENIALS_WITH(SINCE_SUB_OF(D_MINUTES, D_ROWS),
	    UNTIL_SUB_OF(D_MINUTES, D_ROWS)),
}, {
	GIDS_WITH(SINCE_SUB_OF(G_MINUTES, G_ROWS), DENIAL_GID_UNTIL_ROWS),
	GIDS_WITH(DENIAL_GID_SINCE_ROWS, UNTIL_SUB_OF(G_MINUTES, G_ROWS)),
	GIDS_WITH(SINCE_SUB_OF(G_MINUTES, G_ROWS),
	    UNTIL_SUB_OF(G_MINUTES, G_ROWS)),
} };

/* t rounded down to its minute (negative times too). */
static int64_t
minute_floor(int64_t t)
{
	return t / MINUTE * MINUTE - (t < 0 && t % MINUTE != 0 ? MINUTE : 0);
}

void
ks_filter_edge_minutes(int64_t since_us, int64_t until_us, int64_t *lo,
    int64_t *hi)
{
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	if (since_us != KS_TIME_NONE)
		*lo = since_us == minute_floor(since_us) ? since_us :
		    minute_floor(since_us) + MINUTE;
	if (until_us != KS_TIME_NONE && until_us < INT64_MAX)
		*hi = minute_floor(until_us + 1);
	if (*lo >= *hi)
		*lo = *hi = until_us + 1;
}

/*
 * Which edges of a window are read as their minute less the part
 * outside (bit 0: the first, bit 1: the last): an edge whose minute
 * is mostly inside, when the window holds a whole minute.
 */
static int
sub_edges(int64_t since_us, int64_t until_us)
{
	int64_t lo, hi, in;
	int edges = 0;

	ks_filter_edge_minutes(since_us, until_us, &lo, &hi);
	if (lo >= hi)
		return 0;
	if (since_us != KS_TIME_NONE && (in = lo - since_us) > 0 &&
	    in > MINUTE - in)
		edges |= 1;
	if (until_us != KS_TIME_NONE && until_us < INT64_MAX &&
	    (in = until_us + 1 - hi) > 0 && in > MINUTE - in)
		edges |= 2;
	return edges;
}

const char *
ks_filter_edge_counts(int64_t since_us, int64_t until_us, const char *rows)
{
	int edges = sub_edges(since_us, until_us);

	return edges == 0 ? rows : counts_sub[edges - 1];
}

const char *
ks_filter_edge_denials(int64_t since_us, int64_t until_us, const char *rows,
    int gid)
{
	int edges = sub_edges(since_us, until_us);

	return edges == 0 ? rows : denials_sub[gid != 0][edges - 1];
}
