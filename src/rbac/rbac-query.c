/*
 * Questions asked of the RBAC of a snapshot: is a request allowed (the
 * RBAC authorizer's Authorize with the rule resolver's VisitRulesFor),
 * who may make it, why an actor may not, which roles name an actor
 * directly, which bindings grant nothing, which aggregated ClusterRoles
 * take in a role's rules.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbac.h"

/* The bindings visited for one request: CRBs [0, ncluster) and the
   RoleBindings of the request's namespace [lo, hi). */
struct scope {
	struct ks_rbac_binding *const *b;
	size_t		 n;		/* all bindings */
	size_t		 ncluster;
	size_t		 lo, hi;	/* RoleBindings of the namespace */
};

/* Is req well formed? */
static int
valid(const struct ks_rbac_request *req)
{
	return req != NULL && req->verb != NULL &&
	    (req->resource != NULL || req->path != NULL);
}

/*
 * The namespace whose RoleBindings are visited: NULL for cluster-scoped and
 * non-resource requests (VisitRulesFor lists RoleBindings only when the
 * namespace is not empty; non-resource requests have none).
 */
static const char *
req_ns(const struct ks_rbac_request *req)
{
	if (req->resource == NULL || req->namespace == NULL ||
	    *req->namespace == '\0')
		return NULL;
	return req->namespace;
}

/* Fill sc for namespace ns (NULL: ClusterRoleBindings only).  0 or -1. */
static int
scope(struct ks_rbac *r, const char *ns, struct scope *sc)
{
	size_t lo, hi, mid;

	if (ks_rbac_resolve(r, NULL) == -1)
		return -1;
	sc->b = ks_rbac_bindings(r, &sc->n, &sc->ncluster);
	sc->lo = sc->hi = sc->n;
	if (ns == NULL)
		return 0;
	lo = sc->ncluster;	/* lower bound of ns among RoleBindings */
	hi = sc->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(sc->b[mid]->namespace, ns) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	sc->lo = sc->hi = lo;
	while (sc->hi < sc->n && strcmp(sc->b[sc->hi]->namespace, ns) == 0)
		sc->hi++;
	return 0;
}

/* The i-th binding of the scope, or NULL past the end. */
static const struct ks_rbac_binding *
scope_at(const struct scope *sc, size_t i)
{
	if (i < sc->ncluster)
		return sc->b[i];
	i = i - sc->ncluster + sc->lo;
	return i < sc->hi ? sc->b[i] : NULL;
}

/* appliesTo: the index of the first subject that applies, or -1. */
static long
applies(const struct ks_rbac_binding *b, const struct ks_rbac_request *req)
{
	size_t i;

	for (i = 0; i < b->nsubjects; i++)
		if (ks_rbac_subject_applies(&b->subjects[i], req))
			return (long)i;
	return -1;
}

/* The first rule of role that allows req, or SIZE_MAX. */
static size_t
first_rule(const struct ks_rbac_role *role, const struct ks_rbac_request *req)
{
	size_t i;

	for (i = 0; i < role->nrules; i++)
		if (ks_rbac_rule_allows(&role->rules[i], req))
			return i;
	return SIZE_MAX;
}

int
ks_rbac_allows(struct ks_rbac *r, const struct ks_rbac_request *req,
    struct ks_rbac_why *why)
{
	const struct ks_rbac_binding *b;
	struct ks_rbac_why w;
	struct scope sc;
	size_t i, rule;
	long s;
	int allowed = 0;

	memset(&w, 0, sizeof(w));
	w.grant.rule = SIZE_MAX;
	if (!valid(req) || scope(r, req_ns(req), &sc) == -1)
		return -1;
	for (i = 0; !allowed && (b = scope_at(&sc, i)) != NULL; i++) {
		if ((s = applies(b, req)) < 0)
			continue;
		if (b->role == NULL) {
			w.unresolved++;
			continue;
		}
		if ((rule = first_rule(b->role, req)) == SIZE_MAX)
			continue;
		w.grant.binding = b;
		w.grant.subject = (size_t)s;
		w.grant.role = b->role;
		w.grant.rule = rule;
		allowed = 1;
	}
	if (why != NULL)
		*why = w;
	return allowed;
}

