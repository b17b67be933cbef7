/*
 * The three faces of a remediation plan: readable text, YAML manifests
 * with comments citing the evidence, and kubectl commands.  Evidence text
 * (actor names, resources) is escaped (textesc.h) wherever it is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jutil.h"
#include "out/remedy.h"
#include "out/textesc.h"
#include "out/yamlout.h"

/* Evidence text, escaped. */
static void
put(FILE *fp, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	/* (Most evidence stands for itself: written as it is.) */
	if (n > 0 && ks_textesc_plain(s, n, 0) == n)
		fwrite(s, 1, n, fp);
	else if (s != NULL)
		ks_textesc_fputs(fp, s, n, 0);
}

/* "verbs [a, b]" from a JSON array of strings. */
static void
put_list(FILE *fp, const char *label, json_t *a)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a))
		return;
	fprintf(fp, "%s [", label);
	json_array_foreach(a, i, v) {
		fputs(i ? ", " : "", fp);
		if (json_string_length(v) == 0)
			fputs("\"\"", fp);
		else
			put(fp, json_string_value(v));
	}
	fputs("]  ", fp);
}

/* What the change does, to whom, through which binding. */
static void
text_target(FILE *fp, json_t *c, size_t k, size_t n)
{
	int exists = json_is_true(json_object_get(c, "target_exists"));

	fprintf(fp, "Change %zu of %zu: %s %s ", k, n,
	    exists ? "add to the existing" : "create",
	    ks_json_str(c, "target_kind"));
	put(fp, ks_json_str(c, "target_name"));
	if (ks_json_str(c, "target_namespace")) {
		fputs(" in namespace ", fp);
		put(fp, ks_json_str(c, "target_namespace"));
	}
	fprintf(fp, "%s\n  actor:     %s ", exists ? "" : " and its binding",
	    ks_json_str(c, "subject_kind"));
	put(fp, ks_json_str(c, "actor"));
	fputs(" (binding ", fp);
	put(fp, ks_json_str(c, "binding"));
	fputs(")\n  class:     ", fp);
	put(fp, ks_json_str(c, "class"));
	fputs(": ", fp);
	put(fp, ks_json_str(c, "reason"));
	fputc('\n', fp);
}

/* Whether each resource of the rules is served: built in, or its CRD. */
static void
text_resources(FILE *fp, json_t *c)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(c, "resources"), i, v) {
		fputs("  resource:  ", fp);
		put(fp, ks_json_str(v, "resource"));
		if (json_is_true(json_object_get(v, "builtin")))
			fputs(": built in\n", fp);
		else if (!json_is_true(json_object_get(v, "exists")))
			fputs(": NO CRD in the snapshot\n", fp);
		else {
			fputs(": CRD ", fp);
			put(fp, ks_json_str(v, "crd"));
			fprintf(fp, ", %s, serves %s\n", json_is_true(
			    json_object_get(v, "established")) ? "Established" :
			    "NOT Established", ks_json_str(v, "served_versions")
			    ? ks_json_str(v, "served_versions") : "nothing");
		}
	}
}

static void
text_known_issues(FILE *fp, json_t *c)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(c, "known_issues"), i, v) {
		fputs("  known issue: ", fp);
		put(fp, ks_json_str(v, "title"));
		fputs("\n    fix: ", fp);
		put(fp, ks_json_str(v, "fix"));
		if (ks_json_str(v, "fixed_in")) {
			fputs("\n    fixed in: ", fp);
			put(fp, ks_json_str(v, "fixed_in"));
		}
		fputc('\n', fp);
	}
}

/* "update of ClusterRole x by who at TIME (audit ID id)": an RBAC write
   (a cause or fixed_by of the plan). */
