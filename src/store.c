#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "store.h"
#include "rollup.h"
#include "fault.h"
#include "pipeline.h"
#include "denial.h"
#include "jutil.h"
#include "timeutil.h"
#include "utf8.h"
#include "version.h"

enum {
	S_SOURCE_ADD, S_SOURCE_DONE, S_SOURCE_FIND, S_REJECT, S_AUDIT,
	S_RAW, S_OBJECT, S_OBJECT_KINDS, S_SNAP_ADD, S_SNAP_TIME,
	S_SNAP_VERSION, S_KIND_OF, S_KIND_ANY, S_KIND_CRD, S_LOG_DENIAL,
	S_CLUSTER_EVENT, S_AUDIT_SEEN, S_AUDIT_BASE, S_COUNT
};

static const char *const sql[S_COUNT] = {
	[S_SOURCE_ADD] = "INSERT INTO sources(parent_id, path, member, mtime_us,"
	    " sha256, format, imported_at, tool_version, argv)"
	    " VALUES(?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
	[S_SOURCE_DONE] = "UPDATE sources SET format = ?, bid = ?, size = ?,"
	    " sha256 = coalesce(?, sha256), records = ?, imported = ?,"
	    " duplicates = ?, rejected = ?, complete = 1 WHERE id = ?",
	[S_SOURCE_FIND] = "SELECT id, complete FROM sources WHERE"
	    " parent_id IS NULL AND sha256 = ?1 AND (path = ?2 OR ?3)"
	    " ORDER BY complete DESC LIMIT 1",
	[S_REJECT] = "INSERT INTO rejects(source_id, line, reason, excerpt)"
	    " VALUES(?, ?, ?, ?)",
	[S_AUDIT] = "INSERT OR IGNORE INTO audit_events(source_id, line,"
	    " audit_id, stage, level, verb, username, user_groups,"
	    " impersonated_user, impersonated_groups, source_ips, user_agent,"
	    " resource, subresource, api_group, api_version, namespace, name,"
	    " request_uri, code, decision, authz_reason, received_us, stage_us,"
	    " partial, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_RAW] = "INSERT INTO audit_raw(id, raw) VALUES(?, ?)",
	[S_OBJECT] = "INSERT OR IGNORE INTO objects(snapshot_id, source_id,"
	    " line, item, api_group, api_version, kind, namespace, name, uid,"
	    " resource_version, created_us, hash, body)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_OBJECT_KINDS] = "UPDATE objects SET kind = ?,"
	    " api_version = coalesce(api_version, ?),"
	    " api_group = coalesce(api_group, ?)"
	    " WHERE source_id = ? AND kind IS NULL",
	[S_SNAP_ADD] = "INSERT INTO snapshots(source_id, origin) VALUES(?, ?)",
	[S_SNAP_TIME] = "UPDATE snapshots SET taken_at ="
	    " max(coalesce(taken_at, ?1), ?1) WHERE id = ?2",
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
	/* The unique index is on (received_us, hash): NULLs need a look. */
	[S_AUDIT_SEEN] = "SELECT 1 FROM audit_events"
	    " WHERE received_us IS NULL AND hash = ?",
	[S_AUDIT_BASE] = "SELECT coalesce(max(id), 0) FROM audit_events",
};

/*
 * Indexes of audit_events set aside during a large load.  Keeping an index
 * up to date row by row touches pages all over it, and costs more than
 * sorting once when many rows arrive; so once a member has added as many
 * rows as the table held before it (and at least DEFER_MIN), its secondary
 * indexes are dropped, and built again when the member is done (in the same
 * transaction: a crash or an error leaves them as they were).  Unique
 * indexes are constraints (byte-identical events are duplicates) and stay;
 * partial indexes stay too: they hold few rows, and building one again
 * would read the whole table.
 */
#define DEFER_MIN	50000

#define ROLLUP_EVERY	65536	/* events between flushes of the rollup */

struct deferred {
	char		**sql;		/* CREATE INDEX of each dropped index */
	int		 n;
	int		 active;	/* dropped until the member is done */
	int64_t		 base;		/* rows before this member; -1 unknown */
	uint64_t	 added;		/* events this member added */
};

struct ks_store {
	sqlite3		*db;		/* borrowed */
	sqlite3_stmt	*st[S_COUNT];
	struct deferred	 defer;
	int		 fd;		/* the database, for writeback(); -2 unopened */
};

