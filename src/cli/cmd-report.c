/*
 * kubesift report [filters]: the whole incident report — evidence and
 * hashes, cluster, time span, denial groups with their fixes, known issues,
 * RBAC changes, unusual actors.  Markdown by default; -o html is one
 * self-contained page with a chart of denials over time per actor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "store/db.h"
#include "out/doc.h"
#include "out/remedy.h"
#include "out/report-chart.h"
#include "util/jutil.h"
#include "rbac/remediate.h"
#include "store/sqltime.h"
#include "util/version.h"

/*
 * One section: a heading, then a table of head + (the filter's conditions,
 * when time_col is not NULL: f's) + tail.
 */
static int
section(struct ks_doc *d, sqlite3 *db, const char *title, const char *head,
    const char *tail, const char *time_col, const struct ks_filter *f)
{
	char q[8192];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc, told = ks_out_failed(d->out);

	snprintf(q, sizeof(q), "%s", head);
	if (time_col != NULL && ks_filter_sql(f, q, sizeof(q), time_col,
	    "decision") < 0) {
		ks_cmd_error("report: too many filters");
		return -1;
	}
	strncat(q, tail, sizeof(q) - strlen(q) - 1);
	if (title != NULL)
		ks_doc_heading(d, 2, title);
	if (ks_db_prepare(db, q, &st, &err) < 0) {
		ks_cmd_error("report: %s: %s", title ? title : "", err.msg);
		return -1;
	}
	if (time_col != NULL)
		ks_filter_bind(f, st);
	/* A write error is told once (and then not by the dispatcher). */
	if ((rc = ks_doc_table(d, st, &err)) < 0 && !ks_out_failed(d->out))
		ks_cmd_error("report: %s: %s", title ? title : "", err.msg);
	else if (rc < 0 && !told)
		ks_cmd_error("%s", err.msg);
	sqlite3_finalize(st);
	return rc;
}

static int
evidence(struct ks_doc *d, sqlite3 *db)
{
	/* Each input with every member under it, at any depth (inputs). */
	return section(d, db, "Evidence", "SELECT id, path, size, sha256,"
	    " format, records, imported, duplicates, rejected, unrecognised,"
	    " copy_of FROM inputs", " ORDER BY id LIMIT 200", NULL, NULL) < 0 ?
	    -1 : section(d, db, NULL, "SELECT * FROM evidence_totals", "", NULL,
	    NULL);
}

static int
cluster(struct ks_doc *d, sqlite3 *db)
{
	/* Each snapshot's cluster (snapshot_clusters, sql/009-report.sql). */
	return section(d, db, "Cluster", "SELECT id AS snapshot, origin,"
	    " server_version, taken_at_utc AS taken_at, taken_at_source, nodes,"
	    " kubelets FROM snapshot_clusters", " ORDER BY id", NULL, NULL);
}

/* Every timed row: audit events, log denials, cloud operations. */
static int
span(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	char head[4096];
	int all = ks_filter_empty(f);

	/*
	 * The requests and denials counted as actors and summary count them;
	 * without filters the span covers every timed row of the evidence,
	 * with them the requests they select.
	 */
	snprintf(head, sizeof(head), "%s%s%s%s%s", "SELECT ", all ?
	    "(SELECT first_time_utc FROM evidence_span) AS first_event,"
	    " (SELECT last_time_utc FROM evidence_span) AS last_event," :
	    KS_SQL_TIME("min(first_us)") " AS first_event, "
	    KS_SQL_TIME("max(last_us)") " AS last_event,",
	    " sum(CASE WHEN origin = 'audit' THEN allowed + denied END)"
	    " AS requests, sum(denied) AS denials FROM ",
	    ks_filter_counts(f, 0), " WHERE 1");
	return section(d, db, all ? "Time span" : "Time span (of the "
	    "selection)", head, "", "time", f);
}

static int
denials(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	return section(d, db, "Denials", "SELECT actor, verb, api_group,"
	    " resource, subresource, namespace, count(*) AS count, "
	    KS_SQL_TIME("min(time)") " AS first_seen, " KS_SQL_TIME("max(time)")
	    " AS last_seen, group_concat(DISTINCT origin) AS origin, refused_by"
	    " FROM denials WHERE 1", " GROUP BY actor, verb, api_group,"
	    " resource, subresource, namespace, refused_by ORDER BY count DESC,"
	    " actor LIMIT 100", "time", f);
}

