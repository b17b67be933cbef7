/*
 * The denial groups of a plan (remediate-int.h).  With a filter, SQL
 * groups the denials view as `denied` does.  Without one, the audit log's
 * refusals are read once, in the order they are stored (denial_audit by
 * event: the events' pages in turn, not once per group), folded here per
 * rollup group and path, and the groups of plain logs added, then all
 * put in the order the SQL gives them: the same groups, the same text.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/remediate-int.h"
#include "store/audit-key.h"
#include "store/sqltime.h"
#include "util/timeutil.h"

/* An auditID folded: its 16-byte key (a UUID's, audit-key.h), or its
   text. */
struct akey {
	uint8_t	 k[16];
	char	*text;		/* (owned) when not a key */
	int	 set, blob;
};

/*
 * One group in the making: the columns of the SQL's rows, as text.  Made
 * with SQLite's allocator, whose blocks come from huge pages in a query
 * process (store/sqlmem.h): tens of thousands of groups, each fresh 4 KiB
 * page of them a fault.
 */
struct grp {
	struct ks_remediate_group pub;	/* the plan's, made of col (first:
					   the plan frees it as a grp) */
	int64_t	 gid;			/* rollup_groups(id); 0: a log's */
	char	*col[KS_REMEDIATE_COLS];
	unsigned owned;			/* bit c: col[c] is the group's own
					   copy (else interned or in buf) */
	long long n;
	int64_t	 t0, t1;		/* first and last time */
	int	 timed;
	struct akey ex[2];		/* the least and greatest auditID */
	int64_t	 ids[2];		/* the strings of col 12 and 14
					   folded last (read_requests) */
	int	 have[2];
	const char *best[2];		/* and the greatest of their text
					   (borrowed from its text cache) */
	char	 buf[4][KS_TIME_BUFSZ];	/* the text of col 8 to 11 */
};