struct ks_store *
ks_store_new(sqlite3 *db, struct ks_err *err)
{
	struct ks_store *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	st->db = db;
	st->defer.base = -1;
	st->fd = -2;
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &st->st[i], NULL) != SQLITE_OK) {
			ks_err_set(err, "preparing statement %d: %s", i,
			    sqlite3_errmsg(db));
			ks_store_free(st);
			return NULL;
		}
	}
	return st;
}

/* Forget the deferred indexes (they were rebuilt, or rolled back). */
static void
defer_reset(struct ks_store *st)
{
	struct deferred *d = &st->defer;

	for (int i = 0; i < d->n; i++)
		sqlite3_free(d->sql[i]);
	free(d->sql);
	memset(d, 0, sizeof(*d));
	d->base = -1;
}

void
ks_store_free(struct ks_store *st)
{
	if (st == NULL)
		return;
	defer_reset(st);
	if (st->fd >= 0)
		close(st->fd);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->st[i]);
	free(st);
}

/*
 * Step a write statement once and reset it.  run_bound leaves the bindings,
 * for statements whose every parameter is bound each time.
 */
static int
run_bound(struct ks_store *st, sqlite3_stmt *s, struct ks_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ks_err_set(err, "database: %s", sqlite3_errmsg(st->db));
	return 0;
}

static int
run(struct ks_store *st, sqlite3_stmt *s, struct ks_err *err)
{
	int rc = run_bound(st, s, err);

	sqlite3_clear_bindings(s);
	return rc;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_time(sqlite3_stmt *s, int i, int64_t us)
{
	if (us != KS_TIME_NONE)
		sqlite3_bind_int64(s, i, us);
	else
		sqlite3_bind_null(s, i);
}

int
ks_store_begin(struct ks_store *st, struct ks_err *err)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return ks_err_set(err, "database: %s", sqlite3_errmsg(st->db));
	return 0;
}

int
ks_store_commit(struct ks_store *st, struct ks_err *err)
{
	ks_fault(KS_FAULT_COMMIT);
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		ks_err_set(err, "database: %s", sqlite3_errmsg(st->db));
		ks_store_rollback(st);
		return -1;
	}
	return 0;
}

void
ks_store_rollback(struct ks_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	defer_reset(st);	/* the rollback brought the indexes back */
}

/*
 * Drop the secondary indexes of audit_events, keeping the SQL that makes
 * them again in st->defer.  Returns 0 or -1.
 */
