/*
 * The text of strings(id), each read once per plan (remediate-int.h): a
 * small open table, as the refused requests of a plan name few distinct
 * groups and reasons.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/remediate-int.h"

struct slot {
	int64_t	 id;
	int	 used;
	char	*text;		/* NULL: no such string */
};

int
ks_remediate_text_init(struct ks_remediate_text *t, sqlite3 *db)
{
	memset(t, 0, sizeof(*t));
	return sqlite3_prepare_v2(db, "SELECT value FROM strings WHERE id = ?",
	    -1, &t->st, NULL) == SQLITE_OK ? 0 : -1;
}

void
ks_remediate_text_free(struct ks_remediate_text *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].text);
	free(t->slots);
	sqlite3_finalize(t->st);
	memset(t, 0, sizeof(*t));
}

/* Where id is, or would go, in t (t->cap > 0). */
static struct slot *
find(struct slot *v, size_t cap, int64_t id)
{
	size_t j = ((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 20) & (cap - 1);

	while (v[j].used && v[j].id != id)
		j = (j + 1) & (cap - 1);
	return &v[j];
}

/* Make room for one more id in t; -1 when out of memory. */
static int
room(struct ks_remediate_text *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct slot *v;

	if (2 * (t->n + 1) <= t->cap)
		return 0;
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].used)
			*find(v, cap, t->slots[i].id) = t->slots[i];
	free(t->slots);
	t->slots = v;
	t->cap = cap;
	return 0;
}

const char *
ks_remediate_text_get(struct ks_remediate_text *t, int64_t id, int *err)
{
	const unsigned char *s;
	struct slot *at;
	int rc;

	if (t->cap > 0 && (at = find(t->slots, t->cap, id))->used)
		return at->text;
	if (room(t) < 0) {
		*err = 1;
		return NULL;
	}
	at = find(t->slots, t->cap, id);
	sqlite3_bind_int64(t->st, 1, id);
	if ((rc = sqlite3_step(t->st)) == SQLITE_ROW &&
	    (s = sqlite3_column_text(t->st, 0)) != NULL &&
	    (at->text = strdup((const char *)s)) == NULL)
		rc = SQLITE_NOMEM;
	sqlite3_reset(t->st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(at->text);
		at->text = NULL;
		*err = 1;
		return NULL;
	}
	at->id = id;
	at->used = 1;
	t->n++;
	return at->text;
}
