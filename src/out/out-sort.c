/*
 * A statement's rows printed in an order sorted here (ks_out_stmt_sorted):
 * each row kept as it comes, in an arena of large mappings (on Linux
 * asked for huge pages: on a virtual machine, memory first touched costs
 * more per byte than the sort), then sorted, then printed.  SQLite's
 * ORDER BY keeps its whole result in its sorter as well, in memory of
 * its own, a fault every 4 KiB.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "out/out.h"

#define HUGE_PAGE	((size_t)2 << 20)
#define FIRST_CHUNK	((size_t)512 << 10)	/* an arena's first mapping */
#define CHUNK		((size_t)8 << 20)	/* ... and largest */

/* A value's tag, before its bytes: KS_CELL_* | JSON for json text. */
#define JSON		0x10

/* One mapping of the arena, its header at its start. */
struct chunk {
	struct chunk	*next;
	void		*base;		/* as mapped */
	size_t		 size;		/* mapped */
};

/*
 * A row kept: its sort key, the values of the key columns encoded so that
 * memcmp orders the keys as SQLite orders the rows (put_key), then its
 * values one after the other (put_value), at ROW_OF(e); the PREFIX
 * bytes of the key from offset PREFIX d, while sorting by them, in p as
 * integers.  Without a key (a REAL among the key columns), the rows are
 * compared value by value.
 */
#define PREFIX	32
#define WORDS	(PREFIX / 8)
#define MAX_DEPTH 32	/* levels of PREFIX bytes sorted by prefix */
struct ent {
	uint64_t	 p[WORDS];
	unsigned char	*key;
	uint32_t	 klen;
};

/* Where e's values begin, after its key. */
#define ROW_OF(e)	((const char *)(e)->key + (((e)->klen + 7) & ~7u))

/* The rows kept. */
struct kept {
	struct chunk	*chunks;
	char		*p, *end;	/* room left in the newest chunk */
	size_t		 grow;		/* the newest chunk's size */
	struct ent	*ents;		/* in a mapping of its own (ents_map) */
	struct chunk	*ents_map;
	size_t		 n, cap;
	int		 ncols;
	int		 nokey;		/* compare rows value by value */
	size_t		 whole;		/* 1 + where to compare keys whole */
	const struct ks_out_key *keys;
	int		 nkeys;
};

/*
 * A mapping of at least n bytes, from a huge page's start and asked to
 * be made of them when it is large (a small result keeps to small
 * pages); NULL on failure.
 */
static struct chunk *
chunk_new(size_t n)
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

