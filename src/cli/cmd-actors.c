/* kubesift actors [filters]: identities, their class and what they did. */
#include <stdio.h>
#include <stdlib.h>
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
 * counted), then its class, by SQL's GROUP BY: when the sums in C
 * cannot answer (ks_filter_actor_sums).
 */
static int
actors_sql(struct ks_ctx *ctx)
{
	const struct actors_state *as = ctx->state;
	char sql[KS_FILTER_QUERY_MAX];
	sqlite3_stmt *st = NULL;
	struct ks_err err;
	int rc = KS_EXIT_OK;

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
	if (getenv("KSQL")) fprintf(stderr, "%s\n", sql);
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

/* A sum in the order of ORDER BY ... DESC: NULL last. */
static int
desc(int64_t a, unsigned ha, int64_t b, unsigned hb)
{
	if ((ha != 0) != (hb != 0))
		return ha ? -1 : 1;
	return ha ? (a < b) - (a > b) : 0;
}

/* ORDER BY denials DESC, requests DESC, actor (NULL first). */
static int
cmp_actors(const void *pa, const void *pb)
{
	const struct ks_actor_sum *a = pa, *b = pb;
	int d;

	if ((d = desc(a->denied, a->has & KS_SUM_DENIED, b->denied,
	    b->has & KS_SUM_DENIED)) != 0 || (d = desc(a->requests,
	    a->has & KS_SUM_REQUESTS, b->requests,
	    b->has & KS_SUM_REQUESTS)) != 0)
		return d;
	if (a->actor == NULL || b->actor == NULL)
		return (a->actor != NULL) - (b->actor != NULL);
	d = memcmp(a->actor, b->actor, a->len < b->len ? a->len : b->len);
	return d != 0 ? d : (a->len > b->len) - (a->len < b->len);
}

/* Whether --class lets e through (its first 7 values: class IN (?1..?7)). */
static int
class_ok(const struct actors_state *as, const struct ks_actor_sum *e)
{
	if (as->classes.n == 0)
		return 1;
	for (int i = 0; e->cls != NULL && i < as->classes.n && i < 7; i++)
		if (strcmp(e->cls, as->classes.v[i]) == 0)
			return 1;
	return 0;
}

/* The actors summed, sorted and printed.  0, or -1 with err. */
static int
print_actors(struct ks_ctx *ctx, struct ks_actor_sums *s,
    struct ks_err *err)
{
	static const char *const names[] = { "actor", "class", "requests",
	    "denials", "first_seen", "last_seen" };
	char first[64], last[64];
	struct ks_cell c[6];

	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_actors);
	if (ks_out_begin(ctx->out, 6, names) < 0)
		return ks_out_end(ctx->out, err);
	for (size_t i = 0; i < s->n; i++) {
		const struct ks_actor_sum *e = &s->v[i];

		if (!class_ok(ctx->state, e))
			continue;
		c[0] = ks_cell_text(e->actor);
		c[0].len = e->len;
		c[1] = ks_cell_text(e->cls);
		c[2] = e->has & KS_SUM_REQUESTS ? ks_cell_int(e->requests) :
		    ks_cell_text(NULL);
		c[3] = e->has & KS_SUM_DENIED ? ks_cell_int(e->denied) :
		    ks_cell_text(NULL);
		c[4] = ks_filter_time_cell(ctx->db, e->first_us,
		    e->has & KS_SUM_FIRST, first);
		c[5] = ks_filter_time_cell(ctx->db, e->last_us,
		    e->has & KS_SUM_LAST, last);
		if (ks_out_row(ctx->out, c) < 0)
			break;
	}
	return ks_out_end(ctx->out, err);
}

/*
 * Each actor's requests and denials among those the filter selects,
 * summed in C (ks_filter_actor_sums), or by SQL when that cannot.
 */
static int
exec_actors(struct ks_ctx *ctx)
{
	struct ks_actor_sums s;
	struct ks_err err;
	int rc;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0) {
		ks_cmd_error("actors: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	if ((rc = ks_filter_actor_sums(ctx->db, &ctx->filter, &s, &err)) > 0)
		return actors_sql(ctx);
	if (rc == 0) {
		rc = print_actors(ctx, &s, &err);
		ks_filter_actor_sums_free(&s);
	}
	if (rc < 0) {
		ks_cmd_error("actors: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
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
