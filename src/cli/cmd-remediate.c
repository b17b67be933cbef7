/*
 * kubesift remediate [filters]: the smallest RBAC change that ends each
 * group of denials, checked against the evidence's RBAC and replayed.
 * Output: readable text (default), -o json, -o yaml (manifests for
 * kubectl apply -f, with comments citing the evidence), --patch (kubectl
 * commands).  Only components get changes by default; people are listed
 * as needing a decision, dangerous permissions are held back (see
 * rbac/remediate.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "cli/json-region.h"
#include "util/jutil.h"
#include "out/remedy.h"
#include "rbac/rbacdb.h"
#include "rbac/remediate.h"
#include "store/db.h"

enum { O_PATCH = 256, O_SNAPSHOT, O_PEOPLE, O_DANGEROUS, O_FORCE };

static const struct ks_opt opts[] = {
	KS_FILTER_OPTS,
	{ "patch", O_PATCH, NULL, "print kubectl commands instead" },
	{ "snapshot", O_SNAPSHOT, "ID", "judge against this snapshot only" },
	{ "include-people", O_PEOPLE, NULL,
	    "propose changes for people (human, unknown) too" },
	{ "allow-dangerous", O_DANGEROUS, NULL,
	    "propose dangerous permissions too (secrets, exec, RBAC writes...)" },
	{ "force", O_FORCE, NULL,
	    "propose changes for a suspicious actor named with --actor" },
	{ NULL, 0, NULL, NULL }
};

/* The options of one run (ctx->state). */
struct remediate_state {
	int		 patch;		/* --patch */
	long long	 snapshot;	/* --snapshot; 0 = every snapshot */
	struct ks_remediate_opts opts;	/* --include-people, --allow-dangerous,
					   --force */
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct remediate_state *rs = ctx->state;

	switch (key) {
	case O_PATCH: rs->patch = 1; return 0;
	case O_SNAPSHOT: return ks_cmd_opt_snapshot(arg, &rs->snapshot);
	case O_PEOPLE: rs->opts.include_people = 1; return 0;
	case O_DANGEROUS: rs->opts.allow_dangerous = 1; return 0;
	case O_FORCE: rs->opts.force = 1; return 0;
	}
	return ks_cmd_filter_option(ctx, key, arg);
}

static int
exec_remediate(struct ks_ctx *ctx)
{
	const struct remediate_state *rs = ctx->state;
	/* The dispatcher has checked -o against .formats. */
	void (*render)(FILE *, const struct ks_remediate_plan *) =
	    ks_remedy_render(ctx->format);
	struct ks_err err;
	struct ks_remediate_plan *plan;
	struct ks_remediate_opts po = rs->opts;
	char *obuf;

	/* (Megabytes of text at 1M events: written 64 KiB at a time, not
	   a block of the file at a time; glibc takes the size only with
	   the buffer, stdout's until the process ends.  Before anything
	   is written to stdout, as setvbuf wants.) */
	if (!isatty(fileno(stdout)) && (obuf = malloc(1 << 16)) != NULL)
		(void)setvbuf(stdout, obuf, _IOFBF, 1 << 16);
	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0 ||
	    ks_rbacdb_snapshot_check(ctx->db, rs->snapshot, &err) < 0) {
		ks_cmd_error("remediate: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	/* A filter's groups are read through indexes, at random: a wide
	   cache.  Without one, every refusal is read once, in the order
	   they are stored, and a wide cache only costs fresh pages. */
	if (!ks_filter_empty(&ctx->filter))
		ks_db_read_wide(ctx->db);
	/* (Readable text prints no manifest.) */
	po.no_manifests = !rs->patch && render == ks_remedy_text;
	ks_json_region_on();	/* (the plan frees no text of json_dumps) */
	plan = ks_remediate_plan(ctx->db, rs->snapshot, &ctx->filter,
	    &po, &err);
	ks_json_region_off();
	if (plan == NULL) {
		ks_cmd_error("remediate: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (rs->patch)
		ks_remedy_patch(stdout, plan);
	else
		render(stdout, plan);
	ks_json_region_drop(plan);	/* (the process ends with it) */
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_remediate = {
	.name = "remediate",
	.summary = "the smallest RBAC change that ends each group of denials",
	.usage = "[filters] [-o text|json|yaml] [--patch] [--snapshot ID]"
	    " [--include-people] [--allow-dangerous] [--force]",
	.opts = opts,
	.formats = "text,json,yaml",
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO,
	.state_size = sizeof(struct remediate_state),
	.option = option,
	.exec = exec_remediate,
};
