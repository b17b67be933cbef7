/*
 * The report's Findings (report-find.h): the findings view and the
 * remediation plan's classified refusals, merged and ordered by SQL, then
 * written one finding per list item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/report-find.h"
#include "store/filter.h"
#include "store/rollup.h"
#include "util/jutil.h"

#define MAXIDS		10	/* audit IDs shown per finding */
#define SHOWN		30	/* findings written in full ... */
#define SHOWN_SEVERE	100	/* ... or, critical and high, up to this */

/* How a list of the plan becomes findings: severity, rule, action. */
struct kind {
	int		 list;		/* the plan's list */
	const char	*severity;	/* NULL: by class */
	const char	*action;	/* the action's first words */
};

static const struct kind kinds[] = {
	{ KS_PLAN_NEEDS_DECISION, NULL, "Decision needed: " },
	{ KS_PLAN_HELD_BACK, "medium",
	    "Decision needed (held back as dangerous): " },
	{ KS_PLAN_NOT_REMEDIATED, "medium", "Decision needed: " },
	{ KS_PLAN_NOT_RBAC, "low", "No RBAC change: " },
};

static const char *const severities[] = { "critical", "high", "medium",
    "low", "info" };

static int
rank_of(const char *severity)
{
	for (int i = 0; i < 4; i++)
		if (severity != NULL && strcmp(severity, severities[i]) == 0)
			return i;
	return 4;
}

/*
 * "verb resource[.group][/sub] [in ns]" of a denial group: written into
 * buf (of size sz) when it fits, else into a new string in *big (the
 * caller's); returned.
 */
static const char *
describe_text(const struct ks_remediate_group *g, char *buf, size_t sz,
    char **big)
{
	const char *grp = g->api_group;
	const char *verb = g->verb ? g->verb : "?";
	const char *res = g->resource;
	const char *sub = g->subresource;
	const char *ns = g->namespace;
	const char *path = g->path ? g->path : "?";
	int n;

#define DESCRIBE(b, z)	(res == NULL ? snprintf(b, z, "%s %s", verb, path) : \
	snprintf(b, z, "%s %s%s%s%s%s%s%s", verb, res, grp && *grp ? "." : "", \
	    grp ? grp : "", sub ? "/" : "", sub ? sub : "", ns ? " in " : "", \
	    ns ? ns : ""))
	*big = NULL;
	if ((n = DESCRIBE(buf, sz)) < 0)
		return "";
	if ((size_t)n < sz)
		return buf;
	if ((*big = malloc((size_t)n + 1)) == NULL)
		return "";
	DESCRIBE(*big, (size_t)n + 1);
#undef DESCRIBE
	return *big;
}

/* describe_text of g, appended to s. */
static void
describe(FILE *s, const struct ks_remediate_group *g)
{
	char buf[512], *big;

	fputs(describe_text(g, buf, sizeof(buf), &big), s);
	free(big);
}

/* Each distinct request of the denial groups in list, comma-separated. */
static void
reqs(FILE *s, const struct ks_remediate_list *list)
{
	json_t *seen = json_object();
	char buf[512], *big;
	const char *text;

	for (size_t i = 0; i < list->n; i++) {
		text = describe_text(list->v[i], buf, sizeof(buf), &big);
		if (json_object_get(seen, text) == NULL) {
			fprintf(s, "%s%s", json_object_size(seen) ? ", " : "",
			    text);
			json_object_set_new(seen, text, json_true());
		}
		free(big);
	}
	json_decref(seen);
}

/* Widen f's first and last times and audit IDs with denial group g's. */
static void
widen(json_t *f, const struct ks_remediate_group *g)
{
	const char *a = g->first_seen, *b = g->last_seen,
	    *fa = ks_json_str(f, "first"), *fb = ks_json_str(f, "last");
	json_t *ids = json_object_get(f, "audit_ids");

	if (a && (fa == NULL || strcmp(a, fa) < 0))
		json_object_set_new(f, "first", json_string(a));
	if (b && (fb == NULL || strcmp(b, fb) > 0))
		json_object_set_new(f, "last", json_string(b));
	for (size_t i = 0; i < g->nexamples; i++)
		if (g->examples[i] != NULL && json_array_size(ids) < MAXIDS)
			json_array_append_new(ids, json_string(
			    g->examples[i]));
}

/*
 * Widen f (with no time and no audit ID yet) with each group of list, as
 * widen does one by one, setting each key once; returns their denials.
 */
