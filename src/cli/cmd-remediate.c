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
#include "store/filter.h"
#include "util/jutil.h"
#include "rbac/rbacdb.h"
#include "rbac/remediate.h"

enum { O_PATCH = 256, O_SNAPSHOT };

static const struct ks_opt opts[] = {
	KS_FILTER_OPTS,
	{ "patch", O_PATCH, NULL, "print kubectl commands instead" },
	{ "snapshot", O_SNAPSHOT, "ID", "judge against this snapshot only" },
	{ NULL, 0, NULL, NULL }
};

static int patch;
static long long snapshot;

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	switch (key) {
	case O_PATCH: patch = 1; return 0;
	case O_SNAPSHOT:
		if (ks_cmd_parse_id(arg, &snapshot) < 0) {
			ks_cmd_error("--snapshot takes a snapshot id (kubesift "
			    "sql 'SELECT * FROM snapshots'), not %s", arg);
			return -1;
		}
		return 0;
	}
	return ks_filter_option(key, arg) == 1 ? 0 : -1;
}

void	ks_remedy_text(FILE *fp, json_t *plan);
void	ks_remedy_yaml(FILE *fp, json_t *plan);
void	ks_remedy_patch(FILE *fp, json_t *plan);
void	ks_remedy_json(FILE *fp, json_t *plan);
void	(*ks_remedy_render(const char *format))(FILE *, json_t *);

static int
exec_remediate(struct ks_ctx *ctx)
{
	/* The dispatcher has checked -o against .formats. */
	void (*render)(FILE *, json_t *) = ks_remedy_render(ctx->format);
	struct ks_err err;
	json_t *plan;

	if (ks_filter_resolve(ctx->db, &err) < 0 ||
	    ks_rbacdb_snapshot_check(ctx->db, snapshot, &err) < 0) {
		ks_cmd_error("remediate: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if ((plan = ks_remediate_plan(ctx->db, snapshot, &err)) == NULL) {
		ks_cmd_error("remediate: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (patch)
		ks_remedy_patch(stdout, plan);
	else
		render(stdout, plan);
	/* JSON holds the changes only: say where the rest is. */
	if (!patch && render == ks_remedy_json &&
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
	.option = option,
	.exec = exec_remediate,
};
