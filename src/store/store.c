/*
 * Writing to the database: the statements, transactions and sources.  The
 * records themselves are written by store-audit.c, store-objects.c and
 * store-logs.c; store-defer.c sets indexes aside during large loads.
 * Record writers count into the member's tally so that records = imported
 * + duplicates + rejected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "store/store.h"
#include "store/store-int.h"
#include "formats/sniff.h"
#include "store/db.h"
#include "store/rollup.h"
#include "util/fault.h"
#include "util/utf8.h"
#include "util/version.h"

static const char *const sql[S_COUNT] = {
	[S_SOURCE_ADD] = "INSERT INTO sources(parent_id, path, member, mtime_us,"
	    " sha256, format, imported_at, tool_version, argv)"
	    " VALUES(?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
	[S_SOURCE_DONE] = "UPDATE sources SET format = ?, bid = ?, size = ?,"
	    " sha256 = coalesce(?, sha256), records = ?, imported = ?,"
	    " duplicates = ?, rejected = ?, empty_members = ?,"
	    " copy_of = nullif(?, 0), complete = 1 WHERE id = ?",
	[S_SOURCE_FIND] = "SELECT id, complete FROM sources WHERE"
	    " parent_id IS NULL AND sha256 = ?1 AND (path = ?2 OR ?3)"
	    " ORDER BY complete DESC LIMIT 1",
	[S_SOURCE_ORIG] = "SELECT id FROM sources WHERE parent_id IS NULL"
	    " AND sha256 = ? AND complete = 1 AND copy_of IS NULL"
	    " ORDER BY id LIMIT 1",
	[S_REJECT] = "INSERT INTO rejects(source_id, line, reason, excerpt)"
	    " VALUES(?, ?, ?, ?)",
	[S_AUDIT] = "INSERT OR IGNORE INTO audit_rows(source_id, line,"
	    " audit_key, stage_code, level_code, verb, user_id, user_groups_id,"
	    " impersonated_user_id, impersonated_groups_id, source_ips_id,"
	    " user_agent_id, resource, subresource, api_group, api_version,"
	    " namespace, name, uri_tail, code, decision_code, authz_reason_id,"
	    " received_us, stage_delta,"
	    " partial, hash, raw_block, raw_off, raw_len, message_tail,"
	    " request_object, unauthenticated) VALUES(?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?)",
	[S_OBJECT] = "INSERT OR IGNORE INTO objects(snapshot_id, source_id,"
	    " line, item, api_group, api_version, kind, namespace, name, uid,"
	    " resource_version, created_us, hash, body)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_OBJECT_KINDS] = "UPDATE objects SET kind = ?,"
	    " api_version = coalesce(api_version, ?),"
	    " api_group = coalesce(api_group, ?)"
	    " WHERE source_id = ? AND kind IS NULL",
	[S_SNAP_ADD] = "INSERT INTO snapshots(source_id, origin, complete)"
	    " VALUES(?, ?, ?)",
	[S_SNAP_OPEN] = "SELECT max(id) FROM snapshots WHERE origin = ?"
	    " AND complete = 0",
	[S_SNAP_CLOSE] = "UPDATE snapshots SET complete = 1 WHERE id = ?",
	/* A time without a source is an older database's file time. */
	[S_SNAP_TIME] = "UPDATE snapshots SET taken_at = ?1,"
	    " taken_at_source = ?3 WHERE id = ?2 AND (taken_at IS NULL"
	    " OR taken_at < ?1 OR taken_at_source IS NULL)",
	[S_SNAP_VERSION] = "UPDATE snapshots SET server_version = ?"
	    " WHERE id = ?",
	[S_KIND_OF] = "SELECT kind FROM resource_kinds"
	    " WHERE api_group = ? AND resource = ?",
	[S_KIND_ANY] = "SELECT kind FROM resource_kinds WHERE resource = ?"
	    " ORDER BY api_group != '' LIMIT 1",
	[S_KIND_CRD] = "SELECT json_extract(body, '$.spec.names.kind')"
	    " FROM objects WHERE kind = 'CustomResourceDefinition'"
	    " AND json_extract(body, '$.spec.names.plural') = ?"
	    " AND (?2 IS NULL OR json_extract(body, '$.spec.group') = ?2)"
	    " LIMIT 1",
	[S_LOG_DENIAL] = "INSERT OR IGNORE INTO log_denials(source_id, line,"
	    " time_us, username, verb, resource, subresource, api_group,"
	    " namespace, name, path, reason, form, repaired, hash, text)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_CLUSTER_EVENT] = "INSERT OR IGNORE INTO cluster_events(source_id,"
	    " line, time_us, provider, operation, resource, actor, status, hash,"
	    " raw) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/*
	 * The rows that may hold the same bytes as an event (the same time
	 * and auditID, by the timeline's index, in time order, kept during
	 * large loads): how much of its SHA-256 ?2 each row's hash matches
	 * (2: all of it; 1: the 8 bytes kept with raw bytes; 0: none), whether
	 * it is a whole final stage (its request closed already: another
	 * copy), and where its bytes are.
	 */
	[S_AUDIT_SEEN] = "SELECT CASE hash WHEN ?2 THEN 2"
	    " WHEN substr(?2, 1, 8) THEN 1 ELSE 0 END, NOT partial AND"
	    " coalesce(stage, 'ResponseComplete') IN ('ResponseComplete',"
	    " 'Panic'), raw_block, raw_off, raw_len, audit_key, received_us,"
	    " stage_us FROM audit_rows INDEXED BY audit_events_timeline"
	    " WHERE received_us = ?1 AND audit_key IS ?3",
	/* (Without one: no request to close.) */
	[S_AUDIT_SEEN_UNTIMED] = "SELECT CASE hash WHEN ?2 THEN 2 ELSE 1 END,"
	    " 0, raw_block, raw_off, raw_len, audit_key, received_us, stage_us"
	    " FROM audit_rows"
	    " INDEXED BY audit_events_untimed WHERE received_us IS NULL"
	    " AND hash IN (?2, substr(?2, 1, 8))",
	[S_AUDIT_BASE] = "SELECT coalesce(max(id), 0) FROM audit_rows",
	[S_CUT_ANY] = "SELECT EXISTS (SELECT 1 FROM audit_rows"
	    " INDEXED BY audit_events_cut WHERE partial = 1)",
	/* The minutes of the stored cut records of auditID ?1. */
	[S_CUT_PEERS] = "SELECT received_us FROM audit_rows"
	    " INDEXED BY audit_events_cut WHERE partial = 1 AND audit_key = ?1"
	    " AND received_us IS NOT NULL",
};