static long
widen_list(json_t *f, const struct ks_remediate_list *list)
{
	const char *a = NULL, *b = NULL;
	json_t *ids = json_object_get(f, "audit_ids");
	const struct ks_remediate_group *g;
	long total = 0;

	for (size_t j = 0; j < list->n; j++) {
		g = list->v[j];
		total += (long)g->count;
		if (g->first_seen && (a == NULL || strcmp(g->first_seen, a) <
		    0))
			a = g->first_seen;
		if (g->last_seen && (b == NULL || strcmp(g->last_seen, b) > 0))
			b = g->last_seen;
		for (size_t i = 0; i < g->nexamples; i++)
			if (g->examples[i] != NULL && json_array_size(ids) <
			    MAXIDS)
				json_array_append_new(ids, json_string(
				    g->examples[i]));
	}
	if (a != NULL)
		json_object_set_new(f, "first", json_string(a));
	if (b != NULL)
		json_object_set_new(f, "last", json_string(b));
	return total;
}

/* A new finding of actor, with no time and no evidence yet. */
static json_t *
finding(const char *severity, const char *rule, const char *actor)
{
	return json_pack("{s:i,s:s,s:s,s:s?,s:n,s:n,s:[]}", "rank",
	    rank_of(severity), "severity", severity, "rule", rule, "actor",
	    actor, "first", "last", "audit_ids");
}

/* "update of ClusterRole x by who at TIME (audit ID id), N s before the
   first refusal": an RBAC write of the plan (a cause), appended to s. */
static void
put_write(FILE *s, json_t *w)
{
	const char *ns = ks_json_str(w, "namespace");

	fprintf(s, "%s of %s %s%s%s by %s at %s (audit ID %s), %lld s before "
	    "the first refusal", ks_json_str(w, "verb"), ks_json_str(w,
	    "kind"), ns ? ns : "", ns ? "/" : "", ks_json_str(w, "name") ?
	    ks_json_str(w, "name") : "?", ks_json_str(w, "actor") ?
	    ks_json_str(w, "actor") : "an unknown actor", ks_json_str(w,
	    "time"), ks_json_str(w, "audit_id") ? ks_json_str(w, "audit_id") :
	    "not recorded", (long long)json_integer_value(json_object_get(w,
	    "seconds_before")));
}

/*
 * The RBAC write remediate names as the cause of change c's refusals, in
 * words, on finding f: its cause (the RBAC before it allowed them, after
 * it did not), else its possible cause (after it the RBAC refused them;
 * before it, the object it wrote is of unknown state), else nothing.
 */
static void
cause(json_t *f, json_t *c)
{
	json_t *w = json_object_get(c, "cause");
	char *text = NULL;
	size_t len = 0;
	FILE *s;

	if (!json_is_object(w) && !json_is_object(json_object_get(c,
	    "possible_cause")))
		return;
	if ((s = open_memstream(&text, &len)) == NULL)
		return;
	if (json_is_object(w)) {
		fputs("Cause: ", s);
		put_write(s, w);
		fprintf(s, "; before it, %s allowed these requests (%s).",
		    ks_json_str(w, "allowed_by"), ks_json_str(w, "rule"));
	} else {
		w = json_object_get(c, "possible_cause");
		fputs("Possible cause (the RBAC before it is not known): ", s);
		put_write(s, w);
		fprintf(s, "; after it, RBAC refused these requests; before "
		    "it, the state of %s %s is unknown (%s).", ks_json_str(w,
		    "kind"), ks_json_str(w, "name"), ks_json_str(w,
		    "unknown_because"));
	}
	fclose(s);
	json_object_set_new(f, "cause", json_string(text));
	free(text);
}

