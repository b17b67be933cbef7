/* kubesift sources: the chain of custody, one row per input and member. */
#include "cli/cmd.h"
#include "store/db.h"

static int
exec_sources(struct ks_ctx *ctx)
{
	static const char q[] =
	    "SELECT id, parent_id, path, size, sha256, format, bid, records,"
	    " imported, duplicates, rejected FROM sources ORDER BY id";
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_db_prepare(ctx->db, q, &st, &err) < 0 ||
	    ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("sources: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct ks_cmd ks_cmd_sources = {
	.name = "sources",
	.summary = "list what was imported: paths, sizes, SHA-256, formats, "
	    "counts",
	.usage = "[-o FORMAT]",
	.formats = KS_FMT_ROWS,
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.exec = exec_sources,
};
