/*
 * Opening a kubesift database: writable (the schema from sql/ applied) or
 * read-only (refusing every write, ATTACH, extension loading and writing
 * pragmas, whatever SQL it is given).
 */
#ifndef KS_DB_H
#define KS_DB_H

#include <sqlite3.h>

#include "util/err.h"

#define KS_SCHEMA_VERSION	13
#define KS_STR_(x)	#x
#define KS_STR(x)	KS_STR_(x)	/* a number macro as a string */

/* Open or create path for import; apply the schema.  *db is the caller's. */
int	ks_db_open_rw(const char *path, sqlite3 **db, struct ks_err *err);

/* Open an existing database for queries only. */
int	ks_db_open_ro(const char *path, sqlite3 **db, struct ks_err *err);

/*
 * For a query that reads much of the file and sorts it (remediate,
 * report: every refused event): let the read-only connection db keep
 * 16 MiB of pages (as an import does), so that SQLite neither reads the
 * same pages again and again nor spills its sorts to temporary files.
 * The pragma is set past the authorizer, which refuses it to SQL.
 */
void	ks_db_read_wide(sqlite3 *db);

/*
 * Set db's page cache to set (PRAGMA cache_size: pages, or -KiB when
 * negative), the setting before in *was.  SQLite's sorter keeps in memory
 * as much as the cache may hold (at least SQLITE_CONFIG_PMASZ pages)
 * before it spills to a temporary file, so a statement that sorts rows
 * whose number grows with the evidence is bounded by it; a smaller cache
 * also gives its pages to the sort.  Returns 0, or -1 when the setting
 * could not be read (nothing changed).
 */
int	ks_db_cache_size(sqlite3 *db, long long set, long long *was);

/* Apply the embedded sql/NNN-*.sql to db (used by ks_db_open_rw and tests). */
int	ks_db_apply_schema(sqlite3 *db, struct ks_err *err);

/*
 * Set err to "database[: what]: " and SQLite's message, with the system's
 * reason when the operating system refused (a full disk, a file size
 * limit: "disk I/O error" alone does not say the disk is full).  Returns -1.
 */
int	ks_db_error(sqlite3 *db, struct ks_err *err, const char *what);

/* Run SQL without results; -1 with the SQLite message on failure. */
int	ks_db_exec(sqlite3 *db, const char *sql, struct ks_err *err);

/*
 * Prepare exactly one statement.  In a read-only database a statement that
 * would write is refused.  Returns 0 with *stmt (the caller finalizes it).
 */
int	ks_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
	    struct ks_err *err);

void	ks_db_close(sqlite3 *db);	/* accepts NULL */

#endif