struct ks_store *
ks_store_new(sqlite3 *db, const struct ks_limits *lim, struct ks_err *err)
{
	struct ks_store *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	st->db = db;
	st->lim = *lim;
	st->defer.base = -1;
	st->cut_any = -1;
	st->fd = -2;
	st->lock_fd = -2;
	st->batching = 1;
	if ((st->raw = ks_rawbuf_new()) == NULL) {
		ks_err_set(err, "out of memory");
		free(st);
		return NULL;
	}
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &st->st[i], NULL) != SQLITE_OK) {
			ks_err_set(err, "preparing statement %d: %s", i,
			    sqlite3_errmsg(db));
			ks_store_free(st);
			return NULL;
		}
	}
	if ((st->dict = ks_dict_new(db, err)) == NULL) {
		ks_store_free(st);
		return NULL;
	}
	return st;
}

void
ks_store_free(struct ks_store *st)
{
	if (st == NULL)
		return;
	ks_store_defer_reset(st);
	ks_recent_free(st);
	if (st->fd >= 0)
		close(st->fd);
	if (!sqlite3_get_autocommit(st->db))	/* not finished: an error */
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	if (st->lock_fd >= 0)
		close(st->lock_fd);	/* and with it, every lock */
	free(st->held);
	ks_rawbuf_free(st->raw);
	ks_dict_free(st->dict);
	ks_store_cut_free(st);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->st[i]);
	free(st);
}

/*
 * Step a write statement once and reset it.  run_bound leaves the bindings,
 * for statements whose every parameter is bound each time.
 */
int
ks_store_run_bound(struct ks_store *st, sqlite3_stmt *s, struct ks_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ks_db_error(st->db, err, NULL);
	return 0;
}

int
ks_store_run(struct ks_store *st, sqlite3_stmt *s, struct ks_err *err)
{
	int rc = ks_store_run_bound(st, s, err);

	sqlite3_clear_bindings(s);
	return rc;
}

