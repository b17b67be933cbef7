/*
 * A statement's rows printed in an order sorted here (ks_out_stmt_sorted):
 * each row kept as it comes, in an arena of large mappings (on Linux
 * asked for huge pages: on a virtual machine, memory first touched costs
 * more per byte than the sort), then ordered (out-sort-key.c), then
 * printed.  The texts of the key columns are kept once each
 * (out-sort-int.h): a row's key is then a few integers, and the rows are
 * smaller.  SQLite's ORDER BY keeps its whole result in its sorter as
 * well, in memory of its own, a fault every 4 KiB.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "out/out.h"
#include "out/out-sort-int.h"

#define HUGE_PAGE	((size_t)2 << 20)
#define FIRST_CHUNK	((size_t)512 << 10)	/* an arena's first mapping */
#define CHUNK		((size_t)8 << 20)	/* ... and largest */

/*
 * A mapping of at least n bytes, from a huge page's start and asked to
 * be made of them when it is large (a small result keeps to small
 * pages); NULL on failure.
 */
struct chunk *
ks_sort_map(size_t n)
{
	size_t size = n + sizeof(struct chunk), pad = 0;
	struct chunk *c;
	char *base;

	if (size >= HUGE_PAGE) {
		size = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
		pad = HUGE_PAGE;
	}
	base = mmap(NULL, size + pad, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	c = (struct chunk *)(base + (pad - (uintptr_t)base % HUGE_PAGE) %
	    HUGE_PAGE * (pad != 0));
#ifdef MADV_HUGEPAGE
	if (pad != 0)
		madvise(c, size, MADV_HUGEPAGE);
#endif
	c->base = base;
	c->size = size + pad;
	return c;
}

char *
ks_sort_take(struct arena *a, size_t n)
{
	struct chunk *c;
	char *p;

	n = (n + 7) & ~(size_t)7;
	if ((size_t)(a->end - a->p) < n) {
		/* Small first; then huge pages, doubling. */
		a->grow = a->grow == 0 ? FIRST_CHUNK : a->grow < HUGE_PAGE ?
		    HUGE_PAGE : a->grow < CHUNK ? 2 * a->grow : CHUNK;
		if ((c = ks_sort_map(n > a->grow ? n : a->grow)) == NULL)
			return NULL;
		c->next = a->chunks;
		a->chunks = c;
		a->p = (char *)(c + 1);
		a->end = (char *)c->base + c->size;
	}
	p = a->p;
	a->p += n;
	return p;
}

static void
kept_free(struct kept *k)
{
	struct chunk *c, *next;

	for (c = k->a.chunks; c != NULL; c = next) {
		next = c->next;
		munmap(c->base, c->size);
	}
	if (k->rows_map != NULL)
		munmap(k->rows_map->base, k->rows_map->size);
	for (int i = 0; k->tabs != NULL && i < k->ntabs; i++) {
		free(k->tabs[i].v);
		free(k->tabs[i].slots);
		free(k->tabs[i].rank);
	}
	free(k->tabs);
	free(k->cols);
}

/* Room for twice the rows (of the arena's kind).  0, or -1. */
static int
grow_rows(struct kept *k)
{
	size_t cap = k->cap == 0 ? 1024 : k->cap == 1024 ? 65536 :
	    2 * k->cap;
	struct chunk *c = ks_sort_map(cap * sizeof(*k->rows));

	if (c == NULL)
		return -1;
	if (k->n > 0)
		memcpy(c + 1, k->rows, k->n * sizeof(*k->rows));
	if (k->rows_map != NULL)
		munmap(k->rows_map->base, k->rows_map->size);
	k->rows_map = c;
	k->rows = (const char **)(c + 1);
	k->cap = cap;
	return 0;
}

/* Which cells of a key column are kept as ids (out-sort-int.h). */
#define AS_ID(k, i, c) \
    ((k)->cols[i].tab >= 0 && (c)->type == KS_CELL_TEXT && !(c)->json)

/* The bytes cell c of column i takes when kept: see put_value. */
static size_t
cell_size(const struct kept *k, int i, const struct ks_cell *c)
{
	size_t n = c->len, b = 1;

	if (AS_ID(k, i, c))
		return 5;
	if (c->type != KS_CELL_TEXT)
		return c->type == KS_CELL_NULL ? 1 : 1 + sizeof(long long);
	for (; n >= 0x80; n >>= 7)
		b++;
	return 1 + b + c->len + 1;
}

/* Cell c of column i kept at w (id: its text's id); the bytes after. */
static char *
put_value(char *w, const struct ks_cell *c, int64_t id)
{
	size_t n = c->len;
	uint32_t u = (uint32_t)id;

	if (id >= 0) {
		*w++ = TAG_ID;
		memcpy(w, &u, 4);
		return w + 4;
	}
	*w++ = (char)(c->type | (c->json ? JSON : 0));
	if (c->type == KS_CELL_INT || c->type == KS_CELL_REAL) {
		memcpy(w, c->type == KS_CELL_INT ? (const void *)&c->i :
		    (const void *)&c->r, 8);
		return w + 8;
	}
	if (c->type != KS_CELL_TEXT)
		return w;
	for (; n >= 0x80; n >>= 7)
		*w++ = (char)(0x80 | (n & 0x7f));
	*w++ = (char)n;
	memcpy(w, c->s, c->len);
	w[c->len] = '\0';
	return w + c->len + 1;
}

const char *
ks_sort_value(const struct kept *k, int col, const char *v,
    struct ks_cell *c)
{
	size_t n = 0;
	int shift = 0;
	uint32_t id;

	memset(c, 0, sizeof(*c));
	if (*v == TAG_ID) {
		const struct str *s;

		memcpy(&id, v + 1, 4);
		s = &k->tabs[k->cols[col].tab].v[id];
		c->type = KS_CELL_TEXT;
		c->s = s->s;
		c->len = s->len;
		return v + 5;
	}
	c->type = *v & ~JSON;
	c->json = (*v++ & JSON) != 0;
	if (c->type == KS_CELL_INT || c->type == KS_CELL_REAL) {
		memcpy(c->type == KS_CELL_INT ? (void *)&c->i : (void *)&c->r,
		    v, 8);
		return v + 8;
	}
	if (c->type != KS_CELL_TEXT)
		return v;
	do
		n |= (size_t)(*v & 0x7f) << shift, shift += 7;
	while (*v++ & 0x80);
	c->s = v;
	c->len = n;
	return v + n + 1;
}

const char *
ks_sort_skip(const char *v)
{
	size_t n = 0;
	int shift = 0;

	switch (*v & ~JSON) {
	case TAG_ID:
		return v + 5;
	case KS_CELL_INT:
	case KS_CELL_REAL:
		return v + 9;
	case KS_CELL_TEXT:
		v++;
		do
			n |= (size_t)(*v & 0x7f) << shift, shift += 7;
		while (*v++ & 0x80);
		return v + n + 1;
	default:
		return v + 1;
	}
}

/* What a key column's cell says of the column (colstat). */
static void
see(struct kept *k, struct colstat *st, const struct ks_cell *c)
{
	switch (c->type) {
	case KS_CELL_NULL:
		st->null = 1;
		break;
	case KS_CELL_INT:
		if (!st->ints || c->i < st->min)
			st->min = c->i;
		if (!st->ints || c->i > st->max)
			st->max = c->i;
		st->ints = 1;
		break;
	case KS_CELL_TEXT:
		st->texts = 1;
		k->nokey |= c->json;
		break;
	default:
		k->nokey = 1;	/* a REAL */
	}
}

/* Keep cells[0..ncols) as a row.  0, or -1 when out of memory. */
static int
keep(struct kept *k, const struct ks_cell *cells)
{
	size_t size = 0;
	char *w;

	for (int i = 0; i < k->ncols; i++)
		size += cell_size(k, i, &cells[i]);
	if (size > UINT32_MAX || (w = ks_sort_take(&k->a, size)) == NULL)
		return -1;
	if (k->n == k->cap && grow_rows(k) < 0)
		return -1;
	k->rows[k->n++] = w;
	for (int i = 0; i < k->ncols; i++) {
		const struct ks_cell *c = &cells[i];
		int64_t id = -1;

		if (k->cols[i].tab >= 0) {
			see(k, &k->cols[i], c);
			if (AS_ID(k, i, c) && (id = ks_sort_intern(&k->a,
			    &k->tabs[k->cols[i].tab], c->s, c->len)) < 0)
				return -1;
		}
		w = put_value(w, c, id);
	}
	return 0;
}

int
ks_sort_utf8(sqlite3 *db)
{
	sqlite3_stmt *st;
	int yes = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA encoding", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) ==
	    SQLITE_TEXT)
		yes = strcmp((const char *)sqlite3_column_text(st, 0),
		    "UTF-8") == 0;
	sqlite3_finalize(st);
	return yes;
}

