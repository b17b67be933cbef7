/*
 * Filling raw_block during an import: events' bytes are appended to a
 * buffer; a full buffer is compressed (zstd, one frame) by a thread of its
 * own while the next one fills, and inserted as one row by the importing
 * thread when that next one is full in turn (or the member ends).  A block
 * holds consecutive events of one member: it is written at the latest
 * before the member's savepoint is released, and forgotten when the member
 * is rolled back.  The block's id is known before its first event is
 * stored (past the table's sequence and the ids given: the import holds
 * the write lock), so that each event row says where its bytes are.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>
#include <zstd.h>

#include "store/raw.h"
#include "store/db.h"

struct block {
	char		*buf;		/* the events' bytes, uncompressed */
	size_t		 len, cap;
	char		*z;		/* the compressed frame */
	size_t		 zcap;
	long		 zn;		/* its size; -1 failed (why) */
	int64_t		 id;		/* 0 = none begun */
	int64_t		 first;		/* audit_events id of its first event */
	int64_t		 n;		/* events in it */
	struct sha256_ctx dig;		/* over its events' SHA-256, in order */
	ZSTD_CCtx	*cctx;
	char		 why[160];
};

/*
 * Written blocks read back (a duplicate's bytes compared), the least
 * recently used one replaced: the logs of several API servers merged
 * into one interleave the blocks of the copies read before.  Their ids
 * are forgotten at a rollback, which may give an id again.
 */
#define READ_BLOCKS	8

struct read_block {
	int64_t		 id;		/* 0 = none */
	uint64_t	 used;		/* when last read (b->reads) */
	long		 len;
	char		*buf;
	size_t		 cap;
};

struct ks_rawbuf {
	struct block	 blocks[2];
	struct block	*cur;		/* being filled */
	struct block	*busy;		/* being compressed by thread, or NULL */
	pthread_t	 thread;
	int64_t		 last_id;	/* the last id given; 0 after a rollback */
	struct read_block read[READ_BLOCKS];
	uint64_t	 reads;
	char		*whole;		/* an event's bytes put back */
	size_t		 whole_cap;
};

static void
reset(struct block *k)
{
	k->len = 0;
	k->n = 0;
	k->id = 0;
	k->first = 0;
	sha256_init(&k->dig);
}

struct ks_rawbuf *
ks_rawbuf_new(void)
{
	struct ks_rawbuf *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	for (int i = 0; i < 2; i++) {
		/* Each frame carries its checksum: a flipped bit in a block
		   fails its decompression, in every reader, not only in
		   verify. */
		if ((b->blocks[i].cctx = ZSTD_createCCtx()) == NULL ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(b->blocks[i].cctx,
		    ZSTD_c_compressionLevel, KS_RAW_LEVEL)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(b->blocks[i].cctx,
		    ZSTD_c_checksumFlag, 1))) {
			ks_rawbuf_free(b);
			return NULL;
		}
	}
	b->cur = &b->blocks[0];
	reset(&b->blocks[0]);
	reset(&b->blocks[1]);
	return b;
}

void
ks_rawbuf_free(struct ks_rawbuf *b)
{
	if (b == NULL)
		return;
	if (b->busy != NULL)
		pthread_join(b->thread, NULL);
	for (int i = 0; i < 2; i++) {
		ZSTD_freeCCtx(b->blocks[i].cctx);
		free(b->blocks[i].buf);
		free(b->blocks[i].z);
	}
	for (int i = 0; i < READ_BLOCKS; i++)
		free(b->read[i].buf);
	free(b->whole);
	free(b);
}

