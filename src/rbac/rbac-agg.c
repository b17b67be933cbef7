/*
 * ClusterRole aggregation: label selectors (metav1.LabelSelectorAsSelector)
 * and the union the aggregation controller computes
 * (pkg/controller/clusterroleaggregation, syncClusterRole).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbac.h"

/* labels[key] as a string, or NULL. */
static const char *
label(const json_t *labels, const char *key)
{
	const json_t *v;

	v = json_object_get(labels, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
in_values(const json_t *values, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(values, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/*
 * One matchExpressions requirement: 1, 0, or -1 when invalid (unknown
 * operator; In/NotIn without values; Exists/DoesNotExist with values, as
 * labels.NewRequirement refuses them).
 */
static int
expr_matches(const json_t *expr, const json_t *labels)
{
	const json_t *values;
	const char *key, *op, *val;
	size_t nv;

	key = json_string_value(json_object_get(expr, "key"));
	op = json_string_value(json_object_get(expr, "operator"));
	values = json_object_get(expr, "values");
	if (key == NULL || op == NULL ||
	    (values != NULL && !json_is_null(values) && !json_is_array(values)))
		return -1;
	nv = json_is_array(values) ? json_array_size(values) : 0;
	val = label(labels, key);
	if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
		if (nv == 0)
			return -1;
		if (op[0] == 'I')
			return val != NULL && in_values(values, val);
		return val == NULL || !in_values(values, val);
	}
	if (strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0) {
		if (nv != 0)
			return -1;
		return (val != NULL) == (op[0] == 'E');
	}
	return -1;
}

int
ks_rbac_selector_matches(const json_t *sel, const json_t *labels)
{
	const json_t *ml, *me, *v, *e;
	const char *key, *val;
	size_t i;
	int ok = 1, m;

	if (!json_is_object(sel))
		return -1;
	ml = json_object_get(sel, "matchLabels");
	me = json_object_get(sel, "matchExpressions");
	if ((ml != NULL && !json_is_null(ml) && !json_is_object(ml)) ||
	    (me != NULL && !json_is_null(me) && !json_is_array(me)))
		return -1;
	json_object_foreach((json_t *)ml, key, v) {
		if (!json_is_string(v))
			return -1;
		val = label(labels, key);
		if (val == NULL || strcmp(val, json_string_value(v)) != 0)
			ok = 0;
	}
	json_array_foreach(me, i, e) {
		if ((m = expr_matches(e, labels)) == -1)
			return -1;
		ok = ok && m;
	}
	return ok;	/* no requirement at all: everything */
}

/* The clusterRoleSelectors of role (an array), or NULL. */
static const json_t *
selectors(const struct ks_rbac_role *role)
{
	const json_t *a;

	a = json_object_get(json_object_get(role->obj, "aggregationRule"),
	    "clusterRoleSelectors");
	return json_is_array(a) ? a : NULL;
}

static const json_t *
labels_of(const struct ks_rbac_role *role)
{
	return json_object_get(json_object_get(role->obj, "metadata"),
	    "labels");
}

/* Are all selectors of role valid?  (The controller gives up on a role
   whose selector does not convert, leaving its rules as they are.) */
static int
selectors_valid(const struct ks_rbac_role *role)
{
	const json_t *sels, *s;
	size_t i;

	if ((sels = selectors(role)) == NULL)
		return 1;
	json_array_foreach(sels, i, s)
		if (ks_rbac_selector_matches(s, NULL) == -1)
			return 0;
	return 1;
}

static int
has_rule(const struct ks_rbac_role *role, const struct ks_rbac_rule *rule)
{
	size_t i;

	for (i = 0; i < role->nrules; i++)
		if (ks_rbac_rule_equal(&role->rules[i], rule))
			return 1;
	return 0;
}

/* Append copies of src's rules missing from dst.  Returns the number
   appended, or -1 if out of memory. */
static int
union_from(struct ks_rbac_role *dst, const struct ks_rbac_role *src)
{
	struct ks_rbac_rule *r;
	size_t i, n = src->nrules;
	int added = 0;

	for (i = 0; i < n; i++) {
		if (has_rule(dst, &src->rules[i]))
			continue;
		r = realloc(dst->rules, (dst->nrules + 1) * sizeof(*r));
		if (r == NULL)
			return -1;
		dst->rules = r;
		if (ks_rbac_rule_copy(&r[dst->nrules], &src->rules[i]) == -1)
			return -1;
		r[dst->nrules].aggregated_from = src->name;
		dst->nrules++;
		added++;
	}
	return added;
}

/* One pass over role's selectors.  Returns rules added, or -1. */
static int
aggregate_one(struct ks_rbac_role *role, struct ks_rbac_role **roles,
    size_t nroles)
{
	const json_t *sels, *s;
	size_t i, j;
	int n, total = 0;

	sels = selectors(role);
	json_array_foreach(sels, i, s) {
		for (j = 0; j < nroles; j++) {
			if (!roles[j]->cluster || roles[j] == role)
				continue;
			if (ks_rbac_selector_matches(s, labels_of(roles[j])) != 1)
				continue;
			if ((n = union_from(role, roles[j])) == -1)
				return -1;
			total += n;
		}
	}
	return total;
}

/* Drop the rules an earlier aggregation appended. */
static void
truncate_rules(struct ks_rbac_role *role)
{
	while (role->nrules > role->nstored)
		ks_rbac_rule_clear(&role->rules[--role->nrules]);
}

int
ks_rbac_aggregate(struct ks_rbac_role **roles, size_t nroles)
{
	size_t i, pass;
	int n, changed = 1;

	for (i = 0; i < nroles; i++) {
		truncate_rules(roles[i]);
		roles[i]->agg_error = roles[i]->aggregated &&
		    !selectors_valid(roles[i]);
	}
	/* Each pass adds at least one rule or ends; chains of aggregated
	   roles settle in at most nroles passes. */
	for (pass = 0; changed && pass <= nroles; pass++) {
		changed = 0;
		for (i = 0; i < nroles; i++) {
			if (!roles[i]->aggregated || roles[i]->agg_error)
				continue;
			if ((n = aggregate_one(roles[i], roles, nroles)) == -1)
				return -1;
			changed |= n > 0;
		}
	}
	return 0;
}

int
ks_rbac_role_selects(const struct ks_rbac_role *aggregator,
    const struct ks_rbac_role *role)
{
	const json_t *sels, *s;
	size_t i;

	if ((sels = selectors(aggregator)) == NULL || role == aggregator ||
	    !role->cluster)
		return 0;
	json_array_foreach(sels, i, s)
		if (ks_rbac_selector_matches(s, labels_of(role)) == 1)
			return 1;
	return 0;
}
