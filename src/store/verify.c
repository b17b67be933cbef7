/*
 * kubesift verify: the stored records hashed again (audit events from
 * their compressed blocks, objects, cluster events), and the inputs read
 * again from their recorded paths.  Anything that differs is named to the
 * caller's differs(); nothing is written.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "store/verify.h"
#include "store/db.h"
#include "store/raw.h"
#include "input/input.h"

static void
differs(struct ks_verify *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
differs(struct ks_verify *v, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->bad++;
	if (v->differs != NULL)
		v->differs(v->arg, msg);
}

static void
sha256_of(const void *p, size_t n, uint8_t h[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, p);
	sha256_digest(&c, SHA256_DIGEST_SIZE, h);
}

/* Is hash (hashlen bytes) the SHA-256 of p? */
static int
same_hash(const void *p, size_t n, const void *hash, int hashlen)
{
	uint8_t h[SHA256_DIGEST_SIZE];

	sha256_of(p, n, h);
	return hash != NULL && hashlen == (int)sizeof(h) &&
	    memcmp(h, hash, sizeof(h)) == 0;
}

/*
 * The block an event's bytes are in, read once for its events in a row,
 * and the digest of its events' SHA-256 so far (raw_block.digest).
 */
struct cur {
	int64_t		 id;		/* 0 = none read */
	long		 len;		/* -1: could not be read */
	char		*buf;
	size_t		 cap;
	struct sha256_ctx dig;
	uint8_t		 want[SHA256_DIGEST_SIZE];
	int		 has_want;	/* 0: its digest missing or not 32 bytes */
	char		*whole;		/* an event's bytes put back */
	size_t		 whole_cap;
};

