/*
 * kubesift timeline [filters]: everything in time order; --bucket counts
 * allowed and denied requests per interval; --around shows what happened
 * near a moment.  -o timesketch writes JSONL that Timesketch imports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "cli/timeline-around.h"
#include "cli/timeline-stream.h"
#include "store/db.h"
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

/* The options of one run (ctx->state); the strings are borrowed. */
struct timeline_state {
	const char	*bucket, *around, *window, *kind;
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct timeline_state *ts = ctx->state;
	const char **slot = NULL;

	switch (key) {
	case O_BUCKET: slot = &ts->bucket; break;
	case O_AROUND: slot = &ts->around; break;
	case O_WINDOW: slot = &ts->window; break;
	case O_KIND:
		if (strcmp(arg, "request") != 0 && strcmp(arg, "log-denial") &&
		    strcmp(arg, "k8s-event") && strcmp(arg, "created") &&
		    strcmp(arg, "cluster")) {
			ks_cmd_error("timeline: --kind: not a kind: %s (request,"
			    " log-denial, k8s-event, created, cluster)", arg);
			return -1;
		}
		slot = &ts->kind;
		break;
	default: return ks_cmd_filter_option(ctx, key, arg);
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
	int64_t us;

	if (s == NULL || ks_time_span(s, &us) < 0 || us < 1)
		return -1;
	return us;
}

/*
 * Requests counted per bucket of ?1 microseconds, as ks_filter_counts_sums
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
	ks_filter_bind(&ctx->filter, st);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("timeline: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Options that do not go together; exit 2 with the reason. */
static int
conflicts(const struct timeline_state *ts, const struct ks_filter *f)
{
	const char *why = NULL;

	if (ts->window != NULL && ts->around == NULL)
		why = "--window goes with --around";
	else if (ts->bucket != NULL && ts->around != NULL)
		why = "--bucket and --around do not go together";
	else if (ts->kind != NULL && (ts->bucket != NULL || ts->around != NULL))
		why = "--kind selects rows, not --bucket counts or --around";
	else if (ts->around != NULL && (f->since || f->until))
		why = "--around sets its own window (--window), not "
		    "--since/--until";
	else if (ts->around != NULL && f->decision)
		why = "--decision does not apply to --around";
	if (why != NULL)
		ks_cmd_error("timeline: %s", why);
	return why != NULL;
}

static int
exec_buckets(struct ks_ctx *ctx, int64_t b)
{
	char inner[KS_FILTER_QUERY_MAX], sql[KS_FILTER_QUERY_MAX + 1024];

	snprintf(inner, sizeof(inner), "%s%s WHERE time IS NOT NULL",
	    bucket_head, ks_filter_counts_sums(&ctx->filter, b));
	if (ks_filter_sql(&ctx->filter, inner, sizeof(inner), "time",
	    "decision") < 0) {
		ks_cmd_error("timeline: too many filters");
		return KS_EXIT_USAGE;
	}
	strncat(inner, ") GROUP BY b", sizeof(inner) - strlen(inner) - 1);
	snprintf(sql, sizeof(sql), "%s%s) ORDER BY b", ctx->timesketch ?
	    bucket_sketch : bucket_rows, inner);
	return run(ctx, sql, b);
}

/* --around: what happened within w each side of the time at. */
static int
exec_around(struct ks_ctx *ctx, const char *at, int64_t w)
{
	struct ks_err err;
	int64_t t;
	int rc;

	if (ks_filter_when(ctx->db, at, &t) < 0) {
		ks_cmd_error("timeline: --around: not a time: %s (RFC 3339, a "
		    "date, or -2h, -30m before the last event)", at);
		return KS_EXIT_USAGE;
	}
	rc = ks_timeline_around(ctx->db, ctx->out, &ctx->filter,
	    ctx->timesketch, t, w, &err);
	if (rc < 0)
		ks_cmd_error("timeline: %s", err.msg);
	return rc == 0 ? KS_EXIT_OK : rc == KS_AROUND_TOO_MANY ?
	    KS_EXIT_USAGE : KS_EXIT_ERROR;
}

static int
exec_timeline(struct ks_ctx *ctx)
{
	const struct timeline_state *ts = ctx->state;
	char cond[8192] = "";
	struct ks_err err;
	int64_t b = 0, w = 15 * 60000000LL;

	if (conflicts(ts, &ctx->filter))
		return KS_EXIT_USAGE;
	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("timeline: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if (ts->window != NULL && (w = span_us(ts->window)) < 0) {
		ks_cmd_error("timeline: --window: not a span: %s (10m, 1h, 1d)",
		    ts->window);
		return KS_EXIT_USAGE;
	}
	if (ts->around != NULL)
		return exec_around(ctx, ts->around, w);
	if (ts->bucket != NULL) {
		if ((b = span_us(ts->bucket)) < 0) {
			ks_cmd_error("timeline: --bucket: not a span: %s (10m, "
			    "1h, 1d)", ts->bucket);
			return KS_EXIT_USAGE;
		}
		return exec_buckets(ctx, b);
	}
	if (ts->kind != NULL)
		snprintf(cond, sizeof(cond), " AND kind = ?2");
	if (ks_filter_sql(&ctx->filter, cond, sizeof(cond), "time",
	    "decision") < 0) {
		ks_cmd_error("timeline: too many filters");
		return KS_EXIT_USAGE;
	}
	if (ks_timeline_stream(ctx->db, ctx->out, &ctx->filter, ts->kind,
	    cond, ctx->timesketch, &err) < 0) {
		ks_cmd_error("timeline: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
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
	.state_size = sizeof(struct timeline_state),
	.option = option,
	.exec = exec_timeline,
};