static void
put_write(FILE *fp, json_t *w)
{
	put(fp, ks_json_str(w, "verb"));
	fputs(" of ", fp);
	put(fp, ks_json_str(w, "kind"));
	fputc(' ', fp);
	if (ks_json_str(w, "namespace") != NULL) {
		put(fp, ks_json_str(w, "namespace"));
		fputc('/', fp);
	}
	put(fp, ks_json_str(w, "name"));
	fputs(" by ", fp);
	put(fp, ks_json_str(w, "actor") ? ks_json_str(w, "actor") : "?");
	fputs(" at ", fp);
	put(fp, ks_json_str(w, "time"));
	fputs(" (audit ID ", fp);
	put(fp, ks_json_str(w, "audit_id") ? ks_json_str(w, "audit_id") : "?");
	fputc(')', fp);
}

/* "LABEL<write>, N s before the first denial", then the next line's indent. */
static void
cause_head(FILE *fp, const char *label, json_t *w)
{
	fputs(label, fp);
	put_write(fp, w);
	fprintf(fp, ", %lld s before the first denial\n             ",
	    (long long)json_integer_value(json_object_get(w,
	    "seconds_before")));
}

/*
 * The RBAC write that made the gap, when the log names one; else the
 * write that may have, when the RBAC before it is not known.
 */
static void
text_cause(FILE *fp, json_t *c)
{
	json_t *w;

	if ((w = json_object_get(c, "cause")) != NULL) {
		cause_head(fp, "  cause:     ", w);
		fputs("before it, ", fp);
		put(fp, ks_json_str(w, "allowed_by"));
		fputs(" allowed these requests (", fp);
		put(fp, ks_json_str(w, "rule"));
		fputs("); the change restores that permission\n", fp);
	} else if ((w = json_object_get(c, "possible_cause")) != NULL) {
		cause_head(fp, "  possible cause: ", w);
		fputs("not certain, the RBAC before it is unknown: ", fp);
		put(fp, ks_json_str(w, "unknown_because"));
		fputc('\n', fp);
	}
}

static void
text_change(FILE *fp, const struct ks_remediate_plan *p, json_t *c,
    size_t k, size_t n)
{
	const struct ks_remediate_list *ev = ks_remediate_evidence(p, c);
	json_t *v;
	size_t i;

	text_target(fp, c, k, n);
	text_cause(fp, c);
	json_array_foreach(json_object_get(c, "rules"), i, v) {
		fputs("  rule:      ", fp);
		put_list(fp, "apiGroups", json_object_get(v, "apiGroups"));
		put_list(fp, "resources", json_object_get(v, "resources"));
		put_list(fp, "nonResourceURLs", json_object_get(v,
		    "nonResourceURLs"));
		put_list(fp, "verbs", json_object_get(v, "verbs"));
		fputc('\n', fp);
	}
	fputs("  evidence:\n", fp);
	for (i = 0; i < ev->n; i++) {
		if (i + 8 < ev->n)
			ks_remediate_prefetch(ev->v[i + 8]);
		ks_remedy_group(fp, ev->v[i], "    ");
	}
	text_resources(fp, c);
	fprintf(fp, "  replay:    %lld of %lld denials would now be allowed\n",
	    (long long)json_integer_value(json_object_get(c, "allowed_after")),
	    (long long)json_integer_value(json_object_get(c, "denials")));
	text_known_issues(fp, c);
	json_array_foreach(json_object_get(c, "warnings"), i, v) {
		fputs("  warning:   ", fp);
		put(fp, json_string_value(v));
		fputc('\n', fp);
	}
	fputs("  apply:     kubesift remediate -o yaml [same filters] | "
	    "kubectl apply -f -   (or --patch)\n\n", fp);
}

/* A refusal by admission, after the authorizer allowed it. */
static void
admission_text(FILE *fp, const struct ks_remediate_group *v)
{
	fputs("    refused by admission, not RBAC: the authorizer allowed it "
	    "(decision: allow)", fp);
	if (v->message != NULL) {
		fputs("; the refusal said: ", fp);
		put(fp, v->message);
	}
	fputc('\n', fp);
}

