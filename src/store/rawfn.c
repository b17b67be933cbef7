/*
 * Reading raw_block back: a block decompressed, and the SQL function
 * ks_raw that gives one event's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>
#include <zstd.h>

#include "store/raw-elide.h"
#include "store/rawfn.h"

/* SQLite's last error as err (-1); store/db.c calls this file. */
static int
sql_error(sqlite3 *db, struct ks_err *err)
{
	return ks_err_set(err, "database: %s", sqlite3_errmsg(db));
}

/* Decompress a block's frame of zn bytes into *buf; size bytes expected. */
static long
decompress(ZSTD_DCtx *d, const char *codec, const void *z, size_t zn,
    int64_t size, char **buf, size_t *cap, struct ks_err *err)
{
	size_t got;

	if (codec == NULL || strcmp(codec, KS_RAW_CODEC) != 0)
		return ks_err_set(err, "unknown codec %s", codec ? codec :
		    "NULL");
	if (size < 0 || (uint64_t)size > SIZE_MAX / 2)
		return ks_err_set(err, "bad size %lld", (long long)size);
	if ((size_t)size + 1 > *cap) {
		char *nb = realloc(*buf, (size_t)size + 1);
		if (nb == NULL)
			return ks_err_set(err, "out of memory");
		*buf = nb;
		*cap = (size_t)size + 1;
	}
	got = ZSTD_decompressDCtx(d, *buf, *cap, z, zn);
	if (ZSTD_isError(got))
		return ks_err_set(err, "not a good zstd frame: %s",
		    ZSTD_getErrorName(got));
	if (got != (size_t)size)
		return ks_err_set(err, "%zu bytes where %lld were stored", got,
		    (long long)size);
	return (long)got;
}

/* Read and decompress block id with the decompression context d. */
static long
block_read(sqlite3 *db, ZSTD_DCtx *d, int64_t id, char **buf, size_t *cap,
    struct ks_err *err)
{
	sqlite3_stmt *s;
	long n = -1;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT codec, size, bytes FROM raw_block"
	    " WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return sql_error(db, err);
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = decompress(d, (const char *)sqlite3_column_text(s, 0),
		    sqlite3_column_blob(s, 2), (size_t)sqlite3_column_bytes(s,
		    2), sqlite3_column_int64(s, 1), buf, cap, err);
	else if (rc == SQLITE_DONE)
		ks_err_set(err, "no such block");
	else
		sql_error(db, err);
	sqlite3_finalize(s);
	return n;
}

long
ks_raw_block_read(sqlite3 *db, int64_t block, char **buf, size_t *cap,
    struct ks_err *err)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	long n;

	if (d == NULL)
		return ks_err_set(err, "out of memory");
	n = block_read(db, d, block, buf, cap, err);
	ZSTD_freeDCtx(d);
	return n;
}

/* A connection's ks_raw: its last block, decompressed. */
struct rawcache {
	int64_t		 block;		/* 0 = none */
	long		 len;
	char		*buf;
	size_t		 cap;
	char		*whole;		/* an event's bytes put back */
	size_t		 whole_cap;
	ZSTD_DCtx	*d;
};

static void
cache_free(void *p)
{
	struct rawcache *c = p;

	if (c == NULL)
		return;
	ZSTD_freeDCtx(c->d);
	free(c->buf);
	free(c->whole);
	free(c);
}

/*
 * Where the bytes of a row are and what the row says of them: the row of
 * id (one argument), or the row whose bytes are at (block, off) (three:
 * looked for from the block's first row on).  The statement is stepped
 * to that row: [block, off, len, audit_key, received_us, stage_us].
 * SQLITE_ROW, SQLITE_DONE (not kept, or no such row), or an error.
 */
static int
locate(sqlite3 *db, int argc, sqlite3_value **argv, sqlite3_stmt **s)
{
	static const char cols[] = "SELECT raw_block, raw_off, raw_len,"
	    " audit_key, received_us, stage_us FROM audit_rows";
	char sql[256];

	snprintf(sql, sizeof(sql), "%s WHERE %s", cols, argc == 1 ?
	    "id = ?1 AND raw_block IS NOT NULL" : "id >= (SELECT first_record"
	    " FROM raw_block WHERE id = ?1) AND raw_block = ?1"
	    " AND raw_off = ?2 AND raw_len = ?3 ORDER BY id LIMIT 1");
	if (sqlite3_prepare_v2(db, sql, -1, s, NULL) != SQLITE_OK)
		return sqlite3_errcode(db);
	for (int i = 0; i < argc; i++)
		sqlite3_bind_value(*s, i + 1, argv[i]);
	return sqlite3_step(*s);
}

