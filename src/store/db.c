#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/db.h"
#include "store/audit-key.h"
#include "store/rawfn.h"
#include "store/sql-assets.h"
#include "store/sqlmem.h"

/*
 * The system's errno of the last failure of db, or 0.  (A failed COMMIT
 * leaves the connection's unset: the database file's own last one.)
 */
static int
sys_errno(sqlite3 *db, int code)
{
	int sys = sqlite3_system_errno(db);

	if (sys == 0 && code == SQLITE_IOERR)
		sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &sys);
	return sys;
}

int
ks_db_error(sqlite3 *db, struct ks_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(db) & 0xff;
	int sys = sys_errno(db, code);
	const char *sep = what != NULL ? ": " : "";

	/* The system's errno is kept from the last OS failure: only then. */
	if (sys != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL ||
	    code == SQLITE_CANTOPEN))
		return ks_err_set(err, "database%s%s: %s (%s)", sep,
		    what ? what : "", sqlite3_errmsg(db), strerror(sys));
	return ks_err_set(err, "database%s%s: %s", sep, what ? what : "",
	    sqlite3_errmsg(db));
}

int
ks_db_exec(sqlite3 *db, const char *sql, struct ks_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_extended_errcode(db) & 0xff;
		int sys = sys_errno(db, code);
		/* The system's reason too (a full disk), as ks_db_error. */
		if (sys != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL))
			ks_err_set(err, "%s (%s)", msg ? msg :
			    sqlite3_errmsg(db), strerror(sys));
		else
			ks_err_set(err, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
ks_db_apply_schema(sqlite3 *db, struct ks_err *err)
{
	const struct ks_sql_asset *a;

	/* (The rollups' script reads ks_audit_text.) */
	if (ks_audit_key_register(db, err) < 0 ||
	    ks_db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	for (a = ks_sql_assets; a->name != NULL; a++) {
		if (ks_db_exec(db, a->text, err) < 0) {
			char msg[sizeof(err->msg)];
			strcpy(msg, err->msg);
			ks_db_exec(db, "ROLLBACK", NULL);
			return ks_err_set(err, "%s: %s", a->name, msg);
		}
	}
	if (ks_db_exec(db, "PRAGMA user_version = " KS_STR(KS_SCHEMA_VERSION),
	    err) < 0 ||
	    ks_db_exec(db, "COMMIT", err) < 0) {
		ks_db_exec(db, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

#define HOT_JOURNAL	(-2)

/* Why the schema could not be read; a hot journal said plainly. */
static int
schema_error(sqlite3 *db, struct ks_err *err)
{
	if (sqlite3_extended_errcode(db) == SQLITE_READONLY_ROLLBACK) {
		ks_err_set(err, "an import into this database was cut short "
		    "and left a journal that a read-only query cannot roll "
		    "back");
		return HOT_JOURNAL;
	}
	return ks_err_set(err, "%s", sqlite3_errmsg(db));
}

static int
schema_version(sqlite3 *db, int *version, struct ks_err *err)
{
	sqlite3_stmt *st;

	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return schema_error(db, err);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return schema_error(db, err);
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Is this a database of something else: tables, but no kubesift schema
 * version?  Then nothing may be written into it (1, err set); an empty
 * file or a new one is ours to fill (0).
 */
static int
foreign(sqlite3 *db, const char *path, struct ks_err *err)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1,
	    &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n < 0) {
		schema_error(db, err);
		return 1;
	}
	if (n > 0) {
		ks_err_set(err, "%s: not a kubesift database (it holds %d "
		    "other schema object%s): nothing written; give another "
		    "file with -d", path, n, n == 1 ? "" : "s");
		return 1;
	}
	return 0;
}

/*
 * Refuse a database of a layout older kubesift wrote and upgrade cannot
 * bring up (its rows cannot take this kubesift's views): raw events in
 * the table audit_raw (before raw_block), each event's strings inline
 * in audit_events (before the table strings), its request URI whole
 * (before uri_tail), its auditID and users as text (before audit_rows),
 * its decision as text (before decision_code, schema version 10), or its
 * stage time whole (before stage_delta) or its refused requests without
 * their auditID, groups and reason (denial_requests; both schema version
 * 12: a development build's version 11 had one of them), or its raw
 * bytes whole, auditID and times in them (raw_block's codec "zstd",
 * before version 13: store/raw-elide.h).
 * 0, or -1 with err saying to import again.
 */
static int
older_layout(sqlite3 *db, const char *path, struct ks_err *err)
{
	static const char q[] = "SELECT CASE WHEN EXISTS (SELECT 1"
	    " FROM sqlite_schema WHERE name = 'audit_raw' AND type = 'table')"
	    " THEN 'raw events uncompressed' WHEN EXISTS (SELECT 1"
	    " FROM pragma_table_info('audit_events') WHERE name = 'user_groups')"
	    " THEN 'each event''s groups and user agent in audit_events'"
	    " WHEN EXISTS (SELECT 1 FROM pragma_table_info('audit_events'))"
	    " AND NOT EXISTS (SELECT 1 FROM pragma_table_xinfo('audit_events')"
	    " WHERE name = 'uri_tail')"
	    " THEN 'each event''s request URI whole in audit_events'"
	    " WHEN EXISTS (SELECT 1 FROM sqlite_schema"
	    " WHERE name = 'audit_events' AND type = 'table')"
	    " THEN 'each event''s auditID and users as text in audit_events'"
	    " WHEN EXISTS (SELECT 1 FROM pragma_table_info('audit_rows'))"
	    " AND NOT EXISTS (SELECT 1 FROM pragma_table_info('audit_rows')"
	    " WHERE name = 'decision_code')"
	    " THEN 'each event''s decision as text and its whole SHA-256'"
	    " WHEN EXISTS (SELECT 1 FROM pragma_table_info('audit_rows'))"
	    " AND NOT EXISTS (SELECT 1 FROM pragma_table_info('audit_rows')"
	    " WHERE name = 'stage_delta')"
	    " THEN 'each event''s stage time whole'"
	    " WHEN EXISTS (SELECT 1 FROM pragma_table_info('denial_requests'))"
	    " AND NOT EXISTS (SELECT 1 FROM pragma_table_info('denial_requests')"
	    " WHERE name = 'groups_id')"
	    " THEN 'each refused request without its auditID, groups and"
	    " reason'"
	    " WHEN EXISTS (SELECT 1 FROM pragma_table_info('raw_block')"
	    " WHERE name = 'codec') THEN 'raw_block'"
	    " END";
	/* (Asked only of a database that has the table.) */
	static const char codec[] = "SELECT CASE (SELECT codec FROM raw_block"
	    " ORDER BY id LIMIT 1) WHEN 'zstd' THEN 'each event''s raw bytes"
	    " whole, with its auditID and times' END";
	sqlite3_stmt *s;
	int rc = 0, row;

	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	if ((row = sqlite3_step(s) == SQLITE_ROW) &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "raw_block") == 0) {
		sqlite3_finalize(s);
		if (sqlite3_prepare_v2(db, codec, -1, &s, NULL) != SQLITE_OK)
			return ks_db_error(db, err, NULL);
		row = sqlite3_step(s) == SQLITE_ROW;
	}
	if (row && sqlite3_column_type(s, 0) != SQLITE_NULL)
		rc = ks_err_set(err, "%s: made by an older kubesift that kept "
		    "%s; import the evidence again into a new database", path,
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc;
}

int
ks_db_open_rw(const char *path, sqlite3 **dbp, struct ks_err *err)
{
	sqlite3 *db = NULL;
	int version;

	/*
	 * Settings of the whole library, possible only before SQLite starts
	 * (else ignored): the sorter that builds indexes keeps at least
	 * PMASZ pages in memory (default 250: 2 MiB of 8 KiB pages; here
	 * 1 MiB) before it spills to temporary files; no memory statistics
	 * (they take a global lock on every allocation).
	 */
	sqlite3_config(SQLITE_CONFIG_PMASZ, 128);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* One thread at a time uses this connection: no locking per call. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s: %s", path, db ? sqlite3_errmsg(db) :
		    "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	/* Another import may hold the lock between its sources: wait. */
	sqlite3_busy_timeout(db, 60 * 1000);
	if (schema_version(db, &version, err) < 0)
		goto fail;
	if (version > KS_SCHEMA_VERSION) {
		ks_err_set(err, "%s: schema version %d is newer than this "
		    "kubesift (%d)", path, version, KS_SCHEMA_VERSION);
		goto fail;
	}
	if (version == 0 && foreign(db, path, err))
		goto fail;
	if (older_layout(db, path, err) < 0 || ks_raw_register(db, err) < 0 ||
	    ks_audit_key_register(db, err) < 0)
		goto fail;
	/*
	 * Pages of 8 KiB: a compressed block of raw events (60-75 KB) spills
	 * into pages of its own and leaves a part of its last one empty.
	 * Measured on 200,000 events of the few-refusals shape, bytes an
	 * event: 64 KiB pages 350 (a block took a whole page or two), 16 KiB
	 * 341, 8 KiB 335, 4 KiB 335 (the table of events a little larger,
	 * more of each page its header).  The cache is bounded (16 MiB) so
	 * that memory does not grow with the evidence: an import mostly
	 * appends, and the dedup index is filled
	 * in time order, so the pages it touches are few and recent.  A
	 * member whose pages outgrow it spills them to the file before its
	 * commit, and queries wait for that commit (rollback journal).
	 */
	if (ks_db_exec(db, "PRAGMA page_size = 8192; "
	    "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16384", err) < 0 ||
	    ks_db_apply_schema(db, err) < 0)
		goto fail;
	*dbp = db;
	return 0;
fail:
	sqlite3_close(db);
	return -1;
}

/*
 * The authorizer of read-only connections: reading is allowed, nothing
 * else.  It stands behind SQLITE_OPEN_READONLY and query_only, so that even
 * pragmas that would change the file or the connection are refused.
 */
static int
listed(const char *name, const char *const *list)
{
	for (int i = 0; name != NULL && list[i] != NULL; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

static int
ro_authorizer(void *arg, int action, const char *a, const char *b,
    const char *dbname, const char *trigger)
{
	/* Pragmas whose argument names what to read, not a value to set. */
	static const char *const with_arg[] = { "table_info", "table_xinfo",
	    "index_list", "index_info", "index_xinfo", "foreign_key_list",
	    "integrity_check", "quick_check", "table_list", NULL };
	static const char *const bare[] = { "user_version", "schema_version",
	    "page_size", "page_count", "database_list", "collation_list",
	    "function_list", "pragma_list", "compile_options", "encoding",
	    NULL };
	static const char *const functions[] = { "load_extension", "readfile",
	    "writefile", "edit", "fts3_tokenizer", NULL };

	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		return listed(b, functions) ? SQLITE_DENY : SQLITE_OK;
	case SQLITE_PRAGMA:
		if (listed(a, with_arg) || (b == NULL && listed(a, bare)))
			return SQLITE_OK;
		return SQLITE_DENY;
	case SQLITE_UPDATE:
		/*
		 * A table-valued function (json_each, json_tree) declares
		 * its columns as the schema does, which asks this; the
		 * file is opened read-only and query_only, so no write
		 * can follow from it.
		 */
		return a != NULL && (strcmp(a, "sqlite_master") == 0 ||
		    strcmp(a, "sqlite_schema") == 0) ? SQLITE_IGNORE :
		    SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

static int
open_ro(const char *path, sqlite3 **dbp, struct ks_err *err)
{
	sqlite3 *db = NULL;
	int version, rc = -1;

	/* As ks_db_open_rw: no memory statistics, no locking per call;
	   SQLite's memory from huge pages (store/sqlmem.h). */
	ks_sqlmem_install();
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s: %s", path, db ? sqlite3_errmsg(db) :
		    "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 10 * 1000);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, NULL);
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	if ((rc = ks_db_exec(db, "PRAGMA query_only = 1", err)) < 0 ||
	    (rc = schema_version(db, &version, err)) < 0)
		goto fail;
	if (version == 0) {
		rc = ks_err_set(err, "%s: not a kubesift database", path);
		goto fail;
	}
	if (version > KS_SCHEMA_VERSION) {
		rc = ks_err_set(err, "%s: schema version %d is newer than "
		    "this kubesift (%d)", path, version, KS_SCHEMA_VERSION);
		goto fail;
	}
	/* Upgrade cannot bring every older database up: say when not. */
	if (version < KS_SCHEMA_VERSION &&
	    (rc = older_layout(db, path, err)) < 0)
		goto fail;
	if (version < KS_SCHEMA_VERSION) {
		rc = ks_err_set(err, "%s: made by an older kubesift (schema "
		    "version %d, this one reads %d): run `kubesift -d %s "
		    "upgrade` once (queries never write)", path, version,
		    KS_SCHEMA_VERSION, path);
		goto fail;
	}
	if ((rc = ks_raw_register(db, err)) < 0 ||
	    (rc = ks_audit_key_register(db, err)) < 0)
		goto fail;
	sqlite3_set_authorizer(db, ro_authorizer, NULL);
	*dbp = db;
	return 0;
fail:
	sqlite3_close(db);
	return rc;
}

int
ks_db_cache_size(sqlite3 *db, long long set, long long *was)
{
	sqlite3_stmt *q;
	char sql[64];
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &q, NULL) !=
	    SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		*was = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return -1;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", set);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	return 0;
}

void
ks_db_read_wide(sqlite3 *db)
{
	sqlite3_set_authorizer(db, NULL, NULL);
	sqlite3_exec(db, "PRAGMA cache_size = -16384", NULL, NULL, NULL);
	sqlite3_set_authorizer(db, ro_authorizer, NULL);
}

/*
 * An import killed mid-way leaves a hot journal: the pages that put the
 * database back as it was before that import.  SQLite puts them back on
 * the next open that may write, as it must before anyone reads; a
 * read-only open cannot, so a writable open here reads the schema (which
 * rolls the journal back) and writes nothing else.  A running import
 * holds its lock, and then the journal is not hot and nothing happens.
 */
static int
roll_back_journal(const char *path, struct ks_err *err)
{
	sqlite3 *db = NULL;
	int rc;

	if ((rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL)) ==
	    SQLITE_OK) {
		sqlite3_busy_timeout(db, 10 * 1000);
		rc = sqlite3_exec(db, "PRAGMA user_version", NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK)
		ks_err_set(err, "%s: an import into this database was cut "
		    "short, and its journal cannot be rolled back: %s (run "
		    "kubesift import where the folder is writable, then "
		    "query)", path, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

int
ks_db_open_ro(const char *path, sqlite3 **dbp, struct ks_err *err)
{
	struct stat sb;
	int rc;

	if (stat(path, &sb) < 0)
		return ks_err_set(err, "%s: no database here (run `kubesift "
		    "import` first, or give -d FILE)", path);
	if ((rc = open_ro(path, dbp, err)) == HOT_JOURNAL) {
		if (roll_back_journal(path, err) < 0)
			return -1;
		rc = open_ro(path, dbp, err);
	}
	return rc < 0 ? -1 : 0;
}

/* Is the rest of the SQL text empty: blanks, semicolons and comments? */
static int
only_comments(sqlite3 *db, const char *tail)
{
	while (tail != NULL && *tail != '\0') {
		sqlite3_stmt *next = NULL;
		const char *rest = NULL;
		int rc = sqlite3_prepare_v2(db, tail, -1, &next, &rest);
		int statement = next != NULL;

		sqlite3_finalize(next);
		if (rc != SQLITE_OK || statement || rest == NULL || rest == tail)
			return 0;
		tail = rest;
	}
	return 1;
}

int
ks_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
    struct ks_err *err)
{
	const char *tail = NULL;

	*stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, stmt, &tail) != SQLITE_OK) {
		if (sqlite3_errcode(db) == SQLITE_AUTH)
			return ks_err_set(err, "refused: %s (queries are "
			    "read-only: no writes, ATTACH, setting pragmas or "
			    "extensions)", sqlite3_errmsg(db));
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	}
	if (*stmt == NULL)
		return ks_err_set(err, "no SQL statement given");
	if (!only_comments(db, tail)) {
		sqlite3_finalize(*stmt);
		*stmt = NULL;
		return ks_err_set(err, "only one SQL statement is allowed");
	}
	if (sqlite3_db_readonly(db, "main") == 1 && !sqlite3_stmt_readonly(*stmt)) {
		sqlite3_finalize(*stmt);
		*stmt = NULL;
		return ks_err_set(err, "the database is opened read-only: "
		    "statements that write are refused");
	}
	return 0;
}

void
ks_db_close(sqlite3 *db)
{
	if (db != NULL)
		sqlite3_close(db);
}