/* The sequence of raw_block: the last id inserted. */
static int
sequence(sqlite3 *db, int64_t *seq, struct ks_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT coalesce((SELECT seq FROM"
	    " sqlite_sequence WHERE name = 'raw_block'), 0)", -1, &s,
	    NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0);
	else
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
ks_rawbuf_place(struct ks_rawbuf *b, sqlite3 *db, int64_t *block,
    int64_t *off, struct ks_err *err)
{
	int64_t seq = 0;

	if (b->cur->id == 0) {
		if (sequence(db, &seq, err) < 0)
			return -1;
		b->last_id = (seq > b->last_id ? seq : b->last_id) + 1;
		b->cur->id = b->last_id;
	}
	*block = b->cur->id;
	*off = (int64_t)b->cur->len;
	return 0;
}

/* Compress k's buffer into k->z (k->zn, or -1 and k->why). */
static void *
compress(void *arg)
{
	struct block *k = arg;
	size_t bound = ZSTD_compressBound(k->len), zn;

	k->zn = -1;
	if (bound > k->zcap) {
		char *nz = realloc(k->z, bound);
		if (nz == NULL) {
			snprintf(k->why, sizeof(k->why), "out of memory");
			return NULL;
		}
		k->z = nz;
		k->zcap = bound;
	}
	zn = ZSTD_compress2(k->cctx, k->z, k->zcap, k->buf, k->len);
	if (ZSTD_isError(zn))
		snprintf(k->why, sizeof(k->why), "compressing raw events: %s",
		    ZSTD_getErrorName(zn));
	else
		k->zn = (long)zn;
	return NULL;
}

/* Insert k, compressed, as a row of raw_block; then k is empty. */
static int
insert(struct block *k, sqlite3 *db, struct ks_err *err)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	sqlite3_stmt *s;
	int rc;

	if (k->zn < 0)
		return ks_err_set(err, "%s", k->why);
	if (sqlite3_prepare_v2(db, "INSERT INTO raw_block(id, codec,"
	    " first_record, n, size, bytes, digest) VALUES(?, '" KS_RAW_CODEC
	    "', ?, ?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	sha256_digest(&k->dig, sizeof(digest), digest);
	sqlite3_bind_int64(s, 1, k->id);
	sqlite3_bind_int64(s, 2, k->first);
	sqlite3_bind_int64(s, 3, k->n);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)k->len);
	sqlite3_bind_blob(s, 5, k->z, (int)k->zn, SQLITE_STATIC);
	sqlite3_bind_blob(s, 6, digest, sizeof(digest), SQLITE_STATIC);
	/* The error is read before finalize, which forgets the errno. */
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	reset(k);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Wait for the block being compressed; insert it unless keep is 0. */
static int
settle(struct ks_rawbuf *b, sqlite3 *db, int keep, struct ks_err *err)
{
	struct block *k = b->busy;

	if (k == NULL)
		return 0;
	pthread_join(b->thread, NULL);
	b->busy = NULL;
	if (!keep) {
		reset(k);
		return 0;
	}
	return insert(k, db, err);
}

/* The block being filled is full: to the thread; fill the other one. */
static int
hand_off(struct ks_rawbuf *b, sqlite3 *db, struct ks_err *err)
{
	struct block *full = b->cur;

	if (settle(b, db, 1, err) < 0)
		return -1;
	b->cur = full == &b->blocks[0] ? &b->blocks[1] : &b->blocks[0];
	reset(b->cur);
	if (pthread_create(&b->thread, NULL, compress, full) != 0) {
		compress(full);		/* no thread: here, then */
		return insert(full, db, err);
	}
	b->busy = full;
	return 0;
}

int
ks_rawbuf_add(struct ks_rawbuf *b, sqlite3 *db, int64_t id, const char *p,
    size_t n, const struct ks_raw_known *known, const uint8_t hash[32],
    struct ks_err *err)
{
	struct block *k = b->cur;

	if (k->len + n + KS_RAW_ELIDE_MAX > k->cap) {
		size_t cap = k->cap ? k->cap : KS_RAW_BLOCK_BYTES + 4096;
		char *nb;
		while (cap < k->len + n + KS_RAW_ELIDE_MAX)
			cap *= 2;
		if ((nb = realloc(k->buf, cap)) == NULL)
			return ks_err_set(err, "out of memory");
		k->buf = nb;
		k->cap = cap;
	}
	if (k->n == 0)
		k->first = id;
	k->len += ks_raw_elide(p, n, known, k->buf + k->len);
	sha256_update(&k->dig, SHA256_DIGEST_SIZE, hash);
	k->n++;
	if (k->len >= KS_RAW_BLOCK_BYTES || k->n >= KS_RAW_BLOCK_EVENTS)
		return hand_off(b, db, err);
	return 0;
}

int
ks_rawbuf_flush(struct ks_rawbuf *b, sqlite3 *db, struct ks_err *err)
{
	if (settle(b, db, 1, err) < 0)
		return -1;
	if (b->cur->n == 0) {
		reset(b->cur);		/* an id given to duplicates alone */
		return 0;
	}
	compress(b->cur);
	return insert(b->cur, db, err);
}

void
ks_rawbuf_discard(struct ks_rawbuf *b)
{
	if (b == NULL)
		return;
	settle(b, NULL, 0, NULL);
	reset(b->cur);
	b->last_id = 0;
	ks_rawbuf_forget_read(b);
}

void
ks_rawbuf_forget_read(struct ks_rawbuf *b)
{
	for (int i = 0; i < READ_BLOCKS; i++)
		b->read[i].id = 0;
}

/* Written block id, decompressed: from the blocks read, or read now. */
static struct read_block *
read_back(struct ks_rawbuf *b, sqlite3 *db, int64_t id, struct ks_err *err)
{
	struct read_block *r = &b->read[0];

	for (int i = 0; i < READ_BLOCKS; i++) {
		if (b->read[i].id == id) {
			r = &b->read[i];
			r->used = ++b->reads;
			return r;
		}
		if (b->read[i].used < r->used)
			r = &b->read[i];
	}
	r->id = 0;
	if ((r->len = ks_raw_block_read(db, id, &r->buf, &r->cap, err)) < 0)
		return NULL;
	r->id = id;
	r->used = ++b->reads;
	return r;
}

int
ks_rawbuf_bytes(struct ks_rawbuf *b, sqlite3 *db, int64_t block, int64_t off,
    int64_t len, const struct ks_raw_known *k, const char **p,
    struct ks_err *err)
{
	const char *buf = NULL;
	long have = 0;

	for (int i = 0; i < 2 && buf == NULL; i++)
		if (b->blocks[i].id == block && b->blocks[i].n > 0) {
			buf = b->blocks[i].buf;	/* not written yet */
			have = (long)b->blocks[i].len;
		}
	if (buf == NULL) {
		struct read_block *r = read_back(b, db, block, err);
		if (r == NULL)
			return -1;
		buf = r->buf;
		have = r->len;
	}
	switch (ks_raw_whole(buf, (size_t)have, off, len, k, &b->whole,
	    &b->whole_cap)) {
	case 0:
		break;
	case -2:
		return ks_err_set(err, "out of memory");
	default:
		return ks_err_set(err, "raw block %lld: an event past its end",
		    (long long)block);
	}
	*p = b->whole;
	return 0;
}
