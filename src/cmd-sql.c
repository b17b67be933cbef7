/* kubesift sql 'SELECT ...': read-only SQL over the database. */
#include "cmd.h"
#include "db.h"

static int
exec_sql(struct ks_ctx *ctx)
{
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_db_prepare(ctx->db, ctx->argv[0], &st, &err) < 0 ||
	    ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("sql: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct ks_cmd ks_cmd_sql = {
	.name = "sql",
	.summary = "run one read-only SQL statement and print its rows",
	.usage = "[-o FORMAT] 'SELECT ...'",
	.min_args = 1, .max_args = 1,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.exec = exec_sql,
};
