/*
 * Tests for rbac/dangerous.h: which rules grant a permission that
 * remediation holds back (the list of remediate-class.c), judged over
 * every verb x API group x resource of a rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "rbac/dangerous.h"
#include "rbac/rbac.h"

/* Whether the single rule (JSON) of a ClusterRole is dangerous. */
static int
rule_dangerous(const char *rule)
{
	char text[1024], why[512];
	struct ks_rbac_role *role;
	struct ks_err err;
	json_t *obj;
	int d;

	snprintf(text, sizeof(text), "{\"apiVersion\":\"rbac.authorization."
	    "k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":"
	    "\"r\"},\"rules\":[%s]}", rule);
	obj = json_loads(text, 0, NULL);
	assert_non_null(obj);
	role = ks_rbac_role_parse(obj, 1, &err);
	assert_non_null(role);
	assert_int_equal(role->nrules, 1);
	d = ks_rbac_rule_dangerous(&role->rules[0], why, sizeof(why)) != NULL;
	if (d)
		assert_true(strlen(why) > 10);
	ks_rbac_role_free(role);
	json_decref(obj);
	return d;
}

static void
test_rules(void **state)
{
	(void)state;
	/* Reading secrets; one dangerous verb among safe ones is enough. */
	assert_true(rule_dangerous("{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"configmaps\",\"secrets\"],\"verbs\":[\"create\",\"list\"]}"));
	/* Writing secrets is not on the list; reading pods is safe. */
	assert_false(rule_dangerous("{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"secrets\"],\"verbs\":[\"create\",\"delete\"]}"));
	assert_false(rule_dangerous("{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"pods\",\"pods/log\"],\"verbs\":[\"get\",\"list\",\"watch\"]}"));
	/* Subresources: pods/exec, nodes/proxy, serviceaccounts/token. */
	assert_true(rule_dangerous("{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"pods/exec\"],\"verbs\":[\"create\"]}"));
	assert_true(rule_dangerous("{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"nodes/proxy\"],\"verbs\":[\"get\"]}"));
	assert_true(rule_dangerous("{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"serviceaccounts/token\"],\"verbs\":[\"create\"]}"));
	/* The same resource in another group is another resource. */
	assert_false(rule_dangerous("{\"apiGroups\":[\"example.com\"],"
	    "\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}"));
	/* RBAC writes, escalation verbs, wildcards. */
	assert_true(rule_dangerous("{\"apiGroups\":[\"rbac.authorization.k8s."
	    "io\"],\"resources\":[\"clusterrolebindings\"],\"verbs\":"
	    "[\"patch\"]}"));
	assert_false(rule_dangerous("{\"apiGroups\":[\"rbac.authorization.k8s."
	    "io\"],\"resources\":[\"clusterrolebindings\"],\"verbs\":"
	    "[\"get\",\"list\"]}"));
	assert_true(rule_dangerous("{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"users\"],\"verbs\":[\"impersonate\"]}"));
	assert_true(rule_dangerous("{\"apiGroups\":[\"apps\"],\"resources\":"
	    "[\"deployments\"],\"verbs\":[\"*\"]}"));
	assert_true(rule_dangerous("{\"apiGroups\":[\"*\"],\"resources\":"
	    "[\"deployments\"],\"verbs\":[\"get\"]}"));
	/* URLs: only the wildcard of all of them. */
	assert_false(rule_dangerous("{\"nonResourceURLs\":[\"/healthz\","
	    "\"/api/*\"],\"verbs\":[\"get\"]}"));
	assert_true(rule_dangerous("{\"nonResourceURLs\":[\"*\"],\"verbs\":"
	    "[\"get\"]}"));
}

/* The single permission form. */
static void
test_permission(void **state)
{
	char why[512];

	(void)state;
	assert_non_null(ks_rbac_dangerous("get", "", "secrets", NULL, NULL,
	    why, sizeof(why)));
	assert_null(ks_rbac_dangerous("get", "", "pods", NULL, NULL, why,
	    sizeof(why)));
	assert_non_null(ks_rbac_dangerous("create", "", "pods", "attach", NULL,
	    why, sizeof(why)));
	assert_non_null(ks_rbac_dangerous("bind", "rbac.authorization.k8s.io",
	    "clusterroles", NULL, NULL, why, sizeof(why)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_permission),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
