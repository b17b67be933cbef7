/*
 * The tightened roles of `unused -o yaml`: each role reached by the
 * selected grants, with only what they used, then every allowed request
 * of the window replayed against the tightened RBAC.  A rule whose
 * tightening would refuse one of them is kept as it was, with the
 * request that needs it, and the replay runs again until none is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/unused-int.h"

/* One role being tightened. */
struct trole {
	const struct ks_rbac_role *role; /* borrowed from u->rbac */
	int		*keep;		/* per stored rule: 1 = as it was */
	json_t		*kept;		/* [{rule_index, reason}], owned */
	json_t		*manifest;	/* the tightened role, owned */
	int		 changed;	/* its rules differ from the original */
	char		 skip[512];	/* why it is left alone, or "" */
};

/* The roles of one run, and the current replay. */
struct tight {
	struct ks_unused *u;
	struct trole	*r;		/* owned, n of them */
	size_t		 n;
	struct ks_rbac	*after;		/* the tightened RBAC, owned */
	long long	 replayed;	/* allowed requests before */
	long long	 refused;	/* of those, refused after */
	size_t		 restored;	/* rules kept in this pass */
};

/* The trole of role, or NULL. */
static struct trole *
find(struct tight *t, const struct ks_rbac_role *role)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->r[i].role == role)
			return &t->r[i];
	return NULL;
}

/* ks_rbac_role_fn: the name of the first aggregator, into arg. */
static int
first_aggregator(const struct ks_rbac_role *role, void *arg)
{
	snprintf(arg, 256, "%s", role->name);
	return 1;
}

/* Why role is not to be tightened, into tr->skip ("" when it is). */
static void
why_skip(struct ks_rbac *rbac, struct trole *tr)
{
	const struct ks_rbac_role *role = tr->role;
	const char *au = json_string_value(json_object_get(json_object_get(
	    json_object_get(role->obj, "metadata"), "annotations"),
	    "rbac.authorization.kubernetes.io/autoupdate"));
	char agg[256] = "";

	if (role->aggregated)
		snprintf(tr->skip, sizeof(tr->skip), "an aggregated ClusterRole: "
		    "the aggregation controller owns its rules; tighten the "
		    "roles it aggregates instead");
	else if (au != NULL && strcmp(au, "true") == 0)
		snprintf(tr->skip, sizeof(tr->skip), "a bootstrap role "
		    "(autoupdate): the apiserver restores its rules when it "
		    "starts; bind its subjects to a role of their own instead");
	else if (ks_rbac_aggregators(rbac, role, first_aggregator, agg) > 0)
		snprintf(tr->skip, sizeof(tr->skip), "its rules are aggregated "
		    "into ClusterRole %s: tightening it would take them from "
		    "that role's subjects too", agg);
}

/* The roles of the selected uses, each once, in the order met. */
static int
collect(struct tight *t)
{
	const struct ks_rbac_role *role;

	if ((t->r = calloc(t->u->nuses + 1, sizeof(*t->r))) == NULL)
		return -1;
	for (size_t i = 0; i < t->u->nuses; i++) {
		role = t->u->uses[i].binding->role;
		if (!t->u->uses[i].selected || find(t, role) != NULL)
			continue;
		t->r[t->n].role = role;
		why_skip(t->u->rbac, &t->r[t->n]);
		if ((t->r[t->n].keep = calloc(role->nrules + 1, sizeof(int))) ==
		    NULL || (t->r[t->n++].kept = json_array()) == NULL)
			return -1;
	}
	return 0;
}

/* The union of what the selected uses of role's rule k used, a new
   object "R\tGROUP\tRES" or "U\tPATH" -> {verb: true}. */
static json_t *
merged_use(const struct ks_unused *u, const struct ks_rbac_role *role,
    size_t k)
{
	json_t *m = json_object(), *vs, *c, *to;
	const struct ks_unused_use *x;
	const char *key, *verb;

	for (size_t i = 0; m != NULL && i < u->nuses; i++) {
		x = &u->uses[i];
		if (!x->selected || x->binding->role != role || x->rule != k)
			continue;
		json_object_foreach(x->used, key, vs) {
			if ((to = json_object_get(m, key)) == NULL)
				json_object_set_new(m, key, to = json_object());
			json_object_foreach(vs, verb, c)
				json_object_set(to, verb, json_true());
		}
	}
	return m;
}

