/*
 * The groups of `denied` read into a dg_set (denied-groups.h) by the
 * functions of denied-fold.c, each statement stepped once: without a
 * window, denial_total's rows with their groups' columns (one row each);
 * in a window, its denials by gid summed (as the SQL's GROUP BY gid
 * would), then the columns of each gid's group read once; then the
 * refusals found only in logs, grouped by the SQL.  The filter's
 * conditions are the WHERE of each statement, so a function sees only
 * the rows they keep (an aggregate's argument).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/denied.h"
#include "store/db.h"
#include "util/timeutil.h"

#define GROUP_COLS \
    "actor, verb, api_group, resource, subresource, namespace, decision"
#define DENIAL_COLS "n, first_us, last_us, audit_id, source_id, line, message"
/* The logs' refusals grouped: the columns, the FROM, the GROUP BY. */
#define LOG_COLS \
    "actor, verb, api_group, resource, subresource, namespace, 'log', n," \
    " first_us, last_us, audit_id, source_id, line, message"
#define LOG_GROUPED \
    "(SELECT actor, verb, api_group, resource, subresource, namespace," \
    " sum(n) AS n, min(first_us) AS first_us, max(last_us) AS last_us," \
    " min(audit_id) AS audit_id, min(source_id) AS source_id," \
    " min(line) AS line, max(message) AS message FROM "
#define LOG_GROUP_BY " GROUP BY actor, verb, api_group, resource," \
    " subresource, namespace, refused_by)"

/* The most gids read into a table by gid (else the SQL answers). */
#define MAX_GID		(INT64_C(1) << 26)

/*
 * SELECT count(fn(cols)) FROM from WHERE 1 (for the window's groups:
 * WHERE ks_dg_want(id), asked first) [f's conditions, unless
 * decision_col is NOWHERE] tail, f bound, stepped: DG_OK, DG_OTHER (as
 * rd->rc says; or it cannot be prepared), DG_ERR with err.  gid >= 0:
 * bound to ?1.
 */
static const char NOWHERE[] = "";
static const char groups[] = "rollup_groups";

static int
run(sqlite3 *db, const struct ks_filter *f, const char *fn,
    const char *from, const char *tail, const char *decision_col,
    struct dg_reader *rd, int64_t gid, struct ks_err *err)
{
	char sql[16384];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(%s) FROM %s WHERE %s", fn,
	    from, from == groups ? "ks_dg_want(id)" : "1");
	if (decision_col != NOWHERE && ks_filter_sql(f, sql, sizeof(sql),
	    "time", decision_col) < 0)
		return DG_OTHER;
	strncat(sql, tail, sizeof(sql) - strlen(sql) - 1);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return DG_OTHER;
	ks_filter_bind(f, st);
	if (gid >= 0)
		sqlite3_bind_int64(st, 1, gid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc == SQLITE_DONE)
		rc = DG_OK;
	else if (rd->rc != DG_OK)
		rc = rd->rc;
	else {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		rc = DG_ERR;
	}
	if (rc == DG_ERR && rd->rc == DG_ERR)
		ks_err_set(err, "out of memory");
	sqlite3_finalize(st);
	return rc;
}

/*
 * The columns of a window's groups, with the filter's other conditions:
 * when the window has many of them, rollup_groups read through, the
 * columns of a row only when its id is of the window (ks_dg_want, asked
 * first); else each group's row by its id.  Then the rows without are
 * dropped.
 */
static int
window_groups(sqlite3 *db, const struct ks_filter *what,
    struct dg_reader *rd, struct ks_err *err)
{
	struct dg_set *s = rd->s;
	int each = (int64_t)s->n * 10 < rd->max, rc = DG_OK;
	size_t k = 0, n = s->n;

	for (size_t i = 0; rc == DG_OK && i < (each ? n : 1); i++)
		rc = run(db, what, "ks_dg_group(id, " GROUP_COLS ")",
		    each ? "rollup_groups" : groups, each ? " AND id = ?1" : "",
		    "decision",
		    rd, each ? (int64_t)s->rows[i].gid : -1, err);
	for (size_t i = 0; rc == DG_OK && i < s->n; i++)
		if (s->rows[i].col[0] != UINT32_MAX)
			s->rows[k++] = s->rows[i];
	if (rc == DG_OK)
		s->n = k;
	return rc;
}

/* The greatest id of rollup_groups into *max (0: none).  DG_*. */
static int
max_gid(sqlite3 *db, int64_t *max)
{
	sqlite3_stmt *st;
	int rc = DG_OTHER;

	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM rollup_groups", -1,
	    &st, NULL) != SQLITE_OK)
		return DG_OTHER;
	*max = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			rc = DG_OK;
		else if (sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
		    (*max = sqlite3_column_int64(st, 0)) >= 0 &&
		    *max <= MAX_GID)
			rc = DG_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* A window's audit groups: its denials summed per gid, then the groups. */
static int
audit_window(sqlite3 *db, const struct ks_filter *f, struct dg_reader *rd,
    struct ks_err *err)
{
	struct ks_filter when, what;
	int rc;

	ks_filter_split(f, &when, &what);
	if ((rc = max_gid(db, &rd->max)) != DG_OK)
		return rc;
	if ((rd->slot = calloc((size_t)rd->max + 1, sizeof(*rd->slot))) ==
	    NULL)
		return ks_err_set(err, "out of memory"), DG_ERR;
	if ((rc = run(db, &when, "ks_dg_sum(gid, " DENIAL_COLS ")",
	    ks_filter_denial_groups(f), "", NULL, rd, -1, err)) == DG_OK)
		rc = window_groups(db, &what, rd, err);
	free(rd->slot);
	rd->slot = NULL;
	return rc;
}

int
ks_dg_read(sqlite3 *db, const struct ks_filter *f, struct dg_set *s,
    struct ks_err *err)
{
	struct dg_reader rd = { s, NULL, 0, 0, DG_OK };
	char from[16384];
	int rc;

	if (!ks_sort_utf8(db) || ks_dg_functions(db, &rd) < 0) {
		ks_dg_functions(db, NULL);
		return DG_OTHER;
	}
	/* The groups of denial_total: about as many as rollup_groups'. */
	if (max_gid(db, &rd.max) == DG_OK)
		ks_dg_hint(s, (size_t)rd.max);
	if (f->since_us != KS_TIME_NONE || f->until_us != KS_TIME_NONE)
		rc = audit_window(db, f, &rd, err);
	else
		rc = run(db, f, "ks_dg_row(" GROUP_COLS ", " DENIAL_COLS ")",
		    ks_filter_denial_groups(f), "", "decision", &rd, -1, err);
	/* The logs' refusals, the filter's conditions on each. */
	snprintf(from, sizeof(from), "%s%s WHERE 1", LOG_GROUPED,
	    ks_filter_denial_logs(f));
	rd.log = 1;
	if (rc == DG_OK && ks_filter_sql(f, from, sizeof(from), "time",
	    "decision") < 0)
		rc = DG_OTHER;
	strncat(from, LOG_GROUP_BY, sizeof(from) - strlen(from) - 1);
	if (rc == DG_OK)
		rc = run(db, f, "ks_dg_row(" LOG_COLS ")", from, "", NOWHERE,
		    &rd, -1, err);
	ks_dg_functions(db, NULL);
	return rc;
}