/* Can this subject ever match anyone? */
static int
live_subject(const struct ks_rbac_subject *s)
{
	if (s->kind == KS_RBAC_GROUP)
		return 1;
	return s->kind != KS_RBAC_OTHER && s->user != NULL;
}

long
ks_rbac_who_can(struct ks_rbac *r, const struct ks_rbac_request *req,
    ks_rbac_grant_fn fn, void *arg)
{
	const struct ks_rbac_binding *b;
	struct ks_rbac_grant g;
	struct scope sc;
	size_t i, j;
	long n = 0;

	if (!valid(req) || scope(r, req_ns(req), &sc) == -1)
		return -1;
	for (i = 0; (b = scope_at(&sc, i)) != NULL; i++) {
		if (b->role == NULL)
			continue;
		if ((g.rule = first_rule(b->role, req)) == SIZE_MAX)
			continue;
		g.binding = b;
		g.role = b->role;
		for (j = 0; j < b->nsubjects; j++) {
			if (!live_subject(&b->subjects[j]))
				continue;
			g.subject = j;
			n++;
			if (fn != NULL && fn(&g, arg) != 0)
				return n;
		}
	}
	return n;
}

/* Report one rule (or a missing role) to the explain callback. */
static int
near(const struct ks_rbac_binding *b, size_t s, size_t rule, unsigned miss,
    ks_rbac_near_fn fn, void *arg)
{
	struct ks_rbac_near nr;
	unsigned m;

	nr.grant.binding = b;
	nr.grant.subject = s;
	nr.grant.role = b->role;
	nr.grant.rule = rule;
	nr.miss = miss;
	for (nr.distance = 0, m = miss; m != 0; m &= m - 1)
		nr.distance++;
	if (miss & KS_RBAC_MISS_ROLE)
		nr.distance = KS_RBAC_FAR;
	return fn != NULL ? fn(&nr, arg) : 0;
}

long
ks_rbac_explain(struct ks_rbac *r, const struct ks_rbac_request *req,
    ks_rbac_near_fn fn, void *arg)
{
	const struct ks_rbac_binding *b;
	const char *ns;
	struct scope sc;
	size_t i, j;
	unsigned nsmiss;
	long s, n = 0;

	if (!valid(req) || scope(r, NULL, &sc) == -1)
		return -1;
	ns = req_ns(req);
	for (i = 0; i < sc.n; i++) {
		b = sc.b[i];
		if ((s = applies(b, req)) < 0)
			continue;
		nsmiss = !b->cluster && (ns == NULL ||
		    strcmp(b->namespace, ns) != 0) ? KS_RBAC_MISS_NAMESPACE : 0;
		if (b->role == NULL) {
			n++;
			if (near(b, (size_t)s, SIZE_MAX,
			    KS_RBAC_MISS_ROLE | nsmiss, fn, arg) != 0)
				return n;
			continue;
		}
		for (j = 0; j < b->role->nrules; j++) {
			n++;
			if (near(b, (size_t)s, j, nsmiss |
			    ks_rbac_rule_miss(&b->role->rules[j], req), fn,
			    arg) != 0)
				return n;
		}
	}
	return n;
}

long
ks_rbac_direct_bindings(struct ks_rbac *r, const char *user, const char *ns,
    ks_rbac_grant_fn fn, void *arg)
{
	const struct ks_rbac_binding *b;
	const struct ks_rbac_subject *s;
	struct ks_rbac_grant g;
	struct scope sc;
	size_t i, j;
	long n = 0;

	if (user == NULL || scope(r, ns != NULL && *ns != '\0' ? ns : NULL,
	    &sc) == -1)
		return -1;
	for (i = 0; (b = scope_at(&sc, i)) != NULL; i++) {
		for (j = 0; j < b->nsubjects; j++) {
			s = &b->subjects[j];
			if (s->kind == KS_RBAC_GROUP || s->user == NULL ||
			    strcmp(s->user, user) != 0)
				continue;
			g.binding = b;
			g.subject = j;
			g.role = b->role;
			g.rule = SIZE_MAX;
			n++;
			if (fn != NULL && fn(&g, arg) != 0)
				return n;
			break;	/* one report per binding */
		}
	}
	return n;
}

