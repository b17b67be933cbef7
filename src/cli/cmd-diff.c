/*
 * kubesift diff [SNAPSHOT_A SNAPSHOT_B]: what changed between two
 * snapshots (default: the two latest).  Objects added, removed and
 * changed, and for a changed object each field that differs, RBAC's kinds
 * first (store/objdiff.h); with --rbac, the effective change per subject
 * instead: the permissions each gained or lost (the rbac_grant_diff view,
 * computed for the one pair), --kind naming the kind of role or binding
 * they come through.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/cmd.h"
#include "store/db.h"
#include "store/objdiff.h"

enum { OPT_ALL = 256, OPT_RBAC };

static const struct ks_opt opts[] = {
	{ "kind", 'k', "KIND", "only objects of this kind (--rbac: only the "
	    "changes through a Role, ClusterRole or their bindings)" },
	{ "namespace", 'n', "NS", "only this namespace (--rbac: the "
	    "permissions held in it)" },
	{ "all", OPT_ALL, NULL, "keep the metadata noise (resourceVersion, "
	    "managedFields, heartbeats)" },
	{ "rbac", OPT_RBAC, NULL, "the permissions each subject gained or "
	    "lost" },
	{ NULL, 0, NULL, NULL }
};

/* The options of one run (ctx->state); the strings are borrowed. */
struct diff_state {
	struct ks_objdiff_query q;
	int		 rbac;
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct diff_state *ds = ctx->state;

	switch (key) {
	case 'k': ds->q.kind = arg; return 0;
	case 'n': ds->q.namespace = arg; return 0;
	case OPT_ALL: ds->q.all = 1; return 0;
	case OPT_RBAC: ds->rbac = 1; return 0;
	}
	return -1;
}

/* The snapshots to compare into q: 0, or the exit status, reported. */
static int
snapshots(struct ks_ctx *ctx, struct ks_objdiff_query *q)
{
	long long id[2];
	struct ks_err err;
	int i, rc;

	if (ctx->argc == 0) {
		if (ks_objdiff_latest(ctx->db, &q->a, &q->b, &err) < 0)
			return ks_cmd_usage_error("diff: %s", err.msg);
		return 0;
	}
	if (ctx->argc != 2)
		return ks_cmd_usage_error("diff: give two snapshot ids, or none "
		    "for the two latest");
	for (i = 0; i < 2; i++) {
		if (ks_cmd_parse_id(ctx->argv[i], &id[i]) < 0)
			return ks_cmd_usage_error("diff: %s is not a snapshot "
			    "id", ctx->argv[i]);
		if ((rc = ks_objdiff_snapshot_exists(ctx->db, id[i], &err)) < 0) {
			ks_cmd_error("diff: %s", err.msg);
			return KS_EXIT_ERROR;
		}
		if (rc == 0)
			return ks_cmd_usage_error("diff: no snapshot %lld "
			    "(kubesift sql 'SELECT * FROM snapshots')", id[i]);
	}
	q->a = id[0];
	q->b = id[1];
	return 0;
}

/*
 * --rbac: the rows of the rbac_grant_diff view for the pair (its SQL, with
 * the atoms of the two snapshots alone), the options as filters: ?3 the
 * namespace the permission holds in, ?4 a GLOB over via for --kind.
 */
static const char rbac_sql[] =
    "WITH g AS MATERIALIZED (SELECT DISTINCT snapshot_id, subject_kind,"
    " subject, subject_namespace, verb, api_group, resource, resource_name,"
    " namespace, via, coalesce(subject_namespace, '') AS sns,"
    " coalesce(api_group, '/') AS ag, coalesce(resource_name, '') AS rn,"
    " coalesce(namespace, '') AS ns"
    " FROM rbac_grant_atoms WHERE snapshot_id IN (?1, ?2)),"
    " k AS MATERIALIZED (SELECT DISTINCT snapshot_id, subject_kind, subject,"
    " sns, verb, ag, resource, rn, ns FROM g),"
    " d AS (SELECT CASE g.snapshot_id WHEN ?2 THEN 'gained' ELSE 'lost' END"
    " AS change, g.* FROM g WHERE NOT EXISTS (SELECT 1 FROM k"
    " WHERE k.snapshot_id = CASE g.snapshot_id WHEN ?2 THEN ?1 ELSE ?2 END"
    " AND k.subject_kind = g.subject_kind AND k.subject = g.subject"
    " AND k.sns = g.sns AND k.verb = g.verb AND k.ag = g.ag"
    " AND k.resource = g.resource AND k.ns = g.ns AND k.rn IN ('', g.rn)))"
    " SELECT DISTINCT subject_kind, subject, subject_namespace, change, verb,"
    " api_group, resource, resource_name, namespace, via FROM d"
    " WHERE (?3 IS NULL OR namespace = ?3) AND (?4 IS NULL OR via GLOB ?4)"
    " ORDER BY subject_kind, subject, subject_namespace, change,"
    " api_group, resource, resource_name, namespace, verb, via";

