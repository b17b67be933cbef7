/*
 * The denial groups of a plan (remediate-int.h).  With a filter, SQL
 * groups the denials view as `denied` does.  Without one, the audit log's
 * refusals are read once, in the order they are stored, and folded per
 * rollup group and path (remediate-fold.c), and the groups of plain logs
 * added, then all put in the order the SQL gives them: the same groups,
 * the same text.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/remediate-int.h"
#include "store/sqltime.h"

/* A new group, zeroed; NULL when out of memory. */
struct ks_grp *
ks_remediate_grp_new(void)
{
	struct ks_grp *g = sqlite3_malloc64(sizeof(*g));

	if (g != NULL)
		memset(g, 0, sizeof(*g));
	return g;
}

static const char groups_sql[] =
    "SELECT actor, verb, api_group, resource, subresource, namespace, path,"
    " count(*), " KS_SQL_TIME("min(time)") ", " KS_SQL_TIME("max(time)") ","
    " min(audit_id), max(audit_id), max(groups), max(origin),"
    " max(nullif(reason, '')), refused_by, max(message)";

/* Text compared as SQLite's BINARY collation does, NULL first. */
static int
cmp_text(const char *a, const char *b)
{
	if (a == b)	/* (interned: the same text) */
		return 0;
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* The columns ranked (interned: one text, one pointer), as rank[]. */
static const int ranked[7] = { 0, 1, 2, 3, 4, 5, 15 };

/*
 * The SQL's order (actor, namespace, API group, resource, subresource,
 * verb), its ties in the order of the GROUP BY's columns (the sort is
 * stable over the groups as GROUP BY gives them): by the ranks of the
 * texts (rank_all; the first six packed in key[], when they fit), and the
 * path's text.  arg: the rank of '' (0 when no group has it), which a
 * NULL namespace or API group takes.
 */
static int
by_order(const void *pa, const void *pb, void *arg)
{
	const struct ks_grp *a = *(const struct ks_grp *const *)pa;
	const struct ks_grp *b = *(const struct ks_grp *const *)pb;
	static const int order[] = { 0, -5, -2, 3, 4, 1 };
	uint32_t blank = *(const uint32_t *)arg, x, y;
	int r;

	if (a->key[0] != b->key[0])
		return a->key[0] < b->key[0] ? -1 : 1;
	if (a->key[1] != b->key[1])
		return a->key[1] < b->key[1] ? -1 : 1;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		x = a->rank[order[i] < 0 ? -order[i] : order[i]];
		y = b->rank[order[i] < 0 ? -order[i] : order[i]];
		if (order[i] < 0) {	/* coalesce(col, '') */
			x = x ? x : blank;
			y = y ? y : blank;
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	for (int c = 0; c < 6; c++)	/* (the GROUP BY's columns) */
		if (a->rank[c] != b->rank[c])
			return a->rank[c] < b->rank[c] ? -1 : 1;
	if ((r = cmp_text(a->col[6], b->col[6])) != 0)
		return r;
	return a->rank[6] == b->rank[6] ? 0 : a->rank[6] < b->rank[6] ? -1 : 1;
}

/* A group and its packed key, sorted as one (the merges read the keys
   in turn, not each group wherever it is in memory). */
struct sort_key {
	uint64_t	 key[2];
	struct ks_grp	*g;
};

static int
by_key(const void *pa, const void *pb, void *arg)
{
	const struct sort_key *a = pa, *b = pb;

	if (a->key[0] != b->key[0])
		return a->key[0] < b->key[0] ? -1 : 1;
	if (a->key[1] != b->key[1])
		return a->key[1] < b->key[1] ? -1 : 1;
	return by_order(&a->g, &b->g, arg);
}

/* Put f's groups in the SQL's order (rank_all's ranks and keys made;
   blank: the rank of ''). */
static void
sort_groups(struct ks_fold *f, uint32_t *blank)
{
	struct sort_key *v = malloc(f->n * sizeof(*v));

	if (v == NULL) {
		qsort_r(f->v, f->n, sizeof(*f->v), by_order, blank);
		return;
	}
	for (size_t i = 0; i < f->n; i++)
		v[i] = (struct sort_key){ { f->v[i]->key[0], f->v[i]->key[1] },
		    f->v[i] };
	qsort_r(v, f->n, sizeof(*v), by_key, blank);
	for (size_t i = 0; i < f->n; i++)
		f->v[i] = v[i].g;
	free(v);
}

static int
by_text(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* The slot of p in the table t of cap slots (a power of two). */
static size_t
slot_of(const char *const *t, size_t cap, const char *p)
{
	size_t j = (size_t)(((uintptr_t)p >> 3) * 0x9e3779b97f4a7c15ULL >>
	    20) & (cap - 1);

	while (t[j] != NULL && t[j] != p)
		j = (j + 1) & (cap - 1);
	return j;
}

/* The texts (each one pointer, interned) of a plan's ranked columns:
   a table of cap slots (a power of two), n of them taken. */
struct texts {
	const char	**t;
	size_t		  n, cap;
};

/* Put p in x, the table kept at most half full; -1 when out of memory. */
static int
text_add(struct texts *x, const char *p)
{
	const char **nt;
	size_t j;

	if (x->t[j = slot_of(x->t, x->cap, p)] != NULL)
		return 0;
	x->t[j] = p;
	if (++x->n * 2 < x->cap)
		return 0;
	if ((nt = calloc(x->cap * 2, sizeof(*nt))) == NULL)
		return -1;
	for (j = 0; j < x->cap; j++)
		if (x->t[j] != NULL)
			nt[slot_of(nt, x->cap * 2, x->t[j])] = x->t[j];
	free(x->t);
	x->t = nt;
	x->cap *= 2;
	return 0;
}

/*
 * Each group's key[]: the ranks of the order's six columns (blank for a
 * NULL namespace or API group), bits each, three to a word; zero when
 * they do not fit (then the ranks alone order them).
 */
static void
pack_keys(struct ks_fold *f, uint32_t blank, unsigned bits)
{
	struct ks_grp *g;
	uint64_t r5, r2;

	for (size_t i = 0; i < f->n; i++) {
		g = f->v[i];
		if (bits > 21) {
			g->key[0] = g->key[1] = 0;
			continue;
		}
		r5 = g->rank[5] ? g->rank[5] : blank;
		r2 = g->rank[2] ? g->rank[2] : blank;
		g->key[0] = (uint64_t)g->rank[0] << 2 * bits | r5 << bits | r2;
		g->key[1] = (uint64_t)g->rank[3] << 2 * bits |
		    (uint64_t)g->rank[4] << bits | g->rank[1];
	}
}

/*
 * Rank the texts of the ranked columns of f's groups (each text is one
 * pointer, interned): 1 and up in the order of strcmp, into each group's
 * rank[] and key[], and *blank the rank of ''; -1 when out of memory.
 */
static int
rank_all(struct ks_fold *f, uint32_t *blank)
{
	struct texts x = { .cap = 1024 };
	const char **u = NULL, *p, *last[7] = { NULL };
	uint32_t *r = NULL, lastr[7] = { 0 };
	unsigned bits = 1;
	size_t j, n;

	if ((x.t = calloc(x.cap, sizeof(*x.t))) == NULL)
		return -1;
	for (size_t i = 0; i < f->n; i++)
		for (int c = 0; c < 7; c++)
			if ((p = f->v[i]->col[ranked[c]]) != NULL &&
			    p != last[c] && text_add(&x, last[c] = p) < 0)
				goto fail;
	if ((u = malloc((x.n + 1) * sizeof(*u))) == NULL ||
	    (r = calloc(x.cap, sizeof(*r))) == NULL)
		goto fail;
	for (j = 0, n = 0; j < x.cap; j++)
		if (x.t[j] != NULL)
			u[n++] = x.t[j];
	qsort(u, n, sizeof(*u), by_text);
	*blank = 0;
	for (j = 0; j < n; j++) {
		r[slot_of(x.t, x.cap, u[j])] = (uint32_t)j + 1;
		if (u[j][0] == '\0')
			*blank = (uint32_t)j + 1;
	}
	memset(last, 0, sizeof(last));	/* (NULL: rank 0) */
	for (size_t i = 0; i < f->n; i++)
		for (int c = 0; c < 7; c++) {
			if ((p = f->v[i]->col[ranked[c]]) != last[c])
				lastr[c] = (last[c] = p) == NULL ? 0 :
				    r[slot_of(x.t, x.cap, p)];
			f->v[i]->rank[c] = lastr[c];
		}
	while (bits < 32 && (n >> bits) > 0)
		bits++;
	pack_keys(f, *blank, bits);
	free(x.t);
	free(u);
	free(r);
	return 0;
fail:
	free(x.t);
	free(u);
	return -1;
}

static char *
dup_or_null(const unsigned char *s)
{
	return s ? strdup((const char *)s) : NULL;
}

/* The columns a group shares with many (actor to namespace, origin,
   refused_by): interned, never freed with the group. */
static int
shared(int col)
{
	return col < 6 || col == 13 || col == 15;
}

/* Column col of g from s: interned when shared, else a copy. */
void
ks_remediate_grp_set(struct ks_remediate_intern *in, struct ks_grp *g,
    int col, const unsigned char *s)
{
	if (shared(col))
		g->col[col] = (char *)ks_remediate_intern(in, (const char *)s);
	else {
		g->col[col] = dup_or_null(s);
		g->owned |= 1u << col;
	}
}

/* Make room for one more group in f; -1 when out of memory. */
int
ks_remediate_fold_room(struct ks_fold *f)
{
	struct ks_grp **nv;

	if (f->n < f->cap)
		return 0;
	if ((nv = realloc(f->v, (f->cap * 2 + 64) * sizeof(*nv))) == NULL)
		return -1;
	f->v = nv;
	f->cap = f->cap * 2 + 64;
	return 0;
}

/* Free group g (NULL: nothing). */
void
ks_remediate_grp_free(struct ks_grp *g)
{
	if (g == NULL)
		return;
	for (int j = 0; j < KS_REMEDIATE_COLS; j++)
		if (g->owned & (1u << j))
			free(g->col[j]);
	if (!g->made) {
		free(g->ex[0].text);
		free(g->ex[1].text);
	}
	sqlite3_free(g);
}

/* A row of groups_sql's as a group (the columns' text, and the count). */
static struct ks_grp *
grp_of(struct ks_fold *f, sqlite3_stmt *st)
{
	struct ks_grp *g = ks_remediate_grp_new();

	if (g == NULL)
		return NULL;
	for (int i = 0; i < KS_REMEDIATE_COLS; i++)
		if (i != 7)
			ks_remediate_grp_set(f->in, g, i,
			    sqlite3_column_text(st, i));
	g->n = sqlite3_column_int64(st, 7);
	return g;
}

/* Append to f the groups of sql (groups_sql's columns); -1 on an error. */
static int
read_sql(sqlite3 *db, const char *sql, const struct ks_filter *filter,
    struct ks_fold *f, struct ks_err *err)
{
	sqlite3_stmt *st;
	struct ks_grp *g;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (filter != NULL)
		ks_filter_bind(filter, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ks_remediate_fold_room(f) < 0 ||
		    (g = grp_of(f, st)) == NULL)
			break;
		f->v[f->n++] = g;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ks_err_set(err, "%s", sqlite3_errmsg(db));
	else if (rc == SQLITE_ROW)
		ks_err_set(err, "out of memory");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
fold_free(struct ks_fold *f)
{
	struct ks_remediate_intern *in = f->in;

	for (size_t i = 0; i < f->n; i++)
		ks_remediate_grp_free(f->v[i]);
	free(f->v);
	free(f->by_gid);
	json_decref(f->index);
	*f = (struct ks_fold){ .in = in };
}

/*
 * Without a filter: the audit log's groups folded here, then the plain
 * logs' from SQL, in the SQL's order; 1 when a time would print
 * otherwise than SQL prints it (then SQL groups them all), -1 on an error.
 */
static int
fold_all(sqlite3 *db, struct ks_fold *f, struct ks_err *err)
{
	char sql[2048];
	uint32_t blank;
	int rc;

	if ((rc = ks_remediate_fold_audit(db, f)) != 0) {
		if (rc < 0)
			ks_err_set(err, "%s", sqlite3_errmsg(db));
		return rc;
	}
	snprintf(sql, sizeof(sql), "%s FROM denials WHERE origin = 'log'"
	    " GROUP BY actor, verb, api_group, resource, subresource,"
	    " namespace, path, refused_by", groups_sql);
	if (read_sql(db, sql, NULL, f, err) < 0)
		return -1;
	if (f->n > 1) {	/* (f->v is NULL when there is no group) */
		if (rank_all(f, &blank) < 0) {
			ks_err_set(err, "out of memory");
			return -1;
		}
		sort_groups(f, &blank);
	}
	return 0;
}

/* The JSON of text, parsed once per distinct text (in parsed); NULL when
   it is not JSON. */
static json_t *
loaded(json_t *parsed, const char *text)
{
	json_t *v;

	if ((v = json_object_get(parsed, text)) != NULL)
		return v;
	if ((v = json_loads(text, 0, NULL)) != NULL)
		json_object_set_new(parsed, text, v);
	return v;
}

/* Make folded group r the plan's (r->pub, its text r's). */
static struct ks_remediate_group *
group_of(struct ks_grp *r, struct ks_remediate_store *s)
{
	char *const *c = r->col;
	struct ks_remediate_group *out = &r->pub;
	long long n = r->n;

	/* (Its fold's and sort's fields, n among them, go: their auditIDs'
	   text is col's by now.) */
	free(r->ex[0].text);
	free(r->ex[1].text);
	r->made = 1;
	*out = (struct ks_remediate_group){ .actor = c[0], .verb = c[1],
	    .api_group = c[2], .resource = c[3], .subresource = c[4],
	    .namespace = c[5], .path = c[6], .count = n,
	    .first_seen = c[8], .last_seen = c[9], .origin = c[13],
	    .refusal_reason = c[14], .refused_by = c[15], .message = c[16] };
	if (c[10] != NULL)
		out->examples[out->nexamples++] = c[10];
	if (c[11] != NULL && strcmp(c[10], c[11]) != 0)
		out->examples[out->nexamples++] = c[11];
	out->groups = c[12] ? loaded(s->parsed, c[12]) : NULL;
	return out;
}

void
ks_remediate_groups_free(struct ks_remediate_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		ks_remediate_grp_free((struct ks_grp *)(void *)s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int
ks_remediate_groups(sqlite3 *db, const struct ks_filter *filter,
    struct ks_remediate_store *s, struct ks_err *err)
{
	char sql[8192];
	struct ks_fold f = { .in = &s->in };
	int rc = ks_filter_empty(filter) ? fold_all(db, &f, err) : 1;

	if (rc > 0) {
		fold_free(&f);
		snprintf(sql, sizeof(sql), "%s FROM denials WHERE 1",
		    groups_sql);
		if (ks_filter_sql(filter, sql, sizeof(sql), "time",
		    "decision") < 0) {
			ks_err_set(err, "too many filters");
			return -1;
		}
		strncat(sql, " GROUP BY actor, verb, api_group, resource,"
		    " subresource, namespace, path, refused_by ORDER BY actor,"
		    " coalesce(namespace, ''), coalesce(api_group, ''),"
		    " resource, subresource, verb", sizeof(sql) - strlen(sql) -
		    1);
		rc = read_sql(db, sql, filter, &f, err);
	}
	if (rc == 0 && (s->parsed == NULL || (s->v = calloc(f.n + 1,
	    sizeof(*s->v))) == NULL)) {
		ks_err_set(err, "out of memory");
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < f.n; i++) {
		/* (In the plan's order, each group anywhere in memory: the
		   next ones asked for ahead.) */
		if (i + 8 < f.n) {
			ks_remediate_prefetch(&f.v[i + 8]->pub);
			__builtin_prefetch(&f.v[i + 8]->col[0]);
			__builtin_prefetch(&f.v[i + 8]->col[8]);
		}
		s->v[s->n++] = group_of(f.v[i], s);
		f.v[i] = NULL;	/* (s's now) */
	}
	fold_free(&f);
	return rc == 0 ? 0 : -1;
}
