/*
 * kubesift denied [filters]: refused requests grouped by actor, verb, API
 * group, resource, subresource and namespace, most frequent first.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/denied.h"
#include "cli/filter-opt.h"
#include "store/db.h"
#include "store/sqltime.h"
#include "util/timeutil.h"

/* A group's columns, from one row or from the rows grouped. */
#define GROUP_COLS(n, first, last, aid, src, line, msg) \
    "SELECT actor, verb, api_group, resource, subresource, namespace," \
    " " n " AS count, " KS_SQL_UTC(first) " AS first_seen," \
    " " KS_SQL_UTC(last) " AS last_seen," \
    " coalesce(" aid ", " src " || ':' || " line ") AS example," \
    " refused_by, " msg " AS message FROM "
#define GROUPED_COLS GROUP_COLS("sum(n)", "min(first_us)", "max(last_us)", \
    "min(audit_id)", "min(source_id)", "min(line)", "max(message)")
#define GROUP_BY " GROUP BY actor, verb, api_group, resource, subresource," \
    " namespace, refused_by"
/*
 * The order of the groups: count DESC, actor, verb, resource, namespace,
 * refused_by, then api_group and subresource, as the grouping gave them
 * before (so that rows read one per group come out as the grouped ones
 * did).  Sorted in C (ks_out_stmt_sorted), by the columns of GROUP_COLS;
 * a group is one of each, so the order is the same whatever sorts.
 */
static const struct ks_out_key order[] = {
	{ 6, 1 }, { 0, 0 }, { 1, 0 }, { 3, 0 }, { 5, 0 }, { 10, 0 },
	{ 2, 0 }, { 4, 0 },
};

/* Append s, then " WHERE 1" and the filter's conditions, to sql. */
static int
rows(const struct ks_filter *f, char *sql, size_t sz, const char *head,
    const char *from)
{
	size_t n = strlen(sql);

	snprintf(sql + n, sz - n, "%s%s WHERE 1", head, from);
	return ks_filter_sql(f, sql, sz, "time", "decision");
}

/*
 * A window's audit groups: the denials inside it summed per gid (the
 * window's conditions on each), then the group's row of rollup_groups
 * (the filter's other conditions on it).
 */
#define BY_GID \
    "SELECT g.actor AS actor, g.verb AS verb, g.api_group AS api_group," \
    " g.resource AS resource, g.subresource AS subresource," \
    " g.namespace AS namespace, s.n AS count, " KS_SQL_UTC("s.first_us") \
    " AS first_seen, " KS_SQL_UTC("s.last_us") " AS last_seen," \
    " coalesce(s.audit_id, s.source_id || ':' || s.line) AS example," \
    " CASE g.decision WHEN 'allow' THEN 'admission' ELSE 'authorizer' END" \
    " AS refused_by, s.message AS message FROM (SELECT gid, sum(n) AS n," \
    " min(first_us) AS first_us, max(last_us) AS last_us," \
    " min(audit_id) AS audit_id, min(source_id) AS source_id," \
    " min(line) AS line, max(message) AS message FROM "

static int
window_groups(const struct ks_filter *f, char *sql, size_t sz)
{
	struct ks_filter when, what;
	size_t n = strlen(sql);

	ks_filter_split(f, &when, &what);
	snprintf(sql + n, sz - n, BY_GID "%s WHERE 1",
	    ks_filter_denial_groups(f));
	if (ks_filter_sql(&when, sql, sz, "time", NULL) < 0)
		return -1;
	strncat(sql, " GROUP BY gid) s JOIN rollup_groups g ON g.id = s.gid"
	    " WHERE 1", sz - strlen(sql) - 1);
	return ks_filter_sql(&what, sql, sz, "time", "decision");
}

/*
 * The groups, with the filter's conditions on each denial before it is
 * counted: a window selects the denials inside it, and a group with none
 * there is absent.  The rollups kept at import answer: the audit
 * denials by group (ks_filter_denial_groups: a group is one actor, verb,
 * api_group, resource, subresource, namespace and decision, so one
 * refused_by), without a window one row each (denial_total), read as it
 * is, in a window summed per gid (window_groups); the refusals found only
 * in logs, by their columns.
 */
static int
build(const struct ks_filter *f, char *sql, size_t sz)
{
	sql[0] = '\0';
	if (f->since_us != KS_TIME_NONE || f->until_us != KS_TIME_NONE ?
	    window_groups(f, sql, sz) < 0 : rows(f, sql, sz,
	    GROUP_COLS("n", "first_us", "last_us", "audit_id", "source_id",
	    "line", "message"), ks_filter_denial_groups(f)) < 0)
		return -1;
	if (rows(f, sql, sz, " UNION ALL " GROUPED_COLS,
	    ks_filter_denial_logs(f)) < 0)
		return -1;
	strncat(sql, GROUP_BY, sz - strlen(sql) - 1);
	return strlen(sql) + 1 < sz ? 0 : -1;
}

/*
 * The groups read, summed and sorted in C (denied-groups.h), as the SQL
 * above would give them: KS_EXIT_OK, KS_EXIT_ERROR (said), or -1 when
 * the SQL is to answer.
 */
static int
in_c(struct ks_ctx *ctx, struct ks_err *err)
{
	struct dg_set s;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = ks_dg_read(ctx->db, &ctx->filter, &s, err)) == DG_OK)
		rc = ks_dg_print(&s, ctx->out, err);
	else if (rc == DG_ERR && ks_out_begin(ctx->out, KS_DENIED_NCOLS,
	    ks_denied_cols) == 0)
		ks_out_discard(ctx->out);	/* as the SQL's would */
	ks_dg_free(&s);
	if (rc == DG_OTHER)
		return -1;
	if (rc != DG_OK) {
		ks_cmd_error("denied: %s", err->msg);
		return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
}

static int
exec_denied(struct ks_ctx *ctx)
{
	char sql[16384];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("denied: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if (build(&ctx->filter, sql, sizeof(sql)) < 0) {
		ks_cmd_error("denied: too many filters");
		return KS_EXIT_USAGE;
	}
	if ((rc = in_c(ctx, &err)) >= 0)
		return rc;
	rc = KS_EXIT_OK;
	if (ks_sqltime_register(ctx->db, &err) < 0 ||
	    ks_db_prepare(ctx->db, sql, &st, &err) < 0) {
		ks_cmd_error("denied: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	ks_filter_bind(&ctx->filter, st);
	if (ks_out_stmt_sorted(ctx->out, st, order, (int)(sizeof(order) /
	    sizeof(order[0])), &err) < 0) {
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