/*
 * The GLOB over via that keeps the changes coming through objects of
 * kind (any case) into *glob: 0, NULL for no kind, or -1 for a kind that
 * is no role or binding.
 */
static int
via_glob(const char *kind, const char **glob)
{
	static const char *const kinds[][2] = {
		{ "Role", "Role *" },
		{ "ClusterRole", "ClusterRole *" },
		{ "RoleBinding", "* through RoleBinding *" },
		{ "ClusterRoleBinding", "* through ClusterRoleBinding *" },
	};
	size_t i;

	*glob = NULL;
	if (kind == NULL)
		return 0;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcasecmp(kind, kinds[i][0]) == 0) {
			*glob = kinds[i][1];
			return 0;
		}
	return -1;
}

static int
rbac_diff(struct ks_ctx *ctx, const struct ks_objdiff_query *q)
{
	sqlite3_stmt *st;
	struct ks_err err;
	const char *glob;
	int rc = KS_EXIT_OK;

	if (via_glob(q->kind, &glob) < 0)
		return ks_cmd_usage_error("diff: --rbac shows the changes "
		    "through Role, ClusterRole, RoleBinding or "
		    "ClusterRoleBinding objects; %s is none of them (drop "
		    "--rbac for the %s objects that changed)", q->kind, q->kind);
	if (ks_db_prepare(ctx->db, rbac_sql, &st, &err) < 0) {
		ks_cmd_error("diff: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	sqlite3_bind_int64(st, 1, q->a);
	sqlite3_bind_int64(st, 2, q->b);
	if (q->namespace != NULL)
		sqlite3_bind_text(st, 3, q->namespace, -1, SQLITE_STATIC);
	if (glob != NULL)
		sqlite3_bind_text(st, 4, glob, -1, SQLITE_STATIC);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("diff: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
one(const struct ks_objdiff_change *c, void *arg)
{
	struct ks_cell cells[7] = {
		ks_cell_text(c->kind), ks_cell_text(c->namespace),
		ks_cell_text(c->name), ks_cell_text(c->change),
		ks_cell_text(c->path), ks_cell_text(c->old),
		ks_cell_text(c->new),
	};

	return ks_out_row(arg, cells) < 0 ? 1 : 0;
}

static int
exec_diff(struct ks_ctx *ctx)
{
	static const char *const cols[] = { "kind", "namespace", "name",
	    "change", "path", "old", "new" };
	struct diff_state *ds = ctx->state;
	struct ks_err err, oerr;
	int rc;

	if ((rc = snapshots(ctx, &ds->q)) != 0)
		return rc;
	if (ds->rbac)
		return rbac_diff(ctx, &ds->q);
	ks_err_clear(&err);
	ks_err_clear(&oerr);
	ks_out_begin(ctx->out, 7, cols);
	rc = ks_objdiff_run(ctx->db, &ds->q, one, ctx->out, &err);
	if (ks_out_end(ctx->out, &oerr) < 0 || rc != 0) {
		ks_cmd_error("diff: %s", err.msg[0] ? err.msg :
		    oerr.msg[0] ? oerr.msg : "failed");
		return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_diff = {
	.name = "diff",
	.summary = "what changed between two snapshots, RBAC first",
	.usage = "[SNAPSHOT_A SNAPSHOT_B] [--kind KIND] [-n NS] [--all] "
	    "[--rbac]",
	.opts = opts,
	.formats = KS_FMT_ROWS,
	.min_args = 0, .max_args = 2,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.state_size = sizeof(struct diff_state),
	.option = option,
	.exec = exec_diff,
};
