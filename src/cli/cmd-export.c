/*
 * kubesift export DIR: the normalized tables as one file each, JSONL (the
 * default) or CSV, with the schema's column names, for loading into other
 * engines (DuckDB, ClickHouse, BigQuery, Trino) that run the same views.
 * --ddl ENGINE prints the CREATE TABLE statements those files load into
 * (ClickHouse's; see sql/clickhouse/) instead.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cmd.h"
#include "cli/progress.h"
#include "store/db.h"
#include "store/ddl.h"
#include "store/dict.h"

enum { O_DDL = 256 };

static const struct ks_opt opts[] = {
	{ "ddl", O_DDL, "ENGINE", "print the CREATE TABLE statements for "
	    "ENGINE (clickhouse) instead of exporting" },
	{ NULL, 0, NULL, NULL }
};

/* The options of one run (ctx->state); the strings are borrowed. */
struct export_state {
	const char	*ddl;
	struct ks_progress prog;	/* on a terminal (progress.h) */
	char		 what[64];	/* "export TABLE", for the line */
};

static const char *const tables[] = { "sources", "snapshots", "objects",
    "audit_events", "audit_raw", "log_denials", "cluster_events", "rejects",
    "activity_minute", "resource_kinds", "resource_short_names",
    "identity_classes", "known_issues",
    NULL };

/*
 * audit_raw is exported as it was read: the bytes come out of their
 * compressed blocks.
 */
static const char raw_select[] = "SELECT id, ks_raw(raw_block, raw_off, "
    "raw_len, audit_key, received_us, stage_us) AS raw FROM audit_rows "
    "WHERE raw_block IS NOT NULL ORDER BY id";

/*
 * An audit event's SHA-256 whole: its row keeps 8 bytes of it when its raw
 * bytes are kept (sql/001-schema.sql), the export gives all 32.
 */
static const char event_hash[] = "CASE WHEN length(hash) = 32 THEN hash"
    " ELSE ks_sha256(ks_raw(raw_block, raw_off, raw_len, audit_key,"
    " received_us, stage_us)) END";

/* One column of select_all, at sql + n: the expression and its name. */
static size_t
select_column(char *sql, size_t sz, size_t n, const char *table,
    const char *col, const char *type)
{
	const char *text = ks_dict_column(table, col);
	int blob = type != NULL && strcmp(type, "BLOB") == 0;

	if (strcmp(table, "audit_events") == 0 && strcmp(col, "hash") == 0)
		return (size_t)snprintf(sql + n, sz - n, "%slower(hex(%s)) AS"
		    " hash", n > 7 ? ", " : "", event_hash);
	if (text != NULL)	/* a reference into strings: its text */
		return (size_t)snprintf(sql + n, sz - n, "%s(SELECT value FROM"
		    " strings WHERE id = %s) AS %s", n > 7 ? ", " : "", col,
		    text);
	return (size_t)snprintf(sql + n, sz - n, "%s%s%s%s%s",
	    n > 7 ? ", " : "", blob ? "lower(hex(" : "", col,
	    blob ? ")) AS " : "", blob ? col : "");
}

/*
 * SELECT every column of table; BLOB columns (hashes) as lower-case hex,
 * since JSON and CSV have no bytes; strings stored once (store/dict.h) as
 * their text, under the column's name of old.
 */
static int
select_all(sqlite3 *db, const char *table, char *sql, size_t sz,
    struct ks_err *err)
{
	char q[128];
	sqlite3_stmt *st;
	size_t n;
	int rowid, id = 0;

