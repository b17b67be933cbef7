/*
 * One change: merge the denied verbs per resource, choose the role to
 * extend (or make a new one), write the manifests, check the resources,
 * warn about dangerous grants, and replay the denials.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/filter.h"
#include "util/jutil.h"
#include "rbac/rbacdb.h"
#include "rbac/rbacfmt.h"
#include "rbac/remediate-int.h"

void
ks_remediate_request(const struct ks_remediate_group *g,
    struct ks_rbac_request *req, const char **groups, size_t maxgroups)
{
	json_t *ga = g->groups, *v;
	size_t i;

	memset(req, 0, sizeof(*req));
	req->user = g->actor;
	req->verb = g->verb;
	req->api_group = g->api_group;
	req->resource = g->resource;
	req->subresource = g->subresource;
	req->namespace = g->namespace;
	req->path = g->path;
	req->groups = groups;
	if (!json_is_array(ga)) {
		/* A log line does not say the groups: assume the defaults. */
		req->implicit_groups = 1;
		return;
	}
	json_array_foreach(ga, i, v)
		if (json_is_string(v) && req->ngroups < maxgroups)
			groups[req->ngroups++] = json_string_value(v);
}

/* Are a and b the same text, or both NULL? */
static int
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The rule for g's resource (found through index: the four fields, each
 * after a mark that tells NULL from every text), made on first use; NULL
 * when out of memory.
 */
static json_t *
rule_for(json_t *rules, json_t *index, const struct ks_remediate_group *g)
{
	static const char *const keys[] = { "api_group", "resource",
	    "subresource", "path" };
	json_t *r;
	const char *f[4] = { g->api_group, g->resource, g->subresource,
	    g->path };
	size_t k, n[4], len = 1;
	char *key, *p;

	for (k = 0; k < 4; k++)
		len += 2 + (n[k] = f[k] ? strlen(f[k]) : 0);
	if ((p = key = malloc(len)) == NULL)
		return NULL;
	for (k = 0; k < 4; k++) {
		*p++ = f[k] ? '+' : '-';
		memcpy(p, f[k] ? f[k] : "", n[k]);
		p += n[k];
		*p++ = '\x1f';
	}
	*p = '\0';
	if ((r = json_object_get(index, key)) == NULL) {
		r = json_object();
		for (k = 0; k < 4; k++)
			json_object_set_new(r, keys[k], f[k] ? json_string(
			    f[k]) : json_null());
		json_object_set_new(r, "verbs", json_array());
		json_array_append_new(rules, r);
		json_object_set(index, key, r);
	}
	free(key);
	return r;
}

/*
 * Add the group's verb to the rule for its resource; *last is the group
 * merged before (its rule *last_r: the groups come by resource, most
 * add to the last one's rule).
 */
static void
merge(json_t *rules, json_t *index, const struct ks_remediate_group *g,
    const struct ks_remediate_group **last, json_t **last_r)
{
	const struct ks_remediate_group *l = *last;
	json_t *r, *v;
	size_t k;

	if (l != NULL && *last_r != NULL && same(l->api_group, g->api_group) &&
	    same(l->resource, g->resource) && same(l->subresource,
	    g->subresource) && same(l->path, g->path))
		r = *last_r;
	else if ((r = rule_for(rules, index, g)) == NULL)
		return;
	*last = g;
	*last_r = r;
	json_array_foreach(json_object_get(r, "verbs"), k, v)
		if (strcmp(json_string_value(v), g->verb) == 0)
			return;
	json_array_append_new(json_object_get(r, "verbs"), json_string(
	    g->verb));
}

/* The PolicyRule of a merged rule. */
static json_t *
policy_rule(json_t *r)
{
	json_t *verbs = json_object_get(r, "verbs");
	const char *vv[32];
	size_t n = 0, i;
	json_t *v;

	json_array_foreach(verbs, i, v)
		if (n < 32)
			vv[n++] = json_string_value(v);
	if (ks_json_str(r, "path") != NULL)
		return json_pack("{s:[s],s:O}", "nonResourceURLs",
		    ks_json_str(r, "path"), "verbs", verbs);
	return ks_rbac_rule_json(ks_json_str(r, "api_group") ?
	    ks_json_str(r, "api_group") : "", ks_json_str(r, "resource"),
	    ks_json_str(r, "subresource"), vv, n);
}