/* One listed denial group: "[class] actor N denials ...", then why. */
static void
text_entry(FILE *fp, const struct ks_remediate_group *v)
{
	fputs("  - [", fp);
	put(fp, v->class);
	fputs("] ", fp);
	put(fp, v->actor ? v->actor : "?");
	fputc(' ', fp);
	ks_remedy_group(fp, v, "");
	fputs("    ", fp);
	put(fp, v->reason);
	fputc('\n', fp);
}

/* A list of the plan under its heading, when it is not empty. */
static void
text_list(FILE *fp, const struct ks_remediate_plan *plan, int key,
    const char *heading)
{
	const struct ks_remediate_list *l = &plan->lists[key];

	if (l->n == 0)
		return;
	fprintf(fp, "%s\n", heading);
	for (size_t i = 0; i < l->n; i++) {
		if (i + 8 < l->n)
			ks_remediate_prefetch(l->v[i + 8]);
		text_entry(fp, l->v[i]);
	}
}

/* A gap at the time of the denials that RBAC allows since. */
static void
fixed_text(FILE *fp, json_t *w)
{
	fputs("    RBAC refused it at the time (rebuilt from the snapshot and "
	    "the audit log) and allows it since", fp);
	if (json_is_object(w)) {
		fputs(": fixed by ", fp);
		put_write(fp, w);
	}
	fputc('\n', fp);
}

static void
text_not_rbac(FILE *fp, const struct ks_remediate_plan *plan)
{
	const struct ks_remediate_list *l = &plan->lists[KS_PLAN_NOT_RBAC];
	const struct ks_remediate_group *v;

	if (l->n > 0)
		fputs("Not RBAC gaps (RBAC allowed these; something else "
		    "refused them):\n", fp);
	for (size_t i = 0; i < l->n; i++) {
		v = l->v[i];
		fputs("  - [not-rbac] ", fp);
		put(fp, v->actor);
		fputc(' ', fp);
		ks_remedy_group(fp, v, "");
		if (v->allowed_by == NULL) {
			admission_text(fp, v);
			continue;
		}
		if (v->gap_at_time) {
			fixed_text(fp, v->fixed_by);
			continue;
		}
		fputs("    allowed by ", fp);
		put(fp, v->allowed_by);
		if (v->refusal_reason != NULL) {
			fputs("; the refusal said: ", fp);
			put(fp, v->refusal_reason);
		}
		fputs("\n    so another authorizer (a webhook, the Node "
		    "authorizer) refused it, or the RBAC changed after it\n",
		    fp);
	}
}

void
ks_remedy_text(FILE *fp, const struct ks_remediate_plan *plan)
{
	json_t *changes = json_object_get(plan->json, "changes"), *v;
	size_t i, n = json_array_size(changes);

	if (json_integer_value(json_object_get(plan->json, "denial_groups")) ==
	    0)
		fputs("No RBAC change to propose: no denial matches the "
		    "selection.\n\n", fp);
	else if (n == 0)
		fputs("No RBAC change to propose: no denial in the selection "
		    "is an RBAC gap of a component that can be fixed "
		    "safely.\n\n", fp);
	json_array_foreach(changes, i, v)
		text_change(fp, plan, v, i + 1, n);
	text_list(fp, plan, KS_PLAN_NEEDS_DECISION, "Needs a decision (people "
	    "and unknown identities: their refusals are findings; --actor "
	    "NAME or --include-people proposes changes):");
	text_list(fp, plan, KS_PLAN_HELD_BACK, "Held back as dangerous "
	    "(--allow-dangerous proposes them):");
	text_not_rbac(fp, plan);
	text_list(fp, plan, KS_PLAN_NOT_REMEDIATED, "Not remediated:");
}

