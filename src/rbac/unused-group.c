/*
 * The groups of the window's requests (unused-int.h, ks_unused_groups):
 * each row of the scan hashed into its group here rather than sorted by
 * SQLite (a GROUP BY of a million rows sorted them all, and sorted each
 * group's auditIDs for count(DISTINCT)), then the groups sorted as that
 * GROUP BY gave them.  A group's requests are its distinct auditIDs: the
 * keys are kept as 64-bit hashes beside their rows, sorted, and the keys of
 * equal hashes in a group read back and compared whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/unused-int.h"
#include "util/timeutil.h"

/* The columns of a row of the scan (unused-int.h, unused-scan.c). */
enum { C_ACTOR, C_GROUPS, C_VERB, C_NAME = 7, C_PATH, C_ALLOWED, C_IMP,
    C_IMPG, C_KEY, C_TIME, C_ID };
#define NTEXT	7	/* verb .. path */
#define NINT	5	/* actor, groups, allowed, impersonator, its groups */

/* A value of a row: its SQLite type (0: NULL) and bytes or integer. */
struct val {
	int		 type;
	int		 len;
	const char	*p;	/* text or blob; owned by the group */
	int64_t		 i;
};

struct grp {
	uint64_t	 h;
	struct val	 iv[NINT];	/* actor, groups, allowed, imp, impg */
	struct val	 tv[NTEXT];	/* verb .. path */
	char		*gtext, *impgtext; /* groups' strings, for the order */
	long long	 n;		/* distinct keys */
	int64_t		 lo, hi;	/* KS_TIME_NONE: no time */
};

/* One row's key: its hash, its group and its row (to read it again). */
struct keyref {
	uint64_t	 h;
	uint32_t	 g;
	int64_t		 id;
};

struct ks_unused_groups {
	struct grp	*g;
	size_t		 ng, capg;
	uint32_t	*slot;		/* open addressing: group index + 1 */
	size_t		 nslot;
	struct keyref	*k;		/* every row's key */
	size_t		 nk, capk;
	sqlite3		*db;
	sqlite3_stmt	*key_st;	/* a row's key, read again */
};

/* h and n bytes of p, mixed (eight at a time). */
static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = n;
	if (n > 0)
		memcpy(&w, s, n), w ^= (uint64_t)n << 59;
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* Column i of st as a value (bytes borrowed from st). */
static void
val_of(sqlite3_stmt *st, int i, struct val *v)
{
	v->type = sqlite3_column_type(st, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_type(st, i);
	v->i = v->type == SQLITE_INTEGER ? sqlite3_column_int64(st, i) : 0;
	v->p = NULL;
	v->len = 0;
	if (v->type == SQLITE_TEXT || v->type == SQLITE_BLOB ||
	    v->type == SQLITE_FLOAT) {
		if (v->type == SQLITE_FLOAT)	/* never in these columns */
			v->type = SQLITE_TEXT;
		v->p = v->type == SQLITE_TEXT ?
		    (const char *)sqlite3_column_text(st, i) :
		    sqlite3_column_blob(st, i);
		v->len = sqlite3_column_bytes(st, i);
	}
}

static uint64_t
val_hash(uint64_t h, const struct val *v)
{
	h = mix(h, &v->type, sizeof(v->type));
	if (v->type == SQLITE_INTEGER)
		return mix(h, &v->i, sizeof(v->i));
	h = mix(h, &v->len, sizeof(v->len));
	return mix(h, v->p, (size_t)v->len);
}

static int
val_eq(const struct val *a, const struct val *b)
{
	if (a->type != b->type)
		return 0;
	if (a->type == SQLITE_INTEGER)
		return a->i == b->i;
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p,
	    (size_t)a->len) == 0);
}

