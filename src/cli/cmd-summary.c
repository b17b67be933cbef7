/*
 * kubesift summary [filters]: the evidence, the cluster, and for the
 * requests the filters select: the time span, request and denial counts
 * and the busiest actors, as (section, item, value) rows.
 */
#include <stdio.h>
#include <stdlib.h>
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
 * Append ds, the selected denials (audit, logs), to sql: the audit
 * denials summed by group (a window's conditions on each; rollup_groups
 * joined only for a filter on the groups' columns or decision, on
 * them), and those of logs.  (Not the denials' rows whole: a subquery
 * of every column, which SQLite would step row by row.)
 */
static int
denials(const struct ks_filter *f, char *sql, size_t sz)
{
	struct ks_filter when, what;
	size_t n = strlen(sql);

	ks_filter_split(f, &when, &what);
	snprintf(sql + n, sz - n, "SELECT (SELECT sum(n) FROM (SELECT gid, n"
	    " FROM %s WHERE 1", ks_filter_denial_groups(f));
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
 * edges are read row by row: once, not once per part), then the parts:
 * when the sums in C cannot answer (ks_filter_actor_sums).
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
	strncat(sql, " GROUP BY actor), ds AS MATERIALIZED (",
	    sz - strlen(sql) - 1);
	if (denials(f, sql, sz) < 0)
		return -1;
	n = strlen(sql);
	snprintf(sql + n, sz - n, ") %s%s", evidence_sql, parts);
	return strlen(sql) + 256 < sz ? 0 : -1;
}

static int
summary_sql(struct ks_ctx *ctx)
{
	char sql[32768];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

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

/* ORDER BY x DESC, actor: NULL sums last. */
static int
desc_actor(int64_t a, unsigned ha, int64_t b, unsigned hb,
    const struct ks_actor_sum *x, const struct ks_actor_sum *y)
{
	int d;

	if ((ha != 0) != (hb != 0))
		return ha ? -1 : 1;
	if (ha && a != b)
		return a > b ? -1 : 1;
	d = memcmp(x->actor, y->actor, x->len < y->len ? x->len : y->len);
	return d != 0 ? d : (x->len > y->len) - (x->len < y->len);
}

static int
by_requests(const void *pa, const void *pb)
{
	const struct ks_actor_sum *a = *(const struct ks_actor_sum *const *)pa;
	const struct ks_actor_sum *b = *(const struct ks_actor_sum *const *)pb;

	return desc_actor(a->requests, a->has & KS_SUM_REQUESTS, b->requests,
	    b->has & KS_SUM_REQUESTS, a, b);
}

static int
by_denied(const void *pa, const void *pb)
{
	const struct ks_actor_sum *a = *(const struct ks_actor_sum *const *)pa;
	const struct ks_actor_sum *b = *(const struct ks_actor_sum *const *)pb;

	return desc_actor(a->denied, a->has & KS_SUM_DENIED, b->denied,
	    b->has & KS_SUM_DENIED, a, b);
}

/*
 * One "actors" row: item head || actor, value (NULL unless both sums
 * are there) a || mid || b || tail.  0, or -1.
 */
static int
actor_row(struct ks_out *out, const char *head, const struct ks_actor_sum *e,
    int64_t a, int64_t b, unsigned has, const char *mid, const char *tail)
{
	size_t n = strlen(head) + e->len;
	char *item = malloc(n + 1), value[128];
	struct ks_cell c[3];
	int rc;

	if (item == NULL)
		return -1;
	memcpy(item, head, strlen(head));
	memcpy(item + strlen(head), e->actor, e->len);
	item[n] = '\0';
	c[0] = ks_cell_text("actors");
	c[1] = ks_cell_text(item);
	c[1].len = n;
	c[2] = ks_cell_text(NULL);
	if (has) {
		snprintf(value, sizeof(value), "%lld%s%lld%s", (long long)a,
		    mid, (long long)b, tail);
		c[2] = ks_cell_text(value);
	}
	rc = ks_out_row(out, c);
	free(item);
	return rc;
}

/* The ten busiest actors and the ten most refused.  0, or -1. */
static int
top_actors(struct ks_out *out, const struct ks_actor_sums *s)
{
	const struct ks_actor_sum **v = malloc((s->n + 1) * sizeof(*v));
	size_t n = 0, k = 0;
	int rc = 0;

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].actor != NULL)
			v[n++] = &s->v[i];
	qsort(v, n, sizeof(*v), by_requests);
	for (size_t i = 0; i < n && i < 10 && rc == 0; i++)
		rc = actor_row(out, "top: ", v[i], v[i]->requests,
		    v[i]->denied, (v[i]->has & KS_SUM_REQUESTS) &&
		    (v[i]->has & KS_SUM_DENIED), " requests, ", " denied");
	for (size_t i = 0; i < n; i++)
		if ((v[i]->has & KS_SUM_DENIED) && v[i]->denied > 0)
			v[k++] = v[i];
	qsort(v, k, sizeof(*v), by_denied);
	for (size_t i = 0; i < k && i < 10 && rc == 0; i++)
		rc = actor_row(out, "most denied: ", v[i], v[i]->denied,
		    v[i]->requests, v[i]->has & KS_SUM_REQUESTS,
		    " denied of ", "");
	free(v);
	return rc;
}
/*
 * The parts the filters select (as parts[] says them), from the sums per
 * actor and the denials' row of ds (audit, logs).  0, or -1.
 */