/* Fixes: the remediation plan as text, and its manifests. */
static int
fixes(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	struct ks_err err;
	json_t *plan = ks_remediate_plan(db, 0, f, NULL, &err), *c, *k;
	char *text = NULL;
	size_t len = 0, i, j;
	FILE *m;

	ks_doc_heading(d, 2, "Fixes");
	if (plan == NULL) {
		ks_cmd_error("report: %s", err.msg);
		return -1;
	}
	if ((m = open_memstream(&text, &len)) != NULL) {
		ks_remedy_text(m, plan);
		fclose(m);
		ks_doc_pre(d, "", text);
		free(text);
	}
	if (json_array_size(json_object_get(plan, "changes")) > 0 &&
	    (m = open_memstream(&text, &len)) != NULL) {
		ks_doc_para(d, "Manifests (kubectl apply -f):");
		ks_remedy_yaml(m, plan);
		fclose(m);
		ks_doc_pre(d, "yaml", text);
		free(text);
	}
	ks_doc_heading(d, 2, "Known issues");
	j = 0;
	json_array_foreach(json_object_get(plan, "changes"), i, c)
		json_array_foreach(json_object_get(c, "known_issues"), j, k) {
			ks_doc_heading(d, 3, ks_json_str(k, "title"));
			ks_doc_para(d, ks_json_str(k, "fix"));
		}
	json_decref(plan);
	return section(d, db, NULL, "SELECT id, title, actor, verb, resource,"
	    " denials, server_version, fixed_in FROM known_issue_matches", "",
	    NULL, NULL);
}

/*
 * Who did something worth a look, among the requests the filters select:
 * refused, anonymous, impersonating, or touching sensitive resources.
 */
static int
unusual(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	char head[4096];

	snprintf(head, sizeof(head), "%s%s%s", "SELECT actor, (SELECT class"
	    " FROM identity_classes WHERE actor GLOB pattern ORDER BY priority"
	    " LIMIT 1) AS class, sum(allowed + denied) AS requests,"
	    " sum(denied) AS denials, " KS_SQL_TIME("min(first_us)") " AS"
	    " first_seen, " KS_SQL_TIME("max(last_us)") " AS last_seen,"
	    " (SELECT group_concat(DISTINCT request) FROM sensitive_requests e"
	    " WHERE e.actor = c.actor) AS sensitive FROM ",
	    ks_filter_counts(f, 0), " c WHERE actor IS NOT NULL");
	return section(d, db, "Actors with unusual activity", head,
	    " GROUP BY actor HAVING (denials > 0 OR class = 'anonymous' OR"
	    " EXISTS (SELECT 1 FROM impersonations i WHERE i.impersonator ="
	    " c.actor)) ORDER BY denials DESC,"
	    " requests DESC LIMIT 50", "time", f);
}

static int
exec_report(struct ks_ctx *ctx)
{
	struct ks_doc d;
	struct ks_err err;
	int rc = 0;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("report: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	/* -o is md or html (checked by the dispatcher, which frees out). */
	if ((ctx->out = ks_out_new(ctx->format ? ctx->format : "md", stdout,
	    &err)) == NULL || ks_doc_init(&d, ctx->out, &err) < 0) {
		ks_cmd_error("report: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	ks_doc_begin(&d, "kubesift incident report");
	ks_doc_para(&d, "Generated by kubesift " KS_VERSION " from the evidence "
	    "listed below; times are UTC.");
	rc |= evidence(&d, ctx->db) | cluster(&d, ctx->db);
	rc |= span(&d, ctx->db, &ctx->filter);
	rc |= denials(&d, ctx->db, &ctx->filter);
	if (d.html && ks_report_chart(&d, ctx->db, &ctx->filter, &err) < 0)
		rc = -1;
	rc |= fixes(&d, ctx->db, &ctx->filter);
	rc |= section(&d, ctx->db, "RBAC changes", "SELECT time_utc AS time,"
	    " actor, verb, resource, namespace, name, code FROM rbac_changes",
	    " ORDER BY time LIMIT 200", NULL, NULL);
	rc |= unusual(&d, ctx->db, &ctx->filter);
	ks_doc_end(&d);
	return rc < 0 ? KS_EXIT_ERROR : KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_report = {
	.name = "report",
	.summary = "the incident report: evidence, cluster, denials and their "
	    "fixes, known issues, RBAC changes, unusual actors",
	.usage = "[filters] [-o md|html]",
	.opts = ks_filter_opts,
	.formats = "md,html",
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO,
	.option = ks_cmd_filter_option,
	.exec = exec_report,
};
