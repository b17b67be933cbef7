/*
 * The audit log's refusals folded into denial groups (remediate-int.h):
 * the groups of rollup_groups, then each refused request read once, in
 * the order they are stored (denial_requests by id, which keeps each
 * one's auditID, groups and reason: not once per group, and not the
 * events' pages), then the refusals of no resource or by
 * admission, one group per path.  What the SQL of remediate-groups.c
 * gives: the same groups, the same text.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/remediate-int.h"
#include "store/audit-key.h"
#include "util/timeutil.h"

/* The text of a (set) auditID: its own, or made in buf. */
static const char *
akey_text(const struct ks_remediate_akey *a, char buf[37])
{
	if (!a->blob)
		return a->text;
	ks_audit_key_text(a->k, buf);
	return buf;
}

/*
 * Keep in a the greater (max: 1) or lesser of it and an auditID: its key
 * k (compared as its text compares: lowercase hex and hyphens in their
 * places), else its text s (both NULL: none).
 */
static void
akey_keep(struct ks_remediate_akey *a, const uint8_t *k, const char *s,
    int max)
{
	char x[37], y[37];
	int r;

	if (k == NULL && s == NULL)
		return;
	if (a->set) {
		r = k != NULL && a->blob ? memcmp(k, a->k, 16) : strcmp(k ?
		    (ks_audit_key_text(k, x), x) : s, akey_text(a, y));
		if (max ? r <= 0 : r >= 0)
			return;
	}
	free(a->text);
	a->text = NULL;
	a->set = 1;
	a->blob = k != NULL;
	if (k != NULL)
		memcpy(a->k, k, 16);
	else
		a->text = strdup(s);
}

/* Make g's col[c] (10 or 11) the text of a. */
static void
akey_col(struct ks_grp *g, int c, struct ks_remediate_akey *a)
{
	if (!a->set)
		return;
	if (a->blob) {
		ks_audit_key_text(a->k, g->abuf[c - 10]);
		g->col[c] = g->abuf[c - 10];
		return;
	}
	g->col[c] = a->text;	/* (the group's now) */
	g->owned |= 1u << c;
	a->text = NULL;
}

/* Make g's col[c] (8 or 9) the text of time t: in g's tbuf when it fits
   (a year of four digits, as when not odd), else its own copy. */
static void
time_col(struct ks_grp *g, int c, int64_t t)
{
	char b[KS_TIME_BUFSZ];
	size_t n = strlen(ks_time_format(t, b));

	if (n < sizeof(g->tbuf[0])) {
		memcpy(g->tbuf[c - 8], b, n + 1);
		g->col[c] = g->tbuf[c - 8];
	} else if ((g->col[c] = strdup(b)) != NULL)
		g->owned |= 1u << c;
}

/* Keep in g's col[c] (its own) the greater of it and s. */
static void
keep(struct ks_grp *g, int c, const unsigned char *s)
{
	if (s == NULL || (g->col[c] != NULL && strcmp((const char *)s,
	    g->col[c]) <= 0))
		return;
	free(g->col[c]);
	g->col[c] = strdup((const char *)s);
	g->owned |= 1u << c;
}

/* The slot of gid in f->by_gid (grown as needed), or NULL. */
static size_t *
gid_slot(struct ks_fold *f, int64_t gid)
{
	size_t *nv, n;

	if (gid < 0 || (uint64_t)gid >= SIZE_MAX / sizeof(*nv) / 2)
		return NULL;
	if ((size_t)gid >= f->ngid) {
		n = (size_t)gid * 2 + 1024;
		if ((nv = realloc(f->by_gid, n * sizeof(*nv))) == NULL)
			return NULL;
		memset(nv + f->ngid, 0, (n - f->ngid) * sizeof(*nv));
		f->by_gid = nv;
		f->ngid = n;
	}
	return &f->by_gid[gid];
}

