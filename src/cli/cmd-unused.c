/*
 * kubesift unused [--actor NAME] [--namespace NS] [--since T] [--until T]:
 * least privilege, the grants of the snapshot's RBAC that the audit log
 * never saw used in the window, subject by subject, binding and rule,
 * dangerous ones first, under the span the log covers and how strong that
 * evidence is.  -o yaml: the tightened roles, replayed (rbac/unused.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "cli/progress.h"
#include "out/yamlout.h"
#include "rbac/rbacdb.h"
#include "rbac/unused.h"
#include "util/jutil.h"

enum { O_SNAPSHOT = 256, O_ALL };

static const struct ks_opt opts[] = {
	{ "actor", KS_FOPT_ACTOR, "NAME", "only this subject (exact, or a "
	    "glob; a service account also as system:serviceaccount:NS:NAME); "
	    "repeat to OR" },
	{ "namespace", KS_FOPT_NAMESPACE, "NS", "only the RoleBindings of "
	    "this namespace ('' = the ClusterRoleBindings)" },
	{ "since", KS_FOPT_SINCE, "TIME", "judge use from TIME: RFC 3339, a "
	    "date, or -2h/-30m/-1d before the last event" },
	{ "until", KS_FOPT_UNTIL, "TIME", "up to TIME, inclusive (same forms)" },
	{ "snapshot", O_SNAPSHOT, "ID", "the RBAC of this snapshot only "
	    "(default: all, latest copy of each object)" },
	{ "all", O_ALL, NULL, "table, csv, md: the fully used grants too" },
	{ NULL, 0, NULL, NULL }
};

/* The options of one run (ctx->state). */
struct unused_state {
	long long	 snapshot;	/* --snapshot; 0 = every snapshot */
	int		 all;		/* --all */
};

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct unused_state *us = ctx->state;

	if (key == O_SNAPSHOT)
		return ks_cmd_opt_snapshot(arg, &us->snapshot);
	if (key == O_ALL) {
		us->all = 1;
		return 0;
	}
	return ks_cmd_filter_option(ctx, key, arg);
}

/* "3d 4h 5m" for seconds, into buf. */
static const char *
duration(double secs, char *buf, size_t sz)
{
	long long s = (long long)secs;

	if (s >= 86400)
		snprintf(buf, sz, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, sz, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, sz, "%lldm %llds", s / 60, s % 60);
	return buf;
}

/* The span of the log and the strength of its evidence, as one line. */
static void
span_line(FILE *fp, const json_t *span, const char *prefix)
{
	static const struct { const char *word, *why; } w[] = {
		{ "none", "no audit events in the window: nothing can be seen "
		    "used, so every grant is listed unused for lack of evidence" },
		{ "weak", "less than a day of log: a permission used daily, "
		    "weekly or at deploys may look unused" },
		{ "moderate", "less than 30 days of log, counting only days with "
		    "events: a monthly or rarer use may look unused" },
		{ "strong", "30 days of log or more, counting only days with "
		    "events" },
	};
	const char *st = ks_json_str(span, "strength");
	long long days = json_integer_value(json_object_get(span, "days"));
	char d[64];
	size_t i;

	for (i = 0; i < 3 && strcmp(w[i].word, st ? st : "") != 0; i++)
		;
	if (strcmp(w[i].word, "none") == 0)
		fprintf(fp, "%sAudit log span: none. Evidence: none (%s).\n",
		    prefix, w[i].why);
	else
		fprintf(fp, "%sAudit log span: %s to %s (%s, events on %lld "
		    "%s, %lld allowed requests). Evidence: %s (%s).\n", prefix,
		    ks_json_str(span, "from"), ks_json_str(span, "to"),
		    duration(json_real_value(json_object_get(span, "seconds")),
		    d, sizeof(d)), days, ks_cmd_plural((unsigned long long)days,
		    "day", "days"), (long long)json_integer_value(
		    json_object_get(span, "requests")), w[i].word, w[i].why);
}

/* The strings of e[key] joined with commas, into buf. */
static const char *
joined(const json_t *e, const char *key, char *buf, size_t sz)
{
	const json_t *a = json_object_get(e, key), *v;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(a, i, v)
		if (n < sz)
			n += (size_t)snprintf(buf + n, sz - n, "%s%s", n ? "," :
			    "", json_string_value(v));
	return buf;
}

