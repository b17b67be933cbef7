/*
 * Least privilege (unused.h): every grant of the snapshot's RBAC, subject
 * by subject and rule by rule, marked with the allowed requests of the
 * window that it would allow, in one pass over them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/dangerous.h"
#include "rbac/rbacdb.h"
#include "rbac/rbacfmt.h"
#include "rbac/unused.h"
#include "rbac/unused-int.h"
#include "util/timeutil.h"

/* Does pattern (exact, or a GLOB when it holds * ? or [) match s? */
static int
name_match(const char *pattern, const char *s)
{
	if (s == NULL)
		return 0;
	if (strpbrk(pattern, "*?[") != NULL)
		return sqlite3_strglob(pattern, s) == 0;
	return strcmp(pattern, s) == 0;
}

/* Does the filter select subject s of binding b? */
static int
selected(const struct ks_filter *f, const struct ks_rbac_binding *b,
    const struct ks_rbac_subject *s)
{
	int ok = f->actor.n == 0;

	for (int i = 0; !ok && i < f->actor.n; i++)
		ok = name_match(f->actor.v[i], s->name) ||
		    name_match(f->actor.v[i], s->user);
	if (!ok || f->namespace.n == 0)
		return ok;
	for (int i = 0; i < f->namespace.n; i++)
		if (*f->namespace.v[i] == '\0' ? b->cluster : !b->cluster &&
		    strcmp(b->namespace, f->namespace.v[i]) == 0)
			return 1;
	return 0;
}

/* Load the RBAC and lay out one use per binding x subject x rule. */
static int
setup(struct ks_unused *u, const struct ks_filter *f,
    const struct ks_unused_opts *o, struct ks_err *err)
{
	const struct ks_rbac_binding *b;
	size_t i, j, k, total = 0;
	long n;

	if ((u->rbac = ks_rbacdb_load(u->db, o->snapshot, &n, err)) == NULL ||
	    ks_rbac_resolve(u->rbac, err) < 0)
		return -1;
	u->b = ks_rbac_bindings(u->rbac, &u->nb, NULL);
	if ((u->base = calloc(u->nb + 1, sizeof(*u->base))) == NULL)
		goto nomem;
	for (i = 0; i < u->nb; i++) {
		b = u->b[i];
		u->base[i] = b->role == NULL ? SIZE_MAX : total;
		if (b->role != NULL)
			total += b->nsubjects * b->role->nrules;
	}
	if ((u->uses = calloc(total + 1, sizeof(*u->uses))) == NULL)
		goto nomem;
	for (i = 0; i < u->nb; i++)
		for (j = 0, b = u->b[i]; b->role != NULL && j < b->nsubjects;
		    j++)
			for (k = 0; k < b->role->nrules; k++) {
				struct ks_unused_use *x = &u->uses[u->nuses++];

				x->binding = b;
				x->subject = j;
				x->rule = k;
				x->selected = selected(f, b, &b->subjects[j]);
			}
	return 0;
nomem:
	ks_err_set(err, "out of memory");
	return -1;
}

static void
teardown(struct ks_unused *u)
{
	for (size_t i = 0; i < u->nuses; i++)
		json_decref(u->uses[i].used);
	free(u->uses);
	free(u->base);
	free(u->only);
	ks_unused_unload(u);
	ks_rbac_free(u->rbac);
}

int
ks_unused_in_scope(const struct ks_rbac_binding *b,
    const struct ks_rbac_request *req)
{
	if (b->cluster)
		return 1;
	return req->resource != NULL && req->namespace != NULL &&
	    *req->namespace != '\0' && b->namespace != NULL &&
	    strcmp(b->namespace, req->namespace) == 0;
}

/* Count the requests of group g against use x. */
static void
record(struct ks_unused_use *x, const struct ks_unused_group *g)
{
	const struct ks_rbac_request *req = &g->req;
	char key[1024];
	json_t *verbs;