	if (ks_ddl_columns(db, table, &st, err) < 0)
		return -1;
	n = (size_t)snprintf(sql, sz, "SELECT ");
	while (sqlite3_step(st) == SQLITE_ROW && n < sz) {
		const char *col = (const char *)sqlite3_column_text(st, 1);
		id |= col != NULL && strcmp(col, "id") == 0;
		if (ks_ddl_exported(st))
			n += select_column(sql, sz, n, table, col,
			    (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	/* A view has no rowid: by its id (audit_events), else in its own
	   order (activity_minute). */
	snprintf(q, sizeof(q), "SELECT rowid FROM %s", table);
	rowid = sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	if (n < sz)
		snprintf(sql + n, sz - n, " FROM %s%s", table,
		    rowid ? " ORDER BY rowid" : id ? " ORDER BY id" : "");
	return n < sz ? 0 : ks_err_set(err, "%s: too many columns", table);
}

/*
 * Write table to dir/table.fmt, a new file; path gets its name and *rows
 * the rows written.  Returns 0, or -1 with err.
 */
static int
export_one(sqlite3 *db, const char *dir, const char *table, const char *fmt,
    char *path, long long *rows, struct ks_err *err)
{
	char sql[4096];
	sqlite3_stmt *st = NULL;
	struct ks_out *out = NULL;
	FILE *fp;
	int rc = -1;

	snprintf(path, PATH_MAX, "%s/%s.%s", dir, table, fmt);
	if (strcmp(table, "audit_raw") == 0)
		snprintf(sql, sizeof(sql), "%s", raw_select);
	else if (select_all(db, table, sql, sizeof(sql), err) < 0)
		return -1;
	if ((fp = fopen(path, "wx")) == NULL)
		return ks_err_set(err, "%s: %s", path, strerror(errno));
	if (ks_db_prepare(db, sql, &st, err) == 0 &&
	    (out = ks_out_new(fmt, fp, err)) != NULL &&
	    ks_out_stmt(out, st, err) == 0) {
		*rows = ks_out_rows(out);
		rc = 0;
	}
	ks_out_free(out);
	sqlite3_finalize(st);
	if (fclose(fp) != 0 && rc == 0)
		rc = ks_err_set(err, "%s: %s", path, strerror(errno));
	return rc;
}

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct export_state *es = ctx->state;

	if (key != O_DDL)
		return -1;
	if (!ks_ddl_known(arg))
		return ks_cmd_usage_error("export: --ddl: not an engine: %s "
		    "(clickhouse)", arg);
	es->ddl = arg;
	return 0;
}

/*
 * --ddl: every exported table's CREATE TABLE on standard output.  The
 * tables are this version's whatever the evidence, so they are read from
 * an empty database made in memory: no database is needed (a loader is
 * often set up before any bundle is imported).
 */
static int
print_ddl(struct ks_ctx *ctx, const char *engine)
{
	sqlite3 *empty = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ctx->argc > 0)
		return ks_cmd_usage_error("export: --ddl takes no DIR");
	if (ks_db_open_rw(":memory:", &empty, &err) < 0) {
		ks_cmd_error("export: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	printf("-- kubesift export: the tables, for %s.\n", engine);
	for (int i = 0; tables[i] != NULL && rc == KS_EXIT_OK; i++) {
		if (ks_ddl_table(empty, engine, tables[i], stdout, &err) < 0) {
			ks_cmd_error("export: %s", err.msg);
			rc = KS_EXIT_ERROR;
		}
	}
	ks_db_close(empty);
	return rc;
}

/* SQLite's progress handler: "kubesift export TABLE: working, N s". */
static int
exporting(void *arg)
{
	struct export_state *es = arg;

	ks_progress_working(&es->prog, es->what);
	return 0;
}

/* Every table to dir; a line on standard error for each, unless -q. */
static int
export_all(struct ks_ctx *ctx, struct export_state *es, const char *dir)
{
	const char *fmt = ctx->format ? ctx->format : "jsonl";
	char path[PATH_MAX];
	struct ks_err err;
	long long rows = 0;
	int rc;

	for (int i = 0; tables[i] != NULL; i++) {
		snprintf(es->what, sizeof(es->what), "export %s", tables[i]);
		rc = export_one(ctx->db, dir, tables[i], fmt, path, &rows,
		    &err);
		ks_progress_hold(&es->prog);
		if (rc < 0)
			ks_cmd_error("export: %s", err.msg);
		/* Information, not an error: no "kubesift:" before it. */
		else if (!ctx->quiet)
			fprintf(stderr, "wrote %s (%lld %s)\n", path, rows,
			    ks_cmd_plural((unsigned long long)rows, "row",
			    "rows"));
		ks_progress_release(&es->prog);
		if (rc < 0)
			return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
}

static int
exec_export(struct ks_ctx *ctx)
{
	struct export_state *es = ctx->state;
	const char *dir;
	struct ks_err err;
	int rc;

	if (es->ddl != NULL)
		return print_ddl(ctx, es->ddl);
	if (ctx->argc != 1)
		return ks_cmd_usage_error("export: a DIR to write to");
	if (ks_db_open_ro(ctx->db_path, &ctx->db, &err) < 0) {
		ks_cmd_error("%s", err.msg);
		return KS_EXIT_ERROR;
	}
	dir = ctx->argv[0];
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		ks_cmd_error("export: %s: %s", dir, strerror(errno));
		return KS_EXIT_ERROR;
	}
	ks_progress_init(&es->prog, ks_progress_wanted(ctx->quiet));
	if (es->prog.on)
		sqlite3_progress_handler(ctx->db, 100000, exporting, es);
	rc = export_all(ctx, es, dir);
	sqlite3_progress_handler(ctx->db, 0, NULL, NULL);
	ks_progress_fini(&es->prog);
	return rc;
}

const struct ks_cmd ks_cmd_export = {
	.name = "export",
	.summary = "write every table to DIR as JSONL or CSV, for other engines",
	.usage = "[-o jsonl|csv] DIR | --ddl ENGINE",
	.opts = opts,
	.formats = "jsonl,csv",
	.min_args = 0, .max_args = 1,
	.flags = 0,	/* opens the database itself: --ddl needs none */
	.state_size = sizeof(struct export_state),
	.option = option,
	.exec = exec_export,
};