/* A role that could be extended, as ks_rbac_direct_bindings finds it. */
struct pick {
	struct ks_remediate_fix *f;
	struct ks_rbac	*rbac;
	const struct ks_rbac_grant *best;
	struct ks_rbac_grant best_copy;
	int		 best_score;
	int		 best_others;
	json_t		*skipped;	/* warnings about roles not chosen */
};

struct reach {
	const char	*actor;
	int		 broad, others;
	char		 first_other[256];
};

static int
count_reach(const struct ks_rbac_grant *g, void *arg)
{
	struct reach *r = arg;
	const struct ks_rbac_subject *s = &g->binding->subjects[g->subject];

	if (s->kind == KS_RBAC_GROUP && ks_rbac_broad_group(s->name))
		r->broad++;
	else if (s->user == NULL || strcmp(s->user, r->actor) != 0) {
		if (r->others++ == 0)
			snprintf(r->first_other, sizeof(r->first_other),
			    "%s %s", s->kind_name ? s->kind_name : "?",
			    s->name ? s->name : "?");
	}
	return 0;
}

/* A score for extending role: it already has rules for these resources. */
static int
closeness(const struct ks_rbac_role *role, json_t *rules)
{
	json_t *r;
	size_t i, k;
	int score = 1;

	json_array_foreach(rules, i, r) {
		const char *res = ks_json_str(r, "resource");
		for (k = 0; res && k < role->nstored; k++)
			for (size_t j = 0; j < role->rules[k].resources.n; j++)
				if (strcmp(role->rules[k].resources.v[j], res) == 0)
					score += 10;
	}
	return score;
}

static int
is_autoupdate(const struct ks_rbac_role *role)
{
	const char *v = ks_json_str(ks_json_obj(ks_json_obj(role->obj,
	    "metadata"), "annotations"), "rbac.authorization.kubernetes.io/"
	    "autoupdate");

	return v != NULL && strcmp(v, "true") == 0;
}

static void
skip(struct pick *p, const struct ks_rbac_role *role, const char *why)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s %s is bound to the actor but not "
	    "extended: %s", role->cluster ? "ClusterRole" : "Role", role->name,
	    why);
	json_array_append_new(p->skipped, json_string(buf));
}

static int
consider(const struct ks_rbac_grant *g, void *arg)
{
	struct pick *p = arg;
	const struct ks_rbac_role *role = g->role;
	struct reach r = { .actor = p->f->actor };
	int score;

	if (role == NULL)
		return 0;
	if (p->f->namespace == NULL ? !(g->binding->cluster && role->cluster) :
	    (g->binding->cluster || role->cluster ||
	    strcmp(role->namespace, p->f->namespace) != 0))
		return 0;	/* would grant more widely than the denials */
	if (role->aggregated) {
		skip(p, role, "it is aggregated (the controller rewrites its "
		    "rules)");
		return 0;
	}
	if (is_autoupdate(role)) {
		skip(p, role, "the apiserver reconciles it (autoupdate)");
		return 0;
	}
	ks_rbac_role_subjects(p->rbac, role, count_reach, &r);
	if (r.broad > 0) {
		skip(p, role, "it is also bound to a group that reaches "
		    "everyone of a kind");
		return 0;
	}
	score = closeness(role, p->f->rules) * 4 - r.others;
	if (p->best == NULL || score > p->best_score) {
		p->best_copy = *g;
		p->best = &p->best_copy;
		p->best_score = score;
		p->best_others = r.others;
	}
	return 0;
}

/* "kubesift-remediate-" and the actor in the characters names allow. */
static void
new_name(const char *actor, char *buf, size_t sz)
{
	size_t n = (size_t)snprintf(buf, sz, "kubesift-remediate-");

	for (const char *p = actor; *p && n + 1 < sz && n < 200; p++)
		buf[n++] = isalnum((unsigned char)*p) || *p == '.' ?
		    (char)tolower((unsigned char)*p) : '-';
	buf[n] = '\0';
}

