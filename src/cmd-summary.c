/*
 * kubesift summary: the evidence, the cluster, the audit time span, request
 * and denial counts and the busiest actors, as (section, item, value) rows.
 */
#include "cmd.h"
#include "db.h"
#include "sqltime.h"

static const char query[] =
    "SELECT 'evidence' AS section, 'sources' AS item,"
    "  count(*) || ' (' || sum(parent_id IS NULL) ||"
    "  iif(sum(parent_id IS NULL) = 1, ' input)', ' inputs)') AS value"
    "  FROM sources"
    " UNION ALL SELECT 'evidence', 'records', sum(records) || ' read, ' ||"
    "  sum(imported) || ' imported, ' || sum(duplicates) || ' duplicates, ' ||"
    "  sum(rejected) || ' rejected' FROM sources"
    " UNION ALL SELECT * FROM (SELECT 'evidence', 'input', path || '  sha256:'"
    "  || coalesce(sha256, '-') FROM sources WHERE parent_id IS NULL"
    "  ORDER BY id LIMIT 20)"
    " UNION ALL SELECT 'evidence', 'input', '... and ' || (count(*) - 20) ||"
    "  ' more (kubesift sources)' FROM sources WHERE parent_id IS NULL"
    "  HAVING count(*) > 20"
    " UNION ALL SELECT * FROM (SELECT 'cluster', 'server version',"
    "  server_version || ' (snapshot ' || id || ', ' || origin || ')'"
    "  FROM snapshots WHERE server_version IS NOT NULL ORDER BY id)"
    " UNION ALL SELECT * FROM (SELECT 'cluster', 'nodes',"
    "  count(DISTINCT name) || coalesce(' in snapshot ' || snapshot_id, '')"
    "  FROM objects WHERE kind = 'Node' GROUP BY snapshot_id)"
    " UNION ALL SELECT * FROM (SELECT 'cluster', 'kubelet ' ||"
    "  coalesce(json_extract(body, '$.status.nodeInfo.kubeletVersion'), '?'),"
    "  count(DISTINCT name) || iif(count(DISTINCT name) = 1, ' node',"
    "  ' nodes') FROM objects WHERE kind = 'Node'"
    "  GROUP BY 2 ORDER BY 2)"
    " UNION ALL SELECT 'audit', 'first event', " KS_SQL_TIME("min(received_us)")
    "  FROM audit_events"
    " UNION ALL SELECT 'audit', 'last event', " KS_SQL_TIME("max(received_us)")
    "  FROM audit_events"
    " UNION ALL SELECT 'audit', 'requests', sum(allowed + denied)"
    "  FROM activity_minute"
    " UNION ALL SELECT 'audit', 'denials', count(*) FROM denials"
    "  WHERE origin = 'audit'"
    " UNION ALL SELECT 'logs', 'denials', count(*) FROM log_denials"
    " UNION ALL SELECT * FROM (SELECT 'actors', 'top: ' || actor,"
    "  requests || ' requests, ' || denials || ' denied (' || class || ')'"
    "  FROM identities ORDER BY requests DESC, actor LIMIT 10)"
    " UNION ALL SELECT * FROM (SELECT 'actors', 'most denied: ' || actor,"
    "  denials || ' denied of ' || requests || ' (' || class || ')'"
    "  FROM identities WHERE denials > 0 ORDER BY denials DESC, actor"
    "  LIMIT 10)";

static int
exec_summary(struct ks_ctx *ctx)
{
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_db_prepare(ctx->db, query, &st, &err) < 0 ||
	    ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("summary: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct ks_cmd ks_cmd_summary = {
	.name = "summary",
	.summary = "evidence, cluster version and nodes, time span, counts, "
	    "top actors",
	.usage = "",
	.formats = KS_FMT_ROWS,
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.exec = exec_summary,
};
