/*
 * kubesift report [filters]: the whole incident report, findings first —
 * findings (detections and classified refusals, each with its fix or the
 * decision it needs), the timeline, the denial groups, their fixes and
 * known issues, RBAC changes (the audit log's writes, and the grants
 * gained and lost between the two latest snapshots), the dangerous grants
 * never used (when the log covers a day or more), unusual actors, and
 * as an appendix the evidence and its chain of custody.  Markdown by
 * default; -o html is one self-contained page, readable on a phone and
 * printable, with an SVG timeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/json-region.h"
#include "cli/filter-opt.h"
#include "store/db.h"
#include "out/doc.h"
#include "out/remedy.h"
#include "out/report-chart.h"
#include "out/report-find.h"
#include "out/report-unused.h"
#include "util/jutil.h"
#include "rbac/remediate.h"
#include "rbac/unused.h"
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
	char q[KS_FILTER_QUERY_MAX];
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

/* The one integer q answers (0 on an error, which a section tells). */
static long long
count(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st;
	long long n = 0;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every timed row: audit events, log denials, cloud operations. */
static int
span(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	char head[KS_FILTER_QUERY_MAX];
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
	ks_doc_heading(d, 3, all ? "Time span" : "Time span (of the "
	    "selection)");
	return section(d, db, NULL, head, "", "time", f);
}

/*
 * The denials, grouped as `denied` groups them, from the rollups as it
 * reads them (ks_filter_denials): a refusal found only in a plain log is
 * refused_by log, every other one is from the audit log (origin).
 */
static int
denials(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	char head[KS_FILTER_QUERY_MAX];

	snprintf(head, sizeof(head), "%s%s%s", "SELECT actor, verb, api_group,"
	    " resource, subresource, namespace, sum(n) AS count, "
	    KS_SQL_TIME("min(first_us)") " AS first_seen, "
	    KS_SQL_TIME("max(last_us)") " AS last_seen, CASE refused_by WHEN"
	    " 'log' THEN 'log' ELSE 'audit' END AS origin, refused_by FROM ",
	    ks_filter_denials(f), " WHERE 1");
	return section(d, db, "Denials", head, " GROUP BY actor, verb,"
	    " api_group, resource, subresource, namespace, refused_by ORDER BY"
	    " count DESC, actor LIMIT 100", "time", f);
}

/* The inputs, each with its hash and when and by what it was imported. */
#define INPUTS "SELECT id, path, size, sha256, format, sources, records," \
	" imported, duplicates, rejected, unrecognised, copy_of, (SELECT " \
	KS_SQL_TIME("s.imported_at") " || ' by kubesift ' || s.tool_version" \
	" FROM sources s WHERE s.id = inputs.id) AS imported_at FROM inputs"

/*
 * The appendix: the evidence (sources per format, the totals, then each
 * input with its SHA-256, folded when there are many, and every source,
 * folded), the cluster of each snapshot, the time span.
 */
static int
evidence(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	int rc = 0, many = count(db, "SELECT count(*) FROM sources WHERE"
	    " parent_id IS NULL") > 20;
	char line[128];

	ks_doc_heading(d, 2, "Appendix: evidence and chain of custody");
	ks_doc_para(d, "What was read, per format, then each input with the "
	    "SHA-256 of its bytes as read, when and by which version of "
	    "kubesift it was imported.");
	rc |= section(d, db, NULL, "SELECT format, count(*) AS sources,"
	    " sum(records) AS records, sum(imported) AS imported,"
	    " sum(duplicates) AS duplicates, sum(rejected) AS rejected"
	    " FROM sources", " GROUP BY format ORDER BY sources DESC, format",
	    NULL, NULL);
	rc |= section(d, db, NULL, "SELECT * FROM evidence_totals", "", NULL,
	    NULL);
	ks_doc_heading(d, 3, "Inputs");
	if (many)
		ks_doc_fold(d, "Every input, with its SHA-256");
	rc |= section(d, db, NULL, INPUTS, " ORDER BY id LIMIT 10000", NULL,
	    NULL);
	if (many)
		ks_doc_unfold(d);
	snprintf(line, sizeof(line), "Every source (%lld), archive members "
	    "included", count(db, "SELECT count(*) FROM sources"));
	ks_doc_fold(d, line);
	rc |= section(d, db, NULL, "SELECT id, parent_id AS parent, path, size,"
	    " sha256, format, records, imported, duplicates, rejected, copy_of"
	    " FROM sources", " ORDER BY id LIMIT 10000", NULL, NULL);
	ks_doc_unfold(d);
	/* Each snapshot's cluster (snapshot_clusters, sql/009-report.sql). */
	ks_doc_heading(d, 3, "Cluster");
	rc |= section(d, db, NULL, "SELECT id AS snapshot, origin,"
	    " server_version, taken_at_utc AS taken_at, taken_at_source, nodes,"
	    " kubelets FROM snapshot_clusters", " ORDER BY id", NULL, NULL);
	return rc | span(d, db, f);
}

/* Fixes: the remediation plan as text, and its manifests. */
static int
fixes(struct ks_doc *d, sqlite3 *db, const struct ks_remediate_plan *plan)
{
	json_t *c, *k;
	size_t i, j;
	FILE *m;

	/* (Each block printed as it is written: megabytes at 1M events.) */
	ks_doc_heading(d, 2, "Fixes");
	if ((m = ks_doc_pre_open(d, "")) != NULL) {
		ks_remedy_text(m, plan);
		fclose(m);
	}
	if (json_array_size(json_object_get(plan->json, "changes")) > 0) {
		ks_doc_para(d, "Manifests (kubectl apply -f):");
		if ((m = ks_doc_pre_open(d, "yaml")) != NULL) {
			ks_remedy_yaml(m, plan);
			fclose(m);
		}
	}
	ks_doc_heading(d, 3, "Known issues");
	j = 0;
	json_array_foreach(json_object_get(plan->json, "changes"), i, c)
		json_array_foreach(json_object_get(c, "known_issues"), j, k) {
			ks_doc_para(d, ks_json_str(k, "title"));
			ks_doc_para(d, ks_json_str(k, "fix"));
		}
	return section(d, db, NULL, "SELECT id, title, actor, verb, resource,"
	    " denials, server_version, fixed_in FROM known_issue_matches", "",
	    NULL, NULL);
}

/*
 * RBAC changes: the audit log's writes to roles and bindings, and the
 * grants gained and lost between the two latest snapshots.
 */
static int
rbac(struct ks_doc *d, sqlite3 *db)
{
	char line[256];
	int rc;

	ks_doc_heading(d, 2, "RBAC changes");
	ks_doc_para(d, "Written in the audit log (roles and bindings created, "
	    "updated, patched or deleted):");
	rc = section(d, db, NULL, "SELECT time_utc AS time, actor, verb,"
	    " resource, namespace, name, code, audit_id FROM rbac_changes",
	    " ORDER BY time LIMIT 200", NULL, NULL);
	if (count(db, "SELECT count(*) FROM snapshots") < 2) {
		ks_doc_para(d, "Between snapshots: the evidence holds fewer "
		    "than two snapshots, so none to compare.");
		return rc;
	}
	snprintf(line, sizeof(line), "Between snapshots %lld and %lld (the "
	    "two latest), per subject: the permissions gained or lost through "
	    "each role and binding (kubesift diff --rbac lists each):",
	    count(db, "SELECT id FROM snapshots ORDER BY id DESC LIMIT 1"
	    " OFFSET 1"), count(db, "SELECT max(id) FROM snapshots"));
	ks_doc_para(d, line);
	return rc | section(d, db, NULL, "SELECT subject_kind, subject,"
	    " subject_namespace, change, count(*) AS permissions,"
	    " group_concat(DISTINCT verb) AS verbs, CASE WHEN count(DISTINCT"
	    " resource) > 6 THEN count(DISTINCT resource) || ' resources'"
	    " ELSE group_concat(DISTINCT resource || coalesce('.' ||"
	    " nullif(api_group, ''), '')) END AS resources,"
	    " group_concat(DISTINCT namespace) AS namespaces, via"
	    " FROM rbac_grant_diff_latest", " GROUP BY subject_kind,"
	    " subject, subject_namespace, change, via ORDER BY subject_kind,"
	    " subject, change, via LIMIT 200", NULL, NULL);
}

/*
 * Unused dangerous grants: one least-privilege plan (as kubesift unused,
 * every snapshot's RBAC, the filters' subjects and window), its dangerous
 * grants never used, when the log covers a day or more.
 */
static int
unused(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	struct ks_unused_opts o = { 0 };
	struct ks_err err;
	json_t *plan;
	int rc = -1, told = ks_out_failed(d->out);

	ks_err_clear(&err);
	/* A log under a day is not judged: no request needs reading. */
	if ((plan = ks_unused_short_span(db, f, &err)) != NULL &&
	    !json_is_null(plan))
		plan = json_pack("{s:o,s:[]}", "span", plan, "entries");
	else if (plan != NULL)
		plan = ks_unused_plan(db, f, &o, &err);
	/* A write error is told once (as section does). */
	if ((plan == NULL ||
	    (rc = ks_report_unused(d, db, plan, &err)) < 0) && !told)
		ks_cmd_error("report: unused dangerous grants: %s", err.msg);
	json_decref(plan);
	return rc;
}

/* The first lines: what the report covers, and its order. */
static void
intro(struct ks_doc *d, sqlite3 *db)
{
	sqlite3_stmt *st;
	char line[512];

	snprintf(line, sizeof(line), "Generated by kubesift " KS_VERSION
	    "; times are UTC.  Findings first, then the timeline, the "
	    "denials, the fixes, the RBAC changes and the unused dangerous "
	    "grants; the evidence and its "
	    "chain of custody are the appendix.");
	if (sqlite3_prepare_v2(db, "SELECT sources, records, coalesce("
	    "first_time_utc || ' to ' || last_time_utc, 'none of them timed')"
	    " FROM evidence_totals, evidence_span", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		snprintf(line, sizeof(line), "Generated by kubesift "
		    KS_VERSION " from %lld sources (%lld records), %s; times "
		    "are UTC.  The evidence and its chain of custody are the "
		    "appendix.", (long long)sqlite3_column_int64(st, 0),
		    (long long)sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	ks_doc_para(d, line);
}

/*
 * Who did something worth a look, among the requests the filters select:
 * refused, anonymous, impersonating, or touching sensitive resources.
 * Summed per actor (ks_filter_counts_actors: without a window or a filter
 * on a column but the actor, the actors' totals), and what each touched
 * that is sensitive read for the 50 actors shown only.
 */
static int
unusual(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f)
{
	char head[KS_FILTER_QUERY_MAX];

	snprintf(head, sizeof(head), "%s%s%s", "SELECT actor, class, requests,"
	    " denials, first_seen, last_seen,"
	    /* sensitive_requests (sql/009) of the actor, through the index
	       audit_events_sensitive by the actor's id (named: SQLite
	       would take the index by actor and time), whose WHERE the
	       view's is and this must repeat. */
	    " (SELECT group_concat(DISTINCT e.verb || ' ' || e.resource ||"
	    " coalesce('/' || e.subresource, '')) FROM audit_rows e"
	    " INDEXED BY audit_events_sensitive"
	    " WHERE e.actor_id = (SELECT id FROM strings WHERE value ="
	    " u.actor) AND (e.subresource IN ('exec', 'attach',"
	    " 'portforward', 'proxy', 'token') OR e.resource = 'secrets'"
	    " OR e.verb IN ('impersonate', 'escalate', 'bind')))"
	    " AS sensitive FROM (SELECT actor, (SELECT class"
	    " FROM identity_classes WHERE actor GLOB pattern ORDER BY priority"
	    " LIMIT 1) AS class, sum(allowed + denied) AS requests,"
	    " sum(denied) AS denials, " KS_SQL_TIME("min(first_us)") " AS"
	    " first_seen, " KS_SQL_TIME("max(last_us)") " AS last_seen FROM ",
	    ks_filter_counts_actors(f), " c WHERE actor IS NOT NULL");
	return section(d, db, "Actors with unusual activity", head,
	    " GROUP BY actor HAVING (denials > 0 OR class = 'anonymous' OR"
	    " EXISTS (SELECT 1 FROM impersonations i WHERE i.impersonator_id"
	    " = (SELECT id FROM strings WHERE value = c.actor)))"
	    " ORDER BY denials DESC,"
	    " requests DESC LIMIT 50) u", "time", f);
}

/* The sections, in order, after the findings are known. */
static int
body(struct ks_doc *d, struct ks_ctx *ctx,
    const struct ks_remediate_plan *plan, json_t *findings)
{
	struct ks_err err;
	int rc = 0;

	intro(d, ctx->db);
	ks_doc_heading(d, 2, "Findings");
	ks_report_findings_write(d, findings);
	ks_doc_heading(d, 2, "Timeline");
	if (ks_report_chart(d, ctx->db, &ctx->filter, findings, &err) < 0) {
		ks_cmd_error("report: %s", err.msg);
		rc = -1;
	}
	rc |= denials(d, ctx->db, &ctx->filter);
	rc |= fixes(d, ctx->db, plan);
	rc |= rbac(d, ctx->db);
	rc |= unused(d, ctx->db, &ctx->filter);
	rc |= unusual(d, ctx->db, &ctx->filter);
	return rc | evidence(d, ctx->db, &ctx->filter);
}

/* The remediation plan of the report, its JSON in the region. */
static struct ks_remediate_plan *
plan_of(struct ks_ctx *ctx, struct ks_err *err)
{
	struct ks_remediate_plan *plan;

	ks_json_region_on();	/* (the plan frees no text of json_dumps) */
	plan = ks_remediate_plan(ctx->db, 0, &ctx->filter, NULL, err);
	ks_json_region_off();
	if (ks_filter_empty(&ctx->filter))
		ks_db_read_wide(ctx->db);
	return plan;
}

/* The findings, their JSON in the region too (thousands of findings:
   report-find.c frees no text of json_dumps). */
static json_t *
findings_of(struct ks_ctx *ctx, const struct ks_remediate_plan *plan,
    struct ks_err *err)
{
	json_t *findings;

	ks_json_region_on();
	findings = ks_report_findings(ctx->db, plan, &ctx->filter, err);
	ks_json_region_off();
	return findings;
}

static int
exec_report(struct ks_ctx *ctx)
{
	struct ks_doc d;
	struct ks_err err;
	struct ks_remediate_plan *plan = NULL;
	json_t *findings = NULL;
	int rc = -1;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("report: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	/* A filter's plan reads through indexes, at random: a wide cache
	   (and for the sections after it).  Without one, the plan reads
	   every refusal once in storage order: the cache after it. */
	if (!ks_filter_empty(&ctx->filter))
		ks_db_read_wide(ctx->db);
	/* -o is md or html (checked by the dispatcher, which frees out). */
	if ((ctx->out = ks_out_new(ctx->format ? ctx->format : "md", stdout,
	    &err)) == NULL || ks_doc_init(&d, ctx->out, &err) < 0 ||
	    (plan = plan_of(ctx, &err)) == NULL ||
	    (findings = findings_of(ctx, plan, &err)) == NULL)
		ks_cmd_error("report: %s", err.msg);
	else {
		ks_doc_begin(&d, "kubesift incident report");
		rc = body(&d, ctx, plan, findings);
		ks_doc_end(&d);
	}
	json_decref(findings);
	ks_json_region_drop(plan);	/* (the process ends with it) */
	return rc < 0 ? KS_EXIT_ERROR : KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_report = {
	.name = "report",
	.summary = "the incident report: findings, timeline, denials and their "
	    "fixes, RBAC changes, unused dangerous grants, unusual actors, "
	    "evidence",
	.usage = "[filters] [-o md|html]",
	.opts = ks_filter_opts,
	.formats = "md,html",
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO,
	.option = ks_cmd_filter_option,
	.exec = exec_report,
};
