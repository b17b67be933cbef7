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

/* Whether engine is one ks_ddl_table knows ("clickhouse"). */
int	ks_ddl_known(const char *engine);

/*
 * Write table's CREATE TABLE statement for engine to fp, ending with ";"
 * and a newline.  Returns 0, or -1 with err.
 */
int	ks_ddl_table(sqlite3 *db, const char *engine, const char *table,
	    FILE *fp, struct ks_err *err);

#endif