/* A one-line summary of a change's evidence, for YAML comments. */
static void
yaml_evidence(FILE *fp, const struct ks_remediate_plan *p, json_t *c,
    size_t k)
{
	const struct ks_remediate_list *ev = ks_remediate_evidence(p, c);
	const struct ks_remediate_group *g;
	char *text = NULL;
	size_t len = 0, i;
	FILE *m = open_memstream(&text, &len);
	json_t *v;

	fprintf(m, "change %zu: %s %s %s%s%s for %s %s\n", k,
	    json_is_true(json_object_get(c, "target_exists")) ? "extend" :
	    "create", ks_json_str(c, "target_kind"),
	    ks_json_str(c, "target_name"),
	    ks_json_str(c, "target_namespace") ? " in " : "",
	    ks_json_str(c, "target_namespace") ? ks_json_str(c,
	    "target_namespace") : "", ks_json_str(c, "subject_kind"),
	    ks_json_str(c, "actor"));
	for (i = 0; i < ev->n; i++) {
		g = ev->v[i];
		fprintf(m, "evidence: %lld denials of %s %s%s%s%s%s, %s .. %s",
		    g->count, g->verb, g->resource ? g->resource : g->path,
		    g->api_group && *g->api_group ? "." : "", g->api_group ?
		    g->api_group : "", g->namespace ? " in " : "",
		    g->namespace ? g->namespace : "", g->first_seen,
		    g->last_seen);
		if (g->nexamples > 0)
			fprintf(m, ", e.g. audit ID %s", g->examples[0]);
		fputc('\n', m);
	}
	if ((v = json_object_get(c, "cause")) != NULL)
		fprintf(m, "cause: %s of %s %s%s%s by %s at %s (audit ID %s): "
		    "it removed what allowed these requests\n",
		    ks_json_str(v, "verb"), ks_json_str(v, "kind"),
		    ks_json_str(v, "namespace") ? ks_json_str(v, "namespace") :
		    "", ks_json_str(v, "namespace") ? "/" : "", ks_json_str(v,
		    "name"), ks_json_str(v, "actor") ? ks_json_str(v, "actor") :
		    "?", ks_json_str(v, "time"), ks_json_str(v, "audit_id") ?
		    ks_json_str(v, "audit_id") : "?");
	fprintf(m, "replay: %lld of %lld denials would now be allowed\n",
	    (long long)json_integer_value(json_object_get(c, "allowed_after")),
	    (long long)json_integer_value(json_object_get(c, "denials")));
	json_array_foreach(json_object_get(c, "known_issues"), i, v)
		fprintf(m, "known issue: %s\n", ks_json_str(v, "title"));
	json_array_foreach(json_object_get(c, "warnings"), i, v)
		fprintf(m, "warning: %s\n", json_string_value(v));
	fclose(m);
	ks_yaml_comment(fp, text);
	free(text);
}

/* A comment line saying what the manifests or commands leave out. */
static void
left_out(FILE *fp, const struct ks_remediate_plan *plan)
{
	size_t held = plan->lists[KS_PLAN_HELD_BACK].n;
	size_t people = plan->lists[KS_PLAN_NEEDS_DECISION].n;

	if (held + people > 0)
		fprintf(fp, "# not here: %zu denial group%s held back as "
		    "dangerous, %zu needing a decision; see the text "
		    "output\n", held, held == 1 ? "" : "s", people);
}

void
ks_remedy_yaml(FILE *fp, const struct ks_remediate_plan *plan)
{
	json_t *c, *m;
	size_t i, j;

	fputs("# kubesift remediate: apply with `kubectl apply -f FILE`.\n", fp);
	left_out(fp, plan);
	json_array_foreach(json_object_get(plan->json, "changes"), i, c) {
		json_array_foreach(json_object_get(c, "manifests"), j, m) {
			fputs("---\n", fp);
			if (j == 0)
				yaml_evidence(fp, plan, c, i + 1);
			ks_yaml_write(fp, m);
		}
	}
}

/*
 * The plan as one indented JSON array: the changes first, then every
 * other entry; each has action (change, held-back, needs-decision,
 * not-rbac, not-remediated), class and reason.
 */
