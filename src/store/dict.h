/*
 * The strings stored once (table strings): an import's cache in front of
 * the table, so that an event's groups, user agent, reason and source IPs
 * cost a hash lookup in memory, not a query, once their value was seen.
 */
#ifndef KS_DICT_H
#define KS_DICT_H

#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

struct ks_dict;

/* A cache on db (borrowed; its statements are prepared here), or NULL. */
struct ks_dict	*ks_dict_new(sqlite3 *db, struct ks_err *err);
void		 ks_dict_free(struct ks_dict *d);

/*
 * The id of the value of len bytes at v (len -1: up to its NUL) in
 * strings, added there if new (in the caller's transaction).  Returns 0,
 * or -1 with err.
 */
int	ks_dict_id(struct ks_dict *d, const char *v, int len, int64_t *id,
	    struct ks_err *err);

/*
 * Forget every value: after a rollback, the ids added since the last
 * commit may be gone (and given again to other values).
 */
void	ks_dict_forget(struct ks_dict *d);

/*
 * The columns of a table that are references into strings, under the
 * name they are exported with (audit_events.user_groups_id: user_groups);
 * NULL when column is none of them.
 */
const char	*ks_dict_column(const char *table, const char *column);

#endif