/* One finding per change: a component's RBAC gap, with its fix below. */
static void
gap_findings(json_t *out, const struct ks_remediate_plan *plan)
{
	json_t *changes = json_object_get(plan->json, "changes"), *c, *k;
	const struct ks_remediate_list *ev;
	size_t i, j, n = json_array_size(changes);
	char *text;
	size_t len;
	long total;

	json_array_foreach(changes, i, c) {
		json_t *f = finding("high", "rbac-gap", ks_json_str(c, "actor"));
		FILE *s = open_memstream(&text, &len);

		if (s == NULL) {
			json_decref(f);
			return;
		}
		ev = ks_remediate_evidence(plan, c);
		total = widen_list(f, ev);
		fprintf(s, "%s, a %s, was refused %ld time%s: ",
		    ks_json_str(c, "actor"), ks_json_str(c, "class") ?
		    ks_json_str(c, "class") : "component", total, total == 1 ?
		    "" : "s");
		reqs(s, ev);
		fputs(", a permission its RBAC lacks.", s);
		json_array_foreach(json_object_get(c, "known_issues"), j, k)
			fprintf(s, " Known issue: %s.", ks_json_str(k, "title"));
		fclose(s);
		json_object_set_new(f, "summary", json_string(text));
		free(text);
		if (asprintf(&text, "Fix below: change %zu of %zu, %s %s %s.",
		    i + 1, n, json_is_true(json_object_get(c,
		    "target_exists")) ? "a rule added to" : "a new",
		    ks_json_str(c, "target_kind"), ks_json_str(c,
		    "target_name")) < 0)
			continue;
		json_object_set_new(f, "action", json_string(text));
		free(text);
		cause(f, c);
		json_array_append_new(out, f);
	}
}

/*
 * The group of actor and class in groups (a new one when none), found
 * through index (class and actor -> the group).
 */
static json_t *
group_of(json_t *groups, json_t *index, const struct kind *k,
    const struct ks_remediate_group *e)
{
	const char *actor = e->actor, *cls = e->class;
	json_t *g;
	char rule[64], *key = NULL;

	/* (The actor after a mark that tells NULL from every name.) */
	if (asprintf(&key, "%s\x1f%c%s", cls ? cls : "", actor ? '+' : '-',
	    actor ? actor : "") < 0)
		key = NULL;
	if (key != NULL && (g = json_object_get(index, key)) != NULL) {
		free(key);
		return g;
	}
	snprintf(rule, sizeof(rule), "refused-%s", cls ? cls : "unknown");
	g = finding(k->severity ? k->severity : cls && strcmp(cls,
	    "suspicious") == 0 ? "high" : "medium", rule, actor);
	json_object_set_new(g, "class", json_string(cls ? cls : ""));
	json_object_set_new(g, "n", json_integer(0));
	json_object_set_new(g, "kinds", json_integer(0));
	json_object_set_new(g, "reqs", json_string(""));
	json_object_set_new(g, "action", json_pack("s++", k->action,
	    e->reason ? e->reason : "", "."));
	json_array_append_new(groups, g);
	if (key != NULL)
		json_object_set(index, key, g);
	free(key);
	return g;
}

/* Add denial group e to its finding: count, times, IDs, three kinds. */
static void
group_add(json_t *g, const struct ks_remediate_group *e)
{
	json_int_t n = e->count;
	json_int_t nk = json_integer_value(json_object_get(g, "kinds"));
	char *text = NULL;
	size_t len = 0;
	FILE *s;

	json_object_set_new(g, "n", json_integer(json_integer_value(
	    json_object_get(g, "n")) + n));
	json_object_set_new(g, "kinds", json_integer(nk + 1));
	widen(g, e);
	if (nk >= 3 || (s = open_memstream(&text, &len)) == NULL)
		return;
	fprintf(s, "%s%s", ks_json_str(g, "reqs"), nk ? ", " : "");
	describe(s, e);
	fprintf(s, " (%lld)", (long long)n);
	fclose(s);
	json_object_set_new(g, "reqs", json_string(text));
	free(text);
}

/* One finding per actor and class of each list of refusals. */
static void
refusal_findings(json_t *out, const struct ks_remediate_plan *plan)
{
	json_t *groups = json_array(), *index = json_object(), *g;
	const struct ks_remediate_list *l;
	size_t i, j;
	json_int_t n, nk;
	char head[512];

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		for (l = &plan->lists[kinds[i].list], j = 0; j < l->n; j++)
			group_add(group_of(groups, index, &kinds[i], l->v[j]),
			    l->v[j]);
		json_array_foreach(groups, j, g) {
			n = json_integer_value(json_object_get(g, "n"));
			nk = json_integer_value(json_object_get(g, "kinds"));
			snprintf(head, sizeof(head), "%s (%s) was refused %lld"
			    " time%s: ", ks_json_str(g, "actor") ?
			    ks_json_str(g, "actor") : "an unknown actor",
			    ks_json_str(g, "class"), (long long)n, n == 1 ? "" :
			    "s");
			json_object_set_new(g, "summary", json_pack("s++", head,
			    ks_json_str(g, "reqs"), nk > 3 ? ", and more." :
			    "."));
			json_array_append(out, g);
		}
		json_array_clear(groups);
		json_object_clear(index);
	}
	json_decref(groups);
	json_decref(index);
}