/* A new group, zeroed; NULL when out of memory. */
static struct grp *
grp_new(void)
{
	struct grp *g = sqlite3_malloc64(sizeof(*g));

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

/* coalesce(a, '') against coalesce(b, ''). */
static int
cmp_blank(const char *a, const char *b)
{
	if (a == b)
		return 0;
	return strcmp(a ? a : "", b ? b : "");
}

/*
 * The SQL's order (actor, namespace, API group, resource, subresource,
 * verb), its ties in the order of the GROUP BY's columns (the sort is
 * stable over the groups as GROUP BY gives them).
 */
static int
by_order(const void *pa, const void *pb)
{
	const struct grp *a = *(const struct grp *const *)pa;
	const struct grp *b = *(const struct grp *const *)pb;
	static const int order[] = { 0, -5, -2, 3, 4, 1 };
	static const int group_by[] = { 0, 1, 2, 3, 4, 5, 6, 15 };
	int r;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((r = order[i] < 0 ? cmp_blank(a->col[-order[i]],
		    b->col[-order[i]]) : cmp_text(a->col[order[i]],
		    b->col[order[i]])) != 0)
			return r;
	for (size_t i = 0; i < sizeof(group_by) / sizeof(group_by[0]); i++)
		if ((r = cmp_text(a->col[group_by[i]], b->col[group_by[i]])) !=
		    0)
			return r;
	return 0;
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
static void
set_col(struct ks_remediate_intern *in, struct grp *g, int col,
    const unsigned char *s)
{
	if (shared(col))
		g->col[col] = (char *)ks_remediate_intern(in, (const char *)s);
	else {
		g->col[col] = dup_or_null(s);
		g->owned |= 1u << col;
	}
}

/* Keep in g's col[c] (its own) the greater of it and s. */
static void
keep(struct grp *g, int c, const unsigned char *s)
{
	if (s == NULL || (g->col[c] != NULL && strcmp((const char *)s,
	    g->col[c]) <= 0))
		return;
	free(g->col[c]);
	g->col[c] = strdup((const char *)s);
	g->owned |= 1u << c;
}

/* The text of a (set) auditID: its own, or made in buf. */
static const char *
akey_text(const struct akey *a, char buf[37])
{
	if (!a->blob)
		return a->text;
	ks_audit_key_text(a->k, buf);
	return buf;
}

/*
 * Keep in a the greater (max: 1) or lesser of it and the auditID in
 * column c of st: its key (compared as its text compares: lowercase hex
 * and hyphens in their places) or its text.
 */
static void
akey_keep(struct akey *a, sqlite3_stmt *st, int c, int max)
{
	int blob = sqlite3_column_type(st, c) == SQLITE_BLOB &&
	    sqlite3_column_bytes(st, c) == 16;
	const uint8_t *k = blob ? sqlite3_column_blob(st, c) : NULL;
	const char *s = blob ? NULL : (const char *)sqlite3_column_text(st,
	    c);
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
akey_col(struct grp *g, int c, struct akey *a)
{
	if (!a->set)
		return;
	if (a->blob) {
		ks_audit_key_text(a->k, g->buf[c - 8]);
		g->col[c] = g->buf[c - 8];
		return;
	}
	g->col[c] = a->text;	/* (the group's now) */
	g->owned |= 1u << c;
	a->text = NULL;
}

/* The groups found so far: an array, and (gid, path) -> index. */
struct fold {
	struct grp	**v;
	size_t		  n, cap;
	json_t		 *index;	/* of the groups with a path */
	size_t		 *by_gid;	/* gid -> 1 + index, the group
					   without a path (0: none yet) */
	size_t		  ngid;
	int		  odd;	/* a time SQL would print otherwise */
	struct ks_remediate_intern *in;	/* the shared columns' */
};

/* The slot of gid in f->by_gid (grown as needed), or NULL. */
static size_t *
gid_slot(struct fold *f, int64_t gid)
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

/* Make room for one more group in f; -1 when out of memory. */
static int
fold_room(struct fold *f)
{
	struct grp **nv;

	if (f->n < f->cap)
		return 0;
	if ((nv = realloc(f->v, (f->cap * 2 + 64) * sizeof(*nv))) == NULL)
		return -1;
	f->v = nv;
	f->cap = f->cap * 2 + 64;
	return 0;
}

/* The group of gid and path, made on first use; NULL when out of memory. */
static struct grp *
fold_get(struct fold *f, int64_t gid, const unsigned char *path)
{
	char *k = NULL;
	json_t *at = NULL;
	size_t *slot = NULL;
	struct grp *g;

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
	if (fold_room(f) < 0 || (g = grp_new()) == NULL) {
		free(k);
		return NULL;
	}
	g->gid = gid;
	set_col(f->in, g, 6, path);
	if (slot != NULL)
		*slot = f->n + 1;
	else
		json_object_set_new(f->index, k, json_integer((json_int_t)f->n));
	free(k);
	f->v[f->n++] = g;
	return g;
}

/* Add one refused request (a row of read_audit's query) to its group. */
/*
 * One more request of g, from a row whose column 1 is its time (or NULL)
 * and column 2 its auditID: the count, the span, the least and greatest
 * auditID.
 */
static void
count(struct fold *f, struct grp *g, sqlite3_stmt *st)
{
	int64_t t = sqlite3_column_int64(st, 1);

	g->n++;
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		if (!g->timed || t < g->t0)
			g->t0 = t;
		if (!g->timed || t > g->t1)
			g->t1 = t;
		g->timed = 1;
		/* (SQL prints these with a sign or more digits.) */
		if (t < 0 || t >= 253402300800000000LL)
			f->odd = 1;
	}
	akey_keep(&g->ex[0], st, 2, 0);
	akey_keep(&g->ex[1], st, 2, 1);
}

static int
fold_row(struct fold *f, sqlite3_stmt *st)
{
	struct grp *g = fold_get(f, sqlite3_column_int64(st, 0),
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
audit_groups(sqlite3 *db, struct fold *f)
{
	static const char q[] = "SELECT id, actor, verb, api_group, resource,"
	    " subresource, namespace FROM rollup_groups"
	    " WHERE decision = 'forbid' AND resource IS NOT NULL";
	sqlite3_stmt *st;
	struct grp *g;
	int rc;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((g = fold_get(f, sqlite3_column_int64(st, 0), NULL)) ==
		    NULL)
			break;
		for (int i = 0; i < 6; i++)
			set_col(f->in, g, i, sqlite3_column_text(st, i + 1));
		g->col[15] = (char *)ks_remediate_intern(f->in, "authorizer");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Keep in g's best[k] (col 12 or 14 to be) the greater of it and the
   text of strings(id) (non-empty: blank, 1); -1 on an error. */
static int
keep_text(struct grp *g, int k, struct ks_remediate_text *t, int64_t id,
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
keep_best(struct fold *f)
{
	for (size_t i = 0; i < f->n; i++)
		for (int k = 0; k < 2; k++)
			if (f->v[i]->best[k] != NULL &&
			    (f->v[i]->col[k ? 14 : 12] = (char *)
			    ks_remediate_intern(f->in, f->v[i]->best[k])) ==
			    NULL)
				return -1;
	return 0;
}

/*
 * The refused requests of audit_groups' groups, each read once in the
 * order they are stored (denial_requests by id, the events' pages in
 * turn): their count, times, least and greatest auditID, and greatest
 * groups and reason (the texts of strings, read once per id).
 */
static int
read_requests(sqlite3 *db, struct fold *f)
{
	/* (audit_rows, its auditID's text by ks_audit_text: a row each.) */
	static const char q[] = "SELECT r.gid, r.time, e.audit_key,"
	    " CASE WHEN e.impersonated_user_id IS NOT NULL"
	    " THEN e.impersonated_groups_id ELSE e.user_groups_id END,"
	    " e.authz_reason_id"
	    " FROM denial_requests r NOT INDEXED"
	    " CROSS JOIN audit_rows e ON e.id = r.id";
	struct ks_remediate_text t;
	sqlite3_stmt *st = NULL;
	struct grp *g;
	int64_t gid;
	int rc = SQLITE_ERROR;

	if (ks_remediate_text_init(&t, db) < 0 ||
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gid = sqlite3_column_int64(st, 0);
		if (gid < 0 || (uint64_t)gid >= f->ngid || f->by_gid[gid] == 0)
			continue;	/* a group read with its paths */
		g = f->v[f->by_gid[gid] - 1];
		count(f, g, st);
		if ((sqlite3_column_type(st, 3) != SQLITE_NULL &&
		    keep_text(g, 0, &t, sqlite3_column_int64(st, 3), 0) < 0) ||
		    (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		    keep_text(g, 1, &t, sqlite3_column_int64(st, 4), 1) < 0)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	if (rc == SQLITE_DONE && keep_best(f) < 0)
		rc = SQLITE_NOMEM;
out:
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
read_audit(sqlite3 *db, struct fold *f)
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
				set_col(f->in, f->v[before], i,
				    sqlite3_column_text(st, from[i]));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Free group g (NULL: nothing). */
static void
grp_free(struct grp *g)
{
	if (g == NULL)
		return;
	for (int j = 0; j < KS_REMEDIATE_COLS; j++)
		if (g->owned & (1u << j))
			free(g->col[j]);
	free(g->ex[0].text);
	free(g->ex[1].text);
	sqlite3_free(g);
}

/* Drop from f the groups that hold no request. */
static void
drop_empty(struct fold *f)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i]->n > 0)
			f->v[k++] = f->v[i];
		else
			grp_free(f->v[i]);
	f->n = k;
}

/* A row of groups_sql's as a group (the columns' text, and the count). */
static struct grp *
grp_of(struct fold *f, sqlite3_stmt *st)
{
	struct grp *g = grp_new();

	if (g == NULL)
		return NULL;
	for (int i = 0; i < KS_REMEDIATE_COLS; i++)
		if (i != 7)
			set_col(f->in, g, i, sqlite3_column_text(st, i));
	g->n = sqlite3_column_int64(st, 7);
	return g;
}

/* Append to f the groups of sql (groups_sql's columns); -1 on an error. */
static int
read_sql(sqlite3 *db, const char *sql, const struct ks_filter *filter,
    struct fold *f, struct ks_err *err)
{
	sqlite3_stmt *st;
	struct grp *g;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (filter != NULL)
		ks_filter_bind(filter, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fold_room(f) < 0 || (g = grp_of(f, st)) == NULL)
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
fold_free(struct fold *f)
{
	struct ks_remediate_intern *in = f->in;

	for (size_t i = 0; i < f->n; i++)
		grp_free(f->v[i]);
	free(f->v);
	free(f->by_gid);
	json_decref(f->index);
	*f = (struct fold){ .in = in };
}

/*
 * Without a filter: the audit log's groups folded here, then the plain
 * logs' from SQL, in the SQL's order; 1 when a time would print
 * otherwise than SQL prints it (then SQL groups them all), -1 on an error.
 */
static int
fold_all(sqlite3 *db, struct fold *f, struct ks_err *err)
{
	char sql[2048];
	struct grp *g;

	if ((f->index = json_object()) == NULL || audit_groups(db, f) < 0 ||
	    read_requests(db, f) < 0 || read_audit(db, f) < 0) {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		return -1;
	}
	drop_empty(f);
	if (f->odd)
		return 1;
	for (size_t i = 0; i < f->n; i++) {
		g = f->v[i];
		g->col[13] = (char *)ks_remediate_intern(f->in, "audit");
		if (g->timed) {
			g->col[8] = ks_time_format(g->t0, g->buf[0]);
			g->col[9] = ks_time_format(g->t1, g->buf[1]);
		}
		akey_col(g, 10, &g->ex[0]);
		akey_col(g, 11, &g->ex[1]);
	}
	snprintf(sql, sizeof(sql), "%s FROM denials WHERE origin = 'log'"
	    " GROUP BY actor, verb, api_group, resource, subresource,"
	    " namespace, path, refused_by", groups_sql);
	if (read_sql(db, sql, NULL, f, err) < 0)
		return -1;
	if (f->n > 1)	/* (f->v is NULL when there is no group) */
		qsort(f->v, f->n, sizeof(*f->v), by_order);
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
group_of(struct grp *r, struct ks_remediate_store *s)
{
	char *const *c = r->col;
	struct ks_remediate_group *out = &r->pub;

	*out = (struct ks_remediate_group){ .actor = c[0], .verb = c[1],
	    .api_group = c[2], .resource = c[3], .subresource = c[4],
	    .namespace = c[5], .path = c[6], .count = r->n,
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
		grp_free((struct grp *)(void *)s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int
ks_remediate_groups(sqlite3 *db, const struct ks_filter *filter,
    struct ks_remediate_store *s, struct ks_err *err)
{
	char sql[8192];
	struct fold f = { .in = &s->in };
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
		s->v[s->n++] = group_of(f.v[i], s);
		f.v[i] = NULL;	/* (s's now) */
	}
	fold_free(&f);
	return rc == 0 ? 0 : -1;
}