/* "get,list": the sorted verbs of a {verb: ...} object, into buf. */
static void
verbs_key(const json_t *vs, char *buf, size_t sz)
{
	json_t *a = ks_unused_sorted_keys(vs), *v;
	size_t i, len = 0;

	buf[0] = '\0';
	json_array_foreach(a, i, v)
		if (len < sz)
			len += (size_t)snprintf(buf + len, sz - len, "%s%s",
			    i ? "," : "", json_string_value(v));
	json_decref(a);
}

/* A new JSON array of the comma-separated words of s. */
static json_t *
split(const char *s)
{
	json_t *a = json_array();
	const char *comma;

	while (a != NULL && *s != '\0') {
		comma = strchr(s, ',');
		json_array_append_new(a, comma ? json_stringn(s, (size_t)(comma
		    - s)) : json_string(s));
		s = comma ? comma + 1 : s + strlen(s);
	}
	return a;
}

/*
 * Append to rules what the use m needs, tightest without names: one rule
 * per API group and set of verbs, with the resources used with exactly
 * those verbs (the resourceNames of orig kept); one per set of verbs for
 * URLs.
 */
static void
append_used(json_t *rules, const json_t *m, const json_t *orig)
{
	json_t *by = json_object(), *keys, *k, *res, *rule;
	const json_t *names = json_object_get(orig, "resourceNames");
	const char *key, *tab, *verbs;
	char vk[1024], gk[1400];
	json_t *mk = ks_unused_sorted_keys(m), *vs;
	size_t i;

	json_array_foreach(mk, i, k) {
		key = json_string_value(k);
		vs = json_object_get(m, key);
		verbs_key(vs, vk, sizeof(vk));
		tab = key[0] == 'R' ? strchr(key + 2, '\t') : key + 1;
		snprintf(gk, sizeof(gk), "%c\t%.*s\t%s", key[0],
		    (int)(tab - key - 2 < 0 ? 0 : tab - key - 2), key + 2, vk);
		if ((res = json_object_get(by, gk)) == NULL)
			json_object_set_new(by, gk, res = json_array());
		json_array_append_new(res, json_string(tab + 1));
	}
	keys = ks_unused_sorted_keys(by);
	json_array_foreach(keys, i, k) {
		key = json_string_value(k);
		tab = strchr(key + 2, '\t');
		verbs = tab + 1;
		res = json_object_get(by, key);
		if (key[0] == 'U')
			rule = json_pack("{s:O,s:o}", "nonResourceURLs", res,
			    "verbs", split(verbs));
		else
			rule = json_pack("{s:[s#],s:O,s:o}", "apiGroups",
			    key + 2, (int)(tab - key - 2), "resources", res,
			    "verbs", split(verbs));
		if (rule != NULL && key[0] == 'R' && json_array_size(names))
			json_object_set(rule, "resourceNames", (json_t *)names);
		json_array_append_new(rules, rule);
	}
	json_decref(keys);
	json_decref(mk);
	json_decref(by);
}

/* Make tr's manifest: its rules kept, tightened or dropped; 0 or -1. */
static int
build(const struct ks_unused *u, struct trole *tr)
{
	const struct ks_rbac_role *role = tr->role;
	json_t *m = ks_rbac_role_manifest(role, NULL), *old, *rules, *use;

	if (m == NULL || (rules = json_array()) == NULL) {
		json_decref(m);
		return -1;
	}
	old = json_object_get(m, "rules");
	for (size_t k = 0; k < role->nstored && k < json_array_size(old);
	    k++) {
		if (tr->keep[k]) {
			json_array_append(rules, json_array_get(old, k));
			continue;
		}
		if ((use = merged_use(u, role, k)) == NULL)
			break;
		append_used(rules, use, json_array_get(old, k));
		json_decref(use);
	}
	tr->changed = !json_equal(rules, old);
	json_object_set_new(m, "rules", rules);
	json_decref(tr->manifest);
	tr->manifest = m;
	return 0;
}

/* Does some subject of b apply to req's actor? */
static int
applies(const struct ks_rbac_binding *b, const struct ks_rbac_request *req)
{
	for (size_t j = 0; j < b->nsubjects; j++)
		if (ks_rbac_subject_applies(&b->subjects[j], req))
			return 1;
	return 0;
}

/* Keep as they were the rules of the tightened roles that allow req for
   its actor (it was refused after). */
