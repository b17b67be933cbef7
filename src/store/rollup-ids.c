/*
 * The groups' ids cached across flushes (rollup-ids.h): a hash table of
 * keys (the group's fields as store/rollup.c makes them) to ids.
 *
 * Correctness rests on rows of rollup_groups never changing: an import
 * (or the denials' fold) only adds groups, and an id names one group until
 * the rollups are rebuilt (every row deleted) or a transaction that added
 * it is rolled back: the cache is forgotten then (ks_gids_forget).  Another
 * connection may do either between two of our transactions: its commit
 * changes PRAGMA data_version, and the cache starts again.
 */
#include <stdlib.h>
#include <string.h>

#include "store/rollup-ids.h"
#include "store/db.h"

/* An add that found no memory leaves the entry out of the table. */
#define HASH_NONFATAL_OOM	1
#define uthash_nonfatal_oom(e)	((e)->lost = 1)
#include <uthash.h>

#define GIDS_MAX	8192		/* groups cached at most */
#define GIDS_BYTES	(1 << 20)	/* bytes of their keys at most */

struct gid {
	UT_hash_handle	 hh;
	int64_t		 id;
	int		 lost;		/* not added: out of memory */
	char		 key[];
};

struct ks_gids {
	sqlite3		*db;		/* the flush's, borrowed */
	sqlite3_stmt	*find, *add;	/* the flush's */
	struct gid	*head;		/* uthash's table */
	size_t		 bytes;		/* of the keys cached */
	int64_t		 version;	/* data_version when checked; -1 none */
};

struct ks_gids *
ks_gids_new(void)
{
	struct ks_gids *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->version = -1;
	return c;
}

void
ks_gids_forget(struct ks_gids *c)
{
	struct gid *g, *tmp;

	if (c == NULL)
		return;
	HASH_ITER(hh, c->head, g, tmp) {
		HASH_DEL(c->head, g);
		free(g);
	}
	c->head = NULL;
	c->bytes = 0;
}

void
ks_gids_free(struct ks_gids *c)
{
	ks_gids_forget(c);
	free(c);
}

int
ks_gids_begin(struct ks_gids *c, sqlite3 *db, struct ks_err *err)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (v < 0 || v != c->version)
		ks_gids_forget(c);
	c->version = v;
	c->db = db;
	return ks_db_prepare(db, "SELECT id FROM rollup_groups WHERE actor IS"
	    " ?1 AND verb IS ?2 AND api_group IS ?3 AND resource IS ?4 AND"
	    " subresource IS ?5 AND namespace IS ?6 AND decision = ?7",
	    &c->find, err) < 0 || ks_db_prepare(db, "INSERT INTO"
	    " rollup_groups(actor, verb, api_group, resource, subresource,"
	    " namespace, decision) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    &c->add, err) < 0 ? -1 : 0;
}

void
ks_gids_end(struct ks_gids *c)
{
	sqlite3_finalize(c->find);
	sqlite3_finalize(c->add);
	c->find = c->add = NULL;
	c->db = NULL;
}

/* Remember key's id (nothing when full or out of memory). */
static void
remember(struct ks_gids *c, const char *key, size_t len, int64_t id)
{
	struct gid *g;

	if (HASH_COUNT(c->head) >= GIDS_MAX || c->bytes + len > GIDS_BYTES ||
	    (g = malloc(sizeof(*g) + len)) == NULL)
		return;
	g->id = id;
	g->lost = 0;
	memcpy(g->key, key, len);
	HASH_ADD(hh, c->head, key[0], len, g);
	if (g->lost)
		free(g);
	else
		c->bytes += len;
}

/* The id of group g in the table, added if new; -1 with err. */
static int64_t
query(struct ks_gids *c, const struct ks_gid_fields *g, struct ks_err *err)
{
	int64_t id = -1;
	int rc;

	for (int i = 0; i < 7; i++)
		for (int q = 0; q < 2; q++) {
			sqlite3_stmt *s = q ? c->add : c->find;
			if (g->f[i] == NULL)
				sqlite3_bind_null(s, i + 1);
			else
				sqlite3_bind_text(s, i + 1, g->f[i],
				    (int)g->n[i], SQLITE_STATIC);
		}
	if ((rc = sqlite3_step(c->find)) == SQLITE_ROW)
		id = sqlite3_column_int64(c->find, 0);
	sqlite3_reset(c->find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_db_error(c->db, err, NULL);
	if (id < 0) {
		rc = sqlite3_step(c->add);
		sqlite3_reset(c->add);
		if (rc != SQLITE_DONE)
			return ks_db_error(c->db, err, NULL);
		id = sqlite3_last_insert_rowid(c->db);
	}
	return id;
}

int64_t
ks_gids_id(struct ks_gids *c, const char *key, size_t len,
    const struct ks_gid_fields *g, struct ks_err *err)
{
	struct gid *e;
	int64_t id;

	HASH_FIND(hh, c->head, key, len, e);
	if (e != NULL)
		return e->id;
	if ((id = query(c, g, err)) >= 0)
		remember(c, key, len, id);
	return id;
}

