/*
 * kubesift can ACTOR VERB RESOURCE [-n NS]: the offline `kubectl auth
 * can-i`.  Prints yes or no (exit 0 or 1) and why: the binding, role and
 * rule that allow it, or the closest rules bound to the actor and what in
 * them does not match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "cmd.h"
#include "rbacdb.h"
#include "rbacfmt.h"

static const struct ks_opt opts[] = {
	{ "namespace", 'n', "NS", "in this namespace (default: cluster scope)" },
	{ "name", 'N', "NAME", "for this object name" },
	{ "group", 'g', "GROUP", "the actor is in GROUP (repeat; default: the "
	    "groups of its latest audit event)" },
	{ "snapshot", 'S', "ID", "only this snapshot" },
	{ NULL, 0, NULL, NULL }
};

static const char *ns, *name;
static const char *groups[64];
static size_t ngroups;
static long long snapshot;

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	switch (key) {
	case 'n': ns = arg; return 0;
	case 'N': name = arg; return 0;
	case 'S': snapshot = atoll(arg); return 0;
	case 'g':
		if (ngroups == sizeof(groups) / sizeof(groups[0]))
			return -1;
		groups[ngroups++] = arg;
		return 0;
	}
	return -1;
}

/* The closest rules: the smallest distance seen, up to five of them. */
struct near {
	struct ks_rbac_near best[5];
	size_t	 n;
};

static int
keep(const struct ks_rbac_near *nr, void *arg)
{
	struct near *k = arg;

	if (k->n > 0 && nr->distance > k->best[0].distance)
		return 0;
	if (k->n > 0 && nr->distance < k->best[0].distance)
		k->n = 0;
	if (k->n < 5)
		k->best[k->n++] = *nr;
	return 0;
}

static void
explain_no(struct ks_rbac *rbac, const struct ks_rbac_request *req)
{
	struct near k = { .n = 0 };
	char g[512], r[1024], m[128];

	ks_rbac_explain(rbac, req, keep, &k);
	if (k.n == 0) {
		printf("  no binding in the evidence names this actor or its "
		    "groups\n");
		return;
	}
	printf("  closest rules bound to the actor:\n");
	for (size_t i = 0; i < k.n; i++) {
		const struct ks_rbac_near *nr = &k.best[i];
		printf("  - %s", ks_rbacfmt_grant(&nr->grant, g, sizeof(g)));
		if (nr->grant.role != NULL && nr->grant.rule != (size_t)-1)
			printf(", rule #%zu: %s", nr->grant.rule,
			    ks_rbacfmt_rule(&nr->grant.role->rules[
			    nr->grant.rule], r, sizeof(r)));
		printf("\n    does not match: %s\n",
		    ks_rbac_miss_str(nr->miss, m, sizeof(m)));
	}
}

static int
exec_can(struct ks_ctx *ctx)
{
	struct ks_rbac_request req = { .user = ctx->argv[0],
	    .verb = ctx->argv[1], .name = name, .namespace = ns };
	struct ks_rbac_why why;
	struct ks_rbac *rbac;
	struct ks_err err;
	char buf[512], g[512], r[1024], **found = NULL;
	const char *other;
	size_t n = 0;
	long nobj;
	int yes;

	ks_rbacdb_split_resource(ctx->argv[2], buf, sizeof(buf), &req);
	if (ngroups > 0) {
		req.groups = groups;
		req.ngroups = ngroups;
	} else if ((found = ks_actor_groups(ctx->db, req.user, &n)) != NULL) {
		req.groups = (const char *const *)found;
		req.ngroups = n;
	} else
		req.implicit_groups = 1;
	if ((rbac = ks_rbacdb_load(ctx->db, snapshot, &nobj, &err)) == NULL ||
	    (yes = ks_rbac_allows(rbac, &req, &why)) < 0) {
		ks_cmd_error("can: %s", rbac ? "bad request" : err.msg);
		ks_rbac_free(rbac);
		ks_actor_groups_free(found);
		return KS_EXIT_ERROR;
	}
	printf("%s\n", yes ? "yes" : "no");
	printf("  groups: ");
	for (size_t i = 0; i < req.ngroups; i++)
		printf("%s%s", i ? ", " : "", req.groups[i]);
	printf("%s\n", req.implicit_groups ? "(none in the evidence; the "
	    "authenticator's defaults assumed)" : found ? " (from its latest "
	    "audit event)" : "");
	if (yes)
		printf("  allowed by %s, rule #%zu: %s\n",
		    ks_rbacfmt_grant(&why.grant, g, sizeof(g)), why.grant.rule,
		    ks_rbacfmt_rule(&why.grant.role->rules[why.grant.rule], r,
		    sizeof(r)));
	else
		explain_no(rbac, &req);
	if (why.unresolved > 0)
		printf("  note: %zu binding(s) of this actor name a role that is "
		    "not in the evidence\n", why.unresolved);
	if ((other = ks_rbacfmt_other_authorizers(req.user, req.groups,
	    req.ngroups)) != NULL)
		printf("  note: %s\n", other);
	ks_rbac_free(rbac);
	ks_actor_groups_free(found);
	return yes ? KS_EXIT_OK : KS_EXIT_ERROR;
}

const struct ks_cmd ks_cmd_can = {
	.name = "can",
	.summary = "would RBAC allow ACTOR to VERB RESOURCE? yes or no, and why",
	.usage = "ACTOR VERB RESOURCE [-n NS] [--name NAME] [--group GROUP]...",
	.opts = opts,
	.formats = KS_FMT_ROWS,
	.min_args = 3, .max_args = 3,
	.flags = KS_CMD_DB_RO,
	.option = option,
	.exec = exec_can,
};
