/*
 * Records a cloud cut short (partial rows) counted once with the other
 * copies of their request, as request_outcomes counts them (sql/003):
 * after a cut final stage of an auditID, no final stage of it counts; a
 * cut one counts only when no final stage of its auditID was stored
 * before it.  A cut copy's time is often its envelope's (the cut took
 * requestReceivedTimestamp away), so its copies are found by auditID,
 * whatever their times.  The import decides a whole record as it stores
 * it (ks_store_cut_closed), and the cut ones of a member when the member
 * is done (ks_store_cut_count): during a large load the index by auditID
 * is set aside (store-defer.c); the index of cut records never is.
 */
#include <string.h>

#include "store/store-int.h"
#include "store/db.h"
#include "store/rollup.h"

#define FINAL(t) "coalesce(" t ".stage, 'ResponseComplete') IN" \
    " ('ResponseComplete', 'Panic')"

/* Is any cut record stored? */
static const char any_sql[] = "SELECT EXISTS (SELECT 1 FROM audit_events"
    " INDEXED BY audit_events_cut WHERE partial = 1)";

/* A cut final stage of auditID ?1 (all stored rows came before). */
static const char closed_sql[] = "SELECT 1 FROM audit_events c"
    " INDEXED BY audit_events_cut WHERE c.partial = 1 AND c.audit_id = ?1"
    " AND " FINAL("c") " LIMIT 1";

/* The cut final stages from id ?1 on that no final stage of their
   auditID came before: what the rollup counts of them. */
static const char count_sql[] = "SELECT e.username, e.impersonated_user,"
    " e.verb, e.api_group, e.resource, e.subresource, e.namespace, e.code,"
    " e.decision, e.received_us FROM audit_events e"
    " WHERE e.id >= ?1 AND e.partial = 1 AND e.received_us IS NOT NULL"
    " AND " FINAL("e") " AND NOT (e.audit_id IS NOT NULL AND EXISTS"
    " (SELECT 1 FROM audit_events d WHERE d.audit_id = e.audit_id"
    " AND d.id < e.id AND " FINAL("d") "))";

/* 1 when a cut record is stored, 0 when none, or -1 with err set. */
static int
any_cut(struct ks_store *st, struct ks_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (st->cut.known >= 0)
		return st->cut.known;
	if (sqlite3_prepare_v2(st->db, any_sql, -1, &s, NULL) != SQLITE_OK)
		return ks_db_error(st->db, err, "cut records");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		st->cut.known = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return ks_db_error(st->db, err, "cut records");
	return st->cut.known;
}

int
ks_store_cut_closed(struct ks_store *st, const char *audit_id, int *closed,
    struct ks_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (*closed || audit_id == NULL)
		return 0;
	if ((rc = any_cut(st, err)) <= 0)
		return rc;
	if (st->cut.closed == NULL && sqlite3_prepare_v2(st->db, closed_sql,
	    -1, &st->cut.closed, NULL) != SQLITE_OK)
		return ks_db_error(st->db, err, "cut records");
	s = st->cut.closed;
	sqlite3_bind_text(s, 1, audit_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*closed = rc == SQLITE_ROW;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_db_error(st->db, err, "cut records");
	return 0;
}

void
ks_store_cut_note(struct ks_store *st, int64_t id)
{
	st->cut.known = 1;
	if (st->cut.first == 0)
		st->cut.first = id;
}

void
ks_store_cut_forget(struct ks_store *st)
{
	st->cut.first = 0;
	st->cut.known = -1;	/* the rollback may have taken the only ones */
}

/* The row's columns as the rollup reads them (text borrowed from s). */
static void
row_of(sqlite3_stmt *s, struct ks_audit_row *r)
{
	memset(r, 0, sizeof(*r));
	r->username = (const char *)sqlite3_column_text(s, 0);
	r->impersonated_user = (const char *)sqlite3_column_text(s, 1);
	r->verb = (const char *)sqlite3_column_text(s, 2);
	r->api_group = (const char *)sqlite3_column_text(s, 3);
	r->resource = (const char *)sqlite3_column_text(s, 4);
	r->subresource = (const char *)sqlite3_column_text(s, 5);
	r->namespace = (const char *)sqlite3_column_text(s, 6);
	r->code = sqlite3_column_int(s, 7);	/* NULL: 0, none */
	r->decision = (const char *)sqlite3_column_text(s, 8);
	r->received_us = sqlite3_column_int64(s, 9);
	r->stage_us = KS_TIME_NONE;
}

int
ks_store_cut_count(struct ks_store *st, struct ks_err *err)
{
	struct ks_audit_row r;
	sqlite3_stmt *s;
	int rc, n = 0;

	if (st->cut.first == 0)
		return 0;
	if (sqlite3_prepare_v2(st->db, count_sql, -1, &s, NULL) != SQLITE_OK)
		return ks_db_error(st->db, err, "cut records");
	sqlite3_bind_int64(s, 1, st->cut.first);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_of(s, &r);
		ks_rollup_add(st->rollup, &r);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ks_db_error(st->db, err, "cut records");
	st->cut.first = 0;
	return n > 0 && st->rollup != NULL ?
	    ks_rollup_flush(st->rollup, st->db, err) : 0;
}
