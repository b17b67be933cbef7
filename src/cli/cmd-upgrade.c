/*
 * kubesift upgrade: bring a database made by an older kubesift to this
 * one's schema (new columns, new and changed views), so that the query
 * commands, which never write, can read it.  Importing into it does the
 * same.  The evidence in it is not changed.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "store/db.h"
#include "store/rollup.h"

static int
exec_upgrade(struct ks_ctx *ctx)
{
	struct ks_err err;

	/* Opening for writing installs the schema: never make a new file. */
	if (access(ctx->db_path, F_OK) != 0) {
		ks_cmd_error("upgrade: %s: no such database", ctx->db_path);
		return KS_EXIT_ERROR;
	}
	if (ks_db_open_rw(ctx->db_path, &ctx->db, &err) < 0) {
		ks_cmd_error("upgrade: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	/* If not, detect reads the view: the same rows. */
	(void)ks_rollup_save_detections(ctx->db, &err);
	if (!ctx->quiet)
		fprintf(stderr, "%s: schema version %d\n", ctx->db_path,
		    KS_SCHEMA_VERSION);
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_upgrade = {
	.name = "upgrade",
	.summary = "bring a database made by an older kubesift to this "
	    "schema",
	.usage = "",
	.min_args = 0, .max_args = 0,
	.flags = 0,
	.exec = exec_upgrade,
};
