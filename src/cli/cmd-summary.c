/*
 * kubesift summary [filters]: the evidence, the cluster, and for the
 * requests the filters select: the time span, request and denial counts
 * and the busiest actors, as (section, item, value) rows.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "store/db.h"
#include "store/sqltime.h"
#include "util/timeutil.h"

/*
 * What the evidence and the snapshots hold; no filter applies
 * (evidence_summary, sql/009-report.sql).
 */
static const char evidence_sql[] = "SELECT * FROM evidence_summary";

/*
 * The parts the filters select, from a (each actor's requests: requests,
 * denied, first_us, last_us, audited) and ds (the denials: audit, logs).
 */
static const char parts[] =
    " UNION ALL SELECT 'requests', 'first', " KS_SQL_TIME("min(first_us)")
    " FROM a"
    " UNION ALL SELECT 'requests', 'last', " KS_SQL_TIME("max(last_us)")
    " FROM a"
    " UNION ALL SELECT 'requests', 'audited', coalesce(sum(audited), 0)"
    " FROM a"
    " UNION ALL SELECT 'denials', 'audit', coalesce(audit, 0) FROM ds"
    " UNION ALL SELECT 'denials', 'only in logs', coalesce(logs, 0) FROM ds"
    " UNION ALL SELECT * FROM (SELECT 'actors', 'top: ' || actor,"
    " requests || ' requests, ' || denied || ' denied' FROM a"
    " WHERE actor IS NOT NULL ORDER BY requests DESC, actor LIMIT 10)"
    " UNION ALL SELECT * FROM (SELECT 'actors', 'most denied: ' || actor,"
    " denied || ' denied of ' || requests FROM a"
    " WHERE actor IS NOT NULL AND denied > 0"
    " ORDER BY denied DESC, actor LIMIT 10)";

/*
 * ds over a window: its audit denials summed by group (the window's
 * conditions on each; rollup_groups joined only for a filter on the
 * groups' columns or decision, on them), and those of logs.
 */
static int
window_denials(const struct ks_filter *f, char *sql, size_t sz)
{
	struct ks_filter when, what;
	size_t n = strlen(sql);

	ks_filter_split(f, &when, &what);
	snprintf(sql + n, sz - n, " GROUP BY actor), ds AS MATERIALIZED"
	    " (SELECT (SELECT sum(n) FROM (SELECT gid, n FROM %s WHERE 1",
	    ks_filter_denial_groups(f));
	if (ks_filter_sql(&when, sql, sz, "time", NULL) < 0)
		return -1;
	strncat(sql, ") s", sz - strlen(sql) - 1);
	if (!ks_filter_empty(&what)) {
		strncat(sql, " JOIN rollup_groups g ON g.id = s.gid WHERE 1",
		    sz - strlen(sql) - 1);
		if (ks_filter_sql(&what, sql, sz, "time", "decision") < 0)
			return -1;
	}
	n = strlen(sql);
	snprintf(sql + n, sz - n, ") AS audit, (SELECT sum(n) FROM %s"
	    " WHERE 1", ks_filter_denial_logs(f));
	if (ks_filter_sql(f, sql, sz, "time", "decision") < 0)
		return -1;
	strncat(sql, ") AS logs", sz - strlen(sql) - 1);
	return 0;
}

/*
 * The selected requests summed per actor (a) and the selected denials
 * summed (ds), each read once with the filter's conditions (a window's
 * edges are read row by row: once, not once per part), then the parts.
 */
static int
build(const struct ks_filter *f, char *sql, size_t sz)
{
	size_t n;

	snprintf(sql, sz, "WITH a AS MATERIALIZED (SELECT actor,"
	    " sum(allowed + denied) AS requests, sum(denied) AS denied,"
	    " min(first_us) AS first_us, max(last_us) AS last_us,"
	    " sum(CASE WHEN origin = 'audit' THEN allowed + denied END)"
	    " AS audited FROM %s WHERE 1", ks_filter_counts_actors(f));
	if (ks_filter_sql(f, sql, sz, "time", "decision") < 0)
		return -1;
	n = strlen(sql);
	if (f->since_us != KS_TIME_NONE || f->until_us != KS_TIME_NONE) {
		if (window_denials(f, sql, sz) < 0)
			return -1;
	} else {
		snprintf(sql + n, sz - n, " GROUP BY actor), ds AS"
		    " MATERIALIZED (SELECT sum(CASE WHEN refused_by != 'log'"
		    " THEN n END) AS audit, sum(CASE WHEN refused_by = 'log'"
		    " THEN n END) AS logs FROM %s WHERE 1",
		    ks_filter_denials(f));
		if (ks_filter_sql(f, sql, sz, "time", "decision") < 0)
			return -1;
	}
	n = strlen(sql);
	snprintf(sql + n, sz - n, ") %s%s", evidence_sql, parts);
	return strlen(sql) + 256 < sz ? 0 : -1;
}

static int
exec_summary(struct ks_ctx *ctx)
{
	char sql[32768];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("summary: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if (build(&ctx->filter, sql, sizeof(sql)) < 0) {
		ks_cmd_error("summary: too many filters");
		return KS_EXIT_USAGE;
	}
	if (ks_db_prepare(ctx->db, sql, &st, &err) < 0) {
		ks_cmd_error("summary: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	ks_filter_bind(&ctx->filter, st);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
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
	.usage = "[filters]",
	.formats = KS_FMT_ROWS,
	.opts = ks_filter_opts,
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.option = ks_cmd_filter_option,
	.exec = exec_summary,
};
