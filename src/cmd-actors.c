/* kubesift actors [filters]: identities, their class and what they did. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "filter.h"
#include "sqltime.h"

static const struct ks_opt opts[] = {
	{ "actor", KS_FOPT_ACTOR, "NAME", "only this actor (exact, or a glob)" },
	{ "class", 'c', "CLASS", "only this class: control-plane, controller, "
	    "node, service-account, cloud-provider, human, anonymous" },
	{ NULL, 0, NULL, NULL }
};

static const char *class_filter;

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	if (key == 'c') {
		class_filter = arg;
		return 0;
	}
	return ks_filter_option(key, arg) == 1 ? 0 : -1;
}

static int
exec_actors(struct ks_ctx *ctx)
{
	char sql[2048];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	snprintf(sql, sizeof(sql), "%s", "SELECT actor, class, requests,"
	    " denials, " KS_SQL_TIME("first_seen") " AS first_seen, "
	    KS_SQL_TIME("last_seen") " AS last_seen FROM identities"
	    " WHERE (?1 IS NULL OR class = ?1)");
	ks_filter_sql(sql, sizeof(sql), "last_seen", 1);
	strncat(sql, " ORDER BY denials DESC, requests DESC, actor",
	    sizeof(sql) - strlen(sql) - 1);
	if (ks_filter_resolve(ctx->db, &err) < 0 ||
	    ks_db_prepare(ctx->db, sql, &st, &err) < 0) {
		ks_cmd_error("actors: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	sqlite3_bind_text(st, 1, class_filter, -1, SQLITE_STATIC);
	ks_filter_bind(st);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("actors: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct ks_cmd ks_cmd_actors = {
	.name = "actors",
	.summary = "identities seen, their class, requests and denials",
	.usage = "[--actor NAME] [--class CLASS]",
	.opts = opts,
	.formats = KS_FMT_ROWS,
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.option = option,
	.exec = exec_actors,
};
