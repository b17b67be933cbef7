/* kubesift actors [filters]: identities, their class and what they did. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "store/db.h"
#include "store/sqltime.h"

static const struct ks_opt opts[] = {
	KS_FILTER_OPTS,
	{ "class", 'c', "CLASS", "only this class: control-plane, controller, "
	    "node, service-account, cloud-provider, human, anonymous; "
	    "repeat to OR" },
	{ NULL, 0, NULL, NULL }
};

/* The classes identity_classes gives (sql/004-identities.sql). */
static const char *const classes[] = { "anonymous", "cloud-provider",
    "control-plane", "controller", "human", "node", "service-account", NULL };

/* The options of one run (ctx->state); the strings are borrowed. */
struct actors_state {
	struct ks_filter_list classes;	/* --class */
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct actors_state *as = ctx->state;

	if (key != 'c')
		return ks_cmd_filter_option(ctx, key, arg);
	for (int i = 0; classes[i] != NULL; i++)
		if (strcmp(arg, classes[i]) == 0) {
			if (as->classes.n == KS_FILTER_MAXV)
				break;
			as->classes.v[as->classes.n++] = arg;
			return 0;
		}
	ks_cmd_error("actors: --class: not a class: %s (control-plane, "
	    "controller, node, service-account, cloud-provider, human, "
	    "anonymous)", arg);
	return -1;
}

/*
 * Each actor's requests and denials among those the filter selects
 * (ks_filter_counts: every filter applies to each request before it is
 * counted), then its class.
 */
static int
exec_actors(struct ks_ctx *ctx)
{
	const struct actors_state *as = ctx->state;
	char sql[KS_FILTER_QUERY_MAX];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("actors: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	snprintf(sql, sizeof(sql), "%s%s%s", "SELECT actor, class, requests,"
	    " denials, " KS_SQL_TIME("first_seen") " AS first_seen, "
	    KS_SQL_TIME("last_seen") " AS last_seen FROM (SELECT actor,"
	    " (SELECT class FROM identity_classes WHERE actor GLOB pattern"
	    " ORDER BY priority LIMIT 1) AS class,"
	    " sum(allowed + denied) AS requests, sum(denied) AS denials,"
	    " min(first_us) AS first_seen, max(last_us) AS last_seen FROM ",
	    ks_filter_counts_actors(&ctx->filter), " WHERE 1");
	if (ks_filter_sql(&ctx->filter, sql, sizeof(sql), "time",
	    "decision") < 0) {
		ks_cmd_error("actors: too many filters");
		return KS_EXIT_USAGE;
	}
	strncat(sql, " GROUP BY actor) WHERE ?1 IS NULL OR class IN (?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7) ORDER BY denials DESC, requests DESC, actor",
	    sizeof(sql) - strlen(sql) - 1);
	if (ks_db_prepare(ctx->db, sql, &st, &err) < 0) {
		ks_cmd_error("actors: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	for (int i = 0; i < as->classes.n && i < 7; i++)
		sqlite3_bind_text(st, i + 1, as->classes.v[i], -1,
		    SQLITE_STATIC);
	ks_filter_bind(&ctx->filter, st);
	if (ks_out_stmt(ctx->out, st, &err) < 0) {
		ks_cmd_error("actors: %s", err.msg);
		rc = KS_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct ks_cmd ks_cmd_actors = {
	.name = "actors",
	.summary = "identities seen, their class, requests and denials",
	.usage = "[filters] [--class CLASS]",
	.opts = opts,
	.formats = KS_FMT_ROWS,
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO | KS_CMD_ROWS,
	.state_size = sizeof(struct actors_state),
	.option = option,
	.exec = exec_actors,
};
