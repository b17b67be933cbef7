/*
 * kubesift remediate [filters]: the smallest RBAC change that ends each
 * group of denials, checked against the evidence's RBAC and replayed.
 * Output: readable text (default), -o json, -o yaml (manifests for
 * kubectl apply -f, with comments citing the evidence), --patch (kubectl
 * commands).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "util/jutil.h"
#include "out/remedy.h"
#include "rbac/rbacdb.h"
#include "rbac/remediate.h"

enum { O_PATCH = 256, O_SNAPSHOT };

static const struct ks_opt opts[] = {
	KS_FILTER_OPTS,
	{ "patch", O_PATCH, NULL, "print kubectl commands instead" },
	{ "snapshot", O_SNAPSHOT, "ID", "judge against this snapshot only" },
	{ NULL, 0, NULL, NULL }
};

/* The options of one run (ctx->state). */
struct remediate_state {
	int		 patch;		/* --patch */
	long long	 snapshot;	/* --snapshot; 0 = every snapshot */
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct remediate_state *rs = ctx->state;

	switch (key) {
	case O_PATCH: rs->patch = 1; return 0;
	case O_SNAPSHOT: return ks_cmd_opt_snapshot(arg, &rs->snapshot);
	}
	return ks_cmd_filter_option(ctx, key, arg);
}

static int
exec_remediate(struct ks_ctx *ctx)
{
	const struct remediate_state *rs = ctx->state;
	/* The dispatcher has checked -o against .formats. */
	void (*render)(FILE *, json_t *) = ks_remedy_render(ctx->format);
	struct ks_err err;
	json_t *plan;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0 ||
	    ks_rbacdb_snapshot_check(ctx->db, rs->snapshot, &err) < 0) {
		ks_cmd_error("remediate: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if ((plan = ks_remediate_plan(ctx->db, rs->snapshot, &ctx->filter,
	    &err)) == NULL) {
		ks_cmd_error("remediate: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (rs->patch)
		ks_remedy_patch(stdout, plan);
	else
		render(stdout, plan);
	/* JSON holds the changes only: say where the rest is. */
	if (!rs->patch && render == ks_remedy_json &&
	    json_array_size(json_object_get(plan, "not_rbac_gaps")) +
	    json_array_size(json_object_get(plan, "not_remediated")) > 0 &&
	    !ctx->quiet)
		fprintf(stderr, "kubesift: remediate: some denials are not "
		    "RBAC gaps or not remediated; see the text output\n");
	json_decref(plan);
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_remediate = {
	.name = "remediate",
	.summary = "the smallest RBAC change that ends each group of denials",
	.usage = "[filters] [-o text|json|yaml] [--patch] [--snapshot ID]",
	.opts = opts,
	.formats = "text,json,yaml",
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO,
	.state_size = sizeof(struct remediate_state),
	.option = option,
	.exec = exec_remediate,
};
