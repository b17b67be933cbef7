/*
 * ks_out_stmt_sorted against SQLite's ORDER BY: seeded rows of NULLs,
 * integers, reals and text (long common prefixes, one the prefix of
 * another, NUL bytes inside) printed sorted by keys in C and by ORDER BY
 * (then rowid: the C sort keeps the statement's order in ties), in csv,
 * jsonl and table, compared byte for byte; keys narrow and wide, so that
 * each way of ordering (out-sort-key.c) is taken.
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

#include "util/err.h"
#include "out/out.h"

#define NROWS	3000

/* A value of column c of row i: NULL, an integer, a real or text. */
static void
bind_value(sqlite3_stmt *st, int c, unsigned r, int reals)
{
	static const char *const stems[] = {
		"system:serviceaccount:tenant-001:app-",
		"system:serviceaccount:tenant-001:app-0",
		"system:serviceaccount:tenant-002:", "a", "", "b\xc3\xa9",
	};
	char text[80];
	int n;

	switch (r % 7) {
	case 0:
		sqlite3_bind_null(st, c);
		break;
	case 1:
	case 2:
		sqlite3_bind_int64(st, c, (long long)(r / 7 % 41) - 20 +
		    (r % 13 == 0 ? INT64_C(1) << 62 : 0));
		break;
	case 3:
		if (reals) {
			sqlite3_bind_double(st, c, (double)(r / 7 % 23) / 4 - 2);
			break;
		}
		/* FALLTHROUGH */
	default:
		n = snprintf(text, sizeof(text), "%s%u", stems[r / 7 % 6],
		    r / 42 % 5);
		if (r % 11 == 0)	/* a NUL inside */
			text[n++] = '\0';
		if (r % 5 == 0)
			n = (int)strlen(stems[r / 7 % 6]);
		sqlite3_bind_text(st, c, text, n, SQLITE_TRANSIENT);
	}
}