static int
defer_indexes(struct ks_store *st, struct ks_err *err)
{
	struct deferred *d = &st->defer;
	sqlite3_stmt *q = NULL;
	char **names = NULL, **more, *drop;
	int rc, n = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT s.name, s.sql FROM"
	    " pragma_index_list('audit_events') AS l JOIN sqlite_schema AS s"
	    " ON s.name = l.name WHERE l.\"unique\" = 0 AND l.origin = 'c'"
	    " AND l.partial = 0 AND s.sql IS NOT NULL", -1, &q, NULL) !=
	    SQLITE_OK) {
		rc = ks_err_set(err, "database: %s", sqlite3_errmsg(st->db));
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((more = realloc(names, (size_t)(n + 1) * sizeof(*more))) ==
		    NULL || (names = more, (more = realloc(d->sql,
		    (size_t)(n + 1) * sizeof(*more))) == NULL)) {
			rc = ks_err_set(err, "out of memory");
			goto out;
		}
		d->sql = more;
		names[n] = sqlite3_mprintf("%s", sqlite3_column_text(q, 0));
		d->sql[n] = sqlite3_mprintf("%s", sqlite3_column_text(q, 1));
		d->n = ++n;
		if (names[n - 1] == NULL || d->sql[n - 1] == NULL) {
			rc = ks_err_set(err, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ks_err_set(err, "database: %s", sqlite3_errmsg(st->db));
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	rc = 0;
	d->active = 1;
	for (int i = 0; i < n && rc == 0; i++) {
		if ((drop = sqlite3_mprintf("DROP INDEX \"%w\"", names[i])) ==
		    NULL)
			rc = ks_err_set(err, "out of memory");
		else if (sqlite3_exec(st->db, drop, NULL, NULL, NULL) !=
		    SQLITE_OK)
			rc = ks_err_set(err, "database: %s",
			    sqlite3_errmsg(st->db));
		sqlite3_free(drop);
	}
out:
	sqlite3_finalize(q);
	for (int i = 0; i < n; i++)
		sqlite3_free(names[i]);
	free(names);
	return rc;
}

/*
 * Statistics of audit_events for the query planner (sqlite_stat1), from a
 * sample of each index: without them it may scan a large index where a
 * small one (denials) answers.  Cheap, and done after large loads only.
 */
static int
analyze(struct ks_store *st, struct ks_err *err)
{
	if (sqlite3_exec(st->db, "PRAGMA analysis_limit = 400;"
	    " ANALYZE audit_events", NULL, NULL, NULL) != SQLITE_OK)
		return ks_err_set(err, "database: statistics: %s",
		    sqlite3_errmsg(st->db));
	return 0;
}

/*
 * The step after a large load: build again the indexes set aside by
 * defer_indexes, each from one sort of the table.  The sorter keeps as
 * much in memory as the page cache may hold: the cache is made small
 * meanwhile, so that memory does not depend on the size of the load.  With
 * a second worker, the sorter sorts in a thread beside the table's scan.
 */
#define SORT_CACHE	"-4096"		/* KiB */

static int
build_deferred_indexes(struct ks_store *st, struct ks_err *err)
{
	struct deferred *d = &st->defer;
	sqlite3_stmt *q;
	char restore[64] = "";
	int rc = 0;

	if (!d->active) {
		/* Many rows but no rebuild: the statistics still help. */
		if (d->added >= DEFER_MIN)
			rc = analyze(st, err);
		defer_reset(st);
		return rc;
	}
	ks_fault(KS_FAULT_INDEX);
	if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &q, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			snprintf(restore, sizeof(restore), "PRAGMA cache_size ="
			    " %lld", (long long)sqlite3_column_int64(q, 0));
		sqlite3_finalize(q);
	}
	sqlite3_exec(st->db, "PRAGMA cache_size = " SORT_CACHE, NULL, NULL,
	    NULL);
	if (ks_pipeline_workers() > 1)
		sqlite3_exec(st->db, "PRAGMA threads = 1", NULL, NULL, NULL);
	for (int i = 0; i < d->n && rc == 0; i++)
		if (sqlite3_exec(st->db, d->sql[i], NULL, NULL, NULL) !=
		    SQLITE_OK)
			rc = ks_err_set(err, "database: building an index: %s",
			    sqlite3_errmsg(st->db));
	if (restore[0] != '\0')
		sqlite3_exec(st->db, restore, NULL, NULL, NULL);
	sqlite3_exec(st->db, "PRAGMA threads = 0", NULL, NULL, NULL);
	if (rc == 0)
		rc = analyze(st, err);
	defer_reset(st);
	return rc;
}

/*
 * Have the kernel start writing to disk the pages SQLite has written to the
 * database file so far, without waiting.  A large member then does not
 * leave gigabytes for the fsync of its commit, and writes cost less.  Only
 * bytes SQLite has already written, after syncing its journal where that
 * is needed, are affected: the kernel may write them at any time anyway.
 */
static void
writeback(struct ks_store *st)
{
#ifdef SYNC_FILE_RANGE_WRITE
	const char *path;

	if (st->fd == -2) {
		path = sqlite3_db_filename(st->db, "main");
		st->fd = path != NULL && *path != '\0' ?
		    open(path, O_RDONLY | O_CLOEXEC) : -1;
	}
	if (st->fd >= 0)
		sync_file_range(st->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)st;
#endif
}

/* How many rows audit_events held before this member, once per member. */
static void
note_base(struct ks_store *st)
{
	sqlite3_stmt *q = st->st[S_AUDIT_BASE];

	if (st->defer.base >= 0)
		return;
	st->defer.base = sqlite3_step(q) == SQLITE_ROW ?
	    sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
}

/*
 * Count an event added by this member; set the indexes aside once the
 * member has added as many rows as the table held before it.
 */
static int
count_added(struct ks_store *st, struct ks_err *err)
{
	struct deferred *d = &st->defer;

	if (++d->added == (uint64_t)(d->base > DEFER_MIN ? d->base :
	    DEFER_MIN) && !d->active)
		return defer_indexes(st, err);
	return 0;
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
	if (run(st, s, err) < 0)
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

	if (build_deferred_indexes(st, err) < 0)
		return -1;
	bind_text(s, 1, f->format);
	sqlite3_bind_int(s, 2, f->bid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)f->size);
	bind_text(s, 4, f->sha256);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)f->tally.records);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)f->tally.imported);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)f->tally.duplicates);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)f->tally.rejected);
	sqlite3_bind_int64(s, 9, id);
	return run(st, s, err);
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
		return ks_err_set(err, "database: %s", sqlite3_errmsg(st->db));
	return found;
}

