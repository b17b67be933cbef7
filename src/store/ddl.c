/*
 * CREATE TABLE statements for other engines, read from the database's own
 * schema (PRAGMA table_xinfo), so that they follow every column added.
 *
 * ClickHouse: INTEGER is Int64, REAL Float64, TEXT and BLOB (exported as
 * hex) String; a column that may be NULL is Nullable.  The table is a
 * MergeTree ordered by its primary key when that key cannot be NULL (an
 * INTEGER PRIMARY KEY is the rowid), by nothing otherwise: ClickHouse
 * sorting keys cannot be Nullable.
 */
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/ddl.h"
#include "store/dict.h"

int
ks_ddl_known(const char *engine)
{
	return engine != NULL && strcmp(engine, "clickhouse") == 0;
}

int
ks_ddl_columns(sqlite3 *db, const char *table, sqlite3_stmt **st,
    struct ks_err *err)
{
	static const char q[] = "SELECT v.cid, v.name, coalesce(b.type,"
	    " v.type), coalesce(b.\"notnull\", v.\"notnull\"), v.dflt_value,"
	    " coalesce(b.pk, v.pk), v.hidden FROM pragma_table_xinfo(?1) v"
	    " LEFT JOIN pragma_table_xinfo(?2) b ON b.name = v.name"
	    " ORDER BY v.cid";

	if (ks_db_prepare(db, q, st, err) < 0)
		return -1;
	sqlite3_bind_text(*st, 1, table, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(*st, 2, strcmp(table, "audit_events") == 0 ?
	    "audit_rows" : table, -1, SQLITE_TRANSIENT);
	return 0;
}

int
ks_ddl_exported(sqlite3_stmt *xinfo)
{
	/* What generated columns of audit_events are computed from, and
	   the stored forms of its text (audit_rows). */
	static const char *const stored[] = { "uri_tail", "stage_code",
	    "level_code", "decision_code", "stage_delta", "message_tail", "audit_key", "user_id",
	    "impersonated_user_id", "actor_id", NULL };
	const char *name = (const char *)sqlite3_column_text(xinfo, 1);

	/* Nor the hidden columns of a virtual table. */
	if (name == NULL || sqlite3_column_int(xinfo, 6) == 1)
		return 0;
	for (int i = 0; stored[i] != NULL; i++)
		if (strcmp(name, stored[i]) == 0)
			return 0;
	return 1;
}

static const char *
ch_type(const char *decl)
{
	if (decl == NULL)
		return "String";
	if (strcmp(decl, "INTEGER") == 0)
		return "Int64";
	if (strcmp(decl, "REAL") == 0)
		return "Float64";
	return "String";
}

/*
 * One column: "  `name` Type" with its comma.  A key column that cannot
 * be NULL is added to key (comma-separated, cut to keysz).
 */
static void
ch_column(FILE *fp, const char *name, const char *decl, int notnull, int pk,
    int first, char *key, size_t keysz)
{
	const char *type = ch_type(decl);
	size_t n = strlen(key);

	if (pk > 0 && decl != NULL && strcmp(decl, "INTEGER") == 0)
		notnull = 1;	/* the rowid */
	if (pk > 0 && notnull && n < keysz)
		snprintf(key + n, keysz - n, "%s`%s`", n > 0 ? ", " : "",
		    name);
	fprintf(fp, "%s\n  `%s` %s%s%s", first ? "" : ",", name,
	    notnull ? "" : "Nullable(", type, notnull ? "" : ")");
}

/*
 * The columns of table, from its schema; a reference into strings as its
 * text (dict.h), as export writes it.  audit_raw is no table: export
 * writes each stored event's id and raw bytes.  Returns the columns.
 */
static int
ch_columns(sqlite3 *db, const char *table, FILE *fp, char *key,
    size_t keysz, struct ks_err *err)
{
	sqlite3_stmt *st;
	int cols = 0;

	if (strcmp(table, "audit_raw") == 0) {
		ch_column(fp, "id", "INTEGER", 1, 1, 1, key, keysz);
		ch_column(fp, "raw", "TEXT", 1, 0, 0, key, keysz);
		return 2;
	}
	if (ks_ddl_columns(db, table, &st, err) < 0)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *decl = (const char *)sqlite3_column_text(st, 2);
		const char *text = ks_dict_column(table, name);
		if (!ks_ddl_exported(st))
			continue;
		ch_column(fp, text ? text : name, text ? "TEXT" : decl,
		    sqlite3_column_int(st, 3), sqlite3_column_int(st, 5),
		    cols++ == 0, key, keysz);
	}
	sqlite3_finalize(st);
	return cols;
}

int
ks_ddl_table(sqlite3 *db, const char *engine, const char *table, FILE *fp,
    struct ks_err *err)
{
	char key[512] = "";
	int cols;

	if (!ks_ddl_known(engine))
		return ks_err_set(err, "not an engine: %s (clickhouse)",
		    engine ? engine : "");
	fprintf(fp, "CREATE TABLE IF NOT EXISTS `%s` (", table);
	if ((cols = ch_columns(db, table, fp, key, sizeof(key), err)) < 0)
		return -1;
	if (cols == 0)
		return ks_err_set(err, "%s: no such table", table);
	fprintf(fp, "\n) ENGINE = MergeTree() ORDER BY %s%s%s;\n",
	    key[0] != '\0' ? "(" : "", key[0] != '\0' ? key : "tuple()",
	    key[0] != '\0' ? ")" : "");
	return 0;
}