	if (req->resource != NULL)
		snprintf(key, sizeof(key), "R\t%s\t%s%s%s", req->api_group ?
		    req->api_group : "", req->resource, req->subresource &&
		    *req->subresource ? "/" : "", req->subresource ?
		    req->subresource : "");
	else
		snprintf(key, sizeof(key), "U\t%s", req->path);
	if (x->requests == 0)
		x->first_us = x->last_us = KS_TIME_NONE;
	x->requests += g->count;
	if (g->first_us != KS_TIME_NONE && (x->first_us == KS_TIME_NONE ||
	    g->first_us < x->first_us))
		x->first_us = g->first_us;
	if (g->last_us != KS_TIME_NONE && (x->last_us == KS_TIME_NONE ||
	    g->last_us > x->last_us))
		x->last_us = g->last_us;
	if (x->used == NULL && (x->used = json_object()) == NULL)
		return;
	if ((verbs = json_object_get(x->used, key)) == NULL)
		json_object_set_new(x->used, key, verbs = json_object());
	json_object_set_new(verbs, req->verb, json_integer(g->count +
	    json_integer_value(json_object_get(verbs, req->verb))));
}

/* Mark every grant that allows group g's requests for their actor. */
static void
mark(struct ks_unused *u, const struct ks_unused_group *g)
{
	const struct ks_rbac_request *req = &g->req;
	const struct ks_rbac_binding *b;
	const struct ks_rbac_role *role;

	if (strcmp(req->verb, "impersonate") != 0)
		u->requests += g->count;
	for (size_t i = 0; i < u->nb; i++) {
		b = u->b[i];
		if ((role = b->role) == NULL || !ks_unused_in_scope(b, req))
			continue;
		for (size_t j = 0; j < b->nsubjects; j++) {
			if (!ks_rbac_subject_applies(&b->subjects[j], req))
				continue;
			for (size_t k = 0; k < role->nrules; k++)
				if (ks_rbac_rule_allows(&role->rules[k], req))
					record(&u->uses[u->base[i] + j *
					    role->nrules + k], g);
		}
	}
}

