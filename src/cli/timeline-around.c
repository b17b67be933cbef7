/*
 * kubesift timeline --around TIME: what happened near a moment.  Changes
 * that often explain the start or end of errors — RBAC objects changed,
 * nodes joining or changing version, workloads updated, cloud operations,
 * Kubernetes events — and the first and last denial of each denial group,
 * within the window on each side of TIME.  (A denial without a user or
 * verb says '?' for it, as the timeline's messages do.)
 */
#include <stdio.h>
#include <string.h>

#include "cli/timeline-around.h"
#include "store/db.h"
#include "store/filter.h"
#include "store/sqltime.h"

/* What --around lists and how, as text rows or Timesketch's fields. */
static const char rows_head[] =
    "SELECT " KS_SQL_TIME("time") " AS time, what, actor, message FROM (";
static const char sketch_head[] =
    "SELECT message, " KS_SQL_TIME("time") " AS datetime, time AS timestamp,"
    " what AS timestamp_desc, actor FROM (";

/*
 * The denial groups as the denials view groups them (actor, verb, group,
 * resource, subresource, namespace: the refused requests of both
 * decisions and the plain logs' refusals), with their count, first and
 * last time: the audit refusals from the rollups' totals by group
 * (denial_total: a row per rollup group, not per refusal), the logs' row
 * by row.
 */
#define DENIAL_GROUPS \
    "(SELECT actor, verb, api_group, resource, subresource, namespace," \
    " sum(n) AS n, min(first_us) AS first_us, max(last_us) AS last_us" \
    " FROM (SELECT g.actor, g.verb, g.api_group, g.resource," \
    " g.subresource, g.namespace, t.n, t.first_us, t.last_us" \
    " FROM denial_total t JOIN rollup_groups g ON g.id = t.gid" \
    " UNION ALL SELECT actor, verb, api_group, resource, subresource," \
    " namespace, 1, time, time FROM log_denials_only)" \
    " GROUP BY actor, verb, api_group, resource, subresource, namespace) a"

/*
 * A group's path (a non-resource request's: the resource says it
 * otherwise) at its time t: that of its first refusal at t, audit before
 * logs, as the view gives them.
 */
#define PATH_AT(t) \
    "CASE WHEN a.resource IS NULL THEN (SELECT d.path FROM denials d" \
    " WHERE d.actor IS a.actor AND d.verb IS a.verb" \
    " AND d.api_group IS a.api_group AND d.resource IS NULL" \
    " AND d.subresource IS a.subresource AND d.namespace IS a.namespace" \
    " AND d.time = a." t " LIMIT 1) END"

/*
 * The rows near ?1 (within ?2 each side), with the columns the filters
 * read; the filter's conditions are appended after it.
 */
static const char around_sql[] =
    /* Completed changes, stages folded by taking the final one. */
    " SELECT received_us AS time,"
    "  CASE WHEN api_group = 'rbac.authorization.k8s.io' THEN 'rbac-change'"
    "   WHEN resource = 'nodes' THEN 'node' ELSE 'workload' END AS what,"
    "  coalesce(impersonated_user, username) AS actor, verb, api_group,"
    "  resource, subresource, namespace,"
    "  coalesce(impersonated_user, username) || ' ' || verb || ' ' ||"
    "  resource || coalesce('/' || subresource, '') || coalesce(' ' || name,"
    "  '') || coalesce(' -n ' || namespace, '') || coalesce(' -> ' || code,"
    "  '') AS message"
    " FROM audit_events"
    " WHERE received_us BETWEEN ?1 - ?2 AND ?1 + ?2"
    "  AND coalesce(stage, 'ResponseComplete') IN ('ResponseComplete', 'Panic')"
    "  AND verb IN ('create', 'update', 'patch', 'delete', 'deletecollection')"
    /* Status updates are controllers' and kubelets' routine. */
    "  AND subresource IS NULL"
    "  AND ((api_group = 'rbac.authorization.k8s.io' AND resource IN"
    "   ('roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'))"
    "   OR resource = 'nodes' OR (api_group IN ('apps', 'batch') AND"
    "   resource IN ('deployments', 'daemonsets', 'statefulsets',"
    "   'replicasets', 'jobs', 'cronjobs')))"
    " UNION ALL SELECT time, kind, actor, verb, api_group, resource,"
    "  subresource, namespace, message FROM timeline"
    "  WHERE kind IN ('created', 'cluster', 'k8s-event')"
    "  AND time BETWEEN ?1 - ?2 AND ?1 + ?2"
    /* The first and last denial of each group, when in the window. */
    " UNION ALL SELECT * FROM (SELECT first_us AS time, 'first-denial',"
    "  actor, verb, api_group, resource, subresource, namespace,"
    "  'first of ' || n || ' denials: ' || coalesce(actor, '?') || ' ' ||"
    "  coalesce(verb, '?') || ' ' || coalesce(resource || coalesce('.' || nullif(api_group,"
    "  ''), '') || coalesce('/' || subresource, ''), " PATH_AT("first_us")
    "  , '?') || coalesce(' -n ' || namespace, '')"
    "  FROM " DENIAL_GROUPS ") WHERE time BETWEEN ?1 - ?2 AND ?1 + ?2"
    " UNION ALL SELECT * FROM (SELECT last_us AS time, 'last-denial',"
    "  actor, verb, api_group, resource, subresource, namespace,"
    "  'last of ' || n || ' denials: ' || coalesce(actor, '?') || ' ' ||"
    "  coalesce(verb, '?') || ' ' || coalesce(resource || coalesce('.' || nullif(api_group,"
    "  ''), '') || coalesce('/' || subresource, ''), " PATH_AT("last_us")
    "  , '?') || coalesce(' -n ' || namespace, '')"
    "  FROM " DENIAL_GROUPS ") WHERE time BETWEEN ?1 - ?2 AND ?1 + ?2"
    ") WHERE 1";

int
ks_timeline_around(sqlite3 *db, struct ks_out *out, const struct ks_filter *f,
    int timesketch, int64_t at_us, int64_t window_us, struct ks_err *err)
{
	char sql[8192];
	sqlite3_stmt *st = NULL;
	int rc = 0;

	snprintf(sql, sizeof(sql), "%s%s", timesketch ? sketch_head :
	    rows_head, around_sql);
	if (ks_filter_sql(f, sql, sizeof(sql), "time", NULL) < 0) {
		ks_err_set(err, "too many filters");
		return KS_AROUND_TOO_MANY;
	}
	strncat(sql, timesketch ? " ORDER BY timestamp, timestamp_desc" :
	    " ORDER BY time, what", sizeof(sql) - strlen(sql) - 1);
	if (ks_db_prepare(db, sql, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, at_us);
	sqlite3_bind_int64(st, 2, window_us);
	ks_filter_bind(f, st);
	if (ks_out_stmt(out, st, err) < 0)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}
