/*
 * kubesift denied [filters]: refused requests grouped by actor, verb, API
 * group, resource, subresource and namespace, most frequent first.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "store/db.h"
#include "store/sqltime.h"

/*
 * The groups, with the filter's conditions on each denial before it is
 * counted: a window selects the denials inside it, and a group with none
 * there is absent.  The rollups kept at import answer (ks_filter_denials).
 */
static int
exec_denied(struct ks_ctx *ctx)
{
	char sql[8192];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("denied: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	snprintf(sql, sizeof(sql), "%s%s%s", "SELECT actor, verb, api_group,"
	    " resource, subresource, namespace, sum(n) AS count,"
	    " " KS_SQL_TIME("min(first_us)") " AS first_seen,"
	    " " KS_SQL_TIME("max(last_us)") " AS last_seen,"
	    " coalesce(min(audit_id), min(source_id) || ':' || min(line))"
	    " AS example, refused_by, max(message) AS message FROM ",
	    ks_filter_denials(&ctx->filter), " WHERE 1");
	if (ks_filter_sql(&ctx->filter, sql, sizeof(sql), "time", "decision") < 0) {
		ks_cmd_error("denied: too many filters");
		return KS_EXIT_USAGE;
	}
	strncat(sql, " GROUP BY actor, verb, api_group, resource, subresource,"
	    " namespace, refused_by"
	    " ORDER BY count DESC, actor, verb, resource, namespace, refused_by",
	    sizeof(sql) - strlen(sql) - 1);
	if (ks_db_prepare(ctx->db, sql, &st, &err) < 0) {
		ks_cmd_error("denied: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	ks_filter_bind(&ctx->filter, st);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("denied: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct ks_cmd ks_cmd_denied = {
	.name = "denied",
	.summary = "refused requests grouped by actor, verb, resource and "
	    "namespace",
	.usage = "[filters]",
	.opts = ks_filter_opts,
	.formats = KS_FMT_ROWS,
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.option = ks_cmd_filter_option,
	.exec = exec_denied,
};
