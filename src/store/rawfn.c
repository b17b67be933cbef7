/*
 * Reading raw_block back: a block decompressed, and the SQL function
 * ks_raw that gives one event's bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>
#include <zstd.h>

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
	free(c);
}

/* The location of audit_events row id: 1 found, 0 not kept, -1 error. */
static int
locate(sqlite3 *db, int64_t id, int64_t at[3])
{
	sqlite3_stmt *s;
	int rc, found = 0;

	if (sqlite3_prepare_v2(db, "SELECT raw_block, raw_off, raw_len FROM"
	    " audit_rows WHERE id = ? AND raw_block IS NOT NULL", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++)
			at[i] = sqlite3_column_int64(s, i);
		found = 1;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

/* ks_raw(block, off, len) or ks_raw(id): the bytes, as text. */
static void
fn_raw(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct rawcache *c = sqlite3_user_data(ctx);
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	struct ks_err err;
	int64_t at[3];
	int rc;

	for (int i = 0; i < argc; i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
			return;		/* NULL: not kept */
	if (argc == 1) {
		if ((rc = locate(db, sqlite3_value_int64(argv[0]), at)) <= 0) {
			if (rc < 0)
				sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
			return;
		}
	} else {
		for (int i = 0; i < 3; i++)
			at[i] = sqlite3_value_int64(argv[i]);
	}
	if (c->block != at[0]) {
		c->block = 0;
		if ((c->len = block_read(db, c->d, at[0], &c->buf, &c->cap,
		    &err)) < 0) {
			sqlite3_result_error(ctx, err.msg, -1);
			return;
		}
		c->block = at[0];
	}
	if (at[1] < 0 || at[2] < 0 || at[1] + at[2] > c->len) {
		sqlite3_result_error(ctx, "ks_raw: past the end of the block",
		    -1);
		return;
	}
	sqlite3_result_text(ctx, c->buf + at[1], (int)at[2],
	    SQLITE_TRANSIENT);
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
	    sqlite3_create_function_v2(db, "ks_sha256", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, fn_sha256, NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sql_error(db, err);
	return 0;
}
