/*
 * Records a cloud cut short (partial rows) counted as request_outcomes
 * counts them (sql/003-requests.sql): a cut final stage only when no
 * whole final stage of its auditID is stored, and a whole one before a
 * cut one of the same time.  A cut copy's time is often its envelope's
 * (the cut took requestReceivedTimestamp away), so the copies of its
 * request are found by auditID, whatever their times.
 *
 * The import counts whole records as it stores them and no cut one.  The
 * minutes a cut record may change, its own and those of the cut records
 * of a whole final stage's auditID, are noted (temp.cut_minutes) and
 * recounted from request_outcomes when the source is done: the indexes
 * set aside during a large load are back then, and a whole copy read
 * after a cut one takes the cut one's count away.  Cut records are few.
 */
#include <string.h>

#include "store/store-int.h"
#include "store/audit-key.h"
#include "store/db.h"
#include "store/rollup.h"

#define MINUTE	60000000LL

/* The requests counted in minute ?1, as the rollup reads them. */
static const char outcomes_sql[] = "SELECT actor, verb, api_group,"
    " resource, subresource, namespace, time, refused, decision"
    " FROM request_outcomes WHERE origin = 'audit'"
    " AND time >= ?1 AND time < ?1 + 60000000";

/* Before: the groups of the minutes, whose rows go. */
static const char clear_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS cut_gids (gid INTEGER PRIMARY KEY);"
    " DELETE FROM temp.cut_gids;"
    " INSERT OR IGNORE INTO temp.cut_gids SELECT gid FROM request_minute"
    " WHERE minute IN (SELECT minute FROM temp.cut_minutes);"
    " DELETE FROM request_minute"
    " WHERE minute IN (SELECT minute FROM temp.cut_minutes);"
    " DELETE FROM request_minute_all"
    " WHERE minute IN (SELECT minute FROM temp.cut_minutes);";

/* After: the totals of the groups and actors touched, from the minutes. */
static const char totals_sql[] =
    "INSERT OR IGNORE INTO temp.cut_gids SELECT gid FROM request_minute"
    " WHERE minute IN (SELECT minute FROM temp.cut_minutes);"
    " DELETE FROM request_total WHERE gid IN (SELECT gid FROM temp.cut_gids);"
    " INSERT INTO request_total SELECT gid, sum(allowed), sum(denied),"
    " min(first_us), max(last_us) FROM request_minute"
    " WHERE gid IN (SELECT gid FROM temp.cut_gids) GROUP BY gid;"
    " CREATE TEMP TABLE IF NOT EXISTS cut_actors (actor, decision);"
    " DELETE FROM temp.cut_actors;"
    " INSERT INTO temp.cut_actors SELECT DISTINCT actor, decision"
    " FROM rollup_groups WHERE id IN (SELECT gid FROM temp.cut_gids);"
    " DELETE FROM request_actor WHERE EXISTS (SELECT 1 FROM temp.cut_actors c"
    " WHERE c.actor IS request_actor.actor"
    " AND c.decision = request_actor.decision);"
    " INSERT INTO request_actor SELECT g.actor, g.decision, sum(t.allowed),"
    " sum(t.denied), min(t.first_us), max(t.last_us) FROM temp.cut_actors c"
    " JOIN rollup_groups g ON g.actor IS c.actor AND g.decision = c.decision"
    " JOIN request_total t ON t.gid = g.id GROUP BY g.actor, g.decision;"
    " DELETE FROM temp.cut_minutes; DELETE FROM temp.cut_gids;"
    " DELETE FROM temp.cut_actors;";

int
ks_store_cut_prepare(sqlite3 *db, struct ks_err *err)
{
	return ks_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS cut_minutes"
	    " (minute INTEGER PRIMARY KEY)", err);
}

