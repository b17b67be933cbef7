/*
 * SQLite on the query process's allocator (store/sqlmem.h): blocks of
 * every class and past the largest, grown and shrunk by realloc, freed
 * and taken again, each keeping its bytes; checked by SQLite's own
 * results (lengths and sums of what was stored, read back).  Under
 * AddressSanitizer the allocator stays off and this tests malloc.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlmem.h"

/* One integer from sql on db. */
static long long
one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* SQLite's blocks are the allocator's: sizes rounded up to its classes. */
static void
test_installed(void **state)
{
	void *p;

	assert_int_equal(sqlite3_initialize(), SQLITE_OK);
	assert_non_null(p = sqlite3_malloc(100));
#if !defined(__SANITIZE_ADDRESS__)
	assert_int_equal(sqlite3_msize(p), 112);	/* 128, less 16 */
#endif
	sqlite3_free(p);
}

/* Values of every size from 1 byte to 5 MB, stored and read back. */
static void
test_sizes(void **state)
{
	sqlite3 *db;
	long long len = 0, sum = 0;

	/* (printf's %.*c writes its character at least once.) */
	for (int i = 0; i < 3000; i++)
		sum += len += i > 0 ? i : 1;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (n, v);"
	    " WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n * 3 / 2 + 1"
	    " FROM s WHERE n < 5000000) INSERT INTO t SELECT n,"
	    " printf('%.*c', n, 'x') || hex(n) FROM s", NULL, NULL, NULL),
	    SQLITE_OK);
	/* Each value as long as it was made, its tail intact. */
	assert_int_equal(one(db, "SELECT count(*) FROM t WHERE length(v) !="
	    " n + length(hex(n)) OR substr(v, n + 1) != hex(n)"), 0);
	assert_true(one(db, "SELECT count(*) FROM t") > 30);
	/* Grown by concatenation (realloc), then shrunk, then freed. */
	assert_int_equal(one(db, "WITH RECURSIVE s(i, v) AS (SELECT 0, ''"
	    " UNION ALL SELECT i + 1, v || printf('%.*c', i, 'y') FROM s"
	    " WHERE i < 3000) SELECT sum(length(v)) FROM s"), sum);
	assert_int_equal(one(db, "SELECT sum(length(substr(v, 1, n / 3)))"
	    " = sum(n / 3) FROM t"), 1);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM t; VACUUM", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Many connections and statements open at once, then closed. */
static void
test_many(void **state)
{
	sqlite3 *db[20];

	for (int i = 0; i < 20; i++) {
		char sql[256];

		assert_int_equal(sqlite3_open(":memory:", &db[i]), SQLITE_OK);
		snprintf(sql, sizeof(sql), "CREATE TABLE t AS WITH RECURSIVE"
		    " s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE"
		    " n < %d) SELECT n, zeroblob(n %% 700) AS b FROM s",
		    1000 * (i + 1));
		assert_int_equal(sqlite3_exec(db[i], sql, NULL, NULL, NULL),
		    SQLITE_OK);
	}
	for (int i = 0; i < 20; i++) {
		assert_int_equal(one(db[i], "SELECT sum(length(b)) = sum(n % 700)"
		    " FROM t"), 1);
		assert_int_equal(one(db[i], "SELECT count(*) FROM"
		    " (SELECT DISTINCT n % 97 FROM t ORDER BY 1 DESC)"), 97);
		sqlite3_close(db[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_installed),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_many),
	};

	/* Before SQLite starts, as a query process does. */
	ks_sqlmem_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
