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

/*
 * What the evidence and the snapshots hold; no filter applies
 * (evidence_summary, sql/009-report.sql).
 */
static const char evidence_sql[] = "SELECT * FROM evidence_summary";

/*
 * The parts the filters select, each followed by the filter's conditions
 * and then its tail.  COUNTS is the counted relation (filter.h).
 */
struct part {
	const char	*head, *tail;
	int		 counts;	/* head ends with FROM: add COUNTS (1) or
				 * the denials (2, ks_filter_denials) */
};

static const struct part parts[] = {
	{ " UNION ALL SELECT 'requests', 'first', " KS_SQL_TIME("min(first_us)")
	  " FROM ", "", 1 },
	{ " UNION ALL SELECT 'requests', 'last', " KS_SQL_TIME("max(last_us)")
	  " FROM ", "", 1 },
	{ " UNION ALL SELECT 'requests', 'audited', coalesce(sum(allowed +"
	  " denied), 0) FROM ", " AND origin = 'audit'", 1 },
	{ " UNION ALL SELECT 'denials', 'audit', coalesce(sum(n), 0) FROM ",
	  " AND refused_by != 'log'", 2 },
	{ " UNION ALL SELECT 'denials', 'only in logs', coalesce(sum(n), 0)"
	  " FROM ", " AND refused_by = 'log'", 2 },
	{ " UNION ALL SELECT * FROM (SELECT 'actors', 'top: ' || actor,"
	  " sum(allowed + denied) || ' requests, ' || sum(denied) || ' denied'"
	  " FROM ", " AND actor IS NOT NULL GROUP BY actor"
	  " ORDER BY sum(allowed + denied) DESC, actor LIMIT 10)", 1 },
	{ " UNION ALL SELECT * FROM (SELECT 'actors', 'most denied: ' || actor,"
	  " sum(denied) || ' denied of ' || sum(allowed + denied) FROM ",
	  " AND actor IS NOT NULL GROUP BY actor HAVING sum(denied) > 0"
	  " ORDER BY sum(denied) DESC, actor LIMIT 10)", 1 },
};

/*
 * The selected requests (c) and denials (dn), each read once with the
 * filter's conditions (a window's edges are read row by row: once, not
 * once per part), then the parts.
 */
static int
build(const struct ks_filter *f, char *sql, size_t sz)
{
	size_t n;

	snprintf(sql, sz, "WITH c AS MATERIALIZED (SELECT * FROM %s WHERE 1",
	    ks_filter_counts(f, 0));
	if (ks_filter_sql(f, sql, sz, "time", "decision") < 0)
		return -1;
	n = strlen(sql);
	snprintf(sql + n, sz - n, "), dn AS MATERIALIZED (SELECT * FROM %s"
	    " WHERE 1", ks_filter_denials(f));
	if (ks_filter_sql(f, sql, sz, "time", "decision") < 0)
		return -1;
	n = strlen(sql);
	snprintf(sql + n, sz - n, ") %s", evidence_sql);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const struct part *p = &parts[i];
		n = strlen(sql);
		snprintf(sql + n, sz - n, "%s%s%s%s", p->head, p->counts == 1 ?
		    "c" : p->counts == 2 ? "dn" : "", p->counts ? " WHERE 1" :
		    "", p->tail);
	}
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
