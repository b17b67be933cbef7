/*
 * The tables of a kubesift database as CREATE TABLE statements of another
 * engine, column for column as `kubesift export` writes them (a BLOB as
 * lower-case hex text), so that an export loads as it is.
 */
#ifndef KS_DDL_H
#define KS_DDL_H

#include <stdio.h>

#include <sqlite3.h>

#include "util/err.h"

/*
 * The columns of a table as exported, in order: PRAGMA table_xinfo's rows
 * (cid, name, type, notnull, dflt_value, pk, hidden) for which
 * ks_ddl_exported() says yes.  Generated columns are in (request_uri);
 * the stored forms they are computed from are not (uri_tail, stage_code,
 * level_code, message_tail, audit_key, user_id, ...).  The view
 * audit_events has the types, keys and NOT NULLs of audit_rows.
 * ks_ddl_columns prepares the query into *st: 0, or -1 with err.
 */
int	ks_ddl_columns(sqlite3 *db, const char *table, sqlite3_stmt **st,
	    struct ks_err *err);
int	ks_ddl_exported(sqlite3_stmt *xinfo);

/* Whether engine is one ks_ddl_table knows ("clickhouse"). */
int	ks_ddl_known(const char *engine);

/*
 * Write table's CREATE TABLE statement for engine to fp, ending with ";"
 * and a newline.  Returns 0, or -1 with err.
 */
int	ks_ddl_table(sqlite3 *db, const char *engine, const char *table,
	    FILE *fp, struct ks_err *err);

#endif
