/*
 * Reading raw_block (raw.h) back: a block decompressed, the SQL function
 * ks_raw that every kubesift connection has (store/db.c registers it), and
 * the refusal of the format before raw_block.  Below store/db: it reports
 * SQLite's errors itself.
 */
#ifndef KS_RAWFN_H
#define KS_RAWFN_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

/*
 * A block's codec: zstd over its events' bytes stored as raw-elide.h
 * says (schema version 13; "zstd", the bytes whole, before).
 */
#define KS_RAW_CODEC		"zstd-elided"

/*
 * Register ks_raw on a connection: ks_raw(id) gives the bytes of
 * audit_events row id (NULL when not kept); ks_raw(block, off, len) those
 * stored there (its row looked for in the block's rows);
 * ks_raw(block, off, len, audit_key, received_us, stage_us) those of a
 * row whose columns the caller read (no look-up: export).  Each connection keeps its last block decompressed.  Also
 * ks_sha256(X): the SHA-256 of X's bytes.
 */
int	ks_raw_register(sqlite3 *db, struct ks_err *err);

/*
 * A block's bytes, decompressed into *buf (grown as needed, the caller's
 * to free).  Returns the size, or -1 with err set (missing, bad codec,
 * not a zstd frame, or not the size recorded).
 */
long	ks_raw_block_read(sqlite3 *db, int64_t block, char **buf,
	    size_t *cap, struct ks_err *err);

#endif
