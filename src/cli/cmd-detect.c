/*
 * kubesift detect [filters]: the findings of the detections view
 * (sql/011-detections.sql), the most severe first, then the earliest.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "store/db.h"
#include "store/rollup.h"

/*
 * The findings the filters select.  The view carries verb, api_group,
 * resource and subresource (the request that fired), so the shared filter
 * applies as it does to denials; a window selects findings by first_seen.
 * audit_ids goes through json() above the sorted subquery so that its
 * value keeps SQLite's JSON subtype (a sort drops it): -o json then gives a
 * real array of strings.  The rows saved at import are read when they
 * are this database's (store/rollup.h): the same rows in the same order.
 */
static int
exec_detect(struct ks_ctx *ctx)
{
	char sql[8192];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("detect: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	snprintf(sql, sizeof(sql), "%s%s%s", "SELECT rule, severity, actor,"
	    " first_seen, last_seen, count, namespace, object,"
	    " json(audit_ids) AS audit_ids, summary FROM ("
	    "SELECT rule, severity, actor,"
	    " first_seen_utc AS first_seen, last_seen_utc AS last_seen,"
	    " count, namespace, object, audit_ids, summary"
	    " FROM ", ks_rollup_detections(ctx->db),
	    " AS detections WHERE 1");
	if (ks_filter_sql(&ctx->filter, sql, sizeof(sql), "first_seen",
	    NULL) < 0) {
		ks_cmd_error("detect: too many filters");
		return KS_EXIT_USAGE;
	}
	strncat(sql, " ORDER BY CASE severity WHEN 'critical' THEN 0"
	    " WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3"
	    " ELSE 4 END, detections.first_seen, rule, actor, object"
	    " LIMIT -1)", sizeof(sql) - strlen(sql) - 1);
	if (ks_db_prepare(ctx->db, sql, &st, &err) < 0) {
		ks_cmd_error("detect: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	ks_filter_bind(&ctx->filter, st);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("detect: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct ks_cmd ks_cmd_detect = {
	.name = "detect",
	.summary = "findings: impersonation, exec, privileged pods, "
	    "cluster-admin bindings, risky roles and more",
	.usage = "[filters]",
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.formats = KS_FMT_ROWS,
	.opts = ks_filter_opts,
	.option = ks_cmd_filter_option,
	.min_args = 0, .max_args = 0,
	.exec = exec_detect,
};
