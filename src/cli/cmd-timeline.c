/*
 * kubesift timeline [filters]: everything in time order; --bucket counts
 * allowed and denied requests per interval; --around shows what happened
 * near a moment.  -o timesketch writes JSONL that Timesketch imports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "store/db.h"
#include "store/filter.h"
#include "store/sqltime.h"
#include "util/timeutil.h"

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

static const char *bucket, *around, *window, *kind;

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	const char **slot = NULL;

	switch (key) {
	case O_BUCKET: slot = &bucket; break;
	case O_AROUND: slot = &around; break;
	case O_WINDOW: slot = &window; break;
	case O_KIND:
		if (strcmp(arg, "request") != 0 && strcmp(arg, "log-denial") &&
		    strcmp(arg, "k8s-event") && strcmp(arg, "created") &&
		    strcmp(arg, "cluster")) {
			ks_cmd_error("timeline: --kind: not a kind: %s (request,"
			    " log-denial, k8s-event, created, cluster)", arg);
			return -1;
		}
		slot = &kind;
		break;
	default: return ks_filter_option(key, arg) == 1 ? 0 : -1;
	}
	if (*slot != NULL) {
		ks_cmd_error("timeline: an option given twice (%s, %s)", *slot,
		    arg);
		return -1;
	}
	*slot = arg;
	return 0;
}

/*
 * A span like 10m, 90s, 1h or 2d as microseconds; -1 when malformed, not
 * positive or absurd (more than 10,000 days).
 */
static int64_t
span_us(const char *s)
{
	char *end;
	double n;
	int64_t unit;

	if (s == NULL || (*s < '0' || *s > '9'))
		return -1;
	n = strtod(s, &end);
	if (end == s || end[0] == '\0' || end[1] != '\0' || !(n > 0))
		return -1;
	switch (*end) {
	case 's': unit = 1000000; break;
	case 'm': unit = 60000000; break;
	case 'h': unit = 3600000000LL; break;
	case 'd': unit = 86400000000LL; break;
	default: return -1;
	}
	if (n * (double)unit > 864e15 || n * (double)unit < 1)
		return -1;
	return (int64_t)(n * (double)unit);
}

static const char rows_sql[] =
    "SELECT time_utc AS time, kind, actor, verb, api_group,"
    " resource, subresource, namespace, name, code, message, source_id, line"
    " FROM timeline WHERE time IS NOT NULL";

/*
 * Timesketch's JSONL fields, with the source path for provenance
 * (timeline_timesketch, sql/009-report.sql).
 */
static const char sketch_sql[] =
    "SELECT message, datetime, timestamp, timestamp_desc, kind, actor, verb,"
    " resource, namespace, name, code, source, line"
    " FROM timeline_timesketch WHERE time IS NOT NULL";

/*
 * Requests counted per bucket of ?1 microseconds, as ks_filter_counts
 * counts them (a request once, by its final stage; log refusals once),
 * with the filter applied to each request.  %s is the counted relation,
 * the filter goes after "WHERE time IS NOT NULL".
 */
static const char bucket_head[] =
    "SELECT b, sum(allowed) AS allowed, sum(denied) AS denied FROM"
    " (SELECT (time - ((time % ?1) + ?1) % ?1) AS b, allowed, denied"
    " FROM ";
static const char bucket_rows[] =
    "SELECT " KS_SQL_TIME("b") " AS bucket, allowed, denied FROM (";
static const char bucket_sketch[] =
    "SELECT allowed || ' allowed, ' || denied || ' denied requests' AS"
    " message, " KS_SQL_TIME("b") " AS datetime, b AS timestamp,"
    " 'Start of interval' AS timestamp_desc, allowed, denied FROM (";

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

/* Options that do not go together; exit 2 with the reason. */
static int
conflicts(void)
{
	const char *why = NULL;

	if (window != NULL && around == NULL)
		why = "--window goes with --around";
	else if (bucket != NULL && around != NULL)
		why = "--bucket and --around do not go together";
	else if (kind != NULL && (bucket != NULL || around != NULL))
		why = "--kind selects rows, not --bucket counts or --around";
	else if (around != NULL && (ks_filter.since || ks_filter.until))
		why = "--around sets its own window (--window), not "
		    "--since/--until";
	else if (around != NULL && ks_filter.decision)
		why = "--decision does not apply to --around";
	if (why != NULL)
		ks_cmd_error("timeline: %s", why);
	return why != NULL;
}

static int
exec_buckets(struct ks_ctx *ctx, int64_t b)
{
	char inner[8192], sql[9216];

	snprintf(inner, sizeof(inner), "%s%s WHERE time IS NOT NULL",
	    bucket_head, ks_filter_counts(b));
	if (ks_filter_sql(inner, sizeof(inner), "time", "decision") < 0) {
		ks_cmd_error("timeline: too many filters");
		return KS_EXIT_USAGE;
	}
	strncat(inner, ") GROUP BY b", sizeof(inner) - strlen(inner) - 1);
	snprintf(sql, sizeof(sql), "%s%s) ORDER BY b", ctx->timesketch ?
	    bucket_sketch : bucket_rows, inner);
	return run(ctx, sql, b);
}

static int
exec_timeline(struct ks_ctx *ctx)
{
	char sql[8192];
	struct ks_err err;
	int64_t b = 0, w = 15 * 60000000LL;

	if (conflicts())
		return KS_EXIT_USAGE;
	if (ks_filter_resolve(ctx->db, &err) < 0) {
		ks_cmd_error("timeline: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if (window != NULL && (w = span_us(window)) < 0) {
		ks_cmd_error("timeline: --window: not a span: %s (10m, 1h, 1d)",
		    window);
		return KS_EXIT_USAGE;
	}
	if (around != NULL)
		return ks_timeline_around(ctx, around, w);
	if (bucket != NULL) {
		if ((b = span_us(bucket)) < 0) {
			ks_cmd_error("timeline: --bucket: not a span: %s (10m, "
			    "1h, 1d)", bucket);
			return KS_EXIT_USAGE;
		}
		return exec_buckets(ctx, b);
	}
	snprintf(sql, sizeof(sql), "%s", ctx->timesketch ? sketch_sql :
	    rows_sql);
	if (kind != NULL)
		strncat(sql, " AND kind = ?2", sizeof(sql) - strlen(sql) - 1);
	if (ks_filter_sql(sql, sizeof(sql), "time", "decision") < 0) {
		ks_cmd_error("timeline: too many filters");
		return KS_EXIT_USAGE;
	}
	strncat(sql, " ORDER BY time, kind", sizeof(sql) - strlen(sql) - 1);
	return run(ctx, sql, 0);
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
