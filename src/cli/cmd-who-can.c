/*
 * kubesift who-can VERB RESOURCE [-n NS] [--name N]: every subject the
 * snapshot's RBAC allows, with the binding and role that allow it.
 * RESOURCE is resolved as kubectl does (resname.h): an ambiguous name is
 * a usage error (exit 2); an unknown one is warned about on stderr with
 * the API group assumed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/at-opt.h"
#include "cli/cmd.h"
#include "rbac/rbacdb.h"
#include "store/resname.h"
#include "util/jutil.h"

static const struct ks_opt opts[] = {
	{ "namespace", 'n', "NS", "in this namespace (default: cluster scope)" },
	{ "name", 'N', "NAME", "for this object name (resourceNames)" },
	{ "snapshot", 'S', "ID", "only this snapshot (default: all, latest "
	    "copy of each object)" },
	{ "at", 256, "TIME", "the RBAC as it stood at TIME: a snapshot and "
	    "the audit log's RBAC writes" },
	{ NULL, 0, NULL, NULL }
};

/* The options of one run (ctx->state); the strings are borrowed. */
struct who_can_state {
	const char	*ns, *name;	/* -n, --name */
	long long	 snapshot;	/* --snapshot; 0 = every snapshot */
	const char	*at;		/* --at, or NULL */
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct who_can_state *ws = ctx->state;

	switch (key) {
	case 'n': ws->ns = arg; return 0;
	case 'N': ws->name = arg; return 0;
	case 'S': return ks_cmd_opt_snapshot(arg, &ws->snapshot);
	case 256: ws->at = arg; return 0;
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
	struct ks_cell c[8] = {
		ks_cell_text(s->kind_name), ks_cell_text(s->name),
		ks_cell_text(s->namespace),
		ks_cell_text(g->binding->cluster ? "ClusterRoleBinding" :
		    "RoleBinding"),
		ks_cell_text(g->binding->name),
		ks_cell_text(g->role->cluster ? "ClusterRole" : "Role"),
		ks_cell_text(g->role->name), ks_cell_text("known"),
	};

	if (ks_out_row(r->out, c) < 0)
		r->failed = 1;
	return r->failed;
}

/*
 * Resolve RESOURCE into rn and req; 0, or the exit status.  Says on stderr
 * (not with -q) what a name that is not the full one stood for, and which
 * group an unknown name was taken to be in.
 */
static int
resolve(struct ks_ctx *ctx, const char *arg, struct ks_resname *rn,
    struct ks_rbac_request *req)
{
	struct ks_err err;
	char full[512];

