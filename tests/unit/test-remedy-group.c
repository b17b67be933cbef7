/*
 * Tests for a plan's denial groups as plain structs (rbac/remediate.h):
 * the interned strings they share, and their JSON, made only for -o json,
 * with its keys in the order `remediate -o json` has always printed them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rbac/remediate.h"
#include "rbac/remediate-int.h"

static void
test_intern(void **state)
{
	struct ks_remediate_intern in = { 0 };
	char buf[32];
	const char *a, *b;
	json_t *j1, *j2;

	(void)state;
	assert_null(ks_remediate_intern(&in, NULL));
	a = ks_remediate_intern(&in, "system:serviceaccount:a:b");
	strcpy(buf, "system:serviceaccount:a:b");
	b = ks_remediate_intern(&in, buf);
	assert_ptr_equal(a, b);		/* the same text, the same pointer */
	assert_ptr_not_equal(b, buf);	/* a copy of its own */
	assert_string_equal(a, "system:serviceaccount:a:b");
	assert_ptr_not_equal(ks_remediate_intern(&in, "other"), a);
	/* Many more: the table grows, the pointers stay. */
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "s%d", i);
		assert_string_equal(ks_remediate_intern(&in, buf), buf);
	}
	assert_ptr_equal(ks_remediate_intern(&in, "system:serviceaccount:a:b"),
	    a);
	assert_int_equal(in.n, 5002);
	/* Its JSON string is made once; text not interned gets its own. */
	j1 = ks_remediate_intern_json(&in, a);
	j2 = ks_remediate_intern_json(&in, "system:serviceaccount:a:b");
	assert_ptr_equal(j1, j2);
	assert_string_equal(json_string_value(j1), a);
	json_decref(j1);
	json_decref(j2);
	j1 = ks_remediate_intern_json(&in, "never interned");
	assert_string_equal(json_string_value(j1), "never interned");
	json_decref(j1);
	assert_true(json_is_null(ks_remediate_intern_json(&in, NULL)));
	ks_remediate_intern_free(&in);
}

/* The keys of o, in order, joined by commas, into buf. */
static const char *
keys(json_t *o, char *buf, size_t sz)
{
	const char *k;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(o, k, v) {
		if (buf[0] != '\0')
			strncat(buf, ",", sz - strlen(buf) - 1);
		strncat(buf, k, sz - strlen(buf) - 1);
	}
	return buf;
}

static void
test_group_json(void **state)
{
	struct ks_remediate_group g = { .actor = "u", .verb = "get",
	    .api_group = "", .resource = "pods", .count = 3,
	    .first_seen = "2024-01-01T00:00:00.000000Z",
	    .last_seen = "2024-01-01T00:00:01.000000Z",
	    .examples = { "a1", "a2" }, .nexamples = 2, .origin = "audit",
	    .refused_by = "authorizer" };
	char buf[1024];
	char *text;
	json_t *o;

	(void)state;
	g.groups = json_loads("[\"system:authenticated\"]", 0, NULL);
	o = ks_remediate_group_json(&g);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "{\"actor\":\"u\",\"verb\":\"get\","
	    "\"api_group\":\"\",\"resource\":\"pods\",\"subresource\":null,"
	    "\"namespace\":null,\"path\":null,\"count\":3,"
	    "\"first_seen\":\"2024-01-01T00:00:00.000000Z\","
	    "\"last_seen\":\"2024-01-01T00:00:01.000000Z\","
	    "\"examples\":[\"a1\",\"a2\"],\"groups\":[\"system:authenticated\"],"
	    "\"origin\":\"audit\",\"refusal_reason\":null,"
	    "\"refused_by\":\"authorizer\",\"message\":null}");
	free(text);
	json_decref(o);
	/* What the plan says comes after, in the order it said it: a gap
	   then, fixed since (by nothing known), allowed by, why. */
	g.gap_at_time = 1;
	g.has_fixed_by = 1;
	g.allowed_by = strdup("ClusterRole x");
	g.explanation = "e";
	g.class = "not-rbac";
	g.reason = "e";
	o = ks_remediate_group_json(&g);
	assert_string_equal(keys(o, buf, sizeof(buf)), "actor,verb,api_group,"
	    "resource,subresource,namespace,path,count,first_seen,last_seen,"
	    "examples,groups,origin,refusal_reason,refused_by,message,"
	    "gap_at_time,fixed_by,allowed_by,explanation,class,reason");
	assert_true(json_is_null(json_object_get(o, "fixed_by")));
	json_decref(o);
	/* A log's group: no groups (null), one example. */
	json_decref(g.groups);
	g.groups = NULL;
	g.nexamples = 1;
	g.gap_at_time = g.has_fixed_by = 0;
	o = ks_remediate_group_json(&g);
	assert_true(json_is_null(json_object_get(o, "groups")));
	assert_int_equal(json_array_size(json_object_get(o, "examples")), 1);
	assert_null(json_object_get(o, "gap_at_time"));
	json_decref(o);
	free(g.allowed_by);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_group_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