/* One entry as a row of the table, csv and md formats. */
static int
row(struct ks_out *out, const json_t *e)
{
	char binding[512], role[512], verbs[1024], res[2048], urls[1024];
	const char *bns = ks_json_str(e, "binding_namespace");
	const char *rns = ks_json_str(e, "role_namespace");

	snprintf(binding, sizeof(binding), "%s %s%s%s",
	    ks_json_str(e, "binding_kind"), bns ? bns : "", bns ? "/" : "",
	    ks_json_str(e, "binding"));
	snprintf(role, sizeof(role), "%s %s%s%s", ks_json_str(e, "role_kind"),
	    rns ? rns : "", rns ? "/" : "", ks_json_str(e, "role"));
	joined(e, "used_resources", res, sizeof(res));
	if (*joined(e, "used_urls", urls, sizeof(urls)))
		snprintf(res + strlen(res), sizeof(res) - strlen(res), "%s%s",
		    res[0] ? "," : "", urls);
	struct ks_cell c[12] = {
		ks_cell_text(json_is_true(json_object_get(e,
		    "dangerous")) ? "yes" : "no"),
		ks_cell_text(json_is_true(json_object_get(e, "used")) ?
		    "yes" : "no"),
		ks_cell_text(ks_json_str(e, "subject_kind")),
		ks_cell_text(ks_json_str(e, "subject")),
		ks_cell_text(ks_json_str(e, "subject_namespace")),
		ks_cell_text(binding), ks_cell_text(role),
		ks_cell_text(ks_json_str(e, "rule_text")),
		ks_cell_text(joined(e, "used_verbs", verbs,
		    sizeof(verbs))),
		ks_cell_text(res),
		ks_cell_int(json_integer_value(json_object_get(e,
		    "requests"))),
		ks_cell_text(ks_json_str(e, "last_used")),
	};
	return ks_out_row(out, c);
}

/* The number of entries whose rule was fully used. */
static size_t
count_full(const json_t *entries)
{
	const json_t *e;
	size_t i, n = 0;

	json_array_foreach(entries, i, e)
		n += json_is_true(json_object_get(e, "fully_used"));
	return n;
}

/*
 * table, csv, md: the span and what is left out (on stdout for table and
 * md, else on stderr unless -q), then one row per entry, the fully used
 * ones only with --all.  0, or the exit status.
 */
