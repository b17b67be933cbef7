/*
 * A statement's rows printed in an order sorted here (ks_out_stmt_sorted):
 * each row kept as it comes, in an arena of large mappings (on Linux
 * asked for huge pages: on a virtual machine, memory first touched costs
 * more per byte than the sort), then sorted, then printed.  SQLite's
 * ORDER BY keeps its whole result in its sorter as well, in memory of
 * its own, a fault every 4 KiB.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "out/out.h"

#define HUGE_PAGE	((size_t)2 << 20)
#define CHUNK		((size_t)8 << 20)	/* an arena's mapping */

/* A value's tag, before its bytes: KS_CELL_* | JSON for json text. */
#define JSON		0x10

/* One mapping of the arena, its header at its start. */
struct chunk {
	struct chunk	*next;
	void		*base;		/* as mapped */
	size_t		 size;		/* mapped */
};

/*
 * A row kept: a table of offsets, then its values; and its sort key, the
 * values of the key columns encoded so that memcmp orders the keys as
 * SQLite orders the rows (key_size), the first 16 bytes of it also as
 * two integers.  Without a key (a REAL among the key columns), the rows
 * are compared value by value.
 */
struct ent {
	uint64_t	 p[2];
	const unsigned char *key;
	size_t		 klen;
	char		*row;
};

/* The rows kept. */
struct kept {
	struct chunk	*chunks;
	char		*p, *end;	/* room left in the newest chunk */
	struct ent	*ents;
	size_t		 n, cap;
	int		 ncols;
	int		 nokey;		/* compare rows value by value */
	const struct ks_out_key *keys;
	int		 nkeys;
};

/* A mapping of at least n bytes, huge pages asked for; NULL on failure. */
static struct chunk *
chunk_new(size_t n)
{
	size_t size = (n + sizeof(struct chunk) + HUGE_PAGE - 1) /
	    HUGE_PAGE * HUGE_PAGE + HUGE_PAGE;
	char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	struct chunk *c;

	if (base == MAP_FAILED)
		return NULL;
	/* Aligned to a huge page, which the kernel can then back with one. */
	c = (struct chunk *)(base + (HUGE_PAGE - (uintptr_t)base %
	    HUGE_PAGE) % HUGE_PAGE);
#ifdef MADV_HUGEPAGE
	madvise(c, size - HUGE_PAGE, MADV_HUGEPAGE);
#endif
	c->base = base;
	c->size = size;
	return c;
}

/* n bytes of the arena (8-aligned); NULL when out of memory. */
static char *
take(struct kept *k, size_t n)
{
	struct chunk *c;
	char *p;

	n = (n + 7) & ~(size_t)7;
	if ((size_t)(k->end - k->p) < n) {
		if ((c = chunk_new(n > CHUNK ? n : CHUNK)) == NULL)
			return NULL;
		c->next = k->chunks;
		k->chunks = c;
		k->p = (char *)(c + 1);
		k->end = (char *)c->base + c->size;
	}
	p = k->p;
	k->p += n;
	return p;
}

static void
kept_free(struct kept *k)
{
	struct chunk *c, *next;

	for (c = k->chunks; c != NULL; c = next) {
		next = c->next;
		munmap(c->base, c->size);
	}
	free(k->ents);
}

/* The bytes a cell takes when kept. */
static size_t
cell_size(const struct ks_cell *c)
{
	if (c->type == KS_CELL_TEXT)
		return 1 + sizeof(uint32_t) + c->len + 1;
	return c->type == KS_CELL_NULL ? 1 : 1 + sizeof(long long);
}

/* The bytes of a cell's key: see put_key. */
static size_t
key_size(const struct ks_cell *c)
{
	size_t n = 3;

	if (c->type != KS_CELL_TEXT)
		return c->type == KS_CELL_NULL ? 1 : 9;
	for (size_t i = 0; i < c->len; i++)
		n += 1 + (c->s[i] == '\0');
	return n;
}

/*
 * A cell's key at w, inverted when descending: NULL 1; an integer 2 and
 * its 8 bytes, sign flipped, high first; text 3, its bytes (a NUL as NUL
 * 0xff) and NUL NUL.  No key is the prefix of another, so that memcmp
 * orders them as SQLite orders the values (BINARY).  The bytes written.
 */
static size_t
put_key(unsigned char *w, const struct ks_cell *c, int desc)
{
	uint64_t u = (uint64_t)c->i ^ ((uint64_t)1 << 63);
	size_t n = 1;

	w[0] = c->type == KS_CELL_NULL ? 1 : c->type == KS_CELL_INT ? 2 : 3;
	if (c->type == KS_CELL_INT)
		for (n = 1; n < 9; n++)
			w[n] = (unsigned char)(u >> (8 * (8 - n)));
	else if (c->type == KS_CELL_TEXT) {
		for (size_t i = 0; i < c->len; i++)
			if ((w[n++] = (unsigned char)c->s[i]) == 0)
				w[n++] = 0xff;
		w[n++] = 0;
		w[n++] = 0;
	}
	for (size_t i = 0; desc && i < n; i++)
		w[i] = (unsigned char)~w[i];
	return n;
}