/* The group of gid and path, made on first use; NULL when out of memory. */
static struct ks_grp *
fold_get(struct ks_fold *f, int64_t gid, const unsigned char *path)
{
	char *k = NULL;
	json_t *at = NULL;
	size_t *slot = NULL;
	struct ks_grp *g;

	if (path == NULL) {
		if ((slot = gid_slot(f, gid)) == NULL)
			return NULL;
		if (*slot > 0)
			return f->v[*slot - 1];
	} else {
		if (asprintf(&k, "%" PRId64 "+%s", gid, path) < 0)
			return NULL;
		if ((at = json_object_get(f->index, k)) != NULL) {
			free(k);
			return f->v[json_integer_value(at)];
		}
	}
	if (ks_remediate_fold_room(f) < 0 ||
	    (g = ks_remediate_grp_new()) == NULL) {
		free(k);
		return NULL;
	}
	g->gid = gid;
	ks_remediate_grp_set(f->in, g, 6, path);
	if (slot != NULL)
		*slot = f->n + 1;
	else
		json_object_set_new(f->index, k,
		    json_integer((json_int_t)f->n));
	free(k);
	f->v[f->n++] = g;
	return g;
}

/*
 * One more request of g at time t (timed: it has one), its auditID's key
 * k or text s: the count, the span, the least and greatest auditID.
 */
static void
count_one(struct ks_fold *f, struct ks_grp *g, int64_t t, int timed,
    const uint8_t *k, const char *s)
{
	g->n++;
	if (timed) {
		if (!g->timed || t < g->t0)
			g->t0 = t;
		if (!g->timed || t > g->t1)
			g->t1 = t;
		g->timed = 1;
		/* (SQL prints these with a sign or more digits.) */
		if (t < 0 || t >= 253402300800000000LL)
			f->odd = 1;
	}
	akey_keep(&g->ex[0], k, s, 0);
	akey_keep(&g->ex[1], k, s, 1);
}

/* Is column c of st's row an auditID's 16-byte key? */
static int
is_key(sqlite3_stmt *st, int c)
{
	return sqlite3_column_type(st, c) == SQLITE_BLOB &&
	    sqlite3_column_bytes(st, c) == 16;
}

/* count_one from a row whose column 1 is its time (or NULL) and column 2
   its auditID (read once: a key, or text). */
static void
count(struct ks_fold *f, struct ks_grp *g, sqlite3_stmt *st)
{
	int key = is_key(st, 2);

	count_one(f, g, sqlite3_column_int64(st, 1), sqlite3_column_type(st,
	    1) != SQLITE_NULL, key ? sqlite3_column_blob(st, 2) : NULL, key ?
	    NULL : (const char *)sqlite3_column_text(st, 2));
}

static int
fold_row(struct ks_fold *f, sqlite3_stmt *st)
{
	struct ks_grp *g = fold_get(f, sqlite3_column_int64(st, 0),
	    sqlite3_column_text(st, 5));

	if (g == NULL)
		return -1;
	count(f, g, st);
	keep(g, 12, sqlite3_column_text(st, 3));
	keep(g, 14, sqlite3_column_text(st, 4));
	keep(g, 16, sqlite3_column_text(st, 6));
	return 0;
}

/*
 * The audit log's groups of the authorizer's refusals of a resource, one
 * per rollup group (those that hold no refused request are dropped once
 * they are read): their columns 0-5 and 15.
 */
