/*
 * kubesift sql 'SELECT ...': read-only SQL over the database; `sql -` reads
 * the statement from standard input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "store/db.h"

#define MAX_SQL	(16 << 20)	/* bytes of SQL read from standard input */

/* The whole of standard input as a string, the caller's; NULL with err. */
static char *
read_stdin(struct ks_err *err)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *p;

	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > MAX_SQL + 1 ||
			    (p = realloc(buf, cap)) == NULL) {
				free(buf);
				ks_err_set(err, cap > MAX_SQL + 1 ? "standard "
				    "input: more than 16 MiB of SQL" : "out of "
				    "memory");
				return NULL;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len - 1, stdin);
		len += n;
	} while (n > 0);
	if (ferror(stdin)) {
		ks_err_set(err, "standard input: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		ks_err_set(err, "standard input: a NUL byte in the SQL");
		free(buf);
		return NULL;
	}
	return buf;
}

static int
exec_sql(struct ks_ctx *ctx)
{
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	char *sql = NULL;
	int rc = KS_EXIT_OK;

	if (strcmp(ctx->argv[0], "-") == 0 && (sql = read_stdin(&err)) == NULL) {
		ks_cmd_error("sql: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (ks_db_prepare(ctx->db, sql ? sql : ctx->argv[0], &st, &err) < 0 ||
	    ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("sql: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	free(sql);
	return rc;
}

const struct ks_cmd ks_cmd_sql = {
	.name = "sql",
	.summary = "run one read-only SQL statement and print its rows",
	.usage = "[-o FORMAT] 'SELECT ...' | -",
	.formats = KS_FMT_ROWS,
	.min_args = 1, .max_args = 1,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.exec = exec_sql,
};