/* e's key from cells (none once a REAL is a key).  0, or -1 (memory). */
static int
make_key(struct kept *k, struct ent *e, const struct ks_cell *cells)
{
	unsigned char *w;
	size_t n = 0;

	e->key = NULL;
	e->p[0] = e->p[1] = 0;
	for (int i = 0; i < k->nkeys && !k->nokey; i++) {
		k->nokey = cells[k->keys[i].col].type == KS_CELL_REAL;
		n += key_size(&cells[k->keys[i].col]);
	}
	if (k->nokey)
		return 0;
	if ((w = (unsigned char *)take(k, n)) == NULL)
		return -1;
	e->key = w;
	e->klen = n;
	for (int i = 0; i < k->nkeys; i++)
		w += put_key(w, &cells[k->keys[i].col], k->keys[i].desc);
	return 0;
}

/* Keep cells[0..ncols) as a row.  0, or -1 when out of memory. */
static int
keep(struct kept *k, const struct ks_cell *cells)
{
	size_t size = (size_t)k->ncols * sizeof(uint32_t);
	struct ent *ents;
	uint32_t off;
	char *row;

	for (int i = 0; i < k->ncols; i++)
		size += cell_size(&cells[i]);
	if (size > UINT32_MAX || (row = take(k, size)) == NULL)
		return -1;
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 1024;
		if ((ents = realloc(k->ents, k->cap * sizeof(*ents))) == NULL)
			return -1;
		k->ents = ents;
	}
	k->ents[k->n].row = row;
	if (make_key(k, &k->ents[k->n], cells) < 0)
		return -1;
	k->n++;
	off = (uint32_t)k->ncols * sizeof(uint32_t);
	for (int i = 0; i < k->ncols; i++) {
		const struct ks_cell *c = &cells[i];
		char *v = row + off;
		uint32_t len = (uint32_t)c->len;

		memcpy(row + i * sizeof(uint32_t), &off, sizeof(off));
		v[0] = (char)(c->type | (c->json ? JSON : 0));
		if (c->type == KS_CELL_INT)
			memcpy(v + 1, &c->i, sizeof(c->i));
		else if (c->type == KS_CELL_REAL)
			memcpy(v + 1, &c->r, sizeof(c->r));
		else if (c->type == KS_CELL_TEXT) {
			memcpy(v + 1, &len, sizeof(len));
			memcpy(v + 1 + sizeof(len), c->s, c->len);
			v[1 + sizeof(len) + c->len] = '\0';
		}
		off += (uint32_t)cell_size(c);
	}
	return 0;
}

/* Column i of a kept row as a cell (its text in the arena). */
static struct ks_cell
cell(const char *row, int i)
{
	struct ks_cell c = { KS_CELL_NULL, 0, 0, NULL, 0, 0 };
	uint32_t off, len;
	const char *v;

	memcpy(&off, row + i * sizeof(uint32_t), sizeof(off));
	v = row + off;
	c.type = v[0] & ~JSON;
	c.json = (v[0] & JSON) != 0;
	if (c.type == KS_CELL_INT)
		memcpy(&c.i, v + 1, sizeof(c.i));
	else if (c.type == KS_CELL_REAL)
		memcpy(&c.r, v + 1, sizeof(c.r));
	else if (c.type == KS_CELL_TEXT) {
		memcpy(&len, v + 1, sizeof(len));
		c.s = v + 1 + sizeof(len);
		c.len = len;
	}
	return c;
}

/* A kept value's rank among types as SQLite orders them. */
#define RANK(t)	((t) == KS_CELL_NULL ? 0 : (t) == KS_CELL_TEXT ? 2 : 1)

/* A kept number as a double. */
static double
real_of(const char *v)
{
	long long i;
	double r;

	if ((v[0] & ~JSON) == KS_CELL_REAL) {
		memcpy(&r, v + 1, sizeof(r));
		return r;
	}
	memcpy(&i, v + 1, sizeof(i));
	return (double)i;
}

/* Two kept values as SQLite orders them (BINARY): NULL, numbers, text. */
static int
cmp_value(const char *a, const char *b)
{
	int ta = a[0] & ~JSON, tb = b[0] & ~JSON, d;
	long long x, y;
	uint32_t la, lb;
	double p, q;

	if (RANK(ta) != RANK(tb))
		return RANK(ta) - RANK(tb);
	if (ta == KS_CELL_TEXT) {
		memcpy(&la, a + 1, sizeof(la));
		memcpy(&lb, b + 1, sizeof(lb));
		d = memcmp(a + 1 + sizeof(la), b + 1 + sizeof(lb),
		    la < lb ? la : lb);
		return d != 0 ? d : (la > lb) - (la < lb);
	}
	if (ta == KS_CELL_INT && tb == KS_CELL_INT) {
		memcpy(&x, a + 1, sizeof(x));
		memcpy(&y, b + 1, sizeof(y));
		return (x > y) - (x < y);
	}
	if (ta == KS_CELL_NULL)
		return 0;
	p = real_of(a);
	q = real_of(b);
	return (p > q) - (p < q);
}

