/*
 * kubesift timeline [filters]: everything in time order; --bucket counts
 * allowed and denied requests per interval; --around shows what happened
 * near a moment.  -o timesketch writes JSONL that Timesketch imports.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "filter.h"
#include "sqltime.h"
#include "timeutil.h"

enum { O_BUCKET = 256, O_AROUND, O_WINDOW, O_KIND };

static const struct ks_opt opts[] = {
	KS_FILTER_OPTS,
	{ "kind", O_KIND, "KIND", "only request, log-denial, k8s-event, "
	    "created or cluster rows" },
	{ "bucket", O_BUCKET, "SPAN", "count requests per SPAN (10m, 1h, 1d)" },
	{ "around", O_AROUND, "TIME", "what happened near TIME: RBAC changes, "
	    "nodes, workloads, first and last denials" },
	{ "window", O_WINDOW, "SPAN", "with --around: how far each side "
	    "(default 15m)" },
	{ NULL, 0, NULL, NULL }
};

static const char *bucket, *around, *window = "15m", *kind;

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	switch (key) {
	case O_BUCKET: bucket = arg; return 0;
	case O_AROUND: around = arg; return 0;
	case O_WINDOW: window = arg; return 0;
	case O_KIND: kind = arg; return 0;
	}
	return ks_filter_option(key, arg) == 1 ? 0 : -1;
}

/* A span like 10m as microseconds; -1 when malformed. */
static int64_t
span_us(const char *s)
{
	int64_t t;

	/* A span is a relative time counted back from 0. */
	if (s == NULL || ks_filter_time(s[0] == '-' ? s + 1 : s, 0, &t) < 0 ||
	    -t <= 0 || strchr(s, 'T') != NULL)
		return -1;
	return -t;
}

static const char rows_sql[] =
    "SELECT " KS_SQL_TIME("time") " AS time, kind, actor, verb, api_group,"
    " resource, subresource, namespace, name, code, message, source_id, line"
    " FROM timeline WHERE time IS NOT NULL";

/* Timesketch's JSONL fields, with the source path for provenance. */
static const char sketch_sql[] =
    "SELECT message, " KS_SQL_TIME("time") " AS datetime, time AS timestamp,"
    " CASE kind WHEN 'request' THEN 'Request received'"
    "  WHEN 'log-denial' THEN 'Logged' WHEN 'k8s-event' THEN 'Event time'"
    "  WHEN 'created' THEN 'Creation time' ELSE 'Operation time' END"
    "  AS timestamp_desc,"
    " kind, actor, verb, resource, namespace, name, code,"
    " (SELECT path FROM sources s WHERE s.id = source_id) AS source, line"
    " FROM timeline WHERE time IS NOT NULL";

/* Requests (and log denials) counted per bucket of b microseconds. */
static const char bucket_sql[] =
    "SELECT " KS_SQL_TIME("time / ?1 * ?1") " AS bucket,"
    " count(DISTINCT k) - count(DISTINCT CASE WHEN refused THEN k END)"
    "  AS allowed,"
    " count(DISTINCT CASE WHEN refused THEN k END) AS denied"
    " FROM (SELECT coalesce(impersonated_user, username) AS actor, verb,"
    "  api_group, resource, subresource, namespace, received_us AS time,"
    "  code, coalesce(audit_id, 'row:' || id) AS k,"
    "  (code = 403 OR decision = 'forbid') AS refused FROM audit_events"
    "  UNION ALL SELECT actor, verb, api_group, resource, subresource,"
    "  namespace, time, 403, 'log:' || source_id || ':' || line, 1"
    "  FROM denials WHERE origin = 'log')"
    " WHERE time IS NOT NULL";

/*
 * The same from the activity rollup (rollup.h), when buckets are whole
 * minutes: no event is read, only the per-minute counts.
 */
static const char bucket_rollup_sql[] =
    "SELECT " KS_SQL_TIME("b") " AS bucket, sum(allowed) AS allowed,"
    " sum(denied) AS denied"
    " FROM (SELECT actor, verb, api_group, resource, subresource, namespace,"
    "  minute / ?1 * ?1 AS b, minute AS time, allowed, denied"
    "  FROM activity_minute"
    "  UNION ALL SELECT actor, verb, api_group, resource, subresource,"
    "  namespace, time / ?1 * ?1, time, 0, 1 FROM denials"
    "  WHERE origin = 'log' AND time IS NOT NULL)"
    " WHERE 1";

static int
run(struct ks_ctx *ctx, const char *sql, int64_t b)
{
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_db_prepare(ctx->db, sql, &st, &err) < 0) {
		ks_cmd_error("timeline: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (b > 0)
		sqlite3_bind_int64(st, 1, b);
	if (kind != NULL)
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	ks_filter_bind(st);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("timeline: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

int	ks_timeline_around(struct ks_ctx *ctx, const char *at, int64_t w);

static int
exec_timeline(struct ks_ctx *ctx)
{
	char sql[4096];
	struct ks_err err;
	int64_t b = 0, w;

	if (ks_filter_resolve(ctx->db, &err) < 0) {
		ks_cmd_error("timeline: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if (around != NULL) {
		if ((w = span_us(window)) < 0) {
			ks_cmd_error("timeline: --window: not a span: %s", window);
			return KS_EXIT_USAGE;
		}
		return ks_timeline_around(ctx, around, w);
	}
	if (bucket != NULL && (b = span_us(bucket)) < 0) {
		ks_cmd_error("timeline: --bucket: not a span: %s", bucket);
		return KS_EXIT_USAGE;
	}
	snprintf(sql, sizeof(sql), "%s", b > 0 ? (b % 60000000 == 0 &&
	    ks_filter.since == NULL && ks_filter.until == NULL ?
	    bucket_rollup_sql : bucket_sql) : ctx->timesketch ? sketch_sql :
	    rows_sql);
	if (kind != NULL && b == 0)
		strncat(sql, " AND kind = ?2", sizeof(sql) - strlen(sql) - 1);
	ks_filter_sql(sql, sizeof(sql), "time", b > 0);
	strncat(sql, b > 0 ? " GROUP BY 1 ORDER BY 1" : " ORDER BY time, kind",
	    sizeof(sql) - strlen(sql) - 1);
	return run(ctx, sql, b);
}

const struct ks_cmd ks_cmd_timeline = {
	.name = "timeline",
	.summary = "events in time order, counts per interval, or what "
	    "happened around a moment",
	.usage = "[filters] [--kind K] [--bucket SPAN | --around TIME "
	    "[--window SPAN]]",
	.opts = opts,
	.formats = KS_FMT_ROWS ",timesketch",
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS | KS_CMD_TIMESKETCH,
	.option = option,
	.exec = exec_timeline,
};