/* A list of strings as a new JSON array. */
static json_t *
strv_json(const struct ks_rbac_strv *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
ks_unused_sorted_keys(const json_t *set)
{
	const char *key, **v;
	json_t *a = json_array(), *val;
	size_t n = 0;

	if (a == NULL || (v = calloc(json_object_size(set) + 1,
	    sizeof(*v))) == NULL)
		return a;
	json_object_foreach((json_t *)set, key, val)
		v[n++] = key;
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	free(v);
	return a;
}

/*
 * What of x was used: the verbs, API groups, resources (RES[.GROUP][/SUB],
 * as --resource takes them) and URLs, each a sorted array, set in e.
 */
static void
used_sets(const struct ks_unused_use *x, json_t *e)
{
	json_t *verbs = json_object(), *groups = json_object();
	json_t *res = json_object(), *urls = json_object(), *vs, *c;
	const char *key, *verb, *g, *r;
	char buf[1024], rname[512], *slash;
	size_t glen;

	json_object_foreach(x->used, key, vs) {
		json_object_foreach(vs, verb, c)
			json_object_set(verbs, verb, json_true());
		if (key[0] == 'U') {
			json_object_set(urls, key + 2, json_true());
			continue;
		}
		g = key + 2;
		r = strchr(g, '\t') + 1;
		glen = (size_t)(r - 1 - g);
		snprintf(buf, sizeof(buf), "%.*s", (int)glen, g);
		json_object_set(groups, buf, json_true());
		snprintf(rname, sizeof(rname), "%s", r);
		if ((slash = strchr(rname, '/')) != NULL)
			*slash = '\0';
		snprintf(buf, sizeof(buf), "%s%s%.*s%s", rname, glen ? "." : "",
		    (int)glen, g, slash ? strchr(r, '/') : "");
		json_object_set(res, buf, json_true());
	}
	json_object_set_new(e, "used_verbs", ks_unused_sorted_keys(verbs));
	json_object_set_new(e, "used_api_groups", ks_unused_sorted_keys(groups));
	json_object_set_new(e, "used_resources", ks_unused_sorted_keys(res));
	json_object_set_new(e, "used_urls", ks_unused_sorted_keys(urls));
	json_decref(verbs);
	json_decref(groups);
	json_decref(res);
	json_decref(urls);
}

/* Does some string of v hold a '*'? */
static int
has_star(const struct ks_rbac_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (strchr(v->v[i], '*') != NULL)
			return 1;
	return 0;
}

/* Was every verb, and every API group x resource or URL, of x's rule
   used (no wildcard in it)? */
static int
fully_used(const struct ks_unused_use *x)
{
	const struct ks_rbac_rule *r = &x->binding->role->rules[x->rule];
	json_t *verbs = json_object(), *vs, *c;
	const char *key, *verb;
	char k[1024];
	int full = x->requests > 0 && verbs != NULL && !has_star(&r->verbs) &&
	    !has_star(&r->api_groups) && !has_star(&r->resources) &&
	    !has_star(&r->urls);

	json_object_foreach(x->used, key, vs)
		json_object_foreach(vs, verb, c)
			json_object_set(verbs, verb, json_true());
	for (size_t i = 0; full && i < r->verbs.n; i++)
		full = json_object_get(verbs, r->verbs.v[i]) != NULL;
	for (size_t g = 0; full && g < r->api_groups.n; g++)
		for (size_t i = 0; full && i < r->resources.n; i++) {
			snprintf(k, sizeof(k), "R\t%s\t%s", r->api_groups.v[g],
			    r->resources.v[i]);
			full = json_object_get(x->used, k) != NULL;
		}
	for (size_t i = 0; full && i < r->urls.n; i++) {
		snprintf(k, sizeof(k), "U\t%s", r->urls.v[i]);
		full = json_object_get(x->used, k) != NULL;
	}
	json_decref(verbs);
	return full;
}

/* The entry of use x (see unused.h), a new object. */
static json_t *
entry(const struct ks_unused_use *x, const json_t *span)
{
	const struct ks_rbac_binding *b = x->binding;
	const struct ks_rbac_subject *s = &b->subjects[x->subject];
	const struct ks_rbac_rule *r = &b->role->rules[x->rule];
	char why[512], text[2048], t[KS_TIME_BUFSZ];
	const char *d = ks_rbac_rule_dangerous(r, why, sizeof(why));
	json_t *e;

	e = json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s?,s:s,s:s,s:s?,s:I,s:s?,"
	    "s:{s:o,s:o,s:o,s:o,s:o},s:b,s:I,s:b,s:s?,s:O,s:O}",
	    "subject_kind", s->kind_name, "subject", s->name,
	    "subject_namespace", s->namespace,
	    "binding_kind", b->cluster ? "ClusterRoleBinding" : "RoleBinding",
	    "binding", b->name, "binding_namespace", b->namespace,
	    "role_kind", b->role->cluster ? "ClusterRole" : "Role",
	    "role", b->role->name, "role_namespace", b->role->namespace,
	    "rule_index", (json_int_t)x->rule,
	    "aggregated_from", r->aggregated_from,
	    "rule", "verbs", strv_json(&r->verbs), "api_groups",
	    strv_json(&r->api_groups), "resources", strv_json(&r->resources),
	    "resource_names", strv_json(&r->resource_names),
	    "non_resource_urls", strv_json(&r->urls),
	    "used", x->requests > 0, "requests", (json_int_t)x->requests,
	    "dangerous", d != NULL, "dangerous_reason", d,
	    "span_from", json_object_get(span, "from"),
	    "span_to", json_object_get(span, "to"));
	if (e == NULL)
		return NULL;
	json_object_set_new(e, "rule_text", json_string(ks_rbacfmt_rule(r,
	    text, sizeof(text))));
	json_object_set_new(e, "subject_user", s->user ? json_string(s->user) :
	    json_null());
	json_object_set_new(e, "fully_used", json_boolean(fully_used(x)));
	json_object_set_new(e, "first_used", x->requests && x->first_us !=
	    KS_TIME_NONE ? json_string(ks_time_format(x->first_us, t)) :
	    json_null());
	json_object_set_new(e, "last_used", x->requests && x->last_us !=
	    KS_TIME_NONE ? json_string(ks_time_format(x->last_us, t)) :
	    json_null());
	used_sets(x, e);
	return e;
}

/* A string field for sorting; NULL and absent sort as "". */
static const char *
sf(const json_t *e, const char *key)
{
	const char *s = json_string_value(json_object_get(e, key));

	return s ? s : "";
}

