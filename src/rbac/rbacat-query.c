/*
 * Which of the objects whose state at T is unknown could change an
 * answer (rbacat.h, ks_rbac_at_unknown_for).  RBAC only adds: a request a
 * known binding and role allow stays allowed whatever the unknown objects
 * hold, so only a refusal can depend on them.
 */
#include <string.h>

#include <jansson.h>

#include "rbac/rbacat.h"
#include "util/jutil.h"

/* What the bindings in scope of the request say about roles. */
struct scope {
	const struct ks_rbac_request *req;
	int		 any_actor;
	int		 aggregated;	/* one names an aggregated ClusterRole */
	int		 missing;	/* one names a role that is not known */
	int		 unknown_binding; /* an unknown binding is in scope */
};

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
in_scope(int cluster, const char *ns, const struct ks_rbac_request *req)
{
	return cluster || (req->namespace != NULL && *req->namespace != '\0' &&
	    streq(ns, req->namespace));
}

/* Does binding b apply (in scope, and to the actor unless any_actor)? */
static int
applies(const struct ks_rbac_binding *b, const struct scope *sc)
{
	if (!in_scope(b->cluster, b->namespace, sc->req))
		return 0;
	if (sc->any_actor)
		return 1;
	for (size_t i = 0; i < b->nsubjects; i++)
		if (ks_rbac_subject_applies(&b->subjects[i], sc->req))
			return 1;
	return 0;
}

/* Does a known binding that applies name the role (kind, ns, name)? */
static int
named_by(struct ks_rbac_at *at, struct scope *sc, const char *kind,
    const char *ns, const char *name)
{
	struct ks_rbac_binding *const *v;
	size_t n;

	v = ks_rbac_bindings(at->rbac, &n, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct ks_rbac_binding *b = v[i];
		if (!applies(b, sc) || !streq(b->role_kind, kind) ||
		    (name != NULL && !streq(b->role_name, name)))
			continue;
		if (strcmp(kind, "Role") == 0 && !streq(b->namespace, ns))
			continue;
		if (name != NULL || b->ref != KS_RBAC_REF_OK)
			return 1;
	}
	return 0;
}

/* Note what the known bindings in scope name. */
static void
survey(struct ks_rbac_at *at, struct scope *sc)
{
	struct ks_rbac_binding *const *v;
	size_t n;

	v = ks_rbac_bindings(at->rbac, &n, NULL);
	for (size_t i = 0; i < n; i++) {
		if (!applies(v[i], sc))
			continue;
		if (v[i]->ref != KS_RBAC_REF_OK)
			sc->missing = 1;
		else if (v[i]->role->aggregated)
			sc->aggregated = 1;
	}
}

/* Is the role (kind, ns, name) listed as unknown, by name or without? */
static int
unknown_role(struct ks_rbac_at *at, const char *kind, const char *ns,
    const char *name)
{
	const json_t *u;
	size_t i;

	json_array_foreach(at->unknown, i, u)
		if (strcmp(ks_json_str(u, "kind"), kind) == 0 &&
		    (ks_json_str(u, "name") == NULL ||
		    (streq(ks_json_str(u, "name"), name) && (kind[0] == 'C' ||
		    streq(ks_json_str(u, "namespace"), ns)))))
			return 1;
	return 0;
}

/*
 * Could an unknown binding whose roleRef is still known (ref) allow the
 * request?  Only when that role does (whoever the subject), or its state
 * is unknown too, or it aggregates others; a role known to be absent
 * grants nothing.
 */
static int
ref_matters(struct ks_rbac_at *at, const struct scope *sc, const json_t *ref,
    const char *ns)
{
	const char *kind = ks_json_str(ref, "kind");
	const char *name = ks_json_str(ref, "name");
	const struct ks_rbac_role *role;

	if (kind == NULL || name == NULL || (strcmp(kind, "ClusterRole") != 0 &&
	    strcmp(kind, "Role") != 0))
		return 0;	/* the authorizer resolves nothing else */
	if (unknown_role(at, kind, ns, name))
		return 1;
	role = ks_rbac_find_role(at->rbac, kind[0] == 'C' ? NULL : ns, name);
	if (role == NULL)
		return 0;
	if (role->aggregated)
		return 1;
	for (size_t i = 0; i < role->nrules; i++)
		if (ks_rbac_rule_allows(&role->rules[i], sc->req))
			return 1;
	return 0;
}

/* Does an unknown binding in scope, whose roleRef is known, name the
   role (kind, ns, name)? */
static int
named_by_unknown(struct ks_rbac_at *at, const struct scope *sc,
    const char *kind, const char *ns, const char *name)
{
	const json_t *u, *ref;
	size_t i;

	json_array_foreach(at->unknown, i, u) {
		const char *bk = ks_json_str(u, "kind");
		if ((ref = json_object_get(u, "role_ref")) == NULL ||
		    !in_scope(bk[0] == 'C', ks_json_str(u, "namespace"),
		    sc->req) || !streq(ks_json_str(ref, "kind"), kind) ||
		    (name != NULL && !streq(ks_json_str(ref, "name"), name)))
			continue;
		if (kind[0] == 'C' || streq(ks_json_str(u, "namespace"), ns))
			return 1;
	}
	return 0;
}

/* Could the unknown object u change the answer? */
static int
matters(struct ks_rbac_at *at, struct scope *sc, const json_t *u)
{
	const char *kind = ks_json_str(u, "kind");
	const char *ns = ks_json_str(u, "namespace");
	const char *name = ks_json_str(u, "name");
	const json_t *ref = json_object_get(u, "role_ref");

	if (strcmp(kind, "ClusterRoleBinding") == 0 ||
	    strcmp(kind, "RoleBinding") == 0)
		return in_scope(kind[0] == 'C', ns, sc->req) &&
		    (ref == NULL || ref_matters(at, sc, ref, ns));
	if (strcmp(kind, "Role") == 0 && !in_scope(0, ns, sc->req))
		return 0;
	if (sc->unknown_binding || named_by_unknown(at, sc, kind, ns, name))
		return 1;	/* it could name this role */
	if (name == NULL)
		return sc->missing;
	return named_by(at, sc, kind, ns, name) || (kind[0] == 'C' &&
	    sc->aggregated);
}

json_t *
ks_rbac_at_unknown_for(struct ks_rbac_at *at,
    const struct ks_rbac_request *req, int any_actor)
{
	struct scope sc = { .req = req, .any_actor = any_actor };
	json_t *out = json_array(), *u;
	size_t i;

	survey(at, &sc);
	json_array_foreach(at->unknown, i, u) {
		const char *kind = ks_json_str(u, "kind");
		if (strstr(kind, "Binding") != NULL && in_scope(kind[0] == 'C',
		    ks_json_str(u, "namespace"), req) &&
		    json_object_get(u, "role_ref") == NULL)
			sc.unknown_binding = 1;
	}
	json_array_foreach(at->unknown, i, u)
		if (matters(at, &sc, u))
			json_array_append(out, u);
	return out;
}