	if (ks_resname_resolve(ctx->db, arg, rn, &err) < 0) {
		ks_cmd_error("who-can: %s", err.msg);
		return rn->how == KS_RESNAME_AMBIGUOUS ? KS_EXIT_USAGE :
		    KS_EXIT_ERROR;
	}
	if (rn->how == KS_RESNAME_URL) {
		req->path = arg;
		return 0;
	}
	req->api_group = rn->api_group;
	req->resource = rn->resource;
	req->subresource = rn->subresource[0] ? rn->subresource : NULL;
	if (ctx->quiet)
		return 0;
	ks_resname_str(rn, full, sizeof(full));
	if (rn->how == KS_RESNAME_ASSUMED)
		fprintf(stderr, "kubesift: warning: no resource named \"%s\" "
		    "in the snapshot or built in; assuming API group \"%s\"%s\n",
		    arg, rn->api_group, rn->api_group[0] ? "" : " (core)");
	else if (rn->how != KS_RESNAME_QUALIFIED && strcmp(full, arg) != 0)
		fprintf(stderr, "kubesift: who-can: %s is %s (%s)\n", arg,
		    full, ks_resname_how_str(rn->how));
	return 0;
}

/* A row for an object whose state at --at is unknown. */
static int
unknown_row(struct rows *r, const json_t *u)
{
	const char *kind = ks_json_str(u, "kind");
	int binding = strstr(kind, "Binding") != NULL;
	char state[512];

	snprintf(state, sizeof(state), "unknown: %s", ks_json_str(u,
	    "reason"));
	struct ks_cell c[8] = {
		ks_cell_text(NULL), ks_cell_text(NULL), ks_cell_text(NULL),
		ks_cell_text(binding ? kind : NULL),
		ks_cell_text(binding ? ks_json_str(u, "name") : NULL),
		ks_cell_text(binding ? NULL : kind),
		ks_cell_text(binding ? NULL : ks_json_str(u, "name")),
		ks_cell_text(state),
	};
	if (ks_out_row(r->out, c) < 0)
		r->failed = 1;
	return r->failed;
}

/* The RBAC to ask: of --snapshot, or as it stood --at; *unknown gets the
   objects of unknown state that matter (--at only).  NULL: *rc says. */
static struct ks_rbac *
load(struct ks_ctx *ctx, const struct ks_rbac_request *req, json_t **unknown,
    int *rc)
{
	const struct who_can_state *ws = ctx->state;
	struct ks_rbac_at *at;
	struct ks_rbac *rbac;
	struct ks_err err;
	long n;
	int usage;

	*unknown = NULL;
	if (ws->at != NULL) {
		if (ws->snapshot != 0) {
			ks_cmd_error("who-can: --at and --snapshot exclude each "
			    "other");
			*rc = KS_EXIT_USAGE;
			return NULL;
		}
		if ((at = ks_at_opt_build(ctx->db, ctx->quiet, "who-can",
		    ws->at, &usage, &err)) == NULL) {
			ks_cmd_error("who-can: %s", err.msg);
			*rc = usage ? KS_EXIT_USAGE : KS_EXIT_ERROR;
			return NULL;
		}
		*unknown = ks_rbac_at_unknown_for(at, req, 1);
		ks_at_opt_unknown(ctx->quiet, "who-can", *unknown);
		rbac = at->rbac;
		at->rbac = NULL;
		ks_rbac_at_free(at);
		return rbac;
	}
	if (ks_rbacdb_snapshot_check(ctx->db, ws->snapshot, &err) < 0) {
		ks_cmd_error("who-can: %s", err.msg);
		*rc = KS_EXIT_USAGE;
		return NULL;
	}
	if ((rbac = ks_rbacdb_load(ctx->db, ws->snapshot, &n, &err)) == NULL) {
		ks_cmd_error("who-can: %s", err.msg);
		*rc = KS_EXIT_ERROR;
		return NULL;
	}
	if (n == 0 && !ctx->quiet)
		fprintf(stderr, "kubesift: who-can: no RBAC objects in the "
		    "evidence\n");
	return rbac;
}

static int
exec_who_can(struct ks_ctx *ctx)
{
	static const char *const cols[] = { "subject_kind", "subject",
	    "subject_namespace", "binding_kind", "binding", "role_kind",
	    "role", "state" };
	const struct who_can_state *ws = ctx->state;
	struct ks_rbac_request req = { .verb = ctx->argv[0], .name = ws->name,
	    .namespace = ws->ns };
	struct rows r = { ctx->out, 0 };
	struct ks_resname rn;
	struct ks_rbac *rbac;
	struct ks_err err;
	json_t *unknown, *u;
	size_t i;
	int rc;

	if ((rc = resolve(ctx, ctx->argv[1], &rn, &req)) != 0)
		return rc;
	if ((rbac = load(ctx, &req, &unknown, &rc)) == NULL)
		return rc;
	ks_err_clear(&err);
	ks_out_begin(ctx->out, ws->at ? 8 : 7, cols);
	if (ks_rbac_who_can(rbac, &req, one, &r) < 0)
		r.failed = 1;
	json_array_foreach(unknown, i, u)
		if (!r.failed)
			unknown_row(&r, u);
	json_decref(unknown);
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
	.usage = "VERB RESOURCE [-n NS] [--name NAME] [--snapshot ID | --at "
	    "TIME]",
	.opts = opts,
	.formats = KS_FMT_ROWS,
	.min_args = 2, .max_args = 2,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.state_size = sizeof(struct who_can_state),
	.option = option,
	.exec = exec_who_can,
};
