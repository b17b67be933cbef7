/*
 * The RBAC loader and evaluator (src/rbac*.c) on arbitrary JSON: the input
 * is parsed with jansson and added with ks_rbac_add (and, as a sonobuoy
 * array would be, with ks_rbac_add_kind), then every query is asked with
 * requests made from the loaded objects' own strings, so that the grant,
 * aggregation and manifest paths are reached.  Checked: no crash, no leak,
 * and a request that ks_rbac_allows allows has a grant that allows it.
 */
#include <string.h>

#include <jansson.h>

#include "util/err.h"
#include "fuzz.h"
#include "rbac/rbac.h"

static int
count_grant(const struct ks_rbac_grant *g, void *arg)
{
	(void)g;
	return ++*(long *)arg > 10000;
}

static int
count_near(const struct ks_rbac_near *n, void *arg)
{
	(void)n;
	return ++*(long *)arg > 10000;
}

static int
count_binding(const struct ks_rbac_binding *b, void *arg)
{
	(void)b;
	return ++*(long *)arg > 10000;
}

static int
count_role(const struct ks_rbac_role *r, void *arg)
{
	(void)r;
	return ++*(long *)arg > 10000;
}

static const char *
first(const struct ks_rbac_strv *v, const char *dflt)
{
	return v->n > 0 ? v->v[0] : dflt;
}

/* Ask everything about one request. */
static void
ask(struct ks_rbac *r, struct ks_rbac_request *req)
{
	struct ks_rbac_why why;
	long n = 0;
	int rc;
	char buf[128];

	rc = ks_rbac_allows(r, req, &why);
	if (rc == 1 && why.grant.role != NULL && why.grant.rule != SIZE_MAX) {
		if (why.grant.rule >= why.grant.role->nrules)
			fuzz_fail("grant names rule %zu of %zu", why.grant.rule,
			    why.grant.role->nrules);
		if (!ks_rbac_rule_allows(&why.grant.role->rules[why.grant.rule],
		    req))
			fuzz_fail("allowed by a rule that does not allow it");
	}
	(void)ks_rbac_who_can(r, req, count_grant, &n);
	(void)ks_rbac_explain(r, req, count_near, &n);
	(void)ks_rbac_direct_bindings(r, req->user, req->namespace,
	    count_grant, &n);
	(void)ks_rbac_miss_str(0xffu, buf, sizeof(buf));
}

static void
exercise(struct ks_rbac *r)
{
	struct ks_rbac_role *const *roles;
	struct ks_rbac_binding *const *bindings;
	struct ks_err err;
	size_t nroles, nbind, ncluster;
	long n = 0;
	const char *groups[] = { "system:authenticated", "system:masters" };
	struct ks_rbac_request req = { .user = "system:serviceaccount:ns:sa",
	    .groups = groups, .ngroups = 2, .verb = "get",
	    .resource = "pods", .namespace = "ns" };

	if (ks_rbac_resolve(r, &err) < 0)
		return;
	roles = ks_rbac_roles(r, &nroles);
	bindings = ks_rbac_bindings(r, &nbind, &ncluster);
	ask(r, &req);
	req.resource = NULL;
	req.path = "/healthz";
	ask(r, &req);
	for (size_t i = 0; i < nroles && i < 8; i++) {
		const struct ks_rbac_role *role = roles[i];
		json_t *m;
		(void)ks_rbac_find_role(r, role->namespace, role->name);
		(void)ks_rbac_role_subjects(r, role, count_grant, &n);
		(void)ks_rbac_aggregators(r, role, count_role, &n);
		if ((m = ks_rbac_role_manifest(role, NULL)) != NULL)
			json_decref(m);
		for (size_t k = 0; k < role->nrules && k < 4; k++) {
			const struct ks_rbac_rule *rule = &role->rules[k];
			struct ks_rbac_request q = { .verb = first(&rule->verbs,
			    "get"), .api_group = first(&rule->api_groups, ""),
			    .resource = first(&rule->resources, NULL),
			    .name = first(&rule->resource_names, NULL),
			    .path = first(&rule->urls, "/"),
			    .namespace = role->namespace, .implicit_groups = 1 };
			for (size_t b = 0; b < nbind && b < 4; b++)
				for (size_t s = 0; s < bindings[b]->nsubjects &&
				    s < 2; s++) {
					q.user = bindings[b]->subjects[s].user;
					ask(r, &q);
				}
			q.user = "system:anonymous";
			ask(r, &q);
		}
	}
	(void)ks_rbac_unresolved(r, count_binding, &n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { NULL, "Role", "ClusterRole",
	    "RoleBinding", "ClusterRoleBinding" };
	struct ks_rbac *r, *c;
	struct ks_err err;
	json_error_t je;
	json_t *v;

	v = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
	if (v == NULL)
		return 0;
	if ((r = ks_rbac_new()) == NULL)
		fuzz_fail("ks_rbac_new: NULL");
	(void)ks_rbac_add(r, v, &err);
	if (json_is_array(v))
		(void)ks_rbac_add_kind(r, v, kinds[size % 5], &err);
	exercise(r);
	/* A clone with everything added once more: the last added wins. */
	if ((c = ks_rbac_clone(r)) != NULL) {
		(void)ks_rbac_add(c, v, &err);
		exercise(c);
		ks_rbac_free(c);
	}
	ks_rbac_free(r);
	json_decref(v);
	return 0;
}