static void
restore(struct tight *t, const struct ks_rbac_request *req, long long n)
{
	const struct ks_rbac_binding *b;
	struct trole *tr;
	char why[1024];

	snprintf(why, sizeof(why), "kept as it was: the tightened role would "
	    "refuse %s %s %s%s%s%s%s (%lld allowed request%s in the window)",
	    req->user ? req->user : "", req->verb, req->resource ?
	    req->resource : req->path, req->subresource ? "/" : "",
	    req->subresource ? req->subresource : "", req->namespace ?
	    " in namespace " : "", req->namespace ? req->namespace : "", n,
	    n == 1 ? "" : "s");
	for (size_t i = 0; i < t->u->nb; i++) {
		b = t->u->b[i];
		if (b->role == NULL || (tr = find(t, b->role)) == NULL ||
		    !ks_unused_in_scope(b, req))
			continue;
		if (!applies(b, req))
			continue;
		for (size_t k = 0; k < b->role->nstored; k++)
			if (!tr->keep[k] && ks_rbac_rule_allows(
			    &b->role->rules[k], req)) {
				tr->keep[k] = 1;
				t->restored++;
				json_array_append_new(tr->kept, json_pack(
				    "{s:I,s:s}", "rule_index", (json_int_t)k,
				    "reason", why));
			}
	}
}

/* ks_unused_req_fn: replay one group of requests. */
static int
replay_one(const struct ks_rbac_request *req, long long n, void *arg)
{
	struct tight *t = arg;

	if (ks_rbac_allows(t->u->rbac, req, NULL) != 1)
		return 0;
	if (strcmp(req->verb, "impersonate") != 0)
		t->replayed += n;
	if (ks_rbac_allows(t->after, req, NULL) == 1)
		return 0;
	t->refused += n;
	restore(t, req, n);
	return 0;
}

/*
 * Build every manifest, clone the RBAC with them in place of the
 * originals, and replay the window against it.  0 or -1 with err.
 */
static int
replay(struct tight *t, struct ks_err *err)
{
	ks_rbac_free(t->after);
	if ((t->after = ks_rbac_clone(t->u->rbac)) == NULL) {
		ks_err_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (t->r[i].skip[0] != '\0')
			continue;
		if (build(t->u, &t->r[i]) < 0 ||
		    ks_rbac_add(t->after, t->r[i].manifest, err) < 0) {
			if (!err->msg[0])
				ks_err_set(err, "out of memory");
			return -1;
		}
	}
	t->replayed = t->refused = 0;
	t->restored = 0;
	ks_unused_requests(t->u, replay_one, t);
	return 0;
}

/* The result of tr (see unused.h), a new object. */
static json_t *
result(const struct tight *t, const struct trole *tr)
{
	const struct ks_rbac_role *role = tr->role;
	const char *skip = tr->skip[0] ? tr->skip : NULL;

	return json_pack("{s:s,s:s,s:s?,s:b,s:O?,s:I,s:I,s:O,s:I,s:I,s:s?}",
	    "role_kind", role->cluster ? "ClusterRole" : "Role",
	    "role", role->name, "role_namespace", role->namespace,
	    "changed", skip == NULL && tr->changed,
	    "manifest", skip ? NULL : tr->manifest,
	    "rules_before", (json_int_t)role->nstored,
	    "rules_after", (json_int_t)(skip ? role->nstored :
	    json_array_size(json_object_get(tr->manifest, "rules"))),
	    "kept", tr->kept, "replayed", (json_int_t)t->replayed,
	    "refused_after", (json_int_t)t->refused, "skipped", skip);
}

json_t *
ks_unused_tighten(struct ks_unused *u, struct ks_err *err)
{
	struct tight t;
	json_t *out = NULL;

	memset(&t, 0, sizeof(t));
	t.u = u;
	if (collect(&t) < 0) {
		ks_err_set(err, "out of memory");
		goto done;
	}
	do {
		if (replay(&t, err) < 0)
			goto done;
	} while (t.restored > 0);
	if ((out = json_array()) != NULL)
		for (size_t i = 0; i < t.n; i++)
			json_array_append_new(out, result(&t, &t.r[i]));
done:
	for (size_t i = 0; t.r != NULL && i < t.n; i++) {
		free(t.r[i].keep);
		json_decref(t.r[i].kept);
		json_decref(t.r[i].manifest);
	}
	free(t.r);
	ks_rbac_free(t.after);
	return out;
}
