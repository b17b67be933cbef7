/*
 * Each actor's requests among those a filter selects, summed here from
 * the rows of ks_filter_counts_actors (filter.h): a C hash table instead
 * of SQL's GROUP BY actor, whose sorter copies every row (in a window,
 * tens of thousands) before it sums; then each actor's class, by the
 * patterns of identity_classes in their order.  The same sums as SQL's
 * sum(), min() and max() over integers (NULL when a group has none);
 * a value of another type, or a sum past 64 bits, and the caller asks
 * SQL (1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/filter.h"
#include "store/sqltime.h"

/* The sums of one run (struct ks_actor_sums' private part). */
struct sums_tab {
	size_t		*slots;		/* index + 1, 0 empty */
	size_t		 nslots;	/* a power of two */
	size_t		 cap;
	size_t		 none;		/* index + 1 of the NULL actor */
};

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h ^ h >> 31;
}

/* Room for one more actor: twice the slots, placed again.  0 or -1. */
static int
grow(struct ks_actor_sums *s, struct sums_tab *t)
{
	size_t n = t->nslots == 0 ? 1024 : 2 * t->nslots;
	size_t *slots;
	struct ks_actor_sum *v;

	if (s->n == t->cap) {
		t->cap = t->cap == 0 ? 256 : 2 * t->cap;
		if ((v = realloc(s->v, t->cap * sizeof(*v))) == NULL)
			return -1;
		s->v = v;
	}
	if (2 * (s->n + 1) <= t->nslots)
		return 0;
	if ((slots = calloc(n, sizeof(*slots))) == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		size_t j;

		if (s->v[i].actor == NULL)
			continue;
		j = hash(s->v[i].actor, s->v[i].len) & (n - 1);
		while (slots[j] != 0)
			j = (j + 1) & (n - 1);
		slots[j] = i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

/* The sums of actor a[0..len) (a NULL: no actor), new ones zero. */
static struct ks_actor_sum *
find(struct ks_actor_sums *s, struct sums_tab *t, const char *a,
    size_t len)
{
	struct ks_actor_sum *e;
	size_t j = 0;
	char *copy = NULL;

	if (grow(s, t) < 0)
		return NULL;
	if (a == NULL && t->none != 0)
		return &s->v[t->none - 1];
	for (j = a == NULL ? 0 : hash(a, len) & (t->nslots - 1);
	    a != NULL && t->slots[j] != 0; j = (j + 1) & (t->nslots - 1)) {
		e = &s->v[t->slots[j] - 1];
		if (e->len == len && memcmp(e->actor, a, len) == 0)
			return e;
	}
	if (a != NULL && ((copy = malloc(len + 1)) == NULL))
		return NULL;
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	if (a != NULL) {
		memcpy(copy, a, len);
		copy[len] = '\0';
		t->slots[j] = s->n;
	} else
		t->none = s->n;
	e->actor = copy;
	e->len = len;
	return e;
}

/* v added into the sum *sum (bit of has): 0, or 1 past 64 bits. */
static int
add(struct ks_actor_sum *e, int64_t *sum, unsigned bit, sqlite3_value *v)
{
	int64_t x = sqlite3_value_int64(v);

	if (sqlite3_value_type(v) == SQLITE_NULL)
		return 0;
	if ((e->has & bit) && __builtin_add_overflow(*sum, x, sum))
		return 1;
	if (!(e->has & bit))
		*sum = x;
	e->has |= bit;
	return 0;
}

/* The row of st summed into its actor's.  0, 1 (ask SQL) or -1. */
static int
sum_row(struct ks_actor_sums *s, struct sums_tab *t, sqlite3_stmt *st)
{
	struct ks_actor_sum *e;
	int64_t x;

	if (sqlite3_column_type(st, 0) != SQLITE_TEXT &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		return 1;
	for (int i = 1; i < 6; i++)
		if (sqlite3_column_type(st, i) != SQLITE_INTEGER &&
		    sqlite3_column_type(st, i) != SQLITE_NULL)
			return 1;
	if ((e = find(s, t, (const char *)sqlite3_column_text(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0))) == NULL)
		return -1;
	if (add(e, &e->requests, KS_SUM_REQUESTS, sqlite3_column_value(st, 1))
	    || add(e, &e->denied, KS_SUM_DENIED, sqlite3_column_value(st, 2))
	    || add(e, &e->audited, KS_SUM_AUDITED, sqlite3_column_value(st, 3)))
		return 1;
	x = sqlite3_column_int64(st, 4);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL &&
	    (!(e->has & KS_SUM_FIRST) || x < e->first_us)) {
		e->first_us = x;
		e->has |= KS_SUM_FIRST;
	}
	x = sqlite3_column_int64(st, 5);
	if (sqlite3_column_type(st, 5) != SQLITE_NULL &&
	    (!(e->has & KS_SUM_LAST) || x > e->last_us)) {
		e->last_us = x;
		e->has |= KS_SUM_LAST;
	}
	return 0;
}

/* Keep pattern p and class c as s's next pair.  0, or -1. */
static int
keep_pattern(struct ks_actor_sums *s, size_t *cap, const char *p,
    const char *c)
{
	char **grown;

	if (s->npat == *cap) {
		if ((grown = realloc(s->pat, (2 * *cap + 8) * 2 *
		    sizeof(*grown))) == NULL)
			return -1;
		s->pat = grown;
		*cap = 2 * *cap + 8;
	}
	if (p == NULL || c == NULL || (s->pat[2 * s->npat] = strdup(p)) ==
	    NULL)
		return -1;
	if ((s->pat[2 * s->npat + 1] = strdup(c)) == NULL) {
		free(s->pat[2 * s->npat]);
		return -1;
	}
	s->npat++;
	return 0;
}

/* Each actor's class: the first pattern of identity_classes it matches. */
static int
classes(sqlite3 *db, struct ks_actor_sums *s, struct ks_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	/* The order the index identity_classes_priority reads them in. */
	if (sqlite3_prepare_v2(db, "SELECT pattern, class FROM"
	    " identity_classes ORDER BY priority, class, pattern", -1, &st,
	    NULL) != SQLITE_OK)
		return ks_db_error(db, err, "classes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (keep_pattern(s, &cap, (const char *)sqlite3_column_text(st,
		    0), (const char *)sqlite3_column_text(st, 1)) < 0) {
			sqlite3_finalize(st);
			return ks_err_set(err, "out of memory");
		}
	if (rc != SQLITE_DONE) {
		ks_db_error(db, err, "classes");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < s->n; i++)
		for (size_t p = 0; s->v[i].actor != NULL && p < s->npat; p++)
			if (sqlite3_strglob(s->pat[2 * p], s->v[i].actor) == 0) {
				s->v[i].cls = s->pat[2 * p + 1];
				break;
			}
	return 0;
}