void
ks_remedy_json(FILE *fp, const struct ks_remediate_plan *plan)
{
	static const struct {
		int		 list;
		const char	*action;
	} lists[] = { { KS_PLAN_HELD_BACK, "held-back" },
	    { KS_PLAN_NEEDS_DECISION, "needs-decision" },
	    { KS_PLAN_NOT_RBAC, "not-rbac" },
	    { KS_PLAN_NOT_REMEDIATED, "not-remediated" } };
	json_t *all = json_array(), *v, *o;
	const struct ks_remediate_list *l;
	size_t i, k;

	json_array_foreach(json_object_get(plan->json, "changes"), i, v) {
		o = ks_remediate_change_json(plan, v);
		json_object_set_new(o, "action", json_string("change"));
		json_array_append_new(all, o);
	}
	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
		for (l = &plan->lists[lists[k].list], i = 0; i < l->n; i++) {
			o = ks_remediate_group_json(l->v[i]);
			json_object_set_new(o, "action", json_string(
			    lists[k].action));
			json_array_append_new(all, o);
		}
	json_dumpf(all, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', fp);
	json_decref(all);
}

/*
 * The rendering of a plan for -o format: text (also for NULL, the
 * default), json or yaml.  The names are remediate's formats, which the
 * dispatcher has checked; another name gets text.
 */
void
(*ks_remedy_render(const char *format))(FILE *,
    const struct ks_remediate_plan *)
{
	static const struct {
		const char	*name;
		void		(*render)(FILE *,
				    const struct ks_remediate_plan *);
	} renders[] = {
		{ "text", ks_remedy_text },
		{ "json", ks_remedy_json },
		{ "yaml", ks_remedy_yaml },
	};

	for (size_t i = 0; format != NULL &&
	    i < sizeof(renders) / sizeof(renders[0]); i++)
		if (strcmp(renders[i].name, format) == 0)
			return renders[i].render;
	return ks_remedy_text;
}

/* A JSON value (a string as its text) in single quotes for a POSIX shell. */
static void
shell_json(FILE *fp, json_t *v)
{
	char *s = json_is_string(v) ? strdup(json_string_value(v)) :
	    json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);

	fputc('\'', fp);
	for (char *p = s; p && *p; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			fputc(*p, fp);
	}
	fputc('\'', fp);
	free(s);
}

void
ks_remedy_patch(FILE *fp, const struct ks_remediate_plan *plan)
{
	json_t *c, *r, *m, *op;
	size_t i, j;

	left_out(fp, plan);
	json_array_foreach(json_object_get(plan->json, "changes"), i, c) {
		const char *ns = ks_json_str(c, "target_namespace");
		fprintf(fp, "# change %zu: %lld of %lld denials would be "
		    "allowed after it\n", i + 1, (long long)json_integer_value(
		    json_object_get(c, "allowed_after")), (long long)
		    json_integer_value(json_object_get(c, "denials")));
		if (!json_is_true(json_object_get(c, "target_exists"))) {
			fputs("kubectl apply -f - <<'KUBESIFT_EOF'\n", fp);
			json_array_foreach(json_object_get(c, "manifests"), j, m) {
				fputs("---\n", fp);
				ks_yaml_write(fp, m);
			}
			fputs("KUBESIFT_EOF\n", fp);
			continue;
		}
		json_array_foreach(json_object_get(c, "rules"), j, r) {
			op = json_pack("[{s:s,s:s,s:O}]", "op", "add", "path",
			    "/rules/-", "value", r);
			fprintf(fp, "kubectl patch %s ", strcmp(ks_json_str(c,
			    "target_kind"), "Role") == 0 ? "role" : "clusterrole");
			shell_json(fp, json_object_get(c, "target_name"));
			if (ns != NULL) {
				fputs(" -n ", fp);
				shell_json(fp, json_object_get(c,
				    "target_namespace"));
			}
			fputs(" --type=json -p ", fp);
			shell_json(fp, op);
			fputc('\n', fp);
			json_decref(op);
		}
	}
}