static int
print_parts(struct ks_ctx *ctx, const struct ks_actor_sums *s,
    sqlite3_stmt *ds)
{
	struct ks_actor_sum all = { .has = 0 };
	char first[64], last[64];
	struct ks_cell c[3], d[2];

	for (size_t i = 0; i < s->n; i++) {
		const struct ks_actor_sum *e = &s->v[i];

		if ((e->has & KS_SUM_FIRST) && (!(all.has & KS_SUM_FIRST) ||
		    e->first_us < all.first_us))
			all.first_us = e->first_us;
		if ((e->has & KS_SUM_LAST) && (!(all.has & KS_SUM_LAST) ||
		    e->last_us > all.last_us))
			all.last_us = e->last_us;
		if (e->has & KS_SUM_AUDITED)
			all.audited += e->audited;
		all.has |= e->has;
	}
	c[0] = ks_cell_text("requests");
	c[1] = ks_cell_text("first");
	c[2] = ks_filter_time_cell(ctx->db, all.first_us,
	    all.has & KS_SUM_FIRST, first);
	if (ks_out_row(ctx->out, c) < 0)
		return -1;
	c[1] = ks_cell_text("last");
	c[2] = ks_filter_time_cell(ctx->db, all.last_us,
	    all.has & KS_SUM_LAST, last);
	if (ks_out_row(ctx->out, c) < 0)
		return -1;
	c[1] = ks_cell_text("audited");
	c[2] = ks_cell_int(all.audited);
	if (ks_out_row(ctx->out, c) < 0)
		return -1;
	if (ks_out_stmt_cells(ds, d, 2) < 0)
		return -1;
	c[0] = ks_cell_text("denials");
	for (int i = 0; i < 2; i++) {
		c[1] = ks_cell_text(i == 0 ? "audit" : "only in logs");
		c[2] = d[i].type == KS_CELL_NULL ? ks_cell_int(0) : d[i];
		if (ks_out_row(ctx->out, c) < 0)
			return -1;
	}
	return top_actors(ctx->out, s);
}

/*
 * The evidence's rows, then the parts, from the sums per actor and ds
 * (the denials, as SQL: its statement stepped to its row here).  0, or
 * -1 with err.
 */
static int
print_summary(struct ks_ctx *ctx, const struct ks_actor_sums *s,
    sqlite3_stmt *ev, sqlite3_stmt *ds, struct ks_err *err)
{
	const char *names[3];
	struct ks_cell c[3];
	int rc;

	for (int i = 0; i < 3; i++)
		names[i] = sqlite3_column_name(ev, i);
	if (ks_out_begin(ctx->out, 3, names) < 0)
		return ks_out_end(ctx->out, err);
	while ((rc = sqlite3_step(ev)) == SQLITE_ROW) {
		if (ks_out_stmt_cells(ev, c, 3) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (ks_out_row(ctx->out, c) < 0)
			break;
	}
	/* (A write error is out's: ks_out_stmt_end says it.) */
	if (rc == SQLITE_DONE && (rc = sqlite3_step(ds)) == SQLITE_ROW)
		rc = print_parts(ctx, s, ds) < 0 ? SQLITE_NOMEM : SQLITE_DONE;
	return ks_out_stmt_end(ctx->out, rc == SQLITE_DONE ? ev : ds, rc,
	    err);
}

/*
 * The selected requests summed per actor in C (ks_filter_actor_sums),
 * the selected denials (ds) by SQL, the evidence's rows (evidence_sql)
 * and the parts; by SQL alone (build) when the sums cannot answer.
 */
static int
exec_summary(struct ks_ctx *ctx)
{
	char sql[32768];
	sqlite3_stmt *ev = NULL, *ds = NULL;
	struct ks_actor_sums s;
	struct ks_err err;
	int rc;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("summary: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	sql[0] = '\0';
	if (denials(&ctx->filter, sql, sizeof(sql)) < 0 ||
	    (rc = ks_filter_actor_sums(ctx->db, &ctx->filter, &s, &err)) > 0)
		return summary_sql(ctx);
	if (rc == 0) {
		if ((rc = ks_db_prepare(ctx->db, evidence_sql, &ev, &err)) ==
		    0 && (rc = ks_db_prepare(ctx->db, sql, &ds, &err)) == 0) {
			ks_filter_bind(&ctx->filter, ds);
			rc = print_summary(ctx, &s, ev, ds, &err);
		}
		sqlite3_finalize(ev);
		sqlite3_finalize(ds);
		ks_filter_actor_sums_free(&s);
	}
	if (rc < 0) {
		ks_cmd_error("summary: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
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