/*
 * ks_out_stmt_cells, but text read as the bytes the row holds, with no
 * NUL added (SQLite would copy each value to add it; the row kept gets
 * its own): for a database in UTF-8.  0, or -1.
 */
static int
row_cells(sqlite3_stmt *stmt, struct ks_cell *cells, int ncols)
{
	for (int i = 0; i < ncols; i++)
		if (ks_out_value_cell(sqlite3_column_value(stmt, i), &cells[i],
		    1) == -1)
			return -1;
	return 0;
}

/* Step stmt to its end, keeping its rows.  An SQLite result code. */
static int
collect(struct kept *k, sqlite3_stmt *stmt, struct ks_cell *cells)
{
	int (*get)(sqlite3_stmt *, struct ks_cell *, int) =
	    ks_sort_utf8(sqlite3_db_handle(stmt)) ?
	    row_cells : ks_out_stmt_cells;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (get(stmt, cells, k->ncols) == -1 || keep(k, cells) == -1)
			return SQLITE_NOMEM;
	return rc;
}

/* Order the rows kept and print them.  0, or -1 (out of memory). */
static int
print_sorted(struct ks_out *out, struct kept *k, struct ks_cell *cells)
{
	struct chunk *c = ks_sort_map(k->n * sizeof(size_t));
	size_t *order;

	if (c == NULL)
		return -1;
	order = (size_t *)(c + 1);
	if (ks_sort_order(k, order) < 0) {
		munmap(c->base, c->size);
		return -1;
	}
	for (size_t r = 0; r < k->n; r++) {
		const char *v = k->rows[order[r]];

#ifdef __GNUC__
		if (r + 16 < k->n)
			__builtin_prefetch(k->rows[order[r + 16]]);
#endif
		for (int i = 0; i < k->ncols; i++)
			v = ks_sort_value(k, i, v, &cells[i]);
		if (ks_out_row(out, cells) == -1)
			break;
	}
	munmap(c->base, c->size);
	return 0;
}