static int
setup(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	unsigned seed = 20241207;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE u (a, b, c, d); BEGIN", NULL, NULL,
	    NULL) != SQLITE_OK || sqlite3_prepare_v2(db, "INSERT INTO u "
	    "VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < NROWS; i++) {
		for (int c = 1; c <= 4; c++) {
			seed = seed * 1103515245 + 12345;
			bind_value(st, c, seed >> 8, c == 4);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

/* sql through format, sorted by keys in C (nkeys > 0) or as it comes. */
static char *
run(sqlite3 *db, const char *format, const char *sql,
    const struct ks_out_key *keys, int nkeys)
{
	struct ks_err err;
	struct ks_out *out;
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t size = 0;
	FILE *fp;
	int rc;

	assert_non_null(fp = open_memstream(&buf, &size));
	assert_non_null(out = ks_out_new(format, fp, &err));
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	rc = nkeys > 0 ? ks_out_stmt_sorted(out, st, keys, nkeys, &err) :
	    ks_out_stmt(out, st, &err);
	if (rc != 0)
		fail_msg("%s: %s", format, err.msg);
	sqlite3_finalize(st);
	ks_out_free(out);
	fclose(fp);
	return buf;
}

/* The C sort by keys and ORDER BY order (SQL) agree in every format. */
static void
agree_in(sqlite3 *db, const char *table, const char *order,
    const struct ks_out_key *keys, int nkeys)
{
	static const char *const formats[] = { "csv", "jsonl", "table" };
	char sql[256], cols[64];

	snprintf(cols, sizeof(cols), "SELECT a, b, c, d FROM %s", table);
	snprintf(sql, sizeof(sql), "%s ORDER BY %s, rowid", cols, order);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *want = run(db, formats[i], sql, NULL, 0);
		char *got = run(db, formats[i], cols, keys, nkeys);

		if (strcmp(want, got) != 0)
			fail_msg("%s by %s: the orders differ", formats[i],
			    order);
		free(want);
		free(got);
	}
}

static void
agree(sqlite3 *db, const char *order, const struct ks_out_key *keys,
    int nkeys)
{
	agree_in(db, "u", order, keys, nkeys);
}

static void
test_text_and_integers(void **state)
{
	static const struct ks_out_key k1[] = { { 0, 1 }, { 1, 0 } };
	static const struct ks_out_key k2[] = { { 1, 0 }, { 2, 1 } };
	static const struct ks_out_key k3[] = { { 2, 1 } };

	agree(*state, "a DESC, b", k1, 2);
	agree(*state, "b, c DESC", k2, 2);
	agree(*state, "c DESC", k3, 1);
}

/*
 * Integers of a small range: keys of a few bits each, sorted as 64-bit
 * integers with the row's index below them, or, with more keys, packed
 * into 256 bits and compared; each column again in both orders.
 */
static void
test_narrow_keys(void **state)
{
	static const struct ks_out_key k1[] = { { 0, 1 }, { 1, 0 } };
	static const struct ks_out_key k2[] = { { 2, 0 }, { 1, 1 } };
	static const struct ks_out_key k3[] = { { 0, 0 }, { 1, 1 }, { 2, 0 },
	    { 0, 1 }, { 1, 0 }, { 2, 1 }, { 1, 0 } };
	static const struct ks_out_key k4[] = { { 1, 1 } };

	assert_int_equal(sqlite3_exec(*state, "CREATE TABLE w AS SELECT"
	    " CASE typeof(a) WHEN 'integer' THEN a % 9 ELSE a END AS a,"
	    " CASE typeof(b) WHEN 'integer' THEN b % 700 ELSE b END AS b,"
	    " CASE WHEN typeof(c) = 'integer' THEN c % 2 WHEN c IS NULL"
	    " THEN 1 ELSE c END AS c, d FROM u", NULL, NULL, NULL),
	    SQLITE_OK);
	agree_in(*state, "w", "a DESC, b", k1, 2);
	agree_in(*state, "w", "c, b DESC", k2, 2);
	agree_in(*state, "w", "a, b DESC, c, a DESC, b, c DESC, b", k3, 7);
	agree_in(*state, "w", "b DESC", k4, 1);
	assert_int_equal(sqlite3_exec(*state, "DROP TABLE w", NULL, NULL,
	    NULL), SQLITE_OK);
}

/* Reals among the keys: compared value by value. */
static void
test_reals(void **state)
{
	static const struct ks_out_key k1[] = { { 3, 0 }, { 0, 0 } };
	static const struct ks_out_key k2[] = { { 1, 1 }, { 3, 1 } };

	agree(*state, "d, a", k1, 2);
	agree(*state, "b DESC, d DESC", k2, 2);
}

/*
 * A JSON value stays JSON, as ks_out_stmt prints it without ORDER BY
 * (SQLite's sorter drops the subtype).
 */
static void
test_json(void **state)
{
	static const struct ks_out_key k[] = { { 0, 1 } };
	char *got = run(*state, "jsonl", "SELECT 1 AS n, json_array(1, 'a')"
	    " AS j UNION ALL SELECT 2, json_array(2)", k, 1);

	assert_string_equal(got, "{\"n\":2,\"j\":[2]}\n"
	    "{\"n\":1,\"j\":[1,\"a\"]}\n");
	free(got);
}

/* An empty result: the header alone, as ks_out_stmt prints it. */
static void
test_empty(void **state)
{
	static const struct ks_out_key k[] = { { 0, 0 } };
	char *want = run(*state, "csv", "SELECT a FROM u WHERE 0", NULL, 0);
	char *got = run(*state, "csv", "SELECT a FROM u WHERE 0", k, 1);

	assert_string_equal(got, want);
	free(want);
	free(got);
}

/*
 * Texts alike for their first 3 MB and for 5000 bytes (one the prefix of
 * another, NUL bytes in the tails), sorted as ORDER BY sorts them: a key
 * sorted PREFIX bytes a level would recurse once per 32 bytes shared
 * (the stack of a hostile log's 3 MB user names).
 */
static void
test_long_prefixes(void **state)
{
	static const struct ks_out_key k[] = { { 0, 0 } };
	static const char *const tails[] = { "1", "0", "", "0x", "\0b", "a" };
	static const size_t lens[] = { 3u << 20, 5000 };
	sqlite3 *db = *state;
	sqlite3_stmt *st;
	char *buf, *want, *got;

	assert_int_equal(sqlite3_exec(db, "CREATE TABLE v (a)", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO v VALUES (?1)",
	    -1, &st, NULL), SQLITE_OK);
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			size_t n = strlen(tails[t]) + (t == 4);

			assert_non_null(buf = malloc(lens[l] + n));
			memset(buf, 'u', lens[l]);
			memcpy(buf + lens[l], t == 4 ? "\0b" : tails[t], n);
			sqlite3_bind_text(st, 1, buf, (int)(lens[l] + n),
			    SQLITE_TRANSIENT);
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_reset(st);
			free(buf);
		}
	sqlite3_finalize(st);
	want = run(db, "csv", "SELECT a, length(a) FROM v ORDER BY a, rowid",
	    NULL, 0);
	got = run(db, "csv", "SELECT a, length(a) FROM v", k, 1);
	if (strcmp(want, got) != 0)
		fail_msg("long prefixes: the orders differ");
	free(got);
	free(want);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE v", NULL, NULL, NULL),
	    SQLITE_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_integers),
		cmocka_unit_test(test_narrow_keys),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_long_prefixes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