long
ks_rbac_unresolved(struct ks_rbac *r, ks_rbac_binding_fn fn, void *arg)
{
	struct ks_rbac_binding *const *b;
	size_t i, nb;
	long n = 0;

	if (ks_rbac_resolve(r, NULL) == -1)
		return -1;
	b = ks_rbac_bindings(r, &nb, NULL);
	for (i = 0; i < nb; i++) {
		if (b[i]->ref == KS_RBAC_REF_OK)
			continue;
		n++;
		if (fn != NULL && fn(b[i], arg) != 0)
			break;
	}
	return n;
}

char *
ks_rbac_miss_str(unsigned miss, char *buf, size_t size)
{
	static const struct {
		unsigned	 bit;
		const char	*word;
	} words[] = {
		{ KS_RBAC_MISS_ROLE, "role missing" },
		{ KS_RBAC_MISS_NAMESPACE, "namespace of the binding" },
		{ KS_RBAC_MISS_KIND, "rule kind" },
		{ KS_RBAC_MISS_VERB, "verb" },
		{ KS_RBAC_MISS_GROUP, "apiGroup" },
		{ KS_RBAC_MISS_RESOURCE, "resource" },
		{ KS_RBAC_MISS_NAME, "resourceNames" },
		{ KS_RBAC_MISS_URL, "nonResourceURL" },
	};
	size_t i, len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if ((miss & words[i].bit) == 0 || len >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len > 0 ? ", " : "", words[i].word);
	}
	return buf;
}

int
ks_rbac_broad_group(const char *group)
{
	return strcmp(group, "system:authenticated") == 0 ||
	    strcmp(group, "system:unauthenticated") == 0 ||
	    strcmp(group, "system:serviceaccounts") == 0 ||
	    strncmp(group, "system:serviceaccounts:", 23) == 0;
}

long
ks_rbac_role_subjects(struct ks_rbac *r, const struct ks_rbac_role *role,
    ks_rbac_grant_fn fn, void *arg)
{
	struct ks_rbac_binding *const *b;
	struct ks_rbac_grant g;
	size_t i, j, nb;
	long n = 0;

	if (ks_rbac_resolve(r, NULL) == -1)
		return -1;
	b = ks_rbac_bindings(r, &nb, NULL);
	for (i = 0; i < nb; i++) {
		if (b[i]->role != role)
			continue;
		for (j = 0; j < b[i]->nsubjects; j++) {
			if (!live_subject(&b[i]->subjects[j]))
				continue;
			g.binding = b[i];
			g.subject = j;
			g.role = role;
			g.rule = SIZE_MAX;
			n++;
			if (fn != NULL && fn(&g, arg) != 0)
				return n;
		}
	}
	return n;
}

/* Does aggregated role a select any role marked in mark? */
static int
selects_marked(const struct ks_rbac_role *a, struct ks_rbac_role *const *roles,
    size_t n, const char *mark)
{
	for (size_t j = 0; j < n; j++)
		if (mark[j] && ks_rbac_role_selects(a, roles[j]))
			return 1;
	return 0;
}

long
ks_rbac_aggregators(struct ks_rbac *r, const struct ks_rbac_role *role,
    ks_rbac_role_fn fn, void *arg)
{
	struct ks_rbac_role *const *roles;
	size_t i, n;
	char *mark;
	long found = 0;
	int changed = 1;

	if (ks_rbac_resolve(r, NULL) == -1)
		return -1;
	roles = ks_rbac_roles(r, &n);
	if (n == 0 || !role->cluster)
		return 0;
	if ((mark = calloc(n, 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		mark[i] = roles[i] == role;
	while (changed) {
		changed = 0;
		for (i = 0; i < n; i++) {
			if (mark[i] || !roles[i]->aggregated ||
			    roles[i]->agg_error ||
			    !selects_marked(roles[i], roles, n, mark))
				continue;
			mark[i] = changed = 1;
			found++;
			if (fn != NULL && fn(roles[i], arg) != 0)
				goto out;
		}
	}
out:
	free(mark);
	return found;
}