/* The manifests of the change, and its target. */
static json_t *
manifests(struct ks_remediate_fix *f, struct pick *p, json_t *change)
{
	json_t *out = json_array(), *rules = json_array(), *r, *m;
	const char *ns = f->namespace;
	char name[256];
	size_t i;

	json_array_foreach(f->rules, i, r)
		json_array_append_new(rules, policy_rule(r));
	if (p->best != NULL) {
		const struct ks_rbac_role *role = p->best->role;
		m = ks_rbac_role_manifest(role, NULL);
		json_array_extend(json_object_get(m, "rules") ?
		    json_object_get(m, "rules") : (json_object_set_new(m,
		    "rules", json_array()), json_object_get(m, "rules")), rules);
		json_array_append_new(out, m);
		json_object_set_new(change, "target_name", json_string(role->name));
		json_object_set_new(change, "binding", json_string(
		    p->best->binding->name));
	} else {
		new_name(f->actor, name, sizeof(name));
		/* (Its rules are the change's, the same JSON: not a copy.) */
		if ((m = ks_rbac_role_new_manifest(ns, name, NULL)) != NULL)
			json_object_set(m, "rules", rules);
		json_array_append_new(out, m);
		json_array_append_new(out, ks_rbac_binding_new_manifest(ns,
		    name, ns ? "Role" : "ClusterRole", name, f->actor));
		json_object_set_new(change, "target_name", json_string(name));
		json_object_set_new(change, "binding", json_string(name));
	}
	json_object_set_new(change, "rules", rules);
	return out;
}

