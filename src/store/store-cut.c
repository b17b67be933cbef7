/*
 * Records a cloud cut short (partial rows) counted as request_outcomes
 * counts them (sql/003-requests.sql): a cut final stage only when no
 * whole final stage of its auditID is stored, and then only the first in
 * time of its auditID's cut final stages; a whole one before a cut one
 * of the same time.  A cut copy's time is often its envelope's
 * (the cut took requestReceivedTimestamp away), so the copies of its
 * request are found by auditID, whatever their times.
 *
 * The import counts whole records as it stores them and no cut one.  The
 * minutes a cut record may change, its own and those of the cut records
 * of its auditID (an earlier one takes a later one's count away), and
 * those of the cut records of a whole final stage's auditID, are noted
 * (in memory: a temporary table would be a file to write, the first to
 * fail on a full disk) and recounted from request_outcomes when the
 * source is done: the indexes set aside during a large load are back
 * then, and a whole copy read after a cut one takes the cut one's count
 * away.  Cut records are few.
 */
#include <stdlib.h>
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

/* Add v to the sorted set s (without repeats).  0, or -1: out of memory. */
static int
set_add(struct ks_i64set *s, int64_t v)
{
	size_t lo = 0, hi = s->n;
	int64_t *more;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid] == v)
			return 0;
		if (s->v[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		if ((more = realloc(s->v, cap * sizeof(*more))) == NULL)
			return -1;
		s->v = more;
		s->cap = cap;
	}
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof(*s->v));
	s->v[lo] = v;
	s->n++;
	return 0;
}

void
ks_store_cut_free(struct ks_store *st)
{
	free(st->cut_minutes.v);
	memset(&st->cut_minutes, 0, sizeof(st->cut_minutes));
}

/* Note the minute of time t for the recount.  0, or -1 with err set. */
static int
note_minute(struct ks_store *st, int64_t t, struct ks_err *err)
{
	int64_t m = t / MINUTE * MINUTE - (t < 0 && t % MINUTE != 0 ?
	    MINUTE : 0);

	if (set_add(&st->cut_minutes, m) < 0)
		return ks_err_set(err, "out of memory");
	return 0;
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
	int any, rc;

	if (row->partial) {
		st->cut_any = 1;
		if (row->received_us != KS_TIME_NONE &&
		    note_minute(st, row->received_us, err) < 0)
			return -1;
	}
	if (row->audit_id == NULL || (row->stage != NULL &&
	    strcmp(row->stage, "ResponseComplete") != 0 &&
	    strcmp(row->stage, "Panic") != 0))
		return 0;
	/* (A cut final stage may take its cut peers' count: the first in
	   time of them counts.) */
	if (!row->partial && (any = any_cut(st, err)) <= 0)
		return any;
	ks_audit_key_bind(s, 1, row->audit_id, -1, st->akey);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (note_minute(st, sqlite3_column_int64(s, 0), err) < 0)
			break;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? -1 : ks_db_error(st->db, err,
		    "cut records");
	return 0;
}

/*
 * Run sql once per value of set with it bound to ?1, calling row (when not
 * NULL) with arg on each row.  0, or -1 with err set (row's -1: memory).
 */
static int
each(struct ks_store *st, const char *sql, const struct ks_i64set *set,
    int (*row)(sqlite3_stmt *, void *), void *arg, struct ks_err *err)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE;

	if (ks_db_prepare(st->db, sql, &s, err) < 0)
		return -1;
	for (size_t i = 0; i < set->n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(s, 1, set->v[i]);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			if (row != NULL && row(s, arg) < 0)
				break;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return ks_err_set(err, "out of memory");
	return rc == SQLITE_DONE ? 0 : ks_db_error(st->db, err, "cut records");
}

/* each's row: the first column into the set arg. */
static int
into_set(sqlite3_stmt *s, void *arg)
{
	return set_add(arg, sqlite3_column_int64(s, 0));
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

/* each's row: the request of a row of outcomes_sql into the rollup arg. */
static int
readd(sqlite3_stmt *s, void *arg)
{
	struct ks_audit_row r;

	row_of(s, &r);
	ks_rollup_add(arg, &r);
	return 0;
}

/*
 * The totals of the groups gids (request_total) and of their actors
 * (request_actor), from request_minute.  0, or -1 with err set.
 */
static int
totals(struct ks_store *st, const struct ks_i64set *gids, struct ks_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM request_total WHERE gid = ?1",
		"INSERT INTO request_total SELECT gid, sum(allowed),"
		" sum(denied), min(first_us), max(last_us) FROM request_minute"
		" WHERE gid = ?1 GROUP BY gid",
		"DELETE FROM request_actor WHERE rowid IN (SELECT a.rowid"
		" FROM rollup_groups g JOIN request_actor a ON a.actor IS g.actor"
		" AND a.decision = g.decision WHERE g.id = ?1)",
		"INSERT INTO request_actor SELECT g.actor, g.decision,"
		" sum(t.allowed), sum(t.denied), min(t.first_us), max(t.last_us)"
		" FROM rollup_groups k JOIN rollup_groups g ON g.actor IS k.actor"
		" AND g.decision = k.decision JOIN request_total t ON t.gid = g.id"
		" WHERE k.id = ?1 AND NOT EXISTS (SELECT 1 FROM request_actor a"
		" WHERE a.actor IS k.actor AND a.decision = k.decision)"
		" GROUP BY g.actor, g.decision",
	};

	/* (In order, each over every group: the actors' sums read the
	   totals.) */
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (each(st, sql[i], gids, NULL, NULL, err) < 0)
			return -1;
	return 0;
}

int
ks_store_cut_recount(struct ks_store *st, struct ks_rollup *rollup,
    struct ks_err *err)
{
	static const char gids_sql[] =
	    "SELECT gid FROM request_minute WHERE minute = ?1";
	struct ks_i64set gids = { NULL, 0, 0 };
	int rc;

	if (st->cut_minutes.n == 0 || rollup == NULL)
		return 0;
	rc = ks_rollup_flush(rollup, st->db, err) < 0 ||
	    each(st, gids_sql, &st->cut_minutes, into_set, &gids, err) < 0 ||
	    each(st, "DELETE FROM request_minute WHERE minute = ?1",
	    &st->cut_minutes, NULL, NULL, err) < 0 ||
	    each(st, "DELETE FROM request_minute_all WHERE minute = ?1",
	    &st->cut_minutes, NULL, NULL, err) < 0 ||
	    each(st, outcomes_sql, &st->cut_minutes, readd, rollup, err) < 0 ||
	    ks_rollup_flush(rollup, st->db, err) < 0 ||
	    each(st, gids_sql, &st->cut_minutes, into_set, &gids, err) < 0 ||
	    totals(st, &gids, err) < 0 ? -1 : 0;
	free(gids.v);
	st->cut_minutes.n = 0;
	return rc;
}
