/*
 * Audit events into audit_events (and their bytes into audit_raw), unique by
 * time and SHA-256; the rollup counted as they arrive.
 */
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "store/store.h"
#include "store/store-int.h"
#include "store/db.h"
#include "util/fault.h"
#include "store/rollup.h"

#define ROLLUP_EVERY	65536	/* events between flushes of the rollup */

static void
bind_row(sqlite3_stmt *s, const struct ks_audit_row *r,
    const struct ks_audit_json *a, const int *len)
{
	const char *v[KS_AUDIT_NTEXT];

	ks_audit_texts(r, a, v);
	for (int i = 0; i < KS_AUDIT_NTEXT; i++) {
		int param = i < 17 ? 3 + i : 4 + i;
		if (v[i] == NULL)
			sqlite3_bind_null(s, param);
		else
			sqlite3_bind_text(s, param, v[i], len ? len[i] : -1,
			    SQLITE_STATIC);
	}
	if (r->code != 0)
		sqlite3_bind_int(s, 20, r->code);
	else
		sqlite3_bind_null(s, 20);
	bind_time(s, 23, r->received_us);
	bind_time(s, 24, r->stage_us);
	sqlite3_bind_int(s, 25, r->partial);
}

/* Is an event without a time and with this hash stored already? */
static int
seen_untimed(struct ks_store *st, const uint8_t *hash, struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_AUDIT_SEEN];
	int rc;

	sqlite3_bind_blob(s, 1, hash, SHA256_DIGEST_SIZE, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_db_error(st->db, err, NULL);
	return rc == SQLITE_ROW;
}

/*
 * Is row, just stored as id, a final stage whose request (auditID and
 * time) another row already closed: the same request read from a second
 * copy of the log?
 * The rollup counts a request once, as request_outcomes does.
 */
static int
counted_before(struct ks_store *st, const struct ks_audit_row *row,
    sqlite3_int64 id, struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_AUDIT_FINAL];
	int rc;

	if (row->audit_id == NULL)
		return 0;
	bind_time(s, 1, row->received_us);
	sqlite3_bind_text(s, 2, row->audit_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_db_error(st->db, err, NULL);
	return rc == SQLITE_ROW;
}

int
ks_store_audit_parsed(struct ks_member *m, const struct ks_audit_row *row,
    const struct ks_audit_json *arrays, const int *len, const uint8_t *hash,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_AUDIT], *r = st->st[S_RAW];
	sqlite3_int64 id;
	int seen = 0;

	ks_store_note_base(st);
	if (row->received_us == KS_TIME_NONE &&
	    (seen = seen_untimed(st, hash, err)) < 0)
		return -1;
	if (!seen) {
		sqlite3_bind_int64(s, 1, m->source_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
		bind_row(s, row, arrays, len);
		sqlite3_bind_blob(s, 26, hash, SHA256_DIGEST_SIZE,
		    SQLITE_STATIC);
		if (ks_store_run_bound(st, s, err) < 0)
			return -1;
	}
	m->tally.records++;
	ks_fault(KS_FAULT_RECORD);
	if (seen || sqlite3_changes(st->db) == 0) {
		m->tally.duplicates++;	/* byte-identical to one we have */
		return 0;
	}
	id = sqlite3_last_insert_rowid(st->db);
	if (st->lim.keep_raw) {
		sqlite3_bind_int64(r, 1, id);
		sqlite3_bind_text(r, 2, raw, (int)rawlen, SQLITE_STATIC);
		if (ks_store_run_bound(st, r, err) < 0)
			return -1;
	}
	if (row->stage == NULL || strcmp(row->stage, "ResponseComplete") == 0
	    || strcmp(row->stage, "Panic") == 0) {
		if ((seen = counted_before(st, row, id, err)) < 0)
			return -1;
	}
	if (!seen)
		ks_rollup_add(ks_import_of(m)->rollup, row);
	m->tally.imported++;
	/*
	 * Now and then: the rollup's counts go to the file (bounded memory),
	 * and the file towards the disk.
	 */
	if (m->tally.imported % ROLLUP_EVERY == 0) {
		if (ks_rollup_flush(ks_import_of(m)->rollup, st->db, err) < 0)
			return -1;
		ks_store_writeback(st);
	}
	return ks_store_count_added(st, err);
}

int
ks_store_audit(struct ks_member *m, const struct ks_audit_row *row,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	uint8_t h[SHA256_DIGEST_SIZE];
	char *owned[3];
	struct ks_audit_json a;
	int rc;

	ks_store_digest(raw, rawlen, h);
	owned[0] = row->user_groups ? json_dumps(row->user_groups,
	    JSON_COMPACT) : NULL;
	owned[1] = row->impersonated_groups ?
	    json_dumps(row->impersonated_groups, JSON_COMPACT) : NULL;
	owned[2] = row->source_ips ? json_dumps(row->source_ips,
	    JSON_COMPACT) : NULL;
	a = (struct ks_audit_json){ owned[0], owned[1], owned[2] };
	rc = ks_store_audit_parsed(m, row, &a, NULL, h, raw, rawlen, line,
	    err);
	for (int i = 0; i < 3; i++)
		free(owned[i]);
	return rc;
}