int
ks_store_source_delete(struct ks_store *st, int64_t id, struct ks_err *err)
{
	static const char *const tables[] = {
		"DELETE FROM audit_raw WHERE id IN (SELECT id FROM audit_events"
		" WHERE source_id IN t)",
		"DELETE FROM audit_events WHERE source_id IN t",
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
			return ks_err_set(err, "database: %s",
			    sqlite3_errmsg(st->db));
	}
	return 0;
}

int
ks_store_reject(struct ks_member *m, uint64_t line, const char *reason,
    const char *excerpt, size_t len, struct ks_err *err)
{
	struct ks_store *st = m->imp->store;
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
	rc = run(st, s, err);
	free(text);
	m->tally.records++;
	m->tally.rejected++;
	return rc;
}

static void
digest(const char *p, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, (const uint8_t *)p);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

/*
 * The text columns of a row, in the order of their parameters: 3 to 19,
 * then 21 and 22 (20 is the code).
 */
static void
texts(const struct ks_audit_row *r, const struct ks_audit_json *a,
    const char *v[KS_AUDIT_NTEXT])
{
	const char *t[KS_AUDIT_NTEXT] = { r->audit_id, r->stage, r->level,
	    r->verb, r->username, a->user_groups, r->impersonated_user,
	    a->impersonated_groups, a->source_ips, r->user_agent, r->resource,
	    r->subresource, r->api_group, r->api_version, r->namespace,
	    r->name, r->request_uri, r->decision, r->authz_reason };

	memcpy(v, t, sizeof(t));
}

void
ks_store_audit_measure(const struct ks_audit_row *row,
    const struct ks_audit_json *arrays, int len[KS_AUDIT_NTEXT])
{
	const char *v[KS_AUDIT_NTEXT];

	texts(row, arrays, v);
	for (int i = 0; i < KS_AUDIT_NTEXT; i++)
		len[i] = v[i] != NULL ? (int)strlen(v[i]) : -1;
}

static void
bind_row(sqlite3_stmt *s, const struct ks_audit_row *r,
    const struct ks_audit_json *a, const int *len)
{
	const char *v[KS_AUDIT_NTEXT];

	texts(r, a, v);
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
		return ks_err_set(err, "database: %s", sqlite3_errmsg(st->db));
	return rc == SQLITE_ROW;
}