/*
 * A row of the merged findings as an object (report-find.h): a detection's
 * from its columns; one of extra (column 11 its index) from that object,
 * with first_us as SQL computed it for the order.
 */
static json_t *
row_of(sqlite3_stmt *st, json_t *extra)
{
	static const char *const keys[] = { "rank", "severity", "rule",
	    "summary", "actor", "first", "last", "audit_ids", "action",
	    "first_us", "cause" };
	json_t *o = json_object(), *v, *x = NULL;

	if (sqlite3_column_type(st, 11) != SQLITE_NULL)
		x = json_array_get(extra, (size_t)sqlite3_column_int64(st, 11));
	for (int i = 0; i < 11; i++) {
		const char *t = (const char *)sqlite3_column_text(st, i);
		if (x != NULL && i != 9)
			v = json_incref(json_object_get(x, keys[i]));
		else if (sqlite3_column_type(st, i) == SQLITE_NULL)
			v = json_null();
		else if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
			v = json_integer(sqlite3_column_int64(st, i));
		else if (i == 7)
			v = json_loads(t, 0, NULL);
		else
			v = json_string(t);
		json_object_set_new(o, keys[i], v ? v : x != NULL &&
		    i != 7 ? json_null() : json_array());
	}
	return o;
}

/*
 * What SQL needs of extra's findings to order them with the detections:
 * [rank, rule, actor, first] each, in extra's order; a new string (made
 * with malloc, not by jansson: its blocks may be a region's, see
 * cli/json-region.h), or NULL.
 */
static char *
order_keys(json_t *extra)
{
	json_t *keys = json_array(), *f;
	size_t i, n;
	char *text;

	json_array_foreach(extra, i, f)
		json_array_append_new(keys, json_pack("[OOOO]",
		    json_object_get(f, "rank"), json_object_get(f, "rule"),
		    json_object_get(f, "actor"), json_object_get(f, "first")));
	n = json_dumpb(keys, NULL, 0, JSON_COMPACT);
	if (n == 0 || (text = malloc(n + 1)) == NULL)
		text = NULL;
	else if (json_dumpb(keys, text, n, JSON_COMPACT) != n) {
		free(text);
		text = NULL;
	} else
		text[n] = '\0';
	json_decref(keys);
	return text;
}

/*
 * Where the findings view's rows come from, as a FROM term in buf (of
 * size sz): the view, or, while the detections saved at import hold
 * (store/rollup.h), the view's own definition, read from the database,
 * over detections_saved instead of the detections view (whose
 * preparation alone costs more than its answer): the same rows in the
 * same order, as `detect` reads them.
 */
static void
findings_from(sqlite3 *db, char *buf, size_t sz)
{
	static const char head[] = "CREATE VIEW findings AS";
	static const char tail[] = "FROM detections d";
	const size_t nh = sizeof(head) - 1, nt = sizeof(tail) - 1;
	sqlite3_stmt *st;
	const char *sql;
	size_t n;

	snprintf(buf, sz, "findings");
	if (strcmp(ks_rollup_detections(db), "detections_saved") != 0 ||
	    sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema"
	    " WHERE type = 'view' AND name = 'findings'", -1, &st, NULL) !=
	    SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (sql = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    strncmp(sql, head, nh) == 0 && (n = strlen(sql)) >= nh + nt &&
	    strcmp(sql + n - nt, tail) == 0 && n + 64 < sz)
		snprintf(buf, sz, "(%.*s FROM detections_saved d) findings",
		    (int)(n - nh - nt), sql + nh);
	sqlite3_finalize(st);
}

#define J(k)	"json_extract(value, '$[" #k "]')"