/* The digest of block b->id as stored (when it has one). */
static void
want_digest(sqlite3 *db, struct cur *b)
{
	sqlite3_stmt *s;

	b->has_want = 0;
	sha256_init(&b->dig);
	if (sqlite3_prepare_v2(db, "SELECT digest FROM raw_block WHERE id = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, b->id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) ==
	    SHA256_DIGEST_SIZE) {
		memcpy(b->want, sqlite3_column_blob(s, 0), SHA256_DIGEST_SIZE);
		b->has_want = 1;
	}
	sqlite3_finalize(s);
}

/* The block b->id is done: do its events' hashes make its digest? */
static void
end_block(struct cur *b, struct ks_verify *v)
{
	uint8_t got[SHA256_DIGEST_SIZE];

	if (b->id == 0 || b->len < 0)
		return;
	if (!b->has_want) {
		/* Every block is written with one: its absence is a change. */
		differs(v, "raw block %lld: no digest of its events",
		    (long long)b->id);
		return;
	}
	sha256_digest(&b->dig, sizeof(got), got);
	if (memcmp(got, b->want, sizeof(got)) != 0)
		differs(v, "raw block %lld: its events' SHA-256 do not make "
		    "its digest (an event changed, added or taken away)",
		    (long long)b->id);
}

/* Block blk, decompressed into b (its predecessor checked). */
static void
enter_block(sqlite3 *db, struct cur *b, int64_t blk, struct ks_verify *v)
{
	struct ks_err err;

	end_block(b, v);
	b->id = blk;
	want_digest(db, b);
	if ((b->len = ks_raw_block_read(db, blk, &b->buf, &b->cap, &err)) < 0)
		differs(v, "raw block %lld: %s", (long long)blk, err.msg);
	else
		v->blocks++;
}

/*
 * The bytes (len) of the event at off in b's block, put back by what its
 * row says (columns 6-8 of s) into b->whole: 0, or -1 when they do not
 * fit.
 */
static int
whole_bytes(struct cur *b, sqlite3_stmt *s, int64_t off, int64_t len)
{
	struct ks_raw_known k;

	ks_raw_known_columns(&k, s, 6);
	if (b->len < 0)
		return -1;
	return ks_raw_whole(b->buf, (size_t)b->len, off, len, &k, &b->whole,
	    &b->whole_cap) == 0 ? 0 : -1;
}

/*
 * One audit event's row: [id, audit_id, block, off, len, hash, audit_key,
 * received_us, stage_us].
 */
static int
check_event(sqlite3 *db, sqlite3_stmt *s, struct cur *b, struct ks_verify *v)
{
	int64_t id = sqlite3_column_int64(s, 0), blk, off, len;
	const char *aid = (const char *)sqlite3_column_text(s, 1);
	uint8_t h[SHA256_DIGEST_SIZE];
	int hlen;

	if (sqlite3_column_type(s, 2) == SQLITE_NULL) {
		/* 8 bytes of a hash are kept only beside the bytes. */
		if (sqlite3_column_bytes(s, 5) != SHA256_DIGEST_SIZE)
			differs(v, "audit event %lld (auditID %s): its raw "
			    "bytes are gone, and its hash is not whole",
			    (long long)id, aid ? aid : "none");
		else
			v->hash_only++;
		return 0;
	}
	blk = sqlite3_column_int64(s, 2);
	off = sqlite3_column_int64(s, 3);
	len = sqlite3_column_int64(s, 4);
	if (b->id != blk)
		enter_block(db, b, blk, v);
	if (whole_bytes(b, s, off, len) < 0)
		goto bad;
	sha256_of(b->whole, (size_t)len, h);
	sha256_update(&b->dig, sizeof(h), h);
	hlen = sqlite3_column_bytes(s, 5);
	if ((hlen != (int)sizeof(h) && hlen != KS_HASH_KEPT) ||
	    memcmp(h, sqlite3_column_blob(s, 5), (size_t)hlen) != 0)
		goto bad;
	v->events++;
	return 0;
bad:
	differs(v, "audit event %lld (auditID %s, raw block %lld): its bytes "
	    "do not match their SHA-256", (long long)id, aid ? aid : "none",
	    (long long)blk);
	return 0;
}

/* Every audit event, in the order its blocks were written. */
static int
check_events(sqlite3 *db, struct ks_verify *v, struct ks_err *err)
{
	sqlite3_stmt *s;
	struct cur b = { .id = 0 };
	int rc;

	if (ks_db_prepare(db, "SELECT id, ks_audit_text(audit_key), raw_block,"
	    " raw_off, raw_len, hash, audit_key, received_us, stage_us"
	    " FROM audit_rows ORDER BY id", &s, err) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		check_event(db, s, &b, v);
	if (rc == SQLITE_DONE)
		end_block(&b, v);
	free(b.buf);
	free(b.whole);
	if (rc != SQLITE_DONE)
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Blocks whose count of events is not that of the rows pointing to them
 * (a block added, or rows moved), and rows pointing to no block.
 */
static int
check_blocks(sqlite3 *db, struct ks_verify *v, struct ks_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (ks_db_prepare(db, "SELECT b.id, b.n, coalesce(e.c, 0) FROM"
	    " raw_block b LEFT JOIN (SELECT raw_block, count(*) AS c FROM"
	    " audit_rows WHERE raw_block IS NOT NULL GROUP BY raw_block) e"
	    " ON e.raw_block = b.id WHERE b.n IS NOT coalesce(e.c, 0)"
	    " UNION ALL SELECT raw_block, NULL, count(*) FROM audit_rows"
	    " WHERE raw_block IS NOT NULL AND raw_block NOT IN"
	    " (SELECT id FROM raw_block) GROUP BY raw_block", &s, err) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 1) == SQLITE_NULL)
			differs(v, "raw block %lld: missing, %lld events point "
			    "to it", sqlite3_column_int64(s, 0),
			    sqlite3_column_int64(s, 2));
		else
			differs(v, "raw block %lld: holds %lld events, %lld "
			    "point to it", sqlite3_column_int64(s, 0),
			    sqlite3_column_int64(s, 1),
			    sqlite3_column_int64(s, 2));
	}
	if (rc != SQLITE_DONE)
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Rows of table whose text column matches the hash column. */
static int
check_table(sqlite3 *db, const char *table, const char *col, uint64_t *ok,
    struct ks_verify *v, struct ks_err *err)
{
	sqlite3_stmt *s;
	char q[160];
	int rc;

	snprintf(q, sizeof(q), "SELECT id, %s, hash FROM %s ORDER BY id", col,
	    table);
	if (ks_db_prepare(db, q, &s, err) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(s, 1);
		if (same_hash(p ? p : "", (size_t)sqlite3_column_bytes(s, 1),
		    sqlite3_column_blob(s, 2), sqlite3_column_bytes(s, 2)))
			(*ok)++;
		else
			differs(v, "%s %lld: its %s does not match its "
			    "SHA-256", table, sqlite3_column_int64(s, 0), col);
	}
	if (rc != SQLITE_DONE)
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The SHA-256 of a file, as hex: 0, or -1 with errno set. */
static int
hash_file(const char *path, char hex[65])
{
	uint8_t h[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	char *buf = malloc(1 << 20);
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || buf == NULL) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sha256_init(&c);
	while ((n = read(fd, buf, 1 << 20)) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			sha256_update(&c, (size_t)n, (const uint8_t *)buf);
	close(fd);
	free(buf);
	if (n < 0)
		return -1;
	sha256_digest(&c, sizeof(h), h);
	ks_sha256_hex(h, hex);
	return 0;
}

/* Every input file still at its recorded path. */
static int
check_sources(sqlite3 *db, struct ks_verify *v, struct ks_err *err)
{
	sqlite3_stmt *s;
	char hex[65];
	int rc;

	if (ks_db_prepare(db, "SELECT id, path, sha256 FROM sources WHERE"
	    " parent_id IS NULL AND sha256 IS NOT NULL ORDER BY id", &s,
	    err) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 1);
		const char *sha = (const char *)sqlite3_column_text(s, 2);
		if (path == NULL || path[0] != '/' ||
		    access(path, F_OK) != 0) {
			v->unreachable++;
		} else if (hash_file(path, hex) < 0) {
			differs(v, "source %lld: %s: %s",
			    sqlite3_column_int64(s, 0), path, strerror(errno));
		} else if (strcmp(hex, sha) != 0) {
			differs(v, "source %lld: %s: its bytes are not those "
			    "imported (SHA-256 %s, was %s)",
			    sqlite3_column_int64(s, 0), path, hex, sha);
		} else {
			v->sources++;
		}
	}
	if (rc != SQLITE_DONE)
		ks_db_error(db, err, NULL);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
ks_verify_run(sqlite3 *db, struct ks_verify *v, struct ks_err *err)
{
	if (check_events(db, v, err) < 0 || check_blocks(db, v, err) < 0 ||
	    check_table(db, "objects", "body", &v->objects, v, err) < 0 ||
	    check_table(db, "cluster_events", "raw", &v->cluster, v,
	    err) < 0 || check_sources(db, v, err) < 0)
		return -1;
	return 0;
}
