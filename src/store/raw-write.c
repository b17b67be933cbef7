/*
 * Filling raw_block during an import: events' bytes are appended to a
 * buffer; a full buffer is compressed (zstd, one frame) and inserted as one
 * row.  A block holds consecutive events of one member: it is written at
 * the latest before the member's savepoint is released, and forgotten when
 * the member is rolled back.  The block's id is known before its first
 * event is stored (the table's sequence plus one; the import holds the
 * write lock), so that each event row says where its bytes are.
 */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "store/raw.h"
#include "store/db.h"

struct ks_rawbuf {
	char		*buf;		/* the events' bytes, uncompressed */
	size_t		 len, cap;
	char		*z;		/* the compressed frame */
	size_t		 zcap;
	int64_t		 block;		/* id of the block; 0 = none begun */
	int64_t		 first;		/* audit_events id of its first event */
	int64_t		 n;		/* events in it */
	ZSTD_CCtx	*cctx;
};

struct ks_rawbuf *
ks_rawbuf_new(void)
{
	struct ks_rawbuf *b = calloc(1, sizeof(*b));

	if (b != NULL && (b->cctx = ZSTD_createCCtx()) == NULL) {
		free(b);
		b = NULL;
	}
	return b;
}

void
ks_rawbuf_free(struct ks_rawbuf *b)
{
	if (b == NULL)
		return;
	ZSTD_freeCCtx(b->cctx);
	free(b->buf);
	free(b->z);
	free(b);
}

/* The id the next block gets: one past the last ever given. */
static int
next_id(sqlite3 *db, int64_t *id, struct ks_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT coalesce((SELECT seq FROM"
	    " sqlite_sequence WHERE name = 'raw_block'), 0) + 1", -1, &s,
	    NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
ks_rawbuf_place(struct ks_rawbuf *b, sqlite3 *db, int64_t *block,
    int64_t *off, struct ks_err *err)
{
	if (b->block == 0 && next_id(db, &b->block, err) < 0)
		return -1;
	*block = b->block;
	*off = (int64_t)b->len;
	return 0;
}

int
ks_rawbuf_add(struct ks_rawbuf *b, sqlite3 *db, int64_t id, const char *p,
    size_t n, struct ks_err *err)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : KS_RAW_BLOCK_BYTES + 4096;
		char *nb;
		while (cap < b->len + n)
			cap *= 2;
		if ((nb = realloc(b->buf, cap)) == NULL)
			return ks_err_set(err, "out of memory");
		b->buf = nb;
		b->cap = cap;
	}
	if (b->n == 0)
		b->first = id;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->n++;
	if (b->len >= KS_RAW_BLOCK_BYTES || b->n >= KS_RAW_BLOCK_EVENTS)
		return ks_rawbuf_flush(b, db, err);
	return 0;
}

/* Compress the buffer into b->z; the frame's size, or -1. */
static long
compress(struct ks_rawbuf *b, struct ks_err *err)
{
	size_t bound = ZSTD_compressBound(b->len), zn;

	if (bound > b->zcap) {
		char *nz = realloc(b->z, bound);
		if (nz == NULL)
			return ks_err_set(err, "out of memory");
		b->z = nz;
		b->zcap = bound;
	}
	zn = ZSTD_compressCCtx(b->cctx, b->z, b->zcap, b->buf, b->len,
	    KS_RAW_LEVEL);
	if (ZSTD_isError(zn))
		return ks_err_set(err, "compressing raw events: %s",
		    ZSTD_getErrorName(zn));
	return (long)zn;
}

int
ks_rawbuf_flush(struct ks_rawbuf *b, sqlite3 *db, struct ks_err *err)
{
	sqlite3_stmt *s;
	long zn;
	int rc;

	if (b->n == 0) {
		b->block = 0;
		return 0;
	}
	if ((zn = compress(b, err)) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO raw_block(id, codec,"
	    " first_record, n, size, bytes) VALUES(?, '" KS_RAW_CODEC "', ?,"
	    " ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	sqlite3_bind_int64(s, 1, b->block);
	sqlite3_bind_int64(s, 2, b->first);
	sqlite3_bind_int64(s, 3, b->n);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)b->len);
	sqlite3_bind_blob(s, 5, b->z, (int)zn, SQLITE_STATIC);
	/* The error is read before finalize, which forgets the errno. */
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return -1;
	ks_rawbuf_discard(b);
	return 0;
}

void
ks_rawbuf_discard(struct ks_rawbuf *b)
{
	if (b == NULL)
		return;
	b->len = 0;
	b->n = 0;
	b->block = 0;
	b->first = 0;
}
