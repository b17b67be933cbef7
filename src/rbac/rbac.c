/*
 * The set of RBAC objects of one snapshot: adding, replacing duplicates,
 * linking bindings to their roles (GetRoleReferenceRules of
 * pkg/registry/rbac/validation/rule.go), cloning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/err.h"
#include "rbac/rbac.h"

#define RBAC_GROUP	"rbac.authorization.k8s.io/"

struct ks_rbac {
	struct ks_rbac_role **roles;	/* owned; sorted when !dirty */
	size_t		 nroles;
	size_t		 aroles;	/* allocated slots */
	struct ks_rbac_binding **bindings; /* owned; sorted when !dirty */
	size_t		 nbindings;
	size_t		 abindings;
	size_t		 ncluster;	/* bindings[0..ncluster) are CRBs */
	size_t		 seq;		/* next addition's number */
	int		 dirty;		/* added since the last resolve */
};

struct ks_rbac *
ks_rbac_new(void)
{
	return calloc(1, sizeof(struct ks_rbac));
}

void
ks_rbac_free(struct ks_rbac *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nroles; i++)
		ks_rbac_role_free(r->roles[i]);
	for (i = 0; i < r->nbindings; i++)
		ks_rbac_binding_free(r->bindings[i]);
	free(r->roles);
	free(r->bindings);
	free(r);
}

