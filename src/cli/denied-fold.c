/*
 * The SQL functions through which `denied` reads its rows (denied-groups.h):
 * SQLite hands each the values of a row as they are in its registers,
 * which costs less than asking the statement for each column.  A group's
 * texts are kept once each; a window's denials are folded per gid as the
 * SQL's GROUP BY would (sum, least, greatest: NULL left out, texts as
 * BINARY orders them).
 */
#include <string.h>

#include "cli/denied.h"

/* The last time ks_sqltime_text writes (years 1970 to 9999). */
#define TIME_END	INT64_C(253402300800000000)

/* Value v as text: 1 (at *p, *len: the bytes the value holds), 0 NULL,
   -1 another kind. */
static int
text_of(sqlite3_value *v, const char **p, size_t *len)
{
	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_TEXT:
		*p = sqlite3_value_blob(v);
		*len = (size_t)sqlite3_value_bytes(v);
		if (*p == NULL)
			*p = "";
		return 1;
	default:
		return -1;
	}
}

/* Value v as an integer: 1 (*x), 0 NULL, -1 another kind. */
static int
int_of(sqlite3_value *v, int64_t *x)
{
	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		*x = sqlite3_value_int64(v);
		return 1;
	default:
		return -1;
	}
}

/* A group's columns (actor .. namespace, decision) into r. */
static int
group_of(sqlite3_value **argv, struct dg_set *s, struct dg_row *r, int log)
{
	const char *p;
	size_t len;
	int64_t id;

	for (int c = 0; c < 6; c++) {
		switch (text_of(argv[c], &p, &len)) {
		case 0:
			r->col[c] = 0;
			continue;
		case 1:
			break;
		default:
			return DG_OTHER;
		}
		if ((id = ks_sort_intern(&s->texts, &s->tabs[c], p,
		    len)) < 0)
			return DG_ERR;
		r->col[c] = (uint32_t)id + 1;
	}
	r->by = log ? 2 : text_of(argv[6], &p, &len) == 1 && len == 5 &&
	    memcmp(p, "allow", 5) == 0 ? 0 : 1;
	return DG_OK;
}

/* a < b as SQLite's BINARY collation orders texts. */
static int
text_less(const char *a, size_t alen, const char *b, size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	return d != 0 ? d < 0 : alen < blen;
}

/* An integer of a denial into *x, the least or the greatest (most). */
static int
fold_int(sqlite3_value *v, struct dg_row *r, int bit, int64_t *x,
    int most)
{
	int64_t y;
	int k = int_of(v, &y);

	if (k < 0)
		return DG_OTHER;
	if (k == 1 && (bit == DG_FIRST || bit == DG_LAST) &&
	    (y < 0 || y >= TIME_END))
		return DG_OTHER;
	if (k == 1 && (!(r->has & bit) || (most ? y > *x : y < *x))) {
		*x = y;
		r->has |= bit;
	}
	return DG_OK;
}

/* A text of a denial into t, the least or the greatest (most). */
static int
fold_text(sqlite3_value *v, struct dg_set *s, struct dg_text *t, int most)
{
	const char *p;
	size_t len;
	int k = text_of(v, &p, &len);

	if (k < 0)
		return DG_OTHER;
	if (k == 1 && (t->s == NULL || (most ? text_less(t->s, t->len, p,
	    len) : text_less(p, len, t->s, t->len))) &&
	    ks_dg_copy(s, t, p, len) < 0)
		return DG_ERR;
	return DG_OK;
}

/* A denial's columns (n, first_us .. message) folded into r. */
static int
denials_of(sqlite3_value **argv, struct dg_set *s, struct dg_row *r)
{
	int64_t n;
	int rc;

	/* (SQLite's sum() stops at an overflow: its words, then.) */
	if (int_of(argv[0], &n) != 1 || __builtin_add_overflow(r->n, n, &r->n))
		return DG_OTHER;
	if ((rc = fold_int(argv[1], r, DG_FIRST, &r->first, 0)) ||
	    (rc = fold_int(argv[2], r, DG_LAST, &r->last, 1)) ||
	    (rc = fold_text(argv[3], s, &r->aid, 0)) ||
	    (rc = fold_int(argv[4], r, DG_SOURCE, &r->source, 0)) ||
	    (rc = fold_int(argv[5], r, DG_LINE, &r->line, 0)) ||
	    (rc = fold_text(argv[6], s, &r->msg, 1)))
		return rc;
	return DG_OK;
}

/* Stop the statement when rc says so. */
static void
done(sqlite3_context *cx, struct dg_reader *rd, int rc)
{
	if (rc == DG_OK)
		return;
	rd->rc = rc;
	sqlite3_result_error(cx, "denied: stopped", -1);
}

static void
fn_row(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct dg_reader *rd = sqlite3_user_data(cx);
	struct dg_row *r = ks_dg_add(rd->s);
	int rc;

	if (r == NULL)
		rc = DG_ERR;
	else if ((rc = group_of(argv, rd->s, r, rd->log)) == DG_OK)
		rc = denials_of(argv + 7, rd->s, r);
	done(cx, rd, rc);
}

static void
fn_sum(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct dg_reader *rd = sqlite3_user_data(cx);
	struct dg_row *r;
	int64_t gid;

	if (int_of(argv[0], &gid) != 1 || gid < 0 || gid > rd->max) {
		done(cx, rd, DG_OTHER);
		return;
	}
	if (rd->slot[gid] != 0)
		r = &rd->s->rows[rd->slot[gid] - 1];
	else if ((r = ks_dg_add(rd->s)) == NULL) {
		done(cx, rd, DG_ERR);
		return;
	} else {
		rd->slot[gid] = (uint32_t)rd->s->n;
		r->gid = (uint32_t)gid;
		r->col[0] = UINT32_MAX;		/* no group read yet */
	}
	done(cx, rd, denials_of(argv + 1, rd->s, r));
}

static void
fn_group(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct dg_reader *rd = sqlite3_user_data(cx);
	int64_t id;

	if (int_of(argv[0], &id) != 1)
		done(cx, rd, DG_OTHER);
	else if (id >= 0 && id <= rd->max && rd->slot[id] != 0)
		done(cx, rd, group_of(argv + 1, rd->s,
	    &rd->s->rows[rd->slot[id] - 1], 0));
}

static void
fn_want(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct dg_reader *rd = sqlite3_user_data(cx);
	int64_t id;

	sqlite3_result_int(cx, int_of(argv[0], &id) == 1 && id >= 0 &&
	    id <= rd->max && rd->slot[id] != 0);
}

int
ks_dg_functions(sqlite3 *db, struct dg_reader *rd)
{
	static const struct {
		const char	*name;
		int		 argc;
		void		(*fn)(sqlite3_context *, int,
				    sqlite3_value **);
	} fns[] = {
		{ "ks_dg_row", 14, fn_row },
		{ "ks_dg_sum", 8, fn_sum },
		{ "ks_dg_group", 8, fn_group },
		{ "ks_dg_want", 1, fn_want },
	};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (sqlite3_create_function(db, fns[i].name, fns[i].argc,
		    SQLITE_UTF8, rd, rd != NULL ? fns[i].fn : NULL, NULL,
		    NULL) != SQLITE_OK)
			return -1;
	return 0;
}
