/*
 * The auditIDs whose events are not all at one received time
 * (timeline_split, sql/018-timeline-stream.sql), noted after each member:
 * the timeline folds the other requests by auditID and time, reading the
 * events in time order, without looking each auditID up.
 */
#include "store/store-int.h"
#include "store/db.h"

/* Every auditID, from one pass over the index by auditID. */
static const char split_all[] =
    "INSERT OR IGNORE INTO timeline_split SELECT audit_key FROM audit_rows"
    " INDEXED BY audit_events_by_audit_id WHERE audit_key IS NOT NULL"
    " GROUP BY audit_key HAVING min(received_us) < max(received_us)"
    " OR count(received_us) BETWEEN 1 AND count(*) - 1";

/* The auditIDs of the events after id ?1, each looked up. */
static const char split_new[] =
    "INSERT OR IGNORE INTO timeline_split SELECT n.audit_key FROM"
    " audit_rows n WHERE n.id > ?1 AND n.audit_key IS NOT NULL AND EXISTS"
    " (SELECT 1 FROM audit_rows o INDEXED BY audit_events_by_audit_id"
    " WHERE o.audit_key = n.audit_key AND o.received_us IS NOT n.received_us)";

int
ks_store_note_splits(struct ks_store *st, struct ks_err *err)
{
	const struct deferred *d = &st->defer;
	sqlite3_stmt *s;
	int all, rc;

	if (d->base < 0 || d->added == 0)
		return 0;
	/* A lookup reads a page at random: a pass is cheaper for many. */
	all = d->active || d->added * 10 >= (uint64_t)d->base + d->added;
	if (sqlite3_prepare_v2(st->db, all ? split_all : split_new, -1, &s,
	    NULL) != SQLITE_OK)
		return ks_db_error(st->db, err, "timeline_split");
	sqlite3_bind_int64(s, 1, d->base);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ks_db_error(st->db, err, "timeline_split");
	return 0;
}
