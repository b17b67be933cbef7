/*
 * Tests for resource-name resolution.  The expected groups and short names
 * are taken from the apiserver's discovery documents in kubernetes/
 * kubernetes (api/discovery/api__v1.json: pods "po", events "ev";
 * aggregated_v2.json: apps deployments "deploy", events.k8s.io events
 * "ev", apiextensions.k8s.io "crd"/"crds"), the CNINode CRD of
 * aws/amazon-vpc-resource-controller-k8s (plural cninodes, singular
 * cninode, shortNames [cnd]), and kubectl's shortcut expander
 * (staging/src/k8s.io/client-go/restmapper/shortcut.go: a full name is
 * never expanded as a short name; the first short name in priority order
 * wins and the others are "lower priority").  CRDs are written here, in
 * the test, into a :memory: database with the real schema.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "util/err.h"
#include "store/resname.h"

static sqlite3 *db;

static void
exec_sql(const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* A CRD object in snapshot 1. */
static void
crd(const char *group, const char *plural, const char *singular,
    const char *kind, const char *short_names)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "INSERT INTO objects(snapshot_id, source_id,"
	    " kind, name, hash, body) VALUES(1, 1, 'CustomResourceDefinition',"
	    " '%s.%s', randomblob(32), json_object('apiVersion',"
	    " 'apiextensions.k8s.io/v1', 'kind', 'CustomResourceDefinition',"
	    " 'spec', json_object('group', '%s', 'names', json_object("
	    " 'plural', '%s', 'singular', '%s', 'kind', '%s', 'shortNames',"
	    " json('%s')))))", plural, group, group, plural, singular, kind,
	    short_names);
	exec_sql(sql);
}

static int
setup(void **state)
{
	struct ks_err err;

	(void)state;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    ks_db_apply_schema(db, &err) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sqlite3_close(db);
	db = NULL;
	return 0;
}

/* Resolve arg and check group, resource, subresource and how. */
static void
check(const char *arg, const char *group, const char *resource,
    const char *sub, enum ks_resname_how how)
{
	struct ks_resname r;
	struct ks_err err;

	if (ks_resname_resolve(db, arg, &r, &err) < 0)
		fail_msg("%s: %s", arg, err.msg);
	if (strcmp(r.api_group, group) != 0 || strcmp(r.resource, resource)
	    != 0 || strcmp(r.subresource, sub) != 0 || r.how != how)
		fail_msg("%s: got %s|%s|%s|%s, want %s|%s|%s|%s", arg,
		    r.api_group, r.resource, r.subresource,
		    ks_resname_how_str(r.how), group, resource, sub,
		    ks_resname_how_str(how));
}

static void
test_builtin(void **state)
{
	(void)state;
	check("pods", "", "pods", "", KS_RESNAME_BUILTIN);
	check("pod", "", "pods", "", KS_RESNAME_BUILTIN);
	check("po", "", "pods", "", KS_RESNAME_BUILTIN);
	check("PODS", "", "pods", "", KS_RESNAME_BUILTIN);
	check("Po/Exec", "", "pods", "exec", KS_RESNAME_BUILTIN);
	check("deploy", "apps", "deployments", "", KS_RESNAME_BUILTIN);
	check("deployment", "apps", "deployments", "", KS_RESNAME_BUILTIN);
	check("deployments/scale", "apps", "deployments", "scale",
	    KS_RESNAME_BUILTIN);
	check("crds", "apiextensions.k8s.io", "customresourcedefinitions", "",
	    KS_RESNAME_BUILTIN);
	check("endpoints", "", "endpoints", "", KS_RESNAME_BUILTIN);
	check("ep", "", "endpoints", "", KS_RESNAME_BUILTIN);
	check("netpol", "networking.k8s.io", "networkpolicies", "",
	    KS_RESNAME_BUILTIN);
	check("cj", "batch", "cronjobs", "", KS_RESNAME_BUILTIN);
}

static void
test_qualified(void **state)
{
	(void)state;
	check("deployments.apps", "apps", "deployments", "",
	    KS_RESNAME_QUALIFIED);
	check("deploy.apps", "apps", "deployments", "", KS_RESNAME_QUALIFIED);
	check("deployments.v1.apps", "apps", "deployments", "",
	    KS_RESNAME_QUALIFIED);
	check("deployments.apps/scale", "apps", "deployments", "scale",
	    KS_RESNAME_QUALIFIED);
	check("events.events.k8s.io", "events.k8s.io", "events", "",
	    KS_RESNAME_QUALIFIED);
	/* Not in that group: taken as written, flagged. */
	check("pods.apps", "apps", "pods", "", KS_RESNAME_ASSUMED);
	check("widgets.v1.example.com", "example.com", "widgets", "",
	    KS_RESNAME_ASSUMED);
	check("*", "", "*", "", KS_RESNAME_QUALIFIED);
}

/* "ev" and "events" are core events; events.k8s.io loses, and is said. */
static void
test_core_first(void **state)
{
	struct ks_resname r;
	struct ks_err err;

	(void)state;
	check("events", "", "events", "", KS_RESNAME_BUILTIN);
	assert_int_equal(ks_resname_resolve(db, "ev", &r, &err), 0);
	assert_string_equal(r.api_group, "");
	assert_string_equal(r.matched, "short");
	assert_int_equal(r.ncand, 1);
	assert_string_equal(r.cand[0], "events.events.k8s.io");
}