int
ks_store_audit_parsed(struct ks_member *m, const struct ks_audit_row *row,
    const struct ks_audit_json *arrays, const int *len, const uint8_t *hash,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	struct ks_store *st = m->imp->store;
	sqlite3_stmt *s = st->st[S_AUDIT], *r = st->st[S_RAW];
	int seen = 0;

	note_base(st);
	if (row->received_us == KS_TIME_NONE &&
	    (seen = seen_untimed(st, hash, err)) < 0)
		return -1;
	if (!seen) {
		sqlite3_bind_int64(s, 1, m->source_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
		bind_row(s, row, arrays, len);
		sqlite3_bind_blob(s, 26, hash, SHA256_DIGEST_SIZE,
		    SQLITE_STATIC);
		if (run_bound(st, s, err) < 0)
			return -1;
	}
	m->tally.records++;
	ks_fault(KS_FAULT_RECORD);
	if (seen || sqlite3_changes(st->db) == 0) {
		m->tally.duplicates++;	/* byte-identical to one we have */
		return 0;
	}
	if (ks_tuning.keep_raw) {
		sqlite3_bind_int64(r, 1, sqlite3_last_insert_rowid(st->db));
		sqlite3_bind_text(r, 2, raw, (int)rawlen, SQLITE_STATIC);
		if (run_bound(st, r, err) < 0)
			return -1;
	}
	ks_rollup_add(m->imp->rollup, row);
	m->tally.imported++;
	/*
	 * Now and then: the rollup's counts go to the file (bounded memory),
	 * and the file towards the disk.
	 */
	if (m->tally.imported % ROLLUP_EVERY == 0) {
		if (ks_rollup_flush(m->imp->rollup, st->db, err) < 0)
			return -1;
		writeback(st);
	}
	return count_added(st, err);
}

int
ks_store_audit(struct ks_member *m, const struct ks_audit_row *row,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	uint8_t h[SHA256_DIGEST_SIZE];
	char *owned[3];
	struct ks_audit_json a;
	int rc;

	digest(raw, rawlen, h);
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

/* The snapshot of the current top-level input, made on first use. */
static int
snapshot(struct ks_member *m, struct ks_err *err)
{
	struct ks_import *imp = m->imp;
	sqlite3_stmt *s;

	if (imp->snapshot_id == 0) {
		s = imp->store->st[S_SNAP_ADD];
		sqlite3_bind_int64(s, 1, imp->origin_source ?
		    imp->origin_source : m->source_id);
		bind_text(s, 2, imp->origin);
		if (run(imp->store, s, err) < 0)
			return -1;
		imp->snapshot_id = sqlite3_last_insert_rowid(imp->db);
	}
	if (m->mtime_us != KS_TIME_NONE) {
		s = imp->store->st[S_SNAP_TIME];
		sqlite3_bind_int64(s, 1, m->mtime_us);
		sqlite3_bind_int64(s, 2, imp->snapshot_id);
		if (run(imp->store, s, err) < 0)
			return -1;
	}
	return 0;
}

/* Replace each value of obj[key] (an object of strings) by its hash. */
static void
hash_values(json_t *obj, const char *key)
{
	json_t *map = json_object_get(obj, key), *v;
	const char *k;
	uint8_t h[SHA256_DIGEST_SIZE];
	char hex[65], text[80];

	if (!json_is_object(map))
		return;
	json_object_foreach(map, k, v) {
		const char *s = json_string_value(v);
		if (s == NULL)
			continue;
		digest(s, json_string_length(v), h);
		ks_sha256_hex(h, hex);
		snprintf(text, sizeof(text), "sha256:%s", hex);
		json_object_set_new(map, k, json_string(text));
	}
}

/* Split "group/version" (or "version" for the core group). */
static void
split_api_version(const char *av, char *group, size_t gsz, const char **ver)
{
	const char *slash = av != NULL ? strrchr(av, '/') : NULL;

	*ver = av;
	group[0] = '\0';
	if (slash != NULL) {
		snprintf(group, gsz, "%.*s", (int)(slash - av), av);
		*ver = slash + 1;
	}
}

static int64_t
created_us(json_t *meta)
{
	const char *t = ks_json_str(meta, "creationTimestamp");
	int64_t us;

	if (t == NULL || ks_time_parse(t, strlen(t), &us) < 0)
		return KS_TIME_NONE;
	return us;
}

int
ks_store_object(struct ks_member *m, json_t *obj, const char *kind,
    const char *api_version, uint64_t line, uint64_t item, struct ks_err *err)
{
	struct ks_store *st = m->imp->store;
	sqlite3_stmt *s = st->st[S_OBJECT];
	json_t *meta = ks_json_obj(obj, "metadata");
	const char *av = ks_json_str(obj, "apiVersion"), *ver;
	uint8_t h[SHA256_DIGEST_SIZE];
	char group[256], *body;
	int rc;

	if (ks_json_str(obj, "kind") != NULL)
		kind = ks_json_str(obj, "kind");
	if (av == NULL)
		av = api_version;
	if (kind != NULL && strcmp(kind, "Secret") == 0) {
		hash_values(obj, "data");
		hash_values(obj, "stringData");
	}
	if (snapshot(m, err) < 0)
		return -1;
	if ((body = json_dumps(obj, JSON_COMPACT)) == NULL)
		return ks_err_set(err, "out of memory");
	digest(body, strlen(body), h);
	split_api_version(av, group, sizeof(group), &ver);
	sqlite3_bind_int64(s, 1, m->imp->snapshot_id);
	sqlite3_bind_int64(s, 2, m->source_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)line);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)item);
	bind_text(s, 5, av != NULL ? group : NULL);
	bind_text(s, 6, ver);
	bind_text(s, 7, kind);
	bind_text(s, 8, ks_json_str(meta, "namespace"));
	bind_text(s, 9, ks_json_str(meta, "name"));
	bind_text(s, 10, ks_json_str(meta, "uid"));
	bind_text(s, 11, ks_json_str(meta, "resourceVersion"));
	bind_time(s, 12, created_us(meta));
	sqlite3_bind_blob(s, 13, h, sizeof(h), SQLITE_STATIC);
	sqlite3_bind_text(s, 14, body, -1, SQLITE_STATIC);
	rc = run(st, s, err);
	free(body);
	if (rc < 0)
		return -1;
	m->tally.records++;
	ks_fault(KS_FAULT_RECORD);
	if (sqlite3_changes(st->db) == 0)
		m->tally.duplicates++;
	else
		m->tally.imported++;
	return 0;
}