/* Block id of c decompressed: 0, or -1 with the result an error. */
static int
cache_block(sqlite3_context *ctx, struct rawcache *c, int64_t id)
{
	struct ks_err err;

	if (c->block == id)
		return 0;
	c->block = 0;
	if ((c->len = block_read(sqlite3_context_db_handle(ctx), c->d, id,
	    &c->buf, &c->cap, &err)) < 0) {
		sqlite3_result_error(ctx, err.msg, -1);
		return -1;
	}
	c->block = id;
	return 0;
}

/* The bytes of len at off in c's block, by what k says, as the result. */
static void
result_bytes(sqlite3_context *ctx, struct rawcache *c, int64_t off,
    int64_t len, const struct ks_raw_known *k)
{
	int rc = len >= INT32_MAX ? -1 : ks_raw_whole(c->buf, (size_t)c->len,
	    off, len, k, &c->whole, &c->whole_cap);

	if (rc == -2)
		sqlite3_result_error_nomem(ctx);
	else if (rc < 0)
		sqlite3_result_error(ctx, "ks_raw: the stored bytes do not fit"
		    " their row (past the end of the block)", -1);
	else
		sqlite3_result_text(ctx, c->whole, (int)len, SQLITE_TRANSIENT);
}

/*
 * ks_raw(id), ks_raw(block, off, len) (the row whose bytes are there), or
 * ks_raw(block, off, len, audit_key, received_us, stage_us) (a row's
 * columns, read by the caller): the bytes, as text.
 */
static void
fn_raw(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct rawcache *c = sqlite3_user_data(ctx);
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *s = NULL;
	struct ks_raw_known k;
	int rc;

	for (int i = 0; i < (argc == 6 ? 3 : argc); i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
			return;		/* NULL: not kept */
	if (argc == 6) {
		ks_raw_known_values(&k, argv[3], argv[4], argv[5]);
		if (cache_block(ctx, c, sqlite3_value_int64(argv[0])) == 0)
			result_bytes(ctx, c, sqlite3_value_int64(argv[1]),
			    sqlite3_value_int64(argv[2]), &k);
		return;
	}
	if ((rc = locate(db, argc, argv, &s)) == SQLITE_ROW) {
		ks_raw_known_columns(&k, s, 3);
		if (cache_block(ctx, c, sqlite3_column_int64(s, 0)) == 0)
			result_bytes(ctx, c, sqlite3_column_int64(s, 1),
			    sqlite3_column_int64(s, 2), &k);
	} else if (rc != SQLITE_DONE)
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
	else if (argc == 3)
		sqlite3_result_error(ctx, "ks_raw: no event's bytes there", -1);
	sqlite3_finalize(s);
}

/* ks_sha256(X): the SHA-256 of X's bytes (text or blob), as a blob. */
static void
fn_sha256(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t h[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	const void *p;
	int n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	p = sqlite3_value_blob(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	sha256_init(&c);
	sha256_update(&c, (size_t)n, p);
	sha256_digest(&c, sizeof(h), h);
	sqlite3_result_blob(ctx, h, sizeof(h), SQLITE_TRANSIENT);
}

int
ks_raw_register(sqlite3 *db, struct ks_err *err)
{
	struct rawcache *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->d = ZSTD_createDCtx()) == NULL) {
		free(c);
		return ks_err_set(err, "out of memory");
	}
	/* The 3-argument form owns the cache (freed with the connection). */
	if (sqlite3_create_function_v2(db, "ks_raw", 3, SQLITE_UTF8, c, fn_raw,
	    NULL, NULL, cache_free) != SQLITE_OK)
		return sql_error(db, err);
	if (sqlite3_create_function_v2(db, "ks_raw", 1, SQLITE_UTF8, c, fn_raw,
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "ks_raw", 6, SQLITE_UTF8, c, fn_raw,
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "ks_sha256", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, fn_sha256, NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sql_error(db, err);
	return 0;
}
