/*
 * kubesift who-can VERB RESOURCE [-n NS] [--name N]: every subject the
 * snapshot's RBAC allows, with the binding and role that allow it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "rbacdb.h"

static const struct ks_opt opts[] = {
	{ "namespace", 'n', "NS", "in this namespace (default: cluster scope)" },
	{ "name", 'N', "NAME", "for this object name (resourceNames)" },
	{ "snapshot", 'S', "ID", "only this snapshot (default: all, latest "
	    "copy of each object)" },
	{ NULL, 0, NULL, NULL }
};

static const char *ns, *name;
static long long snapshot;

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	switch (key) {
	case 'n': ns = arg; return 0;
	case 'N': name = arg; return 0;
	case 'S': snapshot = atoll(arg); return 0;
	}
	return -1;
}

struct rows {
	struct ks_out	*out;
	int		 failed;
};

static int
one(const struct ks_rbac_grant *g, void *arg)
{
	struct rows *r = arg;
	const struct ks_rbac_subject *s = &g->binding->subjects[g->subject];
	struct ks_cell c[7] = {
		ks_cell_text(s->kind_name), ks_cell_text(s->name),
		ks_cell_text(s->namespace),
		ks_cell_text(g->binding->cluster ? "ClusterRoleBinding" :
		    "RoleBinding"),
		ks_cell_text(g->binding->name),
		ks_cell_text(g->role->cluster ? "ClusterRole" : "Role"),
		ks_cell_text(g->role->name),
	};

	if (ks_out_row(r->out, c) < 0)
		r->failed = 1;
	return r->failed;
}

static int
exec_who_can(struct ks_ctx *ctx)
{
	static const char *const cols[] = { "subject_kind", "subject",
	    "subject_namespace", "binding_kind", "binding", "role_kind",
	    "role" };
	struct ks_rbac_request req = { .verb = ctx->argv[0], .name = name,
	    .namespace = ns };
	struct rows r = { ctx->out, 0 };
	struct ks_rbac *rbac;
	struct ks_err err;
	char buf[512];
	long n;

	ks_rbacdb_split_resource(ctx->argv[1], buf, sizeof(buf), &req);
	if ((rbac = ks_rbacdb_load(ctx->db, snapshot, &n, &err)) == NULL) {
		ks_cmd_error("who-can: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (n == 0 && !ctx->quiet)
		fprintf(stderr, "kubesift: who-can: no RBAC objects in the "
		    "evidence\n");
	ks_out_begin(ctx->out, 7, cols);
	if (ks_rbac_who_can(rbac, &req, one, &r) < 0)
		r.failed = 1;
	ks_rbac_free(rbac);
	if (ks_out_end(ctx->out, &err) < 0 || r.failed) {
		ks_cmd_error("who-can: %s", err.msg[0] ? err.msg : "failed");
		return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_who_can = {
	.name = "who-can",
	.summary = "every subject the snapshot's RBAC allows to VERB RESOURCE",
	.usage = "VERB RESOURCE [-n NS] [--name NAME] [--snapshot ID]",
	.opts = opts,
	.formats = KS_FMT_ROWS,
	.min_args = 2, .max_args = 2,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.option = option,
	.exec = exec_who_can,
};