int
ks_filter_actor_sums(sqlite3 *db, const struct ks_filter *f,
    struct ks_actor_sums *s, struct ks_err *err)
{
	char sql[KS_FILTER_QUERY_MAX];
	struct sums_tab t = { NULL, 0, 0, 0 };
	sqlite3_stmt *st = NULL;
	int rc = 0, step = SQLITE_DONE;

	memset(s, 0, sizeof(*s));
	ks_err_clear(err);
	snprintf(sql, sizeof(sql), "SELECT actor, allowed + denied, denied,"
	    " CASE WHEN origin = 'audit' THEN allowed + denied END, first_us,"
	    " last_us FROM %s WHERE 1", ks_filter_counts_actors(f));
	if (ks_filter_sql(f, sql, sizeof(sql), "time", "decision") < 0)
		return 1;	/* SQL says so */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	ks_filter_bind(f, st);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = sum_row(s, &t, st)) < 0)
			ks_err_set(err, "out of memory");
	if (rc == 0 && step != SQLITE_DONE)
		rc = ks_db_error(db, err, NULL);
	sqlite3_finalize(st);
	free(t.slots);
	if (rc == 0)
		rc = classes(db, s, err);
	if (rc != 0)
		ks_filter_actor_sums_free(s);
	return rc;
}

void
ks_filter_actor_sums_free(struct ks_actor_sums *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].actor);
	for (size_t i = 0; i < 2 * s->npat; i++)
		free(s->pat[i]);
	free(s->v);
	free(s->pat);
	memset(s, 0, sizeof(*s));
}

int
ks_filter_utc(sqlite3 *db, int64_t t, char *w, size_t sz)
{
	sqlite3_stmt *st;
	int n = ks_sqltime_text(t, w), rc = -1;

	if (n > 0 || sz < 64)
		return n;
	/* Outside years 1970 to 9999: as SQLite writes it. */
	if (sqlite3_prepare_v2(db, "SELECT " KS_SQL_TIME("?1"), -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, t);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) ==
	    SQLITE_TEXT && (size_t)sqlite3_column_bytes(st, 0) < sz) {
		rc = sqlite3_column_bytes(st, 0);
		memcpy(w, sqlite3_column_text(st, 0), (size_t)rc + 1);
	}
	sqlite3_finalize(st);
	return rc;
}