/* Note minute m (of time t) for the recount.  0, or -1 with err set. */
static int
note_minute(struct ks_store *st, int64_t t, struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_CUT_MINUTE];
	int64_t m = t / MINUTE * MINUTE - (t < 0 && t % MINUTE != 0 ?
	    MINUTE : 0);

	sqlite3_bind_int64(s, 1, m);
	return ks_store_run(st, s, err);
}

/* Is a cut record stored?  Asked once a transaction.  1, 0, or -1. */
static int
any_cut(struct ks_store *st, struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_CUT_ANY];
	int rc;

	if (st->cut_any >= 0)
		return st->cut_any;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		st->cut_any = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return ks_db_error(st->db, err, "cut records");
	return st->cut_any;
}

int
ks_store_cut_note(struct ks_store *st, const struct ks_audit_row *row,
    struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_CUT_PEERS];
	int any;

	if (row->partial) {
		st->cut_any = 1;
		return row->received_us == KS_TIME_NONE ? 0 :
		    note_minute(st, row->received_us, err);
	}
	if (row->audit_id == NULL || (row->stage != NULL &&
	    strcmp(row->stage, "ResponseComplete") != 0 &&
	    strcmp(row->stage, "Panic") != 0))
		return 0;
	if ((any = any_cut(st, err)) <= 0)
		return any;
	ks_audit_key_bind(s, 1, row->audit_id, -1);
	return ks_store_run(st, s, err);
}

/* The request of row s of outcomes_sql into r (text borrowed from s). */
static void
row_of(sqlite3_stmt *s, struct ks_audit_row *r)
{
	memset(r, 0, sizeof(*r));
	r->username = (const char *)sqlite3_column_text(s, 0);
	r->verb = (const char *)sqlite3_column_text(s, 1);
	r->api_group = (const char *)sqlite3_column_text(s, 2);
	r->resource = (const char *)sqlite3_column_text(s, 3);
	r->subresource = (const char *)sqlite3_column_text(s, 4);
	r->namespace = (const char *)sqlite3_column_text(s, 5);
	r->received_us = sqlite3_column_int64(s, 6);
	/* Refused with the decision allow: admission (a 403 for the rollup). */
	r->code = sqlite3_column_int(s, 7) ? 403 : 0;
	r->decision = (const char *)sqlite3_column_text(s, 8);
	r->stage_us = KS_TIME_NONE;
}

/* Count the requests of every noted minute again into rollup. */
static int
readd(struct ks_store *st, struct ks_rollup *rollup, struct ks_err *err)
{
	sqlite3_stmt *m = NULL, *s = NULL;
	struct ks_audit_row r;
	int rc;

	if (ks_db_prepare(st->db, "SELECT minute FROM temp.cut_minutes", &m,
	    err) < 0 || ks_db_prepare(st->db, outcomes_sql, &s, err) < 0) {
		sqlite3_finalize(m);
		return -1;
	}
	while ((rc = sqlite3_step(m)) == SQLITE_ROW) {
		sqlite3_bind_int64(s, 1, sqlite3_column_int64(m, 0));
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			row_of(s, &r);
			ks_rollup_add(rollup, &r);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(m);
	if (rc != SQLITE_DONE)
		return ks_db_error(st->db, err, "cut records");
	return 0;
}

int
ks_store_cut_recount(struct ks_store *st, struct ks_rollup *rollup,
    struct ks_err *err)
{
	sqlite3_stmt *s;
	int any = 0;

	if (ks_db_prepare(st->db, "SELECT EXISTS (SELECT 1 FROM"
	    " temp.cut_minutes)", &s, err) < 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		any = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (!any || rollup == NULL)
		return 0;
	if (ks_rollup_flush(rollup, st->db, err) < 0 ||
	    ks_db_exec(st->db, clear_sql, err) < 0 ||
	    readd(st, rollup, err) < 0 ||
	    ks_rollup_flush(rollup, st->db, err) < 0)
		return -1;
	return ks_db_exec(st->db, totals_sql, err);
}
