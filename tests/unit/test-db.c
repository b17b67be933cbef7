/* Tests for opening databases: the schema, and read-only refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

static char path[64];

static int
setup(void **state)
{
	sqlite3 *db;
	struct ks_err err;
	int fd;

	snprintf(path, sizeof(path), "/tmp/kubesift-test-db.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	unlink(path);
	if (ks_db_open_rw(path, &db, &err) < 0)
		return -1;
	ks_db_close(db);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	return 0;
}

static void
test_schema(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct ks_err err;
	static const char *const names[] = { "sources", "snapshots", "objects",
	    "audit_events", "strings", "audit_events_text", "rejects",
	    "log_denials", "cluster_events", "requests", "denials",
	    "identities", "activity",
	    "rbac_rules", "rbac_bindings", "rbac_grants", "rbac_changes",
	    "timeline", "known_issues", "known_issue_matches",
	    "resource_kinds", "identity_classes" };

	assert_int_equal(ks_db_open_ro(path, &db, &err), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char q[128];
		snprintf(q, sizeof(q), "SELECT count(*) FROM %s", names[i]);
		if (ks_db_prepare(db, q, &st, &err) < 0)
			fail_msg("%s: %s", names[i], err.msg);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		sqlite3_finalize(st);
	}
	assert_int_equal(ks_db_prepare(db, "PRAGMA user_version", &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), KS_SCHEMA_VERSION);
	sqlite3_finalize(st);
	ks_db_close(db);
}

static void
test_readonly_refusals(void **state)
{
	static const char *const bad[] = {
		"DELETE FROM sources", "UPDATE sources SET path = 'x'",
		"INSERT INTO rejects(source_id, reason) VALUES(1, 'x')",
		"DROP TABLE sources", "CREATE TABLE t(x)",
		"ATTACH '/tmp/x.db' AS x", "DETACH main",
		"PRAGMA writable_schema = 1", "PRAGMA journal_mode = WAL",
		"PRAGMA user_version = 7", "VACUUM",
		"SELECT load_extension('/tmp/x')",
		"SELECT 1; DELETE FROM sources",
		"WITH x AS (SELECT 1) DELETE FROM sources",
		"", "   ",
	};
	sqlite3 *db;
	sqlite3_stmt *st;
	struct ks_err err;

	assert_int_equal(ks_db_open_ro(path, &db, &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ks_db_prepare(db, bad[i], &st, &err) == 0) {
			int rc = sqlite3_step(st);
			sqlite3_finalize(st);
			if (rc == SQLITE_DONE || rc == SQLITE_ROW)
				fail_msg("ran: %s", bad[i]);
		}
	}
	/* Reading still works, pragmas that only read too. */
	assert_int_equal(ks_db_prepare(db, "PRAGMA table_info(sources)", &st,
	    &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	ks_db_close(db);
}

static void
test_missing(void **state)
{
	sqlite3 *db = NULL;
	struct ks_err err;

	assert_int_equal(ks_db_open_ro("/nonexistent/kubesift.db", &db, &err),
	    -1);
	assert_null(db);
	assert_non_null(strstr(err.msg, "no database"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_readonly_refusals),
		cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
