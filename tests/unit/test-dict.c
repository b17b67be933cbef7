/*
 * Tests for the cache of the strings stored once (store/dict.h): each
 * value gets one id, the one the table holds; a rollback forgotten would
 * hand out ids that name other values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store/dict.h"

static sqlite3 *
open_db(void)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE strings(id INTEGER"
	    " PRIMARY KEY, value TEXT NOT NULL UNIQUE)", NULL, NULL, NULL),
	    SQLITE_OK);
	return db;
}

/* The id the table holds for v (0: none). */
static int64_t
stored(sqlite3 *db, const char *v)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM strings"
	    " WHERE value = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static struct ks_dict *
new_dict(sqlite3 *db)
{
	struct ks_err err;
	struct ks_dict *d = ks_dict_new(db, &err);

	assert_non_null(d);
	return d;
}

static int64_t
id_of(struct ks_dict *d, const char *v, int len)
{
	struct ks_err err;
	int64_t id = -1;

	assert_int_equal(ks_dict_id(d, v, len, &id, &err), 0);
	return id;
}

static void
test_once(void **state)
{
	sqlite3 *db = open_db();
	struct ks_dict *d = new_dict(db);
	int64_t a, b;

	a = id_of(d, "[\"system:authenticated\"]", -1);
	b = id_of(d, "kubectl/v1.29", -1);
	assert_int_not_equal(a, b);
	assert_int_equal(id_of(d, "[\"system:authenticated\"]", -1), a);
	/* A length cuts the value: "kubectl" is another value. */
	assert_int_not_equal(id_of(d, "kubectl/v1.29", 7), b);
	a = id_of(d, "kubectl", -1);
	assert_int_equal(stored(db, "kubectl"), a);
	a = id_of(d, "", -1);
	assert_int_equal(stored(db, ""), a);
	assert_int_equal(stored(db, "kubectl/v1.29"), b);
	ks_dict_free(d);
	sqlite3_close(db);
}

/* Values added by another connection (another import) are found. */
static void
test_shared(void **state)
{
	sqlite3 *db = open_db();
	struct ks_dict *d1 = new_dict(db);
	struct ks_dict *d2 = new_dict(db);

	assert_int_equal(id_of(d1, "x", -1), id_of(d2, "x", -1));
	assert_int_equal(id_of(d2, "y", -1), id_of(d1, "y", -1));
	ks_dict_free(d1);
	ks_dict_free(d2);
	sqlite3_close(db);
}

/*
 * A value added in a transaction rolled back is gone, and its id goes to
 * the next value added: once forgotten, the cache gives the table's ids.
 */
static void
test_rollback(void **state)
{
	sqlite3 *db = open_db();
	struct ks_dict *d = new_dict(db);
	int64_t kept, gone, other;

	kept = id_of(d, "kept", -1);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	gone = id_of(d, "gone", -1);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	ks_dict_forget(d);
	assert_int_equal(stored(db, "gone"), 0);
	other = id_of(d, "other", -1);
	assert_int_equal(other, gone);	/* the id was given again */
	gone = id_of(d, "gone", -1);
	assert_int_equal(stored(db, "gone"), gone);
	assert_int_not_equal(gone, other);
	assert_int_equal(id_of(d, "kept", -1), kept);
	ks_dict_free(d);
	sqlite3_close(db);
}

/* Past its bound the cache starts again: every id stays the table's. */
static void
test_many(void **state)
{
	sqlite3 *db = open_db();
	struct ks_dict *d = new_dict(db);
	char v[32];

	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (int i = 0; i < 70000; i++) {
		snprintf(v, sizeof(v), "value-%d", i);
		assert_int_equal(id_of(d, v, -1), i + 1);
	}
	for (int i = 0; i < 70000; i += 7) {
		snprintf(v, sizeof(v), "value-%d", i);
		assert_int_equal(id_of(d, v, -1), i + 1);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	ks_dict_free(d);
	sqlite3_close(db);
}

static void
test_columns(void **state)
{
	assert_string_equal(ks_dict_column("audit_events", "user_groups_id"),
	    "user_groups");
	assert_string_equal(ks_dict_column("audit_events", "authz_reason_id"),
	    "authz_reason");
	assert_null(ks_dict_column("audit_events", "source_id"));
	assert_null(ks_dict_column("objects", "user_groups_id"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