static int
audit_groups(sqlite3 *db, struct ks_fold *f)
{
	static const char q[] = "SELECT id, actor, verb, api_group, resource,"
	    " subresource, namespace FROM rollup_groups"
	    " WHERE decision = 'forbid' AND resource IS NOT NULL";
	const char *by = ks_remediate_intern(f->in, "authorizer");
	const char *last[6] = { NULL }, *s;
	sqlite3_stmt *st;
	struct ks_grp *g;
	int rc;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((g = fold_get(f, sqlite3_column_int64(st, 0), NULL)) ==
		    NULL)
			break;
		for (int i = 0; i < 6; i++) {
			/* (The last group's text, interned, when the same:
			   neighbours share an actor, a namespace.) */
			s = (const char *)sqlite3_column_text(st, i + 1);
			if (s != NULL && last[i] != NULL && strcmp(s,
			    last[i]) == 0)
				g->col[i] = (char *)last[i];
			else {
				ks_remediate_grp_set(f->in, g, i,
				    (const unsigned char *)s);
				last[i] = g->col[i];
			}
		}
		g->col[15] = (char *)by;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Keep in g's best[k] (col 12 or 14 to be) the greater of it and the
   text of strings(id) (non-empty: blank, 1); -1 on an error. */
static int
keep_text(struct ks_grp *g, int k, struct ks_remediate_text *t, int64_t id,
    int blank)
{
	const char *s;
	int err = 0;

	if (g->have[k] && g->ids[k] == id)
		return 0;
	g->have[k] = 1;
	g->ids[k] = id;
	if ((s = ks_remediate_text_get(t, id, &err)) != NULL &&
	    (!blank || *s != '\0') && (g->best[k] == NULL ||
	    strcmp(s, g->best[k]) > 0))
		g->best[k] = s;
	return err ? -1 : 0;
}

/* The greatest groups and reason of each group read_requests read, kept
   (interned) beyond its text cache; -1 when out of memory. */
static int
keep_best(struct ks_fold *f)
{
	/* (Many groups share a text, the same pointer of the text cache:
	   the last few of each column's interned text kept by pointer.) */
	const char *from[2][512] = { { NULL } }, *to[2][512];
	const char *b;
	size_t h;

	for (size_t i = 0; i < f->n; i++)
		for (int k = 0; k < 2; k++) {
			if ((b = f->v[i]->best[k]) == NULL)
				continue;
			h = ((uintptr_t)b >> 4) % 512;
			if (from[k][h] != b) {
				if ((to[k][h] = ks_remediate_intern(f->in, b)) ==
				    NULL)
					return -1;
				from[k][h] = b;
			}
			f->v[i]->col[k ? 14 : 12] = (char *)to[k][h];
		}
	return 0;
}

/*
 * Refused requests read and not yet folded (read_requests): as each is
 * read its group's slot in the map is asked for (prefetched), and once
 * NPEND of them are read their groups, then they are folded, the memory
 * by then near (tens of thousands of groups, 25 MB at 1M events, in no
 * order the requests follow: each request's slot and group otherwise
 * two waits for memory, most of the fold).
 */
#define NPEND	32
struct pend {
	int64_t		 gid, t, ids[2];
	struct ks_grp	*g;
	int		 timed, has[2];
	uint8_t		 k[16];
};

/* Fold the n requests of p into their groups (gmap: gid -> group, or
   NULL: a group read with its paths); -1 on an error. */
static int
fold_pending(struct ks_fold *f, struct ks_remediate_text *t,
    struct ks_grp *const *gmap, struct pend *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i].g = gmap[p[i].gid]) != NULL) {
			__builtin_prefetch(p[i].g);
			__builtin_prefetch((const char *)p[i].g + 64);
			__builtin_prefetch((const char *)p[i].g + 128);
		}
	for (size_t i = 0; i < n; i++) {
		if (p[i].g == NULL)
			continue;
		count_one(f, p[i].g, p[i].t, p[i].timed, p[i].k, NULL);
		if ((p[i].has[0] && keep_text(p[i].g, 0, t, p[i].ids[0], 0) <
		    0) || (p[i].has[1] && keep_text(p[i].g, 1, t, p[i].ids[1],
		    1) < 0))
			return -1;
	}
	return 0;
}

/* Keep st's row, a request of group gid (0 <= gid < f->ngid; its auditID
   a key), in p; fold p's requests when they are NPEND (*n of them
   before); -1 on an error. */
static int
pend(struct ks_fold *f, struct ks_remediate_text *t,
    struct ks_grp *const *gmap, struct pend *p, size_t *n, int64_t gid,
    sqlite3_stmt *st)
{
	struct pend *q = &p[(*n)++];

	__builtin_prefetch(&gmap[gid]);
	q->gid = gid;
	q->t = sqlite3_column_int64(st, 1);
	q->timed = sqlite3_column_type(st, 1) != SQLITE_NULL;
	memcpy(q->k, sqlite3_column_blob(st, 2), 16);
	for (int c = 0; c < 2; c++)
		if ((q->has[c] = sqlite3_column_type(st, 3 + c) !=
		    SQLITE_NULL) != 0)
			q->ids[c] = sqlite3_column_int64(st, 3 + c);
	if (*n < NPEND)
		return 0;
	*n = 0;
	return fold_pending(f, t, gmap, p, NPEND);
}

/* f's groups without a path by gid (f->ngid of them, NULL where none), a
   new array; NULL when out of memory. */
static struct ks_grp **
gid_map(const struct ks_fold *f)
{
	struct ks_grp **m = calloc(f->ngid + 1, sizeof(*m));

	for (size_t i = 0; m != NULL && i < f->ngid; i++)
		if (f->by_gid[i] > 0)
			m[i] = f->v[f->by_gid[i] - 1];
	return m;
}

/* Fold st's row, the request of g (its auditID text) now; -1 on an
   error. */