/* SQLite's order: NULL, numbers, text, blobs; bytes compared. */
static int
val_cmp(const struct val *a, const struct val *b)
{
	static const int rank[] = { 0, 1, 1, 2, 3, 0 };
	int c, n;

	if ((c = rank[a->type] - rank[b->type]) != 0 || a->type == 0)
		return c;
	if (a->type == SQLITE_INTEGER)
		return (a->i > b->i) - (a->i < b->i);
	n = a->len < b->len ? a->len : b->len;
	if (n > 0 && (c = memcmp(a->p, b->p, (size_t)n)) != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

/* Copy v's bytes (NUL-terminated) for a group to keep. */
static int
val_keep(struct val *v)
{
	char *p;

	if (v->type != SQLITE_TEXT && v->type != SQLITE_BLOB)
		return 0;
	if ((p = malloc((size_t)v->len + 1)) == NULL)
		return -1;
	if (v->len > 0)
		memcpy(p, v->p, (size_t)v->len);
	p[v->len] = '\0';
	v->p = p;
	return 0;
}

/* Double the slots and put every group back. */
static int
regrow(struct ks_unused_groups *s)
{
	size_t n = s->nslot ? 2 * s->nslot : 1024, j;
	uint32_t *slot = calloc(n, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < s->ng; i++) {
		for (j = s->g[i].h & (n - 1); slot[j] != 0; j = (j + 1) & (n - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(s->slot);
	s->slot = slot;
	s->nslot = n;
	return 0;
}

/* The group of row x (its values iv, tv, hash h), added when new; -1 when
   out of memory. */
static long
group_of(struct ks_unused_groups *s, uint64_t h, struct val *iv, struct val *tv)
{
	struct grp *g;
	size_t j;
	int i;

	if ((s->ng + 1) * 2 > s->nslot && regrow(s) < 0)
		return -1;
	for (j = h & (s->nslot - 1); s->slot[j] != 0; j = (j + 1) &
	    (s->nslot - 1)) {
		g = &s->g[s->slot[j] - 1];
		if (g->h != h)
			continue;
		for (i = 0; i < NINT && val_eq(&g->iv[i], &iv[i]); i++)
			;
		if (i < NINT)
			continue;
		for (i = 0; i < NTEXT && val_eq(&g->tv[i], &tv[i]); i++)
			;
		if (i == NTEXT)
			return (long)s->slot[j] - 1;
	}
	if (s->ng == s->capg) {
		size_t cap = s->capg ? 2 * s->capg : 256;
		struct grp *more = realloc(s->g, cap * sizeof(*more));

		if (more == NULL)
			return -1;
		s->g = more;
		s->capg = cap;
	}
	g = &s->g[s->ng];
	memset(g, 0, sizeof(*g));
	g->h = h;
	g->lo = g->hi = KS_TIME_NONE;
	memcpy(g->iv, iv, sizeof(g->iv));
	memcpy(g->tv, tv, sizeof(g->tv));
	for (i = 0; i < NTEXT; i++)
		if (val_keep(&g->tv[i]) < 0)
			return -1;
	s->slot[j] = (uint32_t)s->ng + 1;
	return (long)s->ng++;
}

/* Is the key of row id equal to the key of row other?  1, 0, or -1 (no
   memory, or SQLite failed: never a guess, which would change a count). */
static int
same_key(sqlite3_stmt *st, int64_t id, int64_t other)
{
	struct val a, b;
	char *copy = NULL;
	int eq = -1;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		val_of(st, 0, &a);
		if ((copy = malloc((size_t)a.len + 1)) != NULL && a.len > 0)
			memcpy(copy, a.p, (size_t)a.len);
		a.p = copy;
	}
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, other);
	if (copy != NULL && sqlite3_step(st) == SQLITE_ROW) {
		val_of(st, 0, &b);
		eq = val_eq(&a, &b);
	}
	sqlite3_reset(st);
	free(copy);
	return eq;
}

/* Keep row id's key (hash h) of group g, to count them all at the end. */
static int
add_key(struct ks_unused_groups *s, uint32_t g, uint64_t h, int64_t id)
{
	if (s->nk == s->capk) {
		size_t cap = s->capk ? 2 * s->capk : 4096;
		struct keyref *more = realloc(s->k, cap * sizeof(*more));

		if (more == NULL)
			return -1;
		s->k = more;
		s->capk = cap;
	}
	s->k[s->nk].h = h;
	s->k[s->nk].g = g;
	s->k[s->nk++].id = id;
	return 0;
}

static int
cmp_keyref(const void *pa, const void *pb)
{
	const struct keyref *a = pa, *b = pb;

	if (a->g != b->g)
		return (a->g > b->g) - (a->g < b->g);
	return (a->h > b->h) - (a->h < b->h);
}

/*
 * Each group's count: its distinct keys.  The keys sorted by group and
 * hash; within a run of equal hashes, a key counts unless an earlier one
 * of the run is the same (read again and compared).  0 or -1 with err.
 */
static int
count_keys(struct ks_unused_groups *s, struct ks_err *err)
{
	size_t i, j, r;

	if (s->nk > 0)
		qsort(s->k, s->nk, sizeof(*s->k), cmp_keyref);
	for (i = 0; i < s->nk; i = j) {
		for (j = i + 1; j < s->nk && s->k[j].g == s->k[i].g &&
		    s->k[j].h == s->k[i].h; j++)
			;
		s->g[s->k[i].g].n++;
		if (j - i == 1)
			continue;
		if (s->key_st == NULL && sqlite3_prepare_v2(s->db, "SELECT"
		    " coalesce(audit_key, 'row:' || id) FROM audit_rows"
		    " WHERE id = ?1", -1, &s->key_st, NULL) != SQLITE_OK) {
			ks_err_set(err, "%s", sqlite3_errmsg(s->db));
			return -1;
		}
		for (size_t x = i + 1; x < j; x++) {
			int eq = 0;

			for (r = i; r < x && (eq = same_key(s->key_st,
			    s->k[x].id, s->k[r].id)) == 0; r++)
				;
			if (eq < 0)
				return ks_err_set(err, "reading an auditID "
				    "again: %s", sqlite3_errmsg(s->db));
			s->g[s->k[i].g].n += r == x;
		}
	}
	return 0;
}

/* Row st into its group: its time, and its key for the count. */
static int
add_row(struct ks_unused_groups *s, sqlite3_stmt *st)
{
	static const int icol[NINT] = { C_ACTOR, C_GROUPS, C_ALLOWED, C_IMP,
	    C_IMPG };
	struct val iv[NINT], tv[NTEXT], key;
	uint64_t h = 0xcbf29ce484222325ULL;
	struct grp *g;
	int64_t t;
	long gi;

	for (int i = 0; i < NINT; i++)
		h = val_hash(h, (val_of(st, icol[i], &iv[i]), &iv[i]));
	for (int i = 0; i < NTEXT; i++)
		h = val_hash(h, (val_of(st, C_VERB + i, &tv[i]), &tv[i]));
	if ((gi = group_of(s, h, iv, tv)) < 0)
		return -1;
	g = &s->g[gi];
	if (sqlite3_column_type(st, C_TIME) != SQLITE_NULL) {
		t = sqlite3_column_int64(st, C_TIME);
		if (g->lo == KS_TIME_NONE || t < g->lo)
			g->lo = t;
		if (g->hi == KS_TIME_NONE || t > g->hi)
			g->hi = t;
	}
	val_of(st, C_KEY, &key);
	return add_key(s, (uint32_t)gi, val_hash(0xcbf29ce484222325ULL, &key),
	    sqlite3_column_int64(st, C_ID));
}

/* The string of id v (an integer value; else NULL), a copy. */
static char *
string_of(sqlite3_stmt *st, const struct val *v, int *failed)
{
	const char *s;
	char *copy = NULL;

	if (v->type != SQLITE_INTEGER)
		return NULL;
	sqlite3_bind_int64(st, 1, v->i);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (s = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    (copy = strdup(s)) == NULL)
		*failed = 1;
	sqlite3_reset(st);
	return copy;
}

/* NULL first, then by bytes (the order of text in SQLite). */
static int
str_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* requests_sql's GROUP BY order: actor id, groups, verb .. path,
   allowed, impersonator id, impersonator's groups. */
static int
cmp_grp(const void *pa, const void *pb)
{
	const struct grp *a = pa, *b = pb;
	int c;

	if ((c = val_cmp(&a->iv[0], &b->iv[0])) != 0 ||
	    (c = str_cmp(a->gtext, b->gtext)) != 0)
		return c;
	for (int i = 0; i < NTEXT; i++)
		if ((c = val_cmp(&a->tv[i], &b->tv[i])) != 0)
			return c;
	if ((c = val_cmp(&a->iv[2], &b->iv[2])) != 0 ||
	    (c = val_cmp(&a->iv[3], &b->iv[3])) != 0)
		return c;
	return str_cmp(a->impgtext, b->impgtext);
}

static const char *
text(const struct val *v)
{
	return v->type == SQLITE_TEXT || v->type == SQLITE_BLOB ? v->p : NULL;
}

/* Hand each group, in order, to fn with its strings.  fn's first nonzero
   return, else 0; -1 when out of memory. */
static int
emit(sqlite3 *db, struct ks_unused_groups *s, ks_unused_row_fn fn, void *arg)
{
	sqlite3_stmt *st;
	struct ks_unused_row r;
	int failed = 0, rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM strings WHERE id = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < s->ng; i++) {
		s->g[i].gtext = string_of(st, &s->g[i].iv[1], &failed);
		s->g[i].impgtext = string_of(st, &s->g[i].iv[4], &failed);
	}
	if (s->ng > 0)
		qsort(s->g, s->ng, sizeof(*s->g), cmp_grp);
	for (size_t i = 0; !failed && rc == 0 && i < s->ng; i++) {
		struct grp *g = &s->g[i];
		char *actor = string_of(st, &g->iv[0], &failed);
		char *imp = string_of(st, &g->iv[3], &failed);

		memset(&r, 0, sizeof(r));
		r.actor = actor;
		r.groups = g->gtext;
		r.verb = text(&g->tv[0]);
		r.api_group = text(&g->tv[1]);
		r.resource = text(&g->tv[2]);
		r.subresource = text(&g->tv[3]);
		r.namespace = text(&g->tv[4]);
		r.name = text(&g->tv[5]);
		r.path = text(&g->tv[6]);
		r.allowed = g->iv[2].type == SQLITE_INTEGER && g->iv[2].i != 0;
		r.impersonator = imp;
		r.impersonator_groups = g->impgtext;
		r.n = g->n;
		r.lo = g->lo;
		r.hi = g->hi;
		if (!failed)
			rc = fn(&r, arg);
		free(actor);
		free(imp);
	}
	sqlite3_finalize(st);
	return failed ? -1 : rc;
}

static void
scan_free(struct ks_unused_groups *s)
{
	for (size_t i = 0; i < s->ng; i++) {
		for (int j = 0; j < NTEXT; j++)
			if (s->g[i].tv[j].type == SQLITE_TEXT ||
			    s->g[i].tv[j].type == SQLITE_BLOB)
				free((char *)s->g[i].tv[j].p);
		free(s->g[i].gtext);
		free(s->g[i].impgtext);
	}
	free(s->g);
	free(s->slot);
	free(s->k);
	sqlite3_finalize(s->key_st);
}

struct ks_unused_groups *
ks_unused_groups_new(sqlite3 *db)
{
	struct ks_unused_groups *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->db = db;
	return s;
}

int
ks_unused_groups_add(struct ks_unused_groups *s, sqlite3_stmt *st)
{
	return add_row(s, st);
}

int
ks_unused_groups_emit(struct ks_unused_groups *s, ks_unused_row_fn fn,
    void *arg, struct ks_err *err)
{
	if (count_keys(s, err) < 0)
		return -1;
	return emit(s->db, s, fn, arg);
}

void
ks_unused_groups_free(struct ks_unused_groups *s)
{
	if (s == NULL)
		return;
	scan_free(s);
	free(s);
}
