/*
 * Tests for the groups' ids kept across the rollups' flushes
 * (store/rollup-ids.h, store/rollup.h): each group gets the id
 * rollup_groups holds for it, after a rollback, a rebuild of the rollups
 * or another connection's commit as well; a cache kept past any of them
 * would count requests under an id that names no group, or another one.
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

#include "store/db.h"
#include "store/rollup.h"
#include "store/rollup-ids.h"

static const char table[] = "CREATE TABLE IF NOT EXISTS rollup_groups"
    " (id INTEGER PRIMARY KEY, actor TEXT, verb TEXT, api_group TEXT,"
    " resource TEXT, subresource TEXT, namespace TEXT, decision TEXT"
    " NOT NULL)";

static sqlite3 *
open_db(const char *path)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, table, NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void
run(sqlite3 *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The key and fields of the group of actor (get pods, allowed). */
static int64_t
id_of(struct ks_gids *c, const char *actor)
{
	struct ks_gid_fields g = { { actor, "get", NULL, "pods", NULL,
	    "ns", "allow" }, { strlen(actor), 3, 0, 4, 0, 2, 5 } };
	struct ks_err err;

	return ks_gids_id(c, actor, strlen(actor), &g, &err);
}

/* The id rollup_groups holds for actor's group (0: none). */
static int64_t
stored(sqlite3 *db, const char *actor)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM rollup_groups"
	    " WHERE actor = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static void
begin(struct ks_gids *c, sqlite3 *db)
{
	struct ks_err err;

	assert_int_equal(ks_gids_begin(c, db, &err), 0);
}

/* Cached: a row gone unknown to the cache is not looked up; forgotten,
 * the table's id again. */
static void
test_cached(void **state)
{
	sqlite3 *db = open_db(":memory:");
	struct ks_gids *c = ks_gids_new();
	int64_t a, b;

	begin(c, db);
	a = id_of(c, "alice");
	b = id_of(c, "bob");
	assert_true(a > 0 && b > 0 && a != b);
	assert_int_equal(stored(db, "alice"), a);
	assert_int_equal(id_of(c, "alice"), a);
	run(db, "DELETE FROM rollup_groups");
	assert_int_equal(id_of(c, "alice"), a);	/* from the cache */
	assert_int_equal(stored(db, "alice"), 0);
	ks_gids_forget(c);
	run(db, "INSERT INTO rollup_groups(actor, decision) VALUES('x', 'y')");
	a = id_of(c, "alice");
	assert_int_equal(stored(db, "alice"), a);
	ks_gids_end(c);
	ks_gids_free(c);
	sqlite3_close(db);
}

/*
 * A group added in a transaction rolled back is gone, and its id goes to
 * the next group added: the rollup forgets (ks_rollup_clear, as the
 * import does), and the ids are the table's.
 */
static void
test_rollback(void **state)
{
	sqlite3 *db = open_db(":memory:");
	struct ks_rollup *r = ks_rollup_new();
	struct ks_gids *c = ks_gids_new();
	int64_t a;

	run(db, "BEGIN");
	begin(c, db);
	a = id_of(c, "alice");
	ks_gids_end(c);
	run(db, "ROLLBACK");
	ks_gids_forget(c);
	begin(c, db);
	assert_int_equal(id_of(c, "bob"), a);
	assert_int_not_equal(id_of(c, "alice"), a);
	assert_int_equal(stored(db, "alice"), id_of(c, "alice"));
	ks_gids_end(c);
	ks_gids_free(c);
	ks_rollup_clear(r);
	ks_rollup_free(r);
	sqlite3_close(db);
}

/*
 * Another connection commits (here: the groups numbered afresh, as a
 * rebuild of the rollups does): the next flush's begin forgets.
 */
static void
test_other(void **state)
{
	char path[] = "/tmp/test-rollup-ids-XXXXXX";
	int fd = mkstemp(path);
	sqlite3 *db, *other;
	struct ks_gids *c = ks_gids_new();
	int64_t a;

	assert_true(fd >= 0);
	close(fd);
	db = open_db(path);
	other = open_db(path);
	begin(c, db);
	assert_int_equal(id_of(c, "alice"), 1);
	ks_gids_end(c);
	run(other, "DELETE FROM rollup_groups;"
	    " INSERT INTO rollup_groups(actor, decision) VALUES('bob', 'allow')");
	begin(c, db);
	a = id_of(c, "alice");
	assert_int_equal(stored(db, "alice"), a);
	assert_int_not_equal(a, 1);
	ks_gids_end(c);
	ks_gids_free(c);
	sqlite3_close(db);
	sqlite3_close(other);
	unlink(path);
}

/* The requests of one group counted, flushed. */
static void
count(struct ks_rollup *r, sqlite3 *db, int64_t us)
{
	struct ks_audit_row row = { .stage = "ResponseComplete",
	    .verb = "get", .username = "alice", .resource = "pods",
	    .namespace = "ns", .code = 200, .received_us = us };
	struct ks_err err;

	ks_rollup_add(r, &row);
	assert_int_equal(ks_rollup_flush(r, db, &err), 0);
}

/*
 * Through the rollup: counts flushed, the rollups rebuilt (every group
 * gone: no event holds them), counted again: the group is added again and
 * its counts go under its new id.
 */
static void
test_rebuild(void **state)
{
	sqlite3 *db;
	struct ks_rollup *r = ks_rollup_new();
	struct ks_err err;
	sqlite3_stmt *st;

	assert_int_equal(ks_db_open_rw(":memory:", &db, &err), 0);
	assert_int_equal(ks_db_apply_schema(db, &err), 0);
	count(r, db, 1709632800000000);
	run(db, "UPDATE rollup_groups SET id = id + 1000");
	assert_int_equal(ks_rollup_rebuild(r, db, &err), 0);
	count(r, db, 1709632860000000);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(allowed)"
	    " FROM request_total t JOIN rollup_groups g ON g.id = t.gid"
	    " WHERE g.actor = 'alice'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	assert_int_equal(sqlite3_column_int(st, 1), 1);
	sqlite3_finalize(st);
	ks_rollup_free(r);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_other),
		cmocka_unit_test(test_rebuild),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
