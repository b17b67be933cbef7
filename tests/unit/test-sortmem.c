/*
 * Tests that SQLite's memory in the detections saved at the end of an
 * import does not grow with the evidence: their view sorts each person's
 * refusals against the others of its window (burst_window), rows that
 * grow as the square of one burst's refusals, in as much memory as the
 * page cache may hold (ks_db_cache_size).  Measured by SQLite's own
 * accounting (sqlite3_memory_highwater), which counts every allocation it
 * makes whatever the allocator or the sanitizer, never by time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/limits.h"
#include "store/db.h"
#include "store/import.h"
#include "store/rollup.h"
#include "store/run.h"
#include "store/store.h"

/* n refusals of one person, each to its own namespace's secrets, within
   ten minutes (a burst of n targets), written to a new file at path. */
static void
write_burst(const char *path, int n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (int i = 0; i < n; i++) {
		int s = i % 600;

		fprintf(f, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\","
		    "\"level\":\"Metadata\",\"auditID\":\"b-%06d\","
		    "\"stage\":\"ResponseComplete\",\"requestURI\":"
		    "\"/api/v1/namespaces/ns%d/secrets\",\"verb\":\"list\","
		    "\"user\":{\"username\":\"mallory\",\"groups\":"
		    "[\"system:authenticated\"]},\"objectRef\":{\"resource\":"
		    "\"secrets\",\"apiGroup\":\"\",\"apiVersion\":\"v1\","
		    "\"namespace\":\"ns%d\"},\"responseStatus\":{\"code\":403},"
		    "\"requestReceivedTimestamp\":"
		    "\"2024-06-01T10:%02d:%02d.%06dZ\",\"stageTimestamp\":"
		    "\"2024-06-01T10:%02d:%02d.%06dZ\",\"annotations\":"
		    "{\"authorization.k8s.io/decision\":\"forbid\","
		    "\"authorization.k8s.io/reason\":\"\"}}\n", i, i, i,
		    s / 60, s % 60, i, s / 60, s % 60, i);
	}
	assert_int_equal(fclose(f), 0);
}

/*
 * Import a burst of n refusals into a new database, then save the
 * detections as the import does; returns the most memory SQLite held
 * meanwhile beyond what it held before.
 */
static long long
save_peak(int n)
{
	char dir[] = "/tmp/kubesift-test-sortmem.XXXXXX", log[64], path[64];
	char argv[] = "[]";
	struct ks_import imp = { .argv_json = argv };
	struct ks_err err;
	sqlite3_stmt *q;
	long long before, peak, cache = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/burst.jsonl", dir);
	snprintf(path, sizeof(path), "%s/k.db", dir);
	write_burst(log, n);
	assert_int_equal(ks_db_open_rw(path, &imp.db, &err), 0);
	ks_limits_default(&imp.lim);
	assert_non_null(imp.rollup = ks_rollup_new());
	assert_non_null(imp.store = ks_store_new(imp.db, &imp.lim, &err));
	if (ks_run_import(&imp, log, &err) < 0)
		fail_msg("import: %s", err.msg);
	assert_int_equal(ks_store_finish(imp.store, &err), 0);

	before = sqlite3_memory_used();
	sqlite3_memory_highwater(1);
	assert_int_equal(ks_rollup_save_detections(imp.db, &err), 0);
	peak = sqlite3_memory_highwater(0) - before;

	/* The burst was found, over all n refusals... */
	assert_int_equal(sqlite3_prepare_v2(imp.db, "SELECT count FROM"
	    " detections_saved WHERE rule = 'denial-burst' AND actor ="
	    " 'mallory'", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), n);
	sqlite3_finalize(q);
	/* ... and the import's page cache is as it was. */
	assert_int_equal(sqlite3_prepare_v2(imp.db, "PRAGMA cache_size", -1,
	    &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	cache = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	assert_int_equal(cache, -16384);

	ks_store_free(imp.store);
	ks_rollup_free(imp.rollup);
	ks_db_close(imp.db);
	unlink(log);
	unlink(path);
	rmdir(dir);
	return peak;
}

/*
 * 900 refusals in one burst sort about 400,000 rows, 150 about 11,000:
 * with the import's 16 MiB of cache SQLite's peak went 17.2 -> 24.6 MB
 * between the two; bounded, it is the same.
 */
static void
test_save_flat(void **state)
{
	long long small = save_peak(150), large = save_peak(900);

	print_message("SQLite's peak saving the detections: 150 refusals "
	    "%lld KiB, 900 refusals %lld KiB\n", small / 1024, large / 1024);
	assert_true(large - small < 3 * 1024 * 1024);
}

/* The setting before comes back, and the new one is set. */
static void
test_cache_size(void **state)
{
	char path[] = "/tmp/kubesift-test-sortmem.XXXXXX";
	struct ks_err err;
	sqlite3 *db;
	long long was = 0, now = 0;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(ks_db_open_rw(path, &db, &err), 0);
	assert_int_equal(ks_db_cache_size(db, -2048, &was), 0);
	assert_int_equal(was, -16384);
	assert_int_equal(ks_db_cache_size(db, was, &now), 0);
	assert_int_equal(now, -2048);
	ks_db_close(db);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_size),
		cmocka_unit_test(test_save_flat),
	};

	/* SQLite's accounting on, and the import's sorter setting, before
	   SQLite starts (ks_db_open_rw's settings come too late then). */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1);
	sqlite3_config(SQLITE_CONFIG_PMASZ, 128);
	if (sqlite3_initialize() != SQLITE_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