/* Append p to the array *v of *n pointers with *a slots.  0 or -1. */
static int
push(void ***v, size_t *n, size_t *a, void *p)
{
	void **nv;
	size_t na;

	if (*n == *a) {
		na = *a == 0 ? 16 : *a * 2;
		if ((nv = realloc(*v, na * sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*a = na;
	}
	(*v)[(*n)++] = p;
	return 0;
}

static int
push_role(struct ks_rbac *r, struct ks_rbac_role *role, struct ks_err *err)
{
	void **v = (void **)r->roles;

	role->seq = r->seq++;
	if (push(&v, &r->nroles, &r->aroles, role) == -1) {
		ks_rbac_role_free(role);
		return ks_err_set(err, "out of memory");
	}
	r->roles = (struct ks_rbac_role **)v;
	r->dirty = 1;
	return 0;
}

static int
push_binding(struct ks_rbac *r, struct ks_rbac_binding *b,
    struct ks_err *err)
{
	void **v = (void **)r->bindings;

	b->seq = r->seq++;
	if (push(&v, &r->nbindings, &r->abindings, b) == -1) {
		ks_rbac_binding_free(b);
		return ks_err_set(err, "out of memory");
	}
	r->bindings = (struct ks_rbac_binding **)v;
	r->dirty = 1;
	return 0;
}

/* Add one object of a known kind; other kinds are ignored.  0 or -1. */
static int
add_one(struct ks_rbac *r, json_t *obj, const char *kind, struct ks_err *err)
{
	struct ks_rbac_role *role;
	struct ks_rbac_binding *b;
	int cluster;

	if (kind == NULL)
		return 0;	/* cannot be told from any other object */
	cluster = strncmp(kind, "Cluster", 7) == 0;
	if (strcmp(kind + (cluster ? 7 : 0), "Role") == 0) {
		if ((role = ks_rbac_role_parse(obj, cluster, err)) == NULL)
			return -1;
		return push_role(r, role, err);
	}
	if (strcmp(kind + (cluster ? 7 : 0), "RoleBinding") == 0) {
		if ((b = ks_rbac_binding_parse(obj, cluster, err)) == NULL)
			return -1;
		return push_binding(r, b, err);
	}
	return 0;
}

/* Is obj of the RBAC API group (or silent about its apiVersion)? */
static int
rbac_group(const json_t *obj)
{
	const char *av;

	av = json_string_value(json_object_get(obj, "apiVersion"));
	return av == NULL || strncmp(av, RBAC_GROUP, strlen(RBAC_GROUP)) == 0;
}

/* The kind of obj, or dflt when it has none. */
static const char *
kind_of(const json_t *obj, const char *dflt)
{
	const char *k;

	k = json_string_value(json_object_get(obj, "kind"));
	return k != NULL ? k : dflt;
}

/* Add every item of a list; items without a kind take kind.  Bad items
   are counted and the first one reported; the others are added. */
static int
add_items(struct ks_rbac *r, json_t *items, const char *kind,
    struct ks_err *err)
{
	struct ks_err first, e;
	json_t *it;
	size_t i, bad = 0;

	first.msg[0] = '\0';
	json_array_foreach(items, i, it) {
		if (!json_is_object(it)) {
			ks_err_set(&e, "not an object");
		} else if (!rbac_group(it) ||
		    add_one(r, it, kind_of(it, kind), &e) == 0)
			continue;
		if (bad++ == 0)
			ks_err_set(&first, "items[%zu]: %s", i, e.msg);
	}
	if (bad == 0)
		return 0;
	return ks_err_set(err, "%zu of %zu items rejected; first %s", bad,
	    json_array_size(items), first.msg);
}

int
ks_rbac_add_kind(struct ks_rbac *r, json_t *obj, const char *kind,
    struct ks_err *err)
{
	const char *k;
	json_t *items;
	char ik[64];
	size_t len;

	if (json_is_array(obj))
		return add_items(r, obj, kind, err);
	if (!json_is_object(obj))
		return ks_err_set(err, "not a JSON object");
	k = kind_of(obj, kind);
	items = json_object_get(obj, "items");
	len = k != NULL ? strlen(k) : 0;
	if (len >= 4 && strcmp(k + len - 4, "List") == 0 &&
	    json_is_array(items)) {
		if (len - 4 >= sizeof(ik))
			return 0;	/* no kind of ours is that long */
		memcpy(ik, k, len - 4);
		ik[len - 4] = '\0';
		return add_items(r, items, ik[0] != '\0' ? ik : kind, err);
	}
	if (!rbac_group(obj))
		return 0;
	return add_one(r, obj, k, err);
}

int
ks_rbac_add(struct ks_rbac *r, json_t *obj, struct ks_err *err)
{
	return ks_rbac_add_kind(r, obj, NULL, err);
}

/* NULL sorts with "" (no namespace). */
static int
strcmp0(const char *a, const char *b)
{
	return strcmp(a == NULL ? "" : a, b == NULL ? "" : b);
}

/* The key order: cluster-scoped first, then namespace, then name. */
static int
key_cmp(int ca, const char *nsa, const char *na, int cb, const char *nsb,
    const char *nb)
{
	int c;

	if (ca != cb)
		return ca ? -1 : 1;
	if ((c = strcmp0(nsa, nsb)) != 0)
		return c;
	return strcmp(na, nb);
}

static int
role_cmp(const void *a, const void *b)
{
	const struct ks_rbac_role *x = *(struct ks_rbac_role *const *)a;
	const struct ks_rbac_role *y = *(struct ks_rbac_role *const *)b;
	int c;

	c = key_cmp(x->cluster, x->namespace, x->name, y->cluster,
	    y->namespace, y->name);
	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
binding_cmp(const void *a, const void *b)
{
	const struct ks_rbac_binding *x = *(struct ks_rbac_binding *const *)a;
	const struct ks_rbac_binding *y = *(struct ks_rbac_binding *const *)b;
	int c;

	c = key_cmp(x->cluster, x->namespace, x->name, y->cluster,
	    y->namespace, y->name);
	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort roles, and keep the last added of each key. */
static void
dedupe_roles(struct ks_rbac *r)
{
	struct ks_rbac_role *a, *b;
	size_t i, o = 0;

	if (r->nroles > 1)
		qsort(r->roles, r->nroles, sizeof(*r->roles), role_cmp);
	for (i = 0; i < r->nroles; i++) {
		a = r->roles[i];
		b = i + 1 < r->nroles ? r->roles[i + 1] : NULL;
		if (b != NULL && key_cmp(a->cluster, a->namespace, a->name,
		    b->cluster, b->namespace, b->name) == 0)
			ks_rbac_role_free(a);	/* b, added later, wins */
		else
			r->roles[o++] = a;
	}
	r->nroles = o;
}

static void
dedupe_bindings(struct ks_rbac *r)
{
	struct ks_rbac_binding *a, *b;
	size_t i, o = 0;

	if (r->nbindings > 1)
		qsort(r->bindings, r->nbindings, sizeof(*r->bindings),
		    binding_cmp);
	r->ncluster = 0;
	for (i = 0; i < r->nbindings; i++) {
		a = r->bindings[i];
		b = i + 1 < r->nbindings ? r->bindings[i + 1] : NULL;
		if (b != NULL && key_cmp(a->cluster, a->namespace, a->name,
		    b->cluster, b->namespace, b->name) == 0) {
			ks_rbac_binding_free(a);
			continue;
		}
		r->bindings[o++] = a;
		r->ncluster += a->cluster;
	}
	r->nbindings = o;
}

/* Binary search of the sorted roles. */
static struct ks_rbac_role *
find(struct ks_rbac *r, int cluster, const char *ns, const char *name)
{
	struct ks_rbac_role *x;
	size_t lo = 0, hi = r->nroles, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		x = r->roles[mid];
		c = key_cmp(cluster, ns, name, x->cluster, x->namespace,
		    x->name);
		if (c == 0)
			return x;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * GetRoleReferenceRules: a RoleBinding's Role is looked up in the
 * binding's namespace, a ClusterRole by name; a ClusterRoleBinding to a
 * Role looks in namespace "" and finds nothing; other kinds are errors.
 * roleRef.apiGroup is not looked at.
 */
static void
link(struct ks_rbac *r, struct ks_rbac_binding *b)
{
	struct ks_rbac_role *role = NULL;

	b->role = NULL;
	b->ref = KS_RBAC_REF_MISSING;
	if (strcmp(b->role_kind, "ClusterRole") == 0)
		role = find(r, 1, NULL, b->role_name);
	else if (strcmp(b->role_kind, "Role") != 0)
		b->ref = KS_RBAC_REF_BAD_KIND;
	else if (b->cluster)
		b->ref = KS_RBAC_REF_CRB_TO_ROLE;
	else
		role = find(r, 0, b->namespace, b->role_name);
	if (role != NULL) {
		b->role = role;
		b->ref = KS_RBAC_REF_OK;
		role->nbindings++;
	}
}

int
ks_rbac_resolve(struct ks_rbac *r, struct ks_err *err)
{
	size_t i;

	if (!r->dirty)
		return 0;
	dedupe_roles(r);
	dedupe_bindings(r);
	for (i = 0; i < r->nroles; i++)
		r->roles[i]->nbindings = 0;
	for (i = 0; i < r->nbindings; i++)
		link(r, r->bindings[i]);
	if (ks_rbac_aggregate(r->roles, r->nroles) == -1)
		return ks_err_set(err, "out of memory");
	r->dirty = 0;
	return 0;
}

struct ks_rbac_role *const *
ks_rbac_roles(struct ks_rbac *r, size_t *n)
{
	*n = 0;
	if (ks_rbac_resolve(r, NULL) == -1)
		return NULL;
	*n = r->nroles;
	return r->roles;
}

struct ks_rbac_binding *const *
ks_rbac_bindings(struct ks_rbac *r, size_t *n, size_t *ncluster)
{
	*n = 0;
	if (ncluster != NULL)
		*ncluster = 0;
	if (ks_rbac_resolve(r, NULL) == -1)
		return NULL;
	*n = r->nbindings;
	if (ncluster != NULL)
		*ncluster = r->ncluster;
	return r->bindings;
}

const struct ks_rbac_role *
ks_rbac_find_role(struct ks_rbac *r, const char *ns, const char *name)
{
	if (ks_rbac_resolve(r, NULL) == -1 || name == NULL)
		return NULL;
	return find(r, ns == NULL, ns, name);
}

struct ks_rbac *
ks_rbac_clone(struct ks_rbac *r)
{
	struct ks_rbac *c;
	size_t i;

	if (ks_rbac_resolve(r, NULL) == -1 || (c = ks_rbac_new()) == NULL)
		return NULL;
	for (i = 0; i < r->nroles; i++)
		if (add_one(c, r->roles[i]->obj,
		    r->roles[i]->cluster ? "ClusterRole" : "Role", NULL) == -1)
			goto fail;
	for (i = 0; i < r->nbindings; i++)
		if (add_one(c, r->bindings[i]->obj, r->bindings[i]->cluster ?
		    "ClusterRoleBinding" : "RoleBinding", NULL) == -1)
			goto fail;
	return c;
fail:
	ks_rbac_free(c);
	return NULL;
}