json_t *
ks_report_findings(sqlite3 *db, const struct ks_remediate_plan *plan,
    const struct ks_filter *f, struct ks_err *err)
{
	char q[16384], from[4096], *keys;
	json_t *extra = json_array(), *out = NULL;
	sqlite3_stmt *st;
	int rc;

	gap_findings(extra, plan);
	refusal_findings(extra, plan);
	keys = order_keys(extra);
	findings_from(db, from, sizeof(from));
	snprintf(q, sizeof(q), "SELECT * FROM (SELECT rank, severity, rule,"
	    " summary, actor, first_seen_utc AS first, last_seen_utc AS last,"
	    " audit_ids, action, first_seen AS first_us, NULL AS cause,"
	    " NULL AS x FROM %s WHERE 1", from);
	if (ks_filter_sql(f, q, sizeof(q), "first_seen", NULL) < 0) {
		ks_err_set(err, "too many filters");
		goto out;
	}
	strncat(q, " UNION ALL SELECT " J(0) ", NULL, " J(1) ", NULL, " J(2)
	    ", " J(3) ", NULL, NULL, NULL, CAST(round((julianday(" J(3) ") -"
	    " 2440587.5) * 86400000000.0) AS INTEGER), NULL, key"
	    " FROM json_each(?1)) ORDER BY rank, first_us IS NULL, first_us,"
	    " rule, actor",
	    sizeof(q) - strlen(q) - 1);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		ks_err_set(err, "findings: %s", sqlite3_errmsg(db));
		goto out;
	}
	ks_filter_bind(f, st);
	sqlite3_bind_text(st, 1, keys ? keys : "[]", -1, SQLITE_STATIC);
	out = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(out, row_of(st, extra));
	if (rc != SQLITE_DONE) {
		ks_err_set(err, "findings: %s", sqlite3_errmsg(db));
		json_decref(out);
		out = NULL;
	}
	sqlite3_finalize(st);
out:
	free(keys);
	json_decref(extra);
	return out;
}

/* Who, when and the evidence of finding f, one line. */
static void
meta(struct ks_doc *d, json_t *f)
{
	const char *a = ks_json_str(f, "first"), *b = ks_json_str(f, "last");
	json_t *v;
	size_t i, n = 0;

	ks_doc_text(d, "Who: ");
	ks_doc_text(d, ks_json_str(f, "actor") ? ks_json_str(f, "actor") :
	    "unknown (not recorded)");
	ks_doc_text(d, ". When: ");
	ks_doc_text(d, a ? a : "not recorded");
	if (a && b && strcmp(a, b) != 0) {
		ks_doc_text(d, " to ");
		ks_doc_text(d, b);
	}
	ks_doc_text(d, ". Evidence: ");
	json_array_foreach(json_object_get(f, "audit_ids"), i, v)
		if (json_is_string(v)) {
			ks_doc_text(d, n++ ? ", " : "audit IDs ");
			ks_doc_text(d, json_string_value(v));
		}
	ks_doc_text(d, n ? "." : "no audit ID recorded.");
}

/* One finding, the k-th (from 1), as a list item. */
static void
item(struct ks_doc *d, json_t *f, size_t k)
{
	/* One of ours, whatever a rule wrote: it becomes markup. */
	const char *sev = severities[rank_of(ks_json_str(f, "severity"))];

	if (d->html)
		fprintf(d->fp, "<li class=\"finding sev-%s\"><p><span class="
		    "\"sev\">%s</span> <code>", sev, sev);
	else
		fprintf(d->fp, "%zu. **%s** `", k, sev);
	ks_doc_text(d, ks_json_str(f, "rule"));
	fputs(d->html ? "</code> " : "` ", d->fp);
	ks_doc_text(d, ks_json_str(f, "summary"));
	fputs(d->html ? "</p>\n<p class=\"meta\">" : "\n\n   ", d->fp);
	meta(d, f);
	if (ks_json_str(f, "cause") != NULL) {
		fputs(d->html ? "</p>\n<p class=\"meta\">" : "\n\n   ", d->fp);
		ks_doc_text(d, ks_json_str(f, "cause"));
	}
	fputs(d->html ? "</p>\n<p class=\"act\">" : "\n\n   ", d->fp);
	ks_doc_text(d, ks_json_str(f, "action"));
	fputs(d->html ? "</p></li>\n" : "\n\n", d->fp);
}

void
ks_report_findings_write(struct ks_doc *d, json_t *findings)
{
	size_t i, n = json_array_size(findings), shown = 0;
	json_t *f;
	char line[256];

	if (n == 0) {
		ks_doc_para(d, "No finding: no detection fired, and no refusal "
		    "needs a fix or a decision.");
		return;
	}
	if (d->html)
		fputs("<ol class=\"findings\">\n", d->fp);
	json_array_foreach(findings, i, f) {
		if (i >= SHOWN && (i >= SHOWN_SEVERE || json_integer_value(
		    json_object_get(f, "rank")) > 1))
			break;
		item(d, f, i + 1);
		shown++;
	}
	if (d->html)
		fputs("</ol>\n", d->fp);
	if (shown < n) {
		snprintf(line, sizeof(line), "... and %zu more findings of "
		    "lower severity: kubesift detect lists every detection, "
		    "kubesift remediate every refusal.", n - shown);
		ks_doc_para(d, line);
	}
}