static void warn(json_t *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn(json_t *change, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(json_object_get(change, "warnings"),
	    json_string(buf));
}

/* Grants that hand out more than they seem to. */
static void
danger(json_t *change, json_t *r)
{
	static const char *const subs[][2] = { { "pods", "exec" },
	    { "pods", "attach" }, { "pods", "portforward" },
	    { "nodes", "proxy" }, { "serviceaccounts", "token" } };
	const char *res = ks_json_str(r, "resource");
	const char *sub = ks_json_str(r, "subresource");
	json_t *v;
	size_t i;

	if (res != NULL && strcmp(res, "secrets") == 0)
		warn(change, "dangerous: reading secrets gives their contents, "
		    "credentials included");
	for (i = 0; res && sub && i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(res, subs[i][0]) == 0 && strcmp(sub, subs[i][1]) == 0)
			warn(change, "dangerous: %s/%s gives a way into "
			    "workloads or nodes", res, sub);
	json_array_foreach(json_object_get(r, "verbs"), i, v) {
		const char *verb = json_string_value(v);
		if (strcmp(verb, "bind") == 0 || strcmp(verb, "escalate") == 0 ||
		    strcmp(verb, "impersonate") == 0)
			warn(change, "dangerous: the verb %s lets the actor "
			    "gain permissions it does not have", verb);
		if (strcmp(verb, "*") == 0)
			warn(change, "dangerous: a wildcard verb");
	}
	if ((res && strchr(res, '*')) || (sub && strchr(sub, '*')))
		warn(change, "dangerous: a wildcard resource");
}

/* s as a JSON string, or null for NULL or "". */
static json_t *
str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

/* What rf says of resource full, as the change's "resources" has it,
   the keys in this order; NULL when a text is not UTF-8 (json_pack's
   answer: its parse of a format, for each, cost as much as the rest). */
static json_t *
resource_json(const char *full, const struct ks_resource_facts *rf)
{
	json_t *o = json_object();
	json_t *v[6] = { json_string(full), json_boolean(rf->known),
	    json_boolean(rf->builtin), str_or_null(rf->crd),
	    json_boolean(rf->established), str_or_null(rf->served) };
	static const char *const keys[6] = { "resource", "exists", "builtin",
	    "crd", "established", "served_versions" };
	int ok = o != NULL;

	for (int i = 0; i < 6; i++)
		ok &= v[i] != NULL;
	for (int i = 0; i < 6; i++)
		if (ok)
			json_object_set_new(o, keys[i], v[i]);
		else
			json_decref(v[i]);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Does each resource exist (built in, or a CRD that is established)? */
static json_t *
resources(struct ks_remediate_fix *f, json_t *change)
{
	json_t *out = json_array(), *r;
	struct ks_resource_facts rf;
	const struct ks_resource_facts *known;
	char full[512];
	size_t i;

	json_array_foreach(f->rules, i, r) {
		const char *res = ks_json_str(r, "resource");
		const char *grp = ks_json_str(r, "api_group");
		if (res == NULL || (known = ks_remediate_resource(f->memo, grp,
		    res)) == NULL)
			continue;
		rf = *known;
		snprintf(full, sizeof(full), "%s%s%s", res, grp && *grp ? "." :
		    "", grp ? grp : "");
		json_array_append_new(out, resource_json(full, &rf));
		if (!rf.known)
			warn(change, "no CRD for %s in the snapshot: install it "
			    "first, or the rule grants nothing that exists",
			    full);
		else if (!rf.established)
			warn(change, "the CRD %s is not Established", rf.crd);
		if (rf.namespaced == 0 && f->namespace != NULL)
			warn(change, "%s is cluster-scoped, but it was requested "
			    "in namespace %s", full, f->namespace);
		danger(change, r);
	}
	return out;
}

/* Does a rule of rbac name objects (resourceNames)?  Else no name can
   change what it allows. */
static int
names_matter(struct ks_rbac *rbac)
{
	struct ks_rbac_role *const *roles;
	size_t n;

	roles = ks_rbac_roles(rbac, &n);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < roles[i]->nrules; k++)
			if (roles[i]->rules[k].resource_names.n > 0)
				return 1;
	return 0;
}

json_t *
ks_remediate_change(struct ks_rbac *rbac, struct ks_remediate_fix *f)
{
	struct pick p = { .f = f, .rbac = rbac, .skipped = json_array() };
	json_t *change, *m, *v, *index = json_object(), *last_r = NULL;
	const struct ks_remediate_group *last = NULL;
	struct ks_rbac *patched;
	struct ks_err err;
	long denials = 0, after = 0;
	size_t i;
	int names;

	for (i = 0; i < f->groups.n; i++)
		merge(f->rules, index, f->groups.v[i], &last, &last_r);
	json_decref(index);
	ks_rbac_direct_bindings(rbac, f->actor, f->namespace, consider, &p);
	change = json_pack("{s:s,s:s,s:s,s:n,s:s?,s:b,s:n,s:n,s:[],s:i}",
	    "actor", f->actor, "subject_kind", strncmp(f->actor,
	    "system:serviceaccount:", 22) == 0 ? "ServiceAccount" : "User",
	    "target_kind", f->namespace ? "Role" : "ClusterRole",
	    "target_name", "target_namespace", f->namespace, "target_exists",
	    p.best != NULL, "denials", "allowed_after", "warnings",
	    "evidence", -1);	/* (the plan sets it) */
	m = manifests(f, &p, change);
	json_array_foreach(p.skipped, i, v)
		json_array_append(json_object_get(change, "warnings"), v);
	if (p.best_others > 0)
		warn(change, "the role is bound to others too: they gain the "
		    "rule as well");
	json_object_set_new(change, "resources", resources(f, change));
	json_object_set_new(change, "known_issues", ks_remediate_known(f));
	json_object_set_new(change, "manifests", m);
	/* Replay every denial against the RBAC with the change applied. */
	if ((patched = ks_rbac_clone(rbac)) != NULL) {
		json_array_foreach(m, i, v)
			ks_rbac_add(patched, v, &err);
		names = names_matter(patched);
		for (i = 0; i < f->groups.n; i++) {
			denials += (long)f->groups.v[i]->count;
			after += ks_remediate_replay(f->memo, patched, names,
			    f->groups.v[i]);
		}
		ks_rbac_free(patched);
	}
	json_object_set_new(change, "denials", json_integer(denials));
	json_object_set_new(change, "allowed_after", json_integer(after));
	json_decref(p.skipped);
	return change;
}