/*
 * Transactions.  Each member is written inside a savepoint, so that an
 * error takes back that member alone.  The savepoints of members share one
 * transaction, committed once BATCH_US has passed since it began (and at
 * the end): a commit costs several fsyncs, about 10 ms, and a folder or an
 * archive may hold thousands of small files.  A crash loses at most that
 * last second of members, whole, and importing again reads them afresh.
 * Without batching (standard input, whose writer may wait to see a member
 * before writing more), each member is committed when it is done.
 */
#define BATCH_US	1000000

static int64_t
monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
ks_store_batch(struct ks_store *st, int on)
{
	st->batching = on;
}

int
ks_store_begin(struct ks_store *st, struct ks_err *err)
{
	if (sqlite3_get_autocommit(st->db)) {
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL) != SQLITE_OK)
			return ks_db_error(st->db, err, NULL);
		st->batch_since = monotonic_us();
		st->cut_any = -1;	/* another import may have stored one */
	}
	if (sqlite3_exec(st->db, "SAVEPOINT member", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return ks_db_error(st->db, err, NULL);
	st->in_member = 1;
	return 0;
}

/*
 * COMMIT, its error read before the statement is finalized (which forgets
 * the system's errno: "File too large" says why a full disk failed).
 */
static int
commit(struct ks_store *st, struct ks_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "COMMIT", -1, &s, NULL) != SQLITE_OK)
		return ks_db_error(st->db, err, NULL);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE) {
		int e = 0;
		/* A failed write at commit leaves errno on the file alone. */
		sqlite3_file_control(st->db, "main", SQLITE_FCNTL_LAST_ERRNO,
		    &e);
		if (sqlite3_system_errno(st->db) == 0 && e != 0)
			ks_err_set(err, "database: %s (%s)",
			    sqlite3_errmsg(st->db), strerror(e));
		else
			ks_db_error(st->db, err, NULL);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
ks_store_finish(struct ks_store *st, struct ks_err *err)
{
	int rc = 0;

	if (!sqlite3_get_autocommit(st->db) && commit(st, err) < 0) {
		rc = -1;
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		ks_dict_forget(st->dict);	/* its new ids are gone */
		ks_rollup_forget(st->rollup);	/* its groups' too */
		ks_rawbuf_forget_read(st->raw);	/* and its blocks */
	}
	ks_store_locks_release(st);
	return rc;
}

int
ks_store_commit(struct ks_store *st, struct ks_err *err)
{
	ks_fault(KS_FAULT_COMMIT);
	if (ks_rawbuf_flush(st->raw, st->db, err) < 0) {
		ks_store_rollback(st);
		return -1;
	}
	if (sqlite3_exec(st->db, "RELEASE member", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		ks_db_error(st->db, err, NULL);
		ks_store_rollback(st);
		return -1;
	}
	st->in_member = 0;
	if (st->batching && monotonic_us() - st->batch_since < BATCH_US)
		return 0;
	return ks_store_finish(st, err);
}

void
ks_store_rollback(struct ks_store *st)
{
	ks_rawbuf_discard(st->raw);	/* its block goes with the member */
	ks_dict_forget(st->dict);	/* and the strings it added */
	ks_rollup_forget(st->rollup);	/* and the groups */
	/* After some errors SQLite has rolled everything back already. */
	if (st->in_member && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK TO member; RELEASE member",
		    NULL, NULL, NULL);
	st->in_member = 0;
	/* Unbatched, the transaction held this member alone. */
	if (!st->batching && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	ks_store_defer_reset(st);	/* the rollback brought the indexes back */
	st->cut_any = -1;	/* and may have taken the only cut record */
}

int
ks_store_source_add(struct ks_import *imp, int64_t parent_id,
    const char *path, const char *member, int64_t mtime_us,
    const char *sha256, int64_t *id, struct ks_err *err)
{
	struct ks_store *st = imp->store;
	sqlite3_stmt *s = st->st[S_SOURCE_ADD];

	if (parent_id > 0)
		sqlite3_bind_int64(s, 1, parent_id);
	bind_text(s, 2, path);
	bind_text(s, 3, member);
	bind_time(s, 4, mtime_us);
	bind_text(s, 5, sha256);
	sqlite3_bind_int64(s, 6, imp->started_us);
	bind_text(s, 7, KS_VERSION);
	bind_text(s, 8, imp->argv_json);
	if (ks_store_run(st, s, err) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	imp->sources++;
	return 0;
}

int
ks_store_source_done(struct ks_store *st, int64_t id,
    const struct ks_source_facts *f, struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_SOURCE_DONE];

	if (ks_store_build_deferred(st, err) < 0 ||
	    ks_store_cut_recount(st, st->rollup, err) < 0)
		return -1;
	bind_text(s, 1, f->format);
	sqlite3_bind_int(s, 2, f->bid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)f->size);
	bind_text(s, 4, f->sha256);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)f->tally.records);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)f->tally.imported);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)f->tally.duplicates);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)f->tally.rejected);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)f->empty_members);
	sqlite3_bind_int64(s, 10, f->copy_of);
	sqlite3_bind_int64(s, 11, id);
	return ks_store_run(st, s, err);
}