/* Every other built-in name names one (group, resource). */
static void
test_builtin_names_unique(void **state)
{
	sqlite3_stmt *st;

	(void)state;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name,"
	    " count(DISTINCT api_group || '/' || resource) FROM resource_names"
	    " WHERE origin = 'builtin' GROUP BY name HAVING count(DISTINCT"
	    " api_group || '/' || resource) > 1 ORDER BY name", -1, &st, NULL),
	    SQLITE_OK);
	const char *want[] = { "ev", "event", "events" };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(st, 0), want[i]);
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void
test_crd(void **state)
{
	(void)state;
	crd("vpcresources.k8s.aws", "cninodes", "cninode", "CNINode",
	    "[\"cnd\"]");
	check("cninodes", "vpcresources.k8s.aws", "cninodes", "",
	    KS_RESNAME_CRD);
	check("CNINode", "vpcresources.k8s.aws", "cninodes", "",
	    KS_RESNAME_CRD);
	check("cnd", "vpcresources.k8s.aws", "cninodes", "", KS_RESNAME_CRD);
	check("cninodes.vpcresources.k8s.aws/status", "vpcresources.k8s.aws",
	    "cninodes", "status", KS_RESNAME_QUALIFIED);
	check("cninodes.v1alpha1.vpcresources.k8s.aws", "vpcresources.k8s.aws",
	    "cninodes", "", KS_RESNAME_QUALIFIED);
	/* In resource_kinds for an add-on, with no CRD in the snapshot. */
	check("securitygrouppolicies", "vpcresources.k8s.aws",
	    "securitygrouppolicies", "", KS_RESNAME_TABLE);
}

static void
test_ambiguous(void **state)
{
	struct ks_resname r;
	struct ks_err err;

	(void)state;
	crd("vpcresources.k8s.aws", "cninodes", "cninode", "CNINode",
	    "[\"cnd\"]");
	crd("example.com", "cninodes", "cninode", "CNINode", "[\"cnd\"]");
	assert_int_equal(ks_resname_resolve(db, "cninodes", &r, &err), -1);
	assert_int_equal(r.how, KS_RESNAME_AMBIGUOUS);
	assert_int_equal(r.ncand, 2);
	assert_string_equal(r.cand[0], "cninodes.example.com");
	assert_string_equal(r.cand[1], "cninodes.vpcresources.k8s.aws");
	assert_non_null(strstr(err.msg, "cninodes.example.com, "
	    "cninodes.vpcresources.k8s.aws"));
	assert_int_equal(ks_resname_resolve(db, "cnd", &r, &err), -1);
	assert_int_equal(r.how, KS_RESNAME_AMBIGUOUS);
	/* The group settles it. */
	check("cninodes.example.com", "example.com", "cninodes", "",
	    KS_RESNAME_QUALIFIED);
	check("cnd.example.com", "example.com", "cninodes", "",
	    KS_RESNAME_QUALIFIED);
}

/* A CRD's short name that is a built-in's: the built-in wins (kubectl
   warns about the CRD); a full name beats another CRD's short name. */
static void
test_priority(void **state)
{
	struct ks_resname r;
	struct ks_err err;

	(void)state;
	crd("tap.linkerd.io", "services", "service", "Service", "[\"svc\"]");
	crd("a.example.com", "widgets", "widget", "Widget", "[\"wd\"]");
	crd("b.example.com", "gadgets", "gadget", "Gadget", "[\"widgets\"]");
	assert_int_equal(ks_resname_resolve(db, "svc", &r, &err), 0);
	assert_string_equal(r.api_group, "");
	assert_string_equal(r.resource, "services");
	assert_int_equal(r.how, KS_RESNAME_BUILTIN);
	assert_int_equal(r.ncand, 1);
	assert_string_equal(r.cand[0], "services.tap.linkerd.io");
	check("widgets", "a.example.com", "widgets", "", KS_RESNAME_CRD);
	check("gadgets", "b.example.com", "gadgets", "", KS_RESNAME_CRD);
}

static void
test_unknown(void **state)
{
	struct ks_resname r;
	struct ks_err err;

	(void)state;
	check("foos", "", "foos", "", KS_RESNAME_ASSUMED);
	check("foos/bar", "", "foos", "bar", KS_RESNAME_ASSUMED);
	assert_int_equal(ks_resname_resolve(db, "/healthz", &r, &err), 0);
	assert_int_equal(r.how, KS_RESNAME_URL);
	assert_int_equal(ks_resname_resolve(db, "", &r, &err), -1);
	assert_int_equal(ks_resname_resolve(db, "/", &r, &err), 0);
	assert_int_equal(ks_resname_resolve(db, "a//b", &r, &err), 0);
	assert_int_equal(ks_resname_resolve(db, "./x", &r, &err), -1);
	assert_int_equal(ks_resname_resolve(db, ".apps", &r, &err), -1);
}

/* A database made before resource_names, opened read-only. */
static void
test_old_database(void **state)
{
	struct ks_resname r;
	struct ks_err err;

	(void)state;
	exec_sql("DROP VIEW resource_names");
	assert_int_equal(ks_resname_resolve(db, "pods", &r, &err), -1);
	assert_non_null(strstr(err.msg, "predates"));
	check("deployments.apps", "apps", "deployments", "",
	    KS_RESNAME_QUALIFIED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builtin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qualified, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_core_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_builtin_names_unique,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_crd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_database, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
