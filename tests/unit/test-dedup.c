/*
 * Tests for finding duplicate audit events: the timeline's index finds the
 * rows of the same time and auditID, and two hashes that share all but
 * their last byte must still be told apart; a row that keeps 8 bytes of
 * its hash (its raw bytes kept) is the same event only with the same
 * bytes.
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

#include <nettle/sha2.h>
#include <zstd.h>

#include "store/db.h"
#include "store/rawfn.h"
#include "store/store.h"
#include "util/timeutil.h"

struct fx {
	char		 path[64];
	sqlite3		*db;
	struct ks_store	*st;
};

/* A hash of 32 bytes: every byte b, but the last one last. */
static void
hash_of(uint8_t h[32], uint8_t b, uint8_t last)
{
	memset(h, b, 32);
	h[31] = last;
}

/*
 * Store an event of no content but its time (KS_TIME_NONE: none), auditID
 * (NULL: none) and hash.
 */
static void
add_id(sqlite3 *db, int64_t received_us, const char *audit_id,
    const uint8_t h[32])
{
	sqlite3_stmt *s;

	/* (audit_rows: audit_events is a view; the auditID as its key.) */
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO audit_rows"
	    "(source_id, received_us, audit_key, hash)"
	    " VALUES(1, ?, ks_audit_key(?), ?)", -1, &s, NULL), SQLITE_OK);
	if (received_us != KS_TIME_NONE)
		sqlite3_bind_int64(s, 1, received_us);
	if (audit_id != NULL)
		sqlite3_bind_text(s, 2, audit_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, h, 32, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

/* Stored already, judged by the hash alone (no bytes at hand)? */
static int
seen(struct ks_store *st, int64_t received_us, const char *audit_id,
    const uint8_t h[32], struct ks_err *err)
{
	return ks_store_audit_seen(st, received_us, audit_id, h, NULL, 0, err);
}

static void
add(sqlite3 *db, int64_t received_us, const uint8_t h[32])
{
	add_id(db, received_us, NULL, h);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ks_limits lim = { 0 };
	struct ks_err err;
	int fd;

	if (f == NULL)
		return -1;
	*state = f;
	snprintf(f->path, sizeof(f->path), "/tmp/kubesift-test-dedup.XXXXXX");
	if ((fd = mkstemp(f->path)) < 0)
		return -1;
	close(fd);
	unlink(f->path);
	if (ks_db_open_rw(f->path, &f->db, &err) < 0 ||
	    sqlite3_exec(f->db, "INSERT INTO sources(id, path, format,"
	    " imported_at, tool_version, argv) VALUES(1, 'x', 'k8s-audit', 0,"
	    " 't', '[]')", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	f->st = ks_store_new(f->db, &lim, &err);
	return f->st == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ks_store_free(f->st);
	ks_db_close(f->db);
	unlink(f->path);
	free(f);
	return 0;
}

/* Same time and first 8 bytes, another hash: not a duplicate. */
static void
test_prefix_collision(void **state)
{
	struct fx *f = *state;
	struct ks_err err;
	uint8_t a[32], b[32], c[32];

	hash_of(a, 0xab, 1);
	hash_of(b, 0xab, 2);	/* shares all but the last byte with a */
	hash_of(c, 0xcd, 1);
	add(f->db, 1000, a);
	assert_int_equal(seen(f->st, 1000, NULL, a, &err), 1);
	assert_int_equal(seen(f->st, 1000, NULL, b, &err), 0);
	assert_int_equal(seen(f->st, 1000, NULL, c, &err), 0);
	assert_int_equal(seen(f->st, 1001, NULL, a, &err), 0);
	assert_int_equal(seen(f->st, KS_TIME_NONE, NULL, a, &err),
	    0);
	/* Both stored: each is found, a third with the prefix is not. */
	add(f->db, 1000, b);
	assert_int_equal(seen(f->st, 1000, NULL, a, &err), 1);
	assert_int_equal(seen(f->st, 1000, NULL, b, &err), 1);
	hash_of(c, 0xab, 3);
	assert_int_equal(seen(f->st, 1000, NULL, c, &err), 0);
}

/* An event without a time is looked up by its whole hash. */
static void
test_untimed(void **state)
{
	struct fx *f = *state;
	struct ks_err err;
	uint8_t a[32], b[32];

	hash_of(a, 0x11, 1);
	hash_of(b, 0x11, 2);
	add(f->db, KS_TIME_NONE, a);
	assert_int_equal(seen(f->st, KS_TIME_NONE, NULL, a, &err),
	    1);
	assert_int_equal(seen(f->st, KS_TIME_NONE, NULL, b, &err),
	    0);
	assert_int_equal(seen(f->st, 1000, NULL, a, &err), 0);
}

/* The same bytes have the same auditID: another one is another event. */
static void
test_audit_id(void **state)
{
	struct fx *f = *state;
	struct ks_err err;
	uint8_t a[32];

	hash_of(a, 0x22, 1);
	add_id(f->db, 1000, "5b9c1f4e-0d1a-4b2e-9f3a-2c8d7e6f5a41", a);
	assert_int_equal(seen(f->st, 1000,
	    "5b9c1f4e-0d1a-4b2e-9f3a-2c8d7e6f5a41", a, &err), 1);
	assert_int_equal(seen(f->st, 1000, "other", a, &err),
	    0);
	assert_int_equal(seen(f->st, 1000, NULL, a, &err), 0);
}

/*
 * Raw block 1: the bytes of two events, "event-A" (at 0) and "event-B"
 * (at 10), each after three 0 varints: nothing left out (raw-elide.h).
 */
static void
add_block(sqlite3 *db)
{
	static const char raw[] = "\0\0\0event-A\0\0\0event-B";
	char z[256];
	size_t zn = ZSTD_compress(z, sizeof(z), raw, 20, 1);
	sqlite3_stmt *s;

	assert_false(ZSTD_isError(zn));
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO raw_block(id,"
	    " codec, first_record, n, size, bytes, digest) VALUES(1, '"
	    KS_RAW_CODEC "', 1, 2, 20, ?, zeroblob(32))", -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(s, 1, z, (int)zn, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

/* An event at off in block 1, keeping the first 8 bytes of its hash. */
static void
add_kept(sqlite3 *db, int64_t received_us, const uint8_t h[32], int off)
{
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO audit_rows"
	    "(source_id, received_us, hash, raw_block, raw_off, raw_len)"
	    " VALUES(1, ?, ?, 1, ?, 7)", -1, &s, NULL), SQLITE_OK);
	if (received_us != KS_TIME_NONE)
		sqlite3_bind_int64(s, 1, received_us);
	sqlite3_bind_blob(s, 2, h, 8, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, off);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void
sha256_of(const char *p, uint8_t h[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, strlen(p), (const uint8_t *)p);
	sha256_digest(&c, 32, h);
}

/*
 * 8 bytes of a hash kept: the same bytes are a duplicate; other bytes
 * whose hash shares those 8 bytes (a collision, made here by hand) are
 * not, timed or not, nor is any event whose bytes are not at hand.
 */
static void
test_kept_prefix(void **state)
{
	struct fx *f = *state;
	struct ks_err err;
	uint8_t a[32], b[32], forged[32];

	sha256_of("event-A", a);
	sha256_of("event-B", b);
	add_block(f->db);
	add_kept(f->db, 1000, a, 0);
	add_kept(f->db, KS_TIME_NONE, b, 10);
	assert_int_equal(ks_store_audit_seen(f->st, 1000, NULL, a, "event-A",
	    7, &err), 1);
	memcpy(forged, a, 8);
	memset(forged + 8, 0x5a, 24);
	assert_int_equal(ks_store_audit_seen(f->st, 1000, NULL, forged,
	    "event-X", 7, &err), 0);
	assert_int_equal(ks_store_audit_seen(f->st, 1000, NULL, forged,
	    "event-X!", 8, &err), 0);
	assert_int_equal(seen(f->st, 1000, NULL, a, &err), 0);
	assert_int_equal(ks_store_audit_seen(f->st, KS_TIME_NONE, NULL, b,
	    "event-B", 7, &err), 1);
	memcpy(forged, b, 8);
	assert_int_equal(ks_store_audit_seen(f->st, KS_TIME_NONE, NULL,
	    forged, "event-C", 7, &err), 0);
	assert_int_equal(ks_store_audit_seen(f->st, 1000, NULL, b, "event-B",
	    7, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_audit_id, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_prefix_collision, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_untimed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_prefix, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