/* n bytes of the arena (8-aligned); NULL when out of memory. */
static char *
take(struct kept *k, size_t n)
{
	struct chunk *c;
	char *p;

	n = (n + 7) & ~(size_t)7;
	if ((size_t)(k->end - k->p) < n) {
		/* Small first; then huge pages, doubling. */
		k->grow = k->grow == 0 ? FIRST_CHUNK : k->grow < HUGE_PAGE ?
		    HUGE_PAGE : k->grow < CHUNK ? 2 * k->grow : CHUNK;
		if ((c = chunk_new(n > k->grow ? n : k->grow)) == NULL)
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
	if (k->ents_map != NULL)
		munmap(k->ents_map->base, k->ents_map->size);
}

/* Room for twice the entries (of the arena's kind).  0, or -1. */
static int
grow_ents(struct kept *k)
{
	size_t cap = k->cap == 0 ? 1024 : k->cap == 1024 ? 65536 :
	    2 * k->cap;
	struct chunk *c = chunk_new(cap * sizeof(struct ent));

	if (c == NULL)
		return -1;
	if (k->n > 0)
		memcpy(c + 1, k->ents, k->n * sizeof(struct ent));
	if (k->ents_map != NULL)
		munmap(k->ents_map->base, k->ents_map->size);
	k->ents_map = c;
	k->ents = (struct ent *)(c + 1);
	k->cap = cap;
	return 0;
}

/* The bytes of n as a varint (7 bits a byte, low first). */
static size_t
varint_size(size_t n)
{
	size_t k = 1;

	while (n >= 0x80) {
		n >>= 7;
		k++;
	}
	return k;
}

/* The bytes a cell takes when kept: see put_value. */
static size_t
cell_size(const struct ks_cell *c)
{
	if (c->type == KS_CELL_TEXT)
		return 1 + varint_size(c->len) + c->len + 1;
	return c->type == KS_CELL_NULL ? 1 : 1 + sizeof(long long);
}

/*
 * A cell kept at w: its type (| JSON), then an integer's or a real's 8
 * bytes, or text's length (a varint), bytes and a NUL.  The bytes after.
 */
static char *
put_value(char *w, const struct ks_cell *c)
{
	size_t n = c->len;

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

/* The value kept at v into *c (its text in the arena); the bytes after. */
static const char *
get_value(const char *v, struct ks_cell *c)
{
	size_t n = 0;
	int shift = 0;

	memset(c, 0, sizeof(*c));
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

/*
 * The bytes of the key of cells: 0 once a REAL or a JSON value is a key
 * (k->nokey: then no row has a key).
 */
static size_t
make_key_size(struct kept *k, const struct ks_cell *cells)
{
	size_t n = 0;

	for (int i = 0; i < k->nkeys && !k->nokey; i++) {
		const struct ks_cell *c = &cells[k->keys[i].col];

		k->nokey = c->type == KS_CELL_REAL || c->json;
		n += key_size(c);
	}
	return k->nokey ? 0 : n;
}

/* Keep cells[0..ncols) as a row.  0, or -1 when out of memory. */
static int
keep(struct kept *k, const struct ks_cell *cells)
{
	size_t klen = make_key_size(k, cells), size = (klen + 7) & ~(size_t)7;
	struct ent *e;
	unsigned char *w;
	char *v;

	for (int i = 0; i < k->ncols; i++)
		size += cell_size(&cells[i]);
	if (size > UINT32_MAX || (w = (unsigned char *)take(k, size)) == NULL)
		return -1;
	if (k->n == k->cap && grow_ents(k) < 0)
		return -1;
	e = &k->ents[k->n++];
	memset(e->p, 0, sizeof(e->p));
	e->key = w;
	e->klen = (uint32_t)klen;
	for (int i = 0; klen > 0 && i < k->nkeys; i++)
		w += put_key(w, &cells[k->keys[i].col], k->keys[i].desc);
	v = (char *)ROW_OF(e);
	for (int i = 0; i < k->ncols; i++)
		v = put_value(v, &cells[i]);
	return 0;
}

/* A cell's rank among types as SQLite orders them. */
#define RANK(t)	((t) == KS_CELL_NULL ? 0 : (t) == KS_CELL_TEXT ? 2 : 1)

/* A number as a double. */
#define REAL_OF(c)	((c)->type == KS_CELL_REAL ? (c)->r : (double)(c)->i)

/* Two cells as SQLite orders them (BINARY): NULL, numbers, text. */
static int
cmp_cell(const struct ks_cell *a, const struct ks_cell *b)
{
	int d;

	if (RANK(a->type) != RANK(b->type))
		return RANK(a->type) - RANK(b->type);
	if (a->type == KS_CELL_TEXT) {
		d = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		return d != 0 ? d : (a->len > b->len) - (a->len < b->len);
	}
	if (a->type == KS_CELL_INT && b->type == KS_CELL_INT)
		return (a->i > b->i) - (a->i < b->i);
	if (a->type == KS_CELL_NULL)
		return 0;
	return (REAL_OF(a) > REAL_OF(b)) - (REAL_OF(a) < REAL_OF(b));
}

/* Column col of the row kept at row. */
static struct ks_cell
value_at(const char *row, int col)
{
	struct ks_cell c;

	do
		row = get_value(row, &c);
	while (col-- > 0);
	return c;
}

/* Two rows kept, value by value, by keys[0..nkeys). */
static int
cmp_rows(const char *a, const char *b, const struct ks_out_key *keys,
    int nkeys)
{
	for (int i = 0; i < nkeys; i++) {
		struct ks_cell x = value_at(a, keys[i].col);
		struct ks_cell y = value_at(b, keys[i].col);
		int d = cmp_cell(&x, &y);

		if (d != 0)
			return keys[i].desc ? -d : d;
	}
	return 0;
}

/* Bytes [PREFIX d, PREFIX (d + 1)) of e's key, zeros past its end, in
   e->p. */
static void
load_prefix(struct ent *e, size_t d)
{
	unsigned char b[PREFIX] = { 0 };
	size_t from = PREFIX * d, n = e->klen > from ? e->klen - from : 0;

	memcpy(b, e->key + from, n < PREFIX ? n : PREFIX);
	for (int w = 0; w < WORDS; w++) {
		e->p[w] = 0;
		for (int i = 0; i < 8; i++)
			e->p[w] = e->p[w] << 8 | b[8 * w + i];
	}
}

/* Whether two rows kept agree on their prefixes. */
static int
same_prefix(const struct ent *a, const struct ent *b)
{
	for (int w = 0; w < WORDS; w++)
		if (a->p[w] != b->p[w])
			return 0;
	return 1;
}

/* Two keys from byte off on, whole (none is the prefix of another). */
static int
cmp_whole(const struct ent *a, const struct ent *b, size_t off)
{
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = n > off ? memcmp(a->key + off, b->key + off, n - off) : 0;

	if (c != 0)
		return c;
	return a->klen == b->klen ? 0 : a->klen < b->klen ? -1 : 1;
}

/* Two rows kept: by their prefixes, or value by value without keys. */
static int
cmp_ents(const struct kept *k, const struct ent *a, const struct ent *b)
{
	if (k->whole)
		return cmp_whole(a, b, k->whole - 1);
	for (int w = 0; w < WORDS; w++)
		if (a->p[w] != b->p[w])
			return a->p[w] < b->p[w] ? -1 : 1;
	if (k->nokey)
		return cmp_rows(ROW_OF(a), ROW_OF(b), k->keys, k->nkeys);
	return 0;
}

/* Sort e[0..n) by cmp_ents, stably: merge sort, between e and tmp. */
static void
merge_sort(const struct kept *k, struct ent *e, struct ent *tmp, size_t n)
{
	struct ent *from = e, *to = tmp, *t;

	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;

			while (i < mid && j < hi)
				to[o++] = cmp_ents(k, &from[j], &from[i]) < 0 ?
				    from[j++] : from[i++];
			memcpy(to + o, from + i, (mid - i) * sizeof(*to));
			o += mid - i;
			memcpy(to + o, from + j, (hi - j) * sizeof(*to));
		}
		t = from;
		from = to;
		to = t;
	}
	if (from != e)
		memcpy(e, from, n * sizeof(*e));
}

/*
 * Sort e[0..n), whose keys agree before byte PREFIX d, by their keys: by
 * the PREFIX bytes from there (integers, in the entries: no key read per
 * comparison), then each run that agrees on them by the next.  Keys that
 * agree to their ends are equal (none is the prefix of another).  (The
 * keys are read ahead: each read is the first of its memory.)
 */
static void
sort_keys(const struct kept *k, struct ent *e, struct ent *tmp, size_t n,
    size_t d)
{
	size_t lo, hi, end = PREFIX * (d + 1);

	/* Keys alike for so long (a hostile log's names): the rest whole,
	   not a level of recursion per PREFIX bytes they share. */
	if (d >= MAX_DEPTH) {
		struct kept w = *k;

		w.whole = PREFIX * d + 1;
		merge_sort(&w, e, tmp, n);
		return;
	}

	for (size_t i = 0; i < n; i++) {
#ifdef __GNUC__
		if (i + 8 < n)
			__builtin_prefetch(e[i + 8].key + PREFIX * d);
#endif
		load_prefix(&e[i], d);
	}
	merge_sort(k, e, tmp, n);
	for (lo = 0; lo < n; lo = hi) {
		int more = e[lo].klen > end;

		for (hi = lo + 1; hi < n && same_prefix(&e[hi], &e[lo]); hi++)
			more |= e[hi].klen > end;
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
	struct chunk *c = chunk_new(k->n * sizeof(struct ent));
	struct ent *tmp;

	if (c == NULL)
		return -1;
	tmp = (struct ent *)(c + 1);
	if (k->nokey)
		merge_sort(k, k->ents, tmp, k->n);
	else
		sort_keys(k, k->ents, tmp, k->n, 0);
	munmap(c->base, c->size);
	for (size_t r = 0; r < k->n; r++) {
		const char *v = ROW_OF(&k->ents[r]);

#ifdef __GNUC__
		if (r + 16 < k->n)
			__builtin_prefetch(ROW_OF(&k->ents[r + 16]));
#endif
		for (int i = 0; i < k->ncols; i++)
			v = get_value(v, &cells[i]);
		if (ks_out_row(out, cells) == -1)
			break;
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

	for (int i = 0; i < nkeys; i++)
		assert(keys[i].col >= 0 && keys[i].col < k.ncols);
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
