/*
 * The raw bytes of audit events, kept in compressed blocks (table
 * raw_block, sql/001-schema.sql): a few hundred events' bytes one after
 * the other, compressed as one zstd frame, so that one event comes back by
 * decompressing one block.  raw-write.c fills the blocks during an import;
 * rawfn.h reads them back (the SQL function ks_raw, kubesift verify).
 */
#ifndef KS_RAW_H
#define KS_RAW_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"
#include "store/rawfn.h"
#include "store/raw-elide.h"

/*
 * A block is written once it holds KS_RAW_BLOCK_BYTES bytes or
 * KS_RAW_BLOCK_EVENTS events.  Measured on generated EKS events (225 MB):
 * 256 KiB blocks at level 1 take 0.069 of the input, as level 3 does (6.9%
 * against 6.9%) for a fifth less CPU; level 6 saves a fifth of that for
 * 25% more time; 1024-event blocks, 16% of it; a trained dictionary,
 * 21% of it (about 1.5% of the input): not worth a second table.  The
 * whole file as one frame would take 5.3%.  Larger blocks at level 1
 * (zstd -b1 -B, 20 MB of it: 1.41 MB at 256 KiB, 1.21 at 512 KiB, 1.15 at
 * 1 MiB, at the same speed) also fill the database's 64 KiB pages
 * better: a block of 256 KiB, about 18 KB compressed, left a sixth of its
 * pages empty; one of 512 KiB (30-40 KB) a third.  At 1 MiB (60-75 KB:
 * a page, or a page and more) raw_block takes 70 bytes an event on the
 * few-refusals shape where it took 94, 79 on the refusal-heavy one (92);
 * at 2 MiB 70 and 74, for twice the bytes read per event looked up.
 * Level 7 with 16 KiB database pages (store/db.c) takes raw_block 70 ->
 * 53 bytes an event on the few-refusals shape (200,000 events), 79 -> 60
 * on the refusal-heavy one, for 56 M instructions a MiB of input against
 * 11.6 M at level 1 (callgrind over 1 MiB pieces; level 5: 48 M, 62 B):
 * about a fifth more import CPU, which the import cannot spare (one jq
 * pass's half).  Level 1 stays; 8 KiB pages (schema version 10) took the
 * blocks' pages 70 -> 66 bytes an event (less of each block's last page
 * left empty).
 * One event still comes back by decompressing one block (about half a
 * millisecond).  A full block is compressed by a thread of its own while
 * the next fills.
 */
#define KS_RAW_BLOCK_BYTES	(1024 * 1024)
#define KS_RAW_BLOCK_EVENTS	4096
#define KS_RAW_LEVEL		1

/*
 * The bytes of an event's SHA-256 its row keeps (audit_rows.hash) when
 * its raw bytes are kept: they, and the block's digest over the events'
 * whole SHA-256 (raw_block.digest), prove the rest (verify); without the
 * bytes (--no-raw) the row keeps all 32.
 */
#define KS_HASH_KEPT		8

/* The block being filled by an import (raw-write.c). */
struct ks_rawbuf;

struct ks_rawbuf *ks_rawbuf_new(void);
void	ks_rawbuf_free(struct ks_rawbuf *b);

/*
 * Where the next event's bytes will be: the block's id (taken from
 * raw_block's sequence when a block begins) and the offset in it.  The
 * caller, inside the write transaction, stores these with the event, then
 * calls ks_rawbuf_add with the event's row id (or not, for a duplicate).
 */
int	ks_rawbuf_place(struct ks_rawbuf *b, sqlite3 *db, int64_t *block,
	    int64_t *off, struct ks_err *err);
/*
 * Append an event's bytes, without what its row k says (raw-elide.h),
 * and their SHA-256 to the block's digest (raw_block.digest); a full
 * block is written.  0 or -1.
 */
int	ks_rawbuf_add(struct ks_rawbuf *b, sqlite3 *db, int64_t id,
	    const char *p, size_t n, const struct ks_raw_known *k,
	    const uint8_t hash[32], struct ks_err *err);
/*
 * The bytes stored at (block, off, len) by a row that says k, whether
 * their block is written or still in memory: *p, valid until the next
 * call.  0, or -1 with err set.
 */
int	ks_rawbuf_bytes(struct ks_rawbuf *b, sqlite3 *db, int64_t block,
	    int64_t off, int64_t len, const struct ks_raw_known *k,
	    const char **p, struct ks_err *err);
/* Write the block being filled, if any (before a member's commit). */
int	ks_rawbuf_flush(struct ks_rawbuf *b, sqlite3 *db, struct ks_err *err);
/* Forget the block being filled (its member was rolled back). */
void	ks_rawbuf_discard(struct ks_rawbuf *b);
/* Forget the blocks read back (a transaction was rolled back). */
void	ks_rawbuf_forget_read(struct ks_rawbuf *b);

#endif