/* Dangerous first, then unused, then subject, binding, rule. */
static int
cmp_entry(const void *pa, const void *pb)
{
	static const char *const keys[] = { "subject_kind", "subject",
	    "subject_namespace", "binding_kind", "binding_namespace",
	    "binding" };
	const json_t *a = *(const json_t *const *)pa;
	const json_t *b = *(const json_t *const *)pb;
	int c;

	if ((c = json_is_true(json_object_get(b, "dangerous")) -
	    json_is_true(json_object_get(a, "dangerous"))) != 0)
		return c;
	if ((c = json_is_true(json_object_get(a, "used")) -
	    json_is_true(json_object_get(b, "used"))) != 0)
		return c;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((c = strcmp(sf(a, keys[i]), sf(b, keys[i]))) != 0)
			return c;
	return (int)(json_integer_value(json_object_get(a, "rule_index")) -
	    json_integer_value(json_object_get(b, "rule_index")));
}

/* The entries of the selected uses, sorted, as a new array. */
static json_t *
entries(const struct ks_unused *u, const json_t *span)
{
	json_t **v, *a = json_array();
	size_t n = 0;

	if (a == NULL || (v = calloc(u->nuses + 1, sizeof(*v))) == NULL) {
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < u->nuses; i++)
		if (u->uses[i].selected && (v[n] = entry(&u->uses[i], span)) !=
		    NULL)
			n++;
	qsort(v, n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
	return a;
}

/* Is some grant judged: a selected one (or, to tighten, any: the replay
   reads every request the RBAC allows)? */
static int
judged(const struct ks_unused *u, const struct ks_unused_opts *o)
{
	for (size_t i = 0; i < u->nuses; i++)
		if (o->tighten || u->uses[i].selected)
			return 1;
	return 0;
}

/*
 * When only the selected grants' use is wanted (opts->no_requests, no
 * tightening) and their subjects are users and service accounts, the
 * users whose requests can use them, in u->only (the rest is never read);
 * a group may be anyone's: all are read then.  0, or -1 out of memory.
 */
static int
only_users(struct ks_unused *u, const struct ks_unused_opts *o)
{
	const struct ks_rbac_subject *s;
	size_t i, j;

	if (!o->no_requests || o->tighten)
		return 0;
	for (i = 0; i < u->nuses; i++)
		if (u->uses[i].selected && u->uses[i].binding->subjects[
		    u->uses[i].subject].kind == KS_RBAC_GROUP)
			return 0;
	if ((u->only = calloc(u->nuses + 1, sizeof(*u->only))) == NULL)
		return -1;
	for (i = 0; i < u->nuses; i++) {
		s = &u->uses[i].binding->subjects[u->uses[i].subject];
		/* (No user name: a subject that matches nobody.) */
		if (!u->uses[i].selected || s->user == NULL)
			continue;
		for (j = 0; j < u->nonly && strcmp(u->only[j], s->user) != 0;
		    j++)
			;
		if (j == u->nonly)
			u->only[u->nonly++] = s->user;
	}
	return 0;
}

json_t *
ks_unused_plan(sqlite3 *db, const struct ks_filter *filter,
    const struct ks_unused_opts *opts, struct ks_err *err)
{
	struct ks_unused u;
	json_t *plan = NULL, *span = NULL, *e, *t;

	memset(&u, 0, sizeof(u));
	u.db = db;
	u.since_us = filter->since_us;
	u.until_us = filter->until_us;
	u.progress = opts->progress;
	u.progress_arg = opts->progress_arg;
	if (setup(&u, filter, opts, err) < 0)
		goto out;
	if (only_users(&u, opts) < 0) {
		ks_err_set(err, "out of memory");
		goto out;
	}
	if ((!opts->no_requests || judged(&u, opts)) &&
	    ks_unused_load(&u, err) < 0)
		goto out;
	for (size_t i = 0; i < u.nreqs; i++)
		mark(&u, &u.reqs[i]);
	if (u.only != NULL)
		u.requests = 0;		/* some users' only: not asked for */
	if ((span = ks_unused_span(&u, err)) == NULL)
		goto out;
	if ((e = entries(&u, span)) == NULL ||
	    (plan = json_pack("{s:O,s:o}", "span", span, "entries", e)) ==
	    NULL) {
		ks_err_set(err, "out of memory");
		goto out;
	}
	if (opts->tighten) {
		if ((t = ks_unused_tighten(&u, err)) == NULL) {
			json_decref(plan);
			plan = NULL;
			goto out;
		}
		json_object_set_new(plan, "tightened", t);
	}
out:
	json_decref(span);
	teardown(&u);
	return plan;
}