int
ks_store_source_find(struct ks_store *st, const char *sha256,
    const char *path, int any_path, int64_t *id, int *complete,
    struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_SOURCE_FIND];
	int rc, found = 0;

	bind_text(s, 1, sha256);
	bind_text(s, 2, path);
	sqlite3_bind_int(s, 3, any_path);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*complete = sqlite3_column_int(s, 1);
		found = 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_db_error(st->db, err, NULL);
	return found;
}

int
ks_store_source_original(struct ks_store *st, const char *sha256,
    int64_t *id, struct ks_err *err)
{
	sqlite3_stmt *s = st->st[S_SOURCE_ORIG];
	int rc;

	*id = 0;
	bind_text(s, 1, sha256);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_db_error(st->db, err, NULL);
	return 0;
}

int
ks_store_source_delete(struct ks_store *st, int64_t id, struct ks_err *err)
{
	static const char *const tables[] = {
		"DELETE FROM raw_block WHERE id IN (SELECT raw_block FROM"
		" audit_rows WHERE source_id IN t)",
		"DELETE FROM audit_rows WHERE source_id IN t",
		"DELETE FROM objects WHERE source_id IN t",
		"DELETE FROM rejects WHERE source_id IN t",
		"DELETE FROM snapshots WHERE source_id IN t",
		"DELETE FROM sources WHERE id IN t",
	};
	char q[512];

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(q, sizeof(q), "WITH RECURSIVE t(id) AS (SELECT %lld"
		    " UNION ALL SELECT s.id FROM sources s JOIN t"
		    " ON s.parent_id = t.id) %s", (long long)id, tables[i]);
		if (sqlite3_exec(st->db, q, NULL, NULL, NULL) != SQLITE_OK)
			return ks_db_error(st->db, err, NULL);
	}
	return 0;
}

int
ks_store_reject(struct ks_member *m, uint64_t line, const char *reason,
    const char *excerpt, size_t len, struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_REJECT];
	char *text;
	int rc;

	if (len > KS_EXCERPT)
		len = KS_EXCERPT;
	text = excerpt != NULL ? ks_utf8_escape(excerpt, len) : NULL;
	sqlite3_bind_int64(s, 1, m->source_id);
	if (line > 0)
		sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
	bind_text(s, 3, reason);
	bind_text(s, 4, text);
	rc = ks_store_run(st, s, err);
	free(text);
	m->tally.records++;
	m->tally.rejected++;
	return rc;
}

void
ks_store_digest(const char *p, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, (const uint8_t *)p);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

static int
kind_of(struct ks_member *m, const char *group, const char *resource,
    char *kind, size_t kindsz)
{
	struct ks_import *imp = ks_import_of(m);

	return ks_store_kind_of(imp->store, group, resource, kind, kindsz);
}

static void
warn(struct ks_member *m, const char *msg)
{
	struct ks_import *imp = ks_import_of(m);

	if (imp->warn != NULL)
		imp->warn(imp->cb_arg, msg);
}

/* The records of the formats go to the store's writers (store.h). */
static const struct ks_sink store_sink = {
	.reject = ks_store_reject,
	.audit = ks_store_audit,
	.audit_parsed = ks_store_audit_parsed,
	.object = ks_store_object,
	.object_kinds = ks_store_object_kinds,
	.denial = ks_store_log_denial,
	.cluster_event = ks_store_cluster_event,
	.server_version = ks_store_server_version,
	.kind_of = kind_of,
	.warn = warn,
};

void
ks_store_member(struct ks_import *imp, struct ks_member *m)
{
	imp->store->rollup = imp->rollup;
	m->lim = &imp->lim;
	m->sink = &store_sink;
	m->sink_arg = imp;
	m->formats = ks_sniffers;
}
