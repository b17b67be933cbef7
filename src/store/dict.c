/*
 * The strings stored once.  Each value an import meets is looked up in a
 * hash table in memory (uthash, Debian's uthash-dev: header only, its
 * Jenkins hash); only a value not met before costs a query of the table,
 * and an insert when it is new.  The cache is bounded (DICT_MAX values,
 * DICT_BYTES bytes of them): past that it starts again empty, so memory
 * stays flat whatever the evidence.
 *
 * Correctness rests on two facts: rows of strings are never changed nor
 * deleted (another import may only add values, and a value it added has
 * an id we would find by query), and a rollback forgets the whole cache
 * (the values this import added since its last commit are gone, and their
 * ids may name other values later).
 */
#include <stdlib.h>
#include <string.h>

#include "store/dict.h"
#include "store/db.h"

/* An add that found no memory leaves the entry out of the table. */
#define HASH_NONFATAL_OOM	1
#define uthash_nonfatal_oom(e)	((e)->lost = 1)
#include <uthash.h>

#define DICT_MAX	65536		/* values cached at most */
#define DICT_BYTES	(16 << 20)	/* bytes of them at most */

struct entry {
	UT_hash_handle	 hh;
	int64_t		 id;		/* strings(id) */
	int		 lost;		/* not added: out of memory */
	int		 len;
	char		 key[];		/* len bytes, then a NUL */
};

struct ks_dict {
	sqlite3		*db;		/* borrowed */
	sqlite3_stmt	*find, *add;
	struct entry	*head;		/* uthash's table */
	size_t		 bytes;		/* of the values cached */
};

struct ks_dict *
ks_dict_new(sqlite3 *db, struct ks_err *err)
{
	struct ks_dict *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	d->db = db;
	if (ks_db_prepare(db, "SELECT id FROM strings WHERE value = ?",
	    &d->find, err) < 0 || ks_db_prepare(db, "INSERT INTO"
	    " strings(value) VALUES(?)", &d->add, err) < 0) {
		ks_dict_free(d);
		return NULL;
	}
	return d;
}

void
ks_dict_forget(struct ks_dict *d)
{
	struct entry *e, *tmp;

	if (d == NULL)
		return;
	HASH_ITER(hh, d->head, e, tmp) {
		HASH_DEL(d->head, e);
		free(e);
	}
	d->head = NULL;
	d->bytes = 0;
}

void
ks_dict_free(struct ks_dict *d)
{
	if (d == NULL)
		return;
	ks_dict_forget(d);
	sqlite3_finalize(d->find);
	sqlite3_finalize(d->add);
	free(d);
}

/* The id of v in the table, added if new.  Returns 0 or -1. */
static int
query(struct ks_dict *d, const char *v, int len, int64_t *id,
    struct ks_err *err)
{
	int rc;

	sqlite3_bind_text(d->find, 1, v, len, SQLITE_STATIC);
	rc = sqlite3_step(d->find);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(d->find, 0);
	sqlite3_reset(d->find);
	sqlite3_clear_bindings(d->find);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return ks_db_error(d->db, err, NULL);
	sqlite3_bind_text(d->add, 1, v, len, SQLITE_STATIC);
	rc = sqlite3_step(d->add);
	sqlite3_reset(d->add);
	sqlite3_clear_bindings(d->add);
	if (rc != SQLITE_DONE)
		return ks_db_error(d->db, err, NULL);
	*id = sqlite3_last_insert_rowid(d->db);
	return 0;
}

/* Remember v as id (a value not cached); out of memory, remember nothing. */
static void
remember(struct ks_dict *d, const char *v, int len, int64_t id)
{
	struct entry *e;

	if (HASH_COUNT(d->head) >= DICT_MAX ||
	    d->bytes + (size_t)len > DICT_BYTES)
		ks_dict_forget(d);
	if ((e = malloc(sizeof(*e) + (size_t)len + 1)) == NULL)
		return;
	e->id = id;
	e->lost = 0;
	e->len = len;
	memcpy(e->key, v, (size_t)len);
	e->key[len] = '\0';
	HASH_ADD(hh, d->head, key[0], (unsigned)len, e);
	if (e->lost)
		free(e);
	else
		d->bytes += (size_t)len;
}

int
ks_dict_id(struct ks_dict *d, const char *v, int len, int64_t *id,
    struct ks_err *err)
{
	struct entry *e;

	if (len < 0)
		len = (int)strlen(v);
	HASH_FIND(hh, d->head, v, (unsigned)len, e);
	if (e != NULL) {
		*id = e->id;
		return 0;
	}
	if (query(d, v, len, id, err) < 0)
		return -1;
	remember(d, v, len, *id);
	return 0;
}

const char *
ks_dict_column(const char *table, const char *column)
{
	static const char *const refs[][2] = {
		{ "user_groups_id", "user_groups" },
		{ "impersonated_groups_id", "impersonated_groups" },
		{ "source_ips_id", "source_ips" },
		{ "user_agent_id", "user_agent" },
		{ "authz_reason_id", "authz_reason" },
	};

	if (table == NULL || column == NULL ||
	    strcmp(table, "audit_events") != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if (strcmp(column, refs[i][0]) == 0)
			return refs[i][1];
	return NULL;
}