int
ks_store_object_kinds(struct ks_member *m, const char *kind,
    const char *api_version, struct ks_err *err)
{
	struct ks_store *st = m->imp->store;
	sqlite3_stmt *s = st->st[S_OBJECT_KINDS];
	char group[256];
	const char *ver;

	split_api_version(api_version, group, sizeof(group), &ver);
	bind_text(s, 1, kind);
	bind_text(s, 2, ver);
	bind_text(s, 3, api_version != NULL ? group : NULL);
	sqlite3_bind_int64(s, 4, m->source_id);
	return run(st, s, err);
}

int
ks_store_server_version(struct ks_member *m, const char *version,
    struct ks_err *err)
{
	struct ks_store *st = m->imp->store;
	sqlite3_stmt *s = st->st[S_SNAP_VERSION];

	if (snapshot(m, err) < 0)
		return -1;
	bind_text(s, 1, version);
	sqlite3_bind_int64(s, 2, m->imp->snapshot_id);
	return run(st, s, err);
}

/* Step a one-text-column query; copy the answer into kind. */
static int
one_text(struct ks_store *st, sqlite3_stmt *s, char *kind, size_t kindsz)
{
	int found = 0;

	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_text(s, 0) != NULL) {
		snprintf(kind, kindsz, "%s", sqlite3_column_text(s, 0));
		found = 1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	(void)st;
	return found;
}

int
ks_store_kind_of(struct ks_store *st, const char *group,
    const char *resource, char *kind, size_t kindsz)
{
	sqlite3_stmt *s;

	if (group != NULL) {
		s = st->st[S_KIND_OF];
		bind_text(s, 1, group);
		bind_text(s, 2, resource);
	} else {
		s = st->st[S_KIND_ANY];
		bind_text(s, 1, resource);
	}
	if (one_text(st, s, kind, kindsz))
		return 1;
	s = st->st[S_KIND_CRD];
	bind_text(s, 1, resource);
	bind_text(s, 2, group);
	return one_text(st, s, kind, kindsz);
}

/* Count a record as imported, or as a duplicate when nothing was inserted. */
static void
count_insert(struct ks_member *m)
{
	m->tally.records++;
	if (sqlite3_changes(m->imp->db) == 0)
		m->tally.duplicates++;
	else
		m->tally.imported++;
}

int
ks_store_log_denial(struct ks_member *m, const struct ks_denial *d,
    const char *text, size_t len, uint64_t line, struct ks_err *err)
{
	struct ks_store *st = m->imp->store;
	sqlite3_stmt *s = st->st[S_LOG_DENIAL];
	uint8_t h[SHA256_DIGEST_SIZE];
	char *clean = ks_utf8_escape(text, len);
	int rc;

	if (clean == NULL)
		return ks_err_set(err, "out of memory");
	digest(text, len, h);
	sqlite3_bind_int64(s, 1, m->source_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
	bind_time(s, 3, d->time_us);
	bind_text(s, 4, d->user);
	bind_text(s, 5, d->verb);
	bind_text(s, 6, d->resource);
	bind_text(s, 7, d->subresource);
	bind_text(s, 8, d->api_group);
	bind_text(s, 9, d->namespace);
	bind_text(s, 10, d->name);
	bind_text(s, 11, d->path);
	bind_text(s, 12, d->reason);
	bind_text(s, 13, ks_denial_form_name(d->form));
	sqlite3_bind_int(s, 14, d->repaired);
	sqlite3_bind_blob(s, 15, h, sizeof(h), SQLITE_STATIC);
	bind_text(s, 16, clean);
	rc = run(st, s, err);
	free(clean);
	if (rc == 0)
		count_insert(m);
	return rc;
}

int
ks_store_cluster_event(struct ks_member *m, const struct ks_cluster_event *ev,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	struct ks_store *st = m->imp->store;
	sqlite3_stmt *s = st->st[S_CLUSTER_EVENT];
	uint8_t h[SHA256_DIGEST_SIZE];

	digest(raw, rawlen, h);
	sqlite3_bind_int64(s, 1, m->source_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
	bind_time(s, 3, ev->time_us);
	bind_text(s, 4, ev->provider);
	bind_text(s, 5, ev->operation);
	bind_text(s, 6, ev->resource);
	bind_text(s, 7, ev->actor);
	bind_text(s, 8, ev->status);
	sqlite3_bind_blob(s, 9, h, sizeof(h), SQLITE_STATIC);
	sqlite3_bind_text(s, 10, raw, (int)rawlen, SQLITE_STATIC);
	if (run(st, s, err) < 0)
		return -1;
	count_insert(m);
	return 0;
}