static int
rows(struct ks_ctx *ctx, const char *fmt, json_t *plan)
{
	static const char *const cols[] = { "dangerous", "used",
	    "subject_kind", "subject", "subject_namespace", "binding", "role",
	    "rule", "used_verbs", "used_resources", "requests", "last_used" };
	const struct unused_state *us = ctx->state;
	const json_t *entries = json_object_get(plan, "entries"), *e;
	int text = strcmp(fmt, "csv") != 0;
	size_t i, full = us->all ? 0 : count_full(entries);
	FILE *fp = text ? stdout : stderr;
	struct ks_out *out;
	struct ks_err err;
	int failed = 0;

	ks_err_clear(&err);
	if ((out = ks_out_new(fmt, stdout, &err)) == NULL) {
		ks_cmd_error("unused: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (text || !ctx->quiet) {
		span_line(fp, json_object_get(plan, "span"), "");
		if (full > 0)
			fprintf(fp, "%zu of %zu grants, every verb and resource "
			    "of them used, are not shown (--all shows them).\n",
			    full, json_array_size(entries));
	}
	if (text)
		putchar('\n');
	ks_out_begin(out, 12, cols);
	json_array_foreach(entries, i, e)
		if ((us->all || !json_is_true(json_object_get(e,
		    "fully_used"))) && row(out, e) < 0)
			break;
	if (ks_out_end(out, &err) < 0) {
		ks_cmd_error("unused: %s", err.msg);
		failed = 1;
	}
	ks_out_free(out);
	return failed ? KS_EXIT_ERROR : KS_EXIT_OK;
}

/* json: the entries as an array, one a line; jsonl: one a line. */
static int
json_rows(const char *fmt, json_t *plan)
{
	const json_t *entries = json_object_get(plan, "entries"), *e;
	int array = strcmp(fmt, "json") == 0;
	size_t i;

	if (array)
		fputs(json_array_size(entries) ? "[\n" : "[", stdout);
	json_array_foreach(entries, i, e) {
		if (json_dumpf(e, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) < 0)
			return KS_EXIT_ERROR;
		fputs(array && i + 1 < json_array_size(entries) ? ",\n" : "\n",
		    stdout);
	}
	if (array)
		fputs("]\n", stdout);
	return KS_EXIT_OK;
}

/* The comments above one tightened role. */
static void
role_comment(FILE *fp, const json_t *t)
{
	const char *ns = ks_json_str(t, "role_namespace");
	const json_t *kept = json_object_get(t, "kept"), *k;
	char line[2048];
	size_t i;

	long long before = json_integer_value(json_object_get(t,
	    "rules_before"));
	long long replayed = json_integer_value(json_object_get(t,
	    "replayed"));

	snprintf(line, sizeof(line), "%s %s%s%s: %lld %s before, %lld after; "
	    "the %lld allowed %s of the window that RBAC grants, replayed "
	    "against the tightened roles: %lld refused", ks_json_str(t, "role_kind"), ns ? ns : "",
	    ns ? "/" : "", ks_json_str(t, "role"), before,
	    ks_cmd_plural((unsigned long long)before, "rule", "rules"),
	    (long long)json_integer_value(json_object_get(t, "rules_after")),
	    replayed, ks_cmd_plural((unsigned long long)replayed, "request",
	    "requests"), (long long)json_integer_value(json_object_get(t,
	    "refused_after")));
	ks_yaml_comment(fp, line);
	json_array_foreach(kept, i, k) {
		snprintf(line, sizeof(line), "rule %lld %s",
		    (long long)json_integer_value(json_object_get(k,
		    "rule_index")), ks_json_str(k, "reason"));
		ks_yaml_comment(fp, line);
	}
}

/* The roles left alone, with why, after the manifests. */
static void
skipped(FILE *fp, const json_t *tightened)
{
	const json_t *t;
	char line[1024];
	size_t i, n = 0;

	json_array_foreach(tightened, i, t) {
		if (ks_json_str(t, "skipped") == NULL)
			continue;
		if (n++ == 0)
			fputs("---\n# Left alone:\n", fp);
		snprintf(line, sizeof(line), "  %s %s%s%s: %s",
		    ks_json_str(t, "role_kind"), ks_json_str(t,
		    "role_namespace") ? ks_json_str(t, "role_namespace") : "",
		    ks_json_str(t, "role_namespace") ? "/" : "",
		    ks_json_str(t, "role"), ks_json_str(t, "skipped"));
		ks_yaml_comment(fp, line);
	}
}

/* yaml: the tightened roles that change, each with its replay, then the
   roles left as they are and why. */
static int
yaml(json_t *plan)
{
	const json_t *tightened = json_object_get(plan, "tightened"), *t;
	size_t i, n = 0;

	span_line(stdout, json_object_get(plan, "span"), "# ");
	if (strcmp(ks_json_str(json_object_get(plan, "span"), "strength"),
	    "none") == 0) {
		ks_yaml_comment(stdout, "No role is tightened on no evidence.");
		return KS_EXIT_OK;
	}
	ks_yaml_comment(stdout, "The roles below keep only what the audit log "
	    "saw used in that span; every allowed request of it was replayed "
	    "against them.");
	json_array_foreach(tightened, i, t) {
		if (ks_json_str(t, "skipped") != NULL)
			continue;
		if (!json_is_true(json_object_get(t, "changed"))) {
			if (json_array_size(json_object_get(t, "kept")) == 0)
				continue;
			fputs("---\n# Left as it is:\n", stdout);
			role_comment(stdout, t);
			n++;
			continue;
		}
		fputs("---\n", stdout);
		role_comment(stdout, t);
		if (json_integer_value(json_object_get(t, "rules_after")) == 0)
			ks_yaml_comment(stdout, "None of its rules was used in "
			    "the span: its bindings may go instead.");
		if (ks_yaml_write(stdout, json_object_get(t, "manifest")) < 0)
			return KS_EXIT_ERROR;
		n++;
	}
	if (n == 0)
		ks_yaml_comment(stdout, "Nothing to tighten: every rule of these "
		    "roles was used as granted, or is not theirs to change.");
	skipped(stdout, tightened);
	return KS_EXIT_OK;
}

/* ks_unused_opts' progress: "working" on a terminal after a second. */
static void
working(void *arg)
{
	ks_progress_working(arg, "unused");
}

static int
exec_unused(struct ks_ctx *ctx)
{
	const struct unused_state *us = ctx->state;
	const char *fmt = ctx->format ? ctx->format : isatty(STDOUT_FILENO) ?
	    "table" : "csv";
	struct ks_unused_opts o = { us->snapshot, strcmp(fmt, "yaml") == 0,
	    0, working, NULL };
	struct ks_progress prog;
	struct ks_err err;
	json_t *plan;
	int rc;

	/* The span's count of requests is shown by table, md, yaml and csv
	   (on stderr, unless -q). */
	o.no_requests = strcmp(fmt, "json") == 0 || strcmp(fmt, "jsonl") ==
	    0 || (strcmp(fmt, "csv") == 0 && ctx->quiet);
	o.progress_arg = &prog;

	if (ks_filter_resolve(&ctx->filter, ctx->db, &err) < 0 ||
	    ks_rbacdb_snapshot_check(ctx->db, us->snapshot, &err) < 0) {
		ks_cmd_error("unused: %s", err.msg);
		return KS_EXIT_USAGE;
	}
	ks_err_clear(&err);
	/* On the terminal that will show the rows, once they are all read
	   (to a file, cmd.c's watch says "working"; a pipe may be a pager's). */
	ks_progress_init(&prog, ks_progress_wanted(ctx->quiet) &&
	    isatty(STDOUT_FILENO));
	plan = ks_unused_plan(ctx->db, &ctx->filter, &o, &err);
	ks_progress_fini(&prog);
	if (plan == NULL) {
		ks_cmd_error("unused: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	if (o.tighten)
		rc = yaml(plan);
	else if (strcmp(fmt, "json") == 0 || strcmp(fmt, "jsonl") == 0)
		rc = json_rows(fmt, plan);
	else
		rc = rows(ctx, fmt, plan);
	json_decref(plan);
	return rc;
}

const struct ks_cmd ks_cmd_unused = {
	.name = "unused",
	.summary = "RBAC grants the audit log never saw used (least privilege)",
	.usage = "[--actor NAME] [--namespace NS] [--since TIME] [--until TIME]"
	    " [--snapshot ID] [--all] [-o table|csv|json|jsonl|md|yaml]",
	.opts = opts,
	.formats = "table,csv,json,jsonl,md,yaml",
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO,
	.state_size = sizeof(struct unused_state),
	.option = option,
	.exec = exec_unused,
};