static int
fold_now(struct ks_fold *f, struct ks_remediate_text *t, struct ks_grp *g,
    sqlite3_stmt *st)
{
	count(f, g, st);
	if ((sqlite3_column_type(st, 3) != SQLITE_NULL &&
	    keep_text(g, 0, t, sqlite3_column_int64(st, 3), 0) < 0) ||
	    (sqlite3_column_type(st, 4) != SQLITE_NULL &&
	    keep_text(g, 1, t, sqlite3_column_int64(st, 4), 1) < 0))
		return -1;
	return 0;
}

/*
 * The refused requests of audit_groups' groups, each read once in the
 * order they are stored (denial_requests by id, which keeps each one's
 * auditID, groups and reason): their count, times, least and greatest
 * auditID, and greatest groups and reason (the texts of strings, read
 * once per id).  (What each folds to does not depend on the order.)
 */
static int
read_requests(sqlite3 *db, struct ks_fold *f)
{
	/* (Its event's auditID, groups and reason kept with it: the
	   events' pages not read.) */
	static const char q[] = "SELECT gid, time, audit_key, groups_id,"
	    " reason_id FROM denial_requests NOT INDEXED";
	struct ks_remediate_text t;
	struct pend p[NPEND];
	struct ks_grp **gmap = NULL;
	sqlite3_stmt *st = NULL;
	size_t np = 0;
	int64_t gid;
	int rc = SQLITE_ERROR;

	if (ks_remediate_text_init(&t, db) < 0 ||
	    (gmap = gid_map(f)) == NULL ||
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gid = sqlite3_column_int64(st, 0);
		if (gid < 0 || (uint64_t)gid >= f->ngid)
			continue;	/* (no group of audit_groups') */
		if (is_key(st, 2) ? pend(f, &t, gmap, p, &np, gid, st) < 0 :
		    gmap[gid] != NULL && fold_now(f, &t, gmap[gid], st) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	if (rc == SQLITE_DONE && (fold_pending(f, &t, gmap, p, np) < 0 ||
	    keep_best(f) < 0))
		rc = SQLITE_NOMEM;
out:
	free(gmap);
	sqlite3_finalize(st);
	ks_remediate_text_free(&t);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The refusals of the other groups of the audit log (by admission, or of
 * no resource: one group per path), in the order they are stored, folded
 * per group and path (SQL's columns 0-6 and 15 taken from the first).
 */
static int
read_audit(sqlite3 *db, struct ks_fold *f)
{
	static const char q[] = "SELECT gid, time, audit_id, groups,"
	    " nullif(reason, ''), path, message, actor, verb, api_group,"
	    " resource, subresource, namespace, refused_by FROM denial_audit"
	    " WHERE gid IN (SELECT id FROM rollup_groups"
	    " WHERE decision IS NOT 'forbid' OR resource IS NULL)"
	    " ORDER BY event_id";
	static const int from[] = { 7, 8, 9, 10, 11, 12, -1, -1, -1, -1, -1,
	    -1, -1, -1, -1, 13 };
	sqlite3_stmt *st;
	size_t before;
	int rc;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		before = f->n;
		if (fold_row(f, st) < 0)
			break;
		for (int i = 0; f->n > before && i < 16; i++)
			if (from[i] >= 0)
				ks_remediate_grp_set(f->in, f->v[before], i,
				    sqlite3_column_text(st, from[i]));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Drop from f the groups that hold no request. */
static void
drop_empty(struct ks_fold *f)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i]->n > 0)
			f->v[k++] = f->v[i];
		else
			ks_remediate_grp_free(f->v[i]);
	f->n = k;
}

int
ks_remediate_fold_audit(sqlite3 *db, struct ks_fold *f)
{
	const char *audit;
	struct ks_grp *g;

	if ((f->index = json_object()) == NULL || audit_groups(db, f) < 0 ||
	    read_requests(db, f) < 0 || read_audit(db, f) < 0)
		return -1;
	drop_empty(f);
	if (f->odd)
		return 1;
	audit = ks_remediate_intern(f->in, "audit");
	for (size_t i = 0; i < f->n; i++) {
		g = f->v[i];
		g->col[13] = (char *)audit;
		if (g->timed) {
			time_col(g, 8, g->t0);
			time_col(g, 9, g->t1);
		}
		akey_col(g, 10, &g->ex[0]);
		akey_col(g, 11, &g->ex[1]);
	}
	return 0;
}