/* The key columns' tables.  0, or -1 when out of memory. */
static int
key_columns(struct kept *k)
{
	if ((k->cols = calloc((size_t)k->ncols + 1, sizeof(*k->cols))) ==
	    NULL || (k->tabs = calloc((size_t)k->nkeys + 1,
	    sizeof(*k->tabs))) == NULL)
		return -1;
	for (int i = 0; i < k->ncols; i++)
		k->cols[i].tab = -1;
	for (int i = 0; i < k->nkeys; i++) {
		assert(k->keys[i].col >= 0 && k->keys[i].col < k->ncols);
		if (k->cols[k->keys[i].col].tab < 0)
			k->cols[k->keys[i].col].tab = k->ntabs++;
		if (k->keys[i].col > k->lastkey)
			k->lastkey = k->keys[i].col;
	}
	return 0;
}

int
ks_out_stmt_sorted(struct ks_out *out, sqlite3_stmt *stmt,
    const struct ks_out_key *keys, int nkeys, struct ks_err *err)
{
	struct kept k = { .ncols = sqlite3_column_count(stmt), .keys = keys,
	    .nkeys = nkeys };
	const char **cols = calloc((size_t)k.ncols + 1, sizeof(*cols));
	struct ks_cell *cells = calloc((size_t)k.ncols + 1, sizeof(*cells));
	int rc = SQLITE_NOMEM, ret;

	for (int i = 0; cols != NULL && i < k.ncols; i++)
		cols[i] = sqlite3_column_name(stmt, i);
	if (cols != NULL && cells != NULL && key_columns(&k) == 0 &&
	    ks_out_begin(out, k.ncols, cols) == 0 &&
	    (rc = collect(&k, stmt, cells)) == SQLITE_DONE &&
	    print_sorted(out, &k, cells) < 0)
		rc = SQLITE_NOMEM;
	ret = ks_out_stmt_end(out, stmt, rc, err);
	kept_free(&k);
	free(cols);
	free(cells);
	return ret;
}
