/*
 * The text of strings(id), each read once per plan (remediate-int.h): a
 * small open table, as the refused requests of a plan name few distinct
 * groups and reasons.  And the plan's interned strings: the columns its
 * groups share (actors, verbs, resources...), each kept once.
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

/* --- the plan's interned strings --- */

struct ks_remediate_atom {
	char	*s;		/* the text (owned) */
	json_t	*js;		/* its JSON string, made on first use */
};

/* FNV-1a of s. */
static uint64_t
hash_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Where s is, or would go, in v (of cap slots, a power of two). */
static struct ks_remediate_atom *
atom_find(struct ks_remediate_atom *v, size_t cap, const char *s)
{
	size_t j = hash_of(s) & (cap - 1);

	while (v[j].s != NULL && strcmp(v[j].s, s) != 0)
		j = (j + 1) & (cap - 1);
	return &v[j];
}

/* Make room for one more string in t; -1 when out of memory. */
static int
atom_room(struct ks_remediate_intern *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256;
	struct ks_remediate_atom *v;

	if (2 * (t->n + 1) <= t->cap)
		return 0;
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].s != NULL)
			*atom_find(v, cap, t->v[i].s) = t->v[i];
	free(t->v);
	t->v = v;
	t->cap = cap;
	return 0;
}

const char *
ks_remediate_intern(struct ks_remediate_intern *t, const char *s)
{
	struct ks_remediate_atom *at;

	if (s == NULL)
		return NULL;
	if (t->cap > 0 && (at = atom_find(t->v, t->cap, s))->s != NULL)
		return at->s;
	if (atom_room(t) < 0)
		return NULL;
	at = atom_find(t->v, t->cap, s);
	if ((at->s = strdup(s)) == NULL)
		return NULL;
	t->n++;
	return at->s;
}

json_t *
ks_remediate_intern_json(struct ks_remediate_intern *t, const char *s)
{
	struct ks_remediate_atom *at;

	if (s == NULL)
		return json_null();
	if (t->cap == 0 || (at = atom_find(t->v, t->cap, s))->s == NULL)
		return json_string(s);	/* (not interned) */
	if (at->js == NULL)
		at->js = json_string(s);
	return json_incref(at->js);
}

void
ks_remediate_intern_free(struct ks_remediate_intern *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		free(t->v[i].s);
		json_decref(t->v[i].js);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

