/*
 * Tests for the patches applied to RBAC objects (rbac/rbacpatch.h).  The
 * merge patch cases are the whole table of RFC 7386 Appendix A; the JSON
 * patch cases are RFC 6902 Appendix A; the strategic merge cases follow
 * k8s.io/api/rbac/v1/types.go (rules, subjects and clusterRoleSelectors are
 * +listType=atomic, no patchMergeKey: replaced whole).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rbac/rbacpatch.h"
#include "util/err.h"

typedef json_t *(*patch_fn)(const json_t *, const json_t *, struct ks_err *);

static json_t *
J(const char *s)
{
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);

	assert_non_null(v);
	return v;
}

/* fn(target, patch) equals want (want NULL: the patch fails). */
static void
check(patch_fn fn, const char *target, const char *patch, const char *want)
{
	json_t *t = J(target), *p = J(patch), *got, *w;
	struct ks_err err;
	char *dump;

	got = fn(t, p, &err);
	if (want == NULL) {
		if (got != NULL) {
			dump = json_dumps(got, JSON_ENCODE_ANY);
			fail_msg("%s + %s: expected a failure, got %s", target,
			    patch, dump);
		}
	} else {
		w = J(want);
		if (got == NULL)
			fail_msg("%s + %s: failed: %s", target, patch, err.msg);
		if (!json_equal(got, w)) {
			dump = json_dumps(got, JSON_ENCODE_ANY);
			fail_msg("%s + %s: expected %s, got %s", target, patch,
			    want, dump);
		}
		json_decref(w);
	}
	/* The target is borrowed: never changed. */
	w = J(target);
	assert_true(json_equal(t, w));
	json_decref(w);
	json_decref(got);
	json_decref(t);
	json_decref(p);
}

static void
test_merge_rfc7386(void **state)
{
	static const char *const rows[][3] = {
		{ "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
		{ "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
		{ "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
		{ "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
		    "{\"a\":{\"b\":\"d\"}}" },
		{ "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
		{ "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
		{ "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
		{ "{\"a\":\"foo\"}", "null", "null" },
		{ "{\"a\":\"foo\"}", "\"bar\"", "\"bar\"" },
		{ "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
		{ "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
		{ "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}",
		    "{\"a\":{\"bb\":{}}}" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(ks_rbac_merge_patch, rows[i][0], rows[i][1], rows[i][2]);
}

static void
test_json_rfc6902(void **state)
{
	static const char *const rows[][3] = {
		/* A.1 - A.5 */
		{ "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\","
		    "\"value\":\"qux\"}]", "{\"baz\":\"qux\",\"foo\":\"bar\"}" },
		{ "{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":"
		    "\"/foo/1\",\"value\":\"qux\"}]",
		    "{\"foo\":[\"bar\",\"qux\",\"baz\"]}" },
		{ "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\","
		    "\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}" },
		{ "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\","
		    "\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}" },
		{ "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"replace\","
		    "\"path\":\"/baz\",\"value\":\"boo\"}]",
		    "{\"baz\":\"boo\",\"foo\":\"bar\"}" },
		/* A.6, A.7: move */
		{ "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":"
		    "{\"corge\":\"grault\"}}", "[{\"op\":\"move\",\"from\":"
		    "\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
		    "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\","
		    "\"thud\":\"fred\"}}" },
		{ "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
		    "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
		    "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}" },
		/* A.8, A.9: test */
		{ "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", "[{\"op\":\"test\","
		    "\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\","
		    "\"path\":\"/foo/1\",\"value\":2}]",
		    "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}" },
		{ "{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\","
		    "\"value\":\"bar\"}]", NULL },
		/* A.10 nested add; A.12 add to a missing parent */
		{ "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/child\","
		    "\"value\":{\"grandchild\":{}}}]",
		    "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}" },
		{ "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\","
		    "\"value\":\"qux\"}]", NULL },
		/* A.14 escapes; A.16 an array appended as one value */
		{ "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\","
		    "\"value\":10}]", "{\"/\":9,\"~1\":10}" },
		{ "{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\","
		    "\"value\":[\"abc\",\"def\"]}]",
		    "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}" },
		/* All or nothing: the first op is undone by the failing test. */
		{ "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},"
		    "{\"op\":\"test\",\"path\":\"/a\",\"value\":3}]", NULL },
		{ "{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/5\"}]", NULL },
		{ "{\"a\":{}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":"
		    "\"/a/b\"}]", NULL },
		{ "{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":"
		    "\"/b\"}]", "{\"a\":1,\"b\":1}" },
		{ "{\"a\":1}", "{\"op\":\"add\"}", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(ks_rbac_json_patch, rows[i][0], rows[i][1], rows[i][2]);
}

#define ROLE "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"r\"," \
	"\"labels\":{\"a\":\"1\"},\"finalizers\":[\"x\"]},\"rules\":" \
	"[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":" \
	"[\"get\",\"list\",\"patch\"]}]}"

static void
test_strategic_rbac(void **state)
{
	static const char *const rows[][3] = {
		/* rules is atomic: the patch's list replaces it whole. */
		{ ROLE, "{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":"
		    "[\"pods\"],\"verbs\":[\"get\"]}]}",
		    "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"r\","
		    "\"labels\":{\"a\":\"1\"},\"finalizers\":[\"x\"]},\"rules\":"
		    "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":"
		    "[\"get\"]}]}" },
		/* Maps merge; null deletes. */
		{ ROLE, "{\"metadata\":{\"labels\":{\"a\":null,\"b\":\"2\"}}}",
		    "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"r\","
		    "\"labels\":{\"b\":\"2\"},\"finalizers\":[\"x\"]},\"rules\":"
		    "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":"
		    "[\"get\",\"list\",\"patch\"]}]}" },
		/* $patch: replace on a map; delete removes it. */
		{ "{\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"a\"}}",
		    "{\"roleRef\":{\"$patch\":\"replace\",\"name\":\"b\"}}",
		    "{\"roleRef\":{\"name\":\"b\"}}" },
		{ "{\"a\":{\"b\":1},\"c\":2}", "{\"a\":{\"$patch\":\"delete\"}}",
		    "{\"c\":2}" },
		/* Directives in metadata never change what RBAC allows. */
		{ ROLE, "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":"
		    "[\"x\"]}}", ROLE },
		/* Elsewhere they are refused, never guessed. */
		{ ROLE, "{\"$setElementOrder/rules\":[]}", NULL },
		{ ROLE, "{\"rules\":{\"$patch\":\"merge\"}}", NULL },
		{ ROLE, "[]", NULL },
		{ ROLE, "{\"$patch\":\"delete\"}", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(ks_rbac_strategic_patch, rows[i][0], rows[i][1],
		    rows[i][2]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_rfc7386),
		cmocka_unit_test(test_json_rfc6902),
		cmocka_unit_test(test_strategic_rbac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
