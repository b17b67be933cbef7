/*
 * The ids of the request rollups' groups (rows of rollup_groups) for a
 * flush of store/rollup.c: looked up (NULLs compared with IS), added when
 * new, and kept across flushes, so that a group met again is not looked
 * up again.  The cache is bounded (a full cache adds no more) and
 * forgotten when the ids may have changed: the import's transaction
 * rolled back or the rollups rebuilt (ks_gids_forget), or another
 * connection committed (PRAGMA data_version, at each flush's begin).
 */
#ifndef KS_ROLLUP_IDS_H
#define KS_ROLLUP_IDS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

struct ks_gids;

/* A group's seven fields (actor ... decision): text, n bytes, or NULL. */
struct ks_gid_fields {
	const char	*f[7];
	size_t		 n[7];
};

struct ks_gids *ks_gids_new(void);		/* NULL: out of memory */
void	ks_gids_free(struct ks_gids *c);	/* accepts NULL */
void	ks_gids_forget(struct ks_gids *c);	/* accepts NULL */

/*
 * A flush begins (in the import's transaction, on db): forget all if
 * another connection committed since the last flush, prepare the
 * statements.  0, or -1 with err.  ks_gids_end lets the statements go
 * (after a failed begin too).
 */
int	ks_gids_begin(struct ks_gids *c, sqlite3 *db, struct ks_err *err);
void	ks_gids_end(struct ks_gids *c);

/*
 * The id of the group g, whose key (as rollup.c makes it: the fields'
 * bytes) is len bytes at key; added to rollup_groups when new.  The id,
 * or -1 with err.
 */
int64_t	ks_gids_id(struct ks_gids *c, const char *key, size_t len,
	    const struct ks_gid_fields *g, struct ks_err *err);

#endif
