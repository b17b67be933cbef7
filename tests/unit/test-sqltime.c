/*
 * ks_sqltime_text (store/sqltime.h) against the SQL it stands for
 * (KS_SQL_TIME, built-in functions only, asked of SQLite): the edges of
 * its range, leap days, and many times drawn across it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqltime.h"

/* KS_SQL_TIME(t) as SQLite writes it, into w. */
static void
sql_time(sqlite3_stmt *st, int64_t t, char *w, size_t sz)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, t);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(w, sz, "%s", (const char *)sqlite3_column_text(st, 0));
}

static void
same(sqlite3_stmt *st, int64_t t)
{
	char want[64], got[40];
	int n = ks_sqltime_text(t, got);

	sql_time(st, t, want, sizeof(want));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(got, want);
}

static void
test_as_sql(void **state)
{
	static const int64_t edges[] = {
		0, 1, 999999, 1000000, 86399999999, 86400000000,
		951782400000000,		/* 2000-02-29 */
		951868799999999,		/* its last microsecond */
		4107542400000000,		/* 2100-03-01 */
		1709632800250000,		/* 2024-03-05T10:00:00.25 */
		INT64_C(253402300799999999),	/* 9999-12-31T23:59:59.999999 */
	};
	uint64_t x = UINT64_C(88172645463325252);
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT " KS_SQL_TIME("?1"),
	    -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		same(st, edges[i]);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		same(st, (int64_t)(x % UINT64_C(253402300800000000) >>
		    (i % 3 == 0 ? 0 : i % 3 == 1 ? 8 : 16)));
	}
	/* Outside years 1970 to 9999: SQLite's to write. */
	assert_int_equal(ks_sqltime_text(-1, (char[40]){ 0 }), -1);
	assert_int_equal(ks_sqltime_text(INT64_C(253402300800000000),
	    (char[40]){ 0 }), -1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