/* Two rows by keys[0..nkeys). */
static int
cmp_rows(const char *a, const char *b, const struct ks_out_key *keys,
    int nkeys)
{
	uint32_t oa, ob;
	int d;

	for (int i = 0; i < nkeys; i++) {
		memcpy(&oa, a + keys[i].col * sizeof(uint32_t), sizeof(oa));
		memcpy(&ob, b + keys[i].col * sizeof(uint32_t), sizeof(ob));
		if ((d = cmp_value(a + oa, b + ob)) != 0)
			return keys[i].desc ? -d : d;
	}
	return 0;
}

/* Bytes [16 d, 16 d + 16) of e's key, zeros past its end, into e->p. */
static void
load_prefix(struct ent *e, size_t d)
{
	e->p[0] = e->p[1] = 0;
	for (size_t i = 0; i < 16 && 16 * d + i < e->klen; i++)
		e->p[i / 8] |= (uint64_t)e->key[16 * d + i] <<
		    (8 * (7 - i % 8));
}

/* Two rows kept: by their prefixes, or value by value without keys. */
static int
cmp_ents(const struct kept *k, const struct ent *a, const struct ent *b)
{
	if (a->p[0] != b->p[0])
		return a->p[0] < b->p[0] ? -1 : 1;
	if (a->p[1] != b->p[1])
		return a->p[1] < b->p[1] ? -1 : 1;
	if (k->nokey)
		return cmp_rows(a->row, b->row, k->keys, k->nkeys);
	return 0;
}

/* Sort e[0..n) by cmp_ents, stably (merge sort through tmp). */
static void
merge_sort(const struct kept *k, struct ent *e, struct ent *tmp, size_t n)
{
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;

			while (i < mid && j < hi)
				tmp[o++] = cmp_ents(k, &e[j], &e[i]) < 0 ?
				    e[j++] : e[i++];
			while (i < mid)
				tmp[o++] = e[i++];
			while (j < hi)
				tmp[o++] = e[j++];
		}
		memcpy(e, tmp, n * sizeof(*e));
	}
}

/*
 * Sort e[0..n), whose keys agree before byte 16 d, by their keys: by
 * the 16 bytes from there (integers, in the entries: no key read per
 * comparison), then each run that agrees on them by the next 16.  Keys
 * that agree to their ends are equal (none is the prefix of another).
 */
static void
sort_keys(const struct kept *k, struct ent *e, struct ent *tmp, size_t n,
    size_t d)
{
	size_t lo, hi;

	for (size_t i = 0; i < n; i++)
		load_prefix(&e[i], d);
	merge_sort(k, e, tmp, n);
	for (lo = 0; lo < n; lo = hi) {
		int more = e[lo].klen > 16 * (d + 1);

		for (hi = lo + 1; hi < n && e[hi].p[0] == e[lo].p[0] &&
		    e[hi].p[1] == e[lo].p[1]; hi++)
			more |= e[hi].klen > 16 * (d + 1);
		if (hi - lo > 1 && more)
			sort_keys(k, e + lo, tmp + lo, hi - lo, d + 1);
	}
}

/* Step stmt to its end, keeping its rows.  An SQLite result code. */
static int
collect(struct kept *k, sqlite3_stmt *stmt, struct ks_cell *cells)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (ks_out_stmt_cells(stmt, cells, k->ncols) == -1 ||
		    keep(k, cells) == -1)
			return SQLITE_NOMEM;
	return rc;
}

/* Sort the rows kept and print them.  0, or -1 (out of memory). */
static int
print_sorted(struct ks_out *out, struct kept *k, struct ks_cell *cells)
{
	struct ent *tmp = malloc((k->n ? k->n : 1) * sizeof(*tmp));

	if (tmp == NULL)
		return -1;
	if (k->nokey)
		merge_sort(k, k->ents, tmp, k->n);
	else
		sort_keys(k, k->ents, tmp, k->n, 0);
	free(tmp);
	for (size_t r = 0; r < k->n; r++) {
		for (int i = 0; i < k->ncols; i++)
			cells[i] = cell(k->ents[r].row, i);
		if (ks_out_row(out, cells) == -1)
			break;
	}
	return 0;
}

int
ks_out_stmt_sorted(struct ks_out *out, sqlite3_stmt *stmt,
    const struct ks_out_key *keys, int nkeys, struct ks_err *err)
{
	struct kept k = { NULL, NULL, NULL, NULL, 0, 0,
	    sqlite3_column_count(stmt), 0, keys, nkeys };
	const char **cols = calloc((size_t)k.ncols + 1, sizeof(*cols));
	struct ks_cell *cells = calloc((size_t)k.ncols + 1, sizeof(*cells));
	int rc = SQLITE_NOMEM, ret;

	for (int i = 0; cols != NULL && i < k.ncols; i++)
		cols[i] = sqlite3_column_name(stmt, i);
	if (cols != NULL && cells != NULL &&
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
