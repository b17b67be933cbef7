/*
 * The order of the rows kept by ks_out_stmt_sorted (out-sort-int.h), as
 * ORDER BY would give it with the BINARY collation: NULL first, then
 * numbers, then text (a BLOB sorts as text here), ties in the order
 * kept.
 *
 * A key column's texts are kept once each (ks_sort_intern), then sorted
 * and ranked, so that a row's value in a key column is a class (NULL,
 * integer, text) and a number (the integer less the column's least, or
 * the text's rank).  Each column takes the bits its values need; when a
 * row's key fits in 64 bits with room for the row's index below it, the
 * keys are sorted as integers (radix: no comparison), else by their
 * packed bits (up to 256), else as tuples, stably.  A REAL or JSON value
 * among the keys: the rows are compared value by value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "out/out.h"
#include "out/out-sort-int.h"

#define WORDS	4		/* packed keys of up to 256 bits */
#define DIGIT	11		/* radix sort: bits a pass */

/* A row to sort: its index, its key packed or as a tuple. */
struct ent {
	uint64_t	 p[WORDS];
	size_t		 idx;
	const uint64_t	*tup;		/* class and value per key, or NULL */
};

/* What the sort of one result needs. */
struct order {
	struct kept	*k;
	unsigned	 width[64];	/* per key, bits; 0 past 64 keys */
	unsigned	 vbits[64];	/* of them the value's */
	unsigned	 total;		/* bits of a packed key */
	int		 tuples;	/* keys too wide to pack */
};

static uint32_t
hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
	return (uint32_t)(h ^ h >> 29);
}

/* Twice the slots, the ids placed again.  0, or -1. */
static int
rehash(struct strtab *t)
{
	uint32_t n = t->nslots == 0 ? 1024 : 2 * t->nslots, mask = n - 1;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (slots == NULL || n == 0)
		return free(slots), -1;
	for (uint32_t id = 0; id < t->n; id++) {
		uint32_t i = t->v[id].hash & mask;

		while (slots[i] != 0)
			i = (i + 1) & mask;
		slots[i] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

int64_t
ks_sort_intern(struct arena *a, struct strtab *t, const char *s, size_t len)
{
	uint32_t h = hash(s, len), i, id;
	char *copy;

	if (len > UINT32_MAX || t->n == UINT32_MAX - 1 ||
	    (((uint64_t)t->n + 1) * 2 > t->nslots && rehash(t) < 0))
		return -1;
	for (i = h & (t->nslots - 1); (id = t->slots[i]) != 0;
	    i = (i + 1) & (t->nslots - 1)) {
		const struct str *x = &t->v[id - 1];

		if (x->hash == h && x->len == len && memcmp(x->s, s, len) == 0)
			return id - 1;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap == 0 ? 256 : 2 * t->cap;
		struct str *v = realloc(t->v, (size_t)cap * sizeof(*v));

		if (v == NULL || cap < t->cap)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	if ((copy = ks_sort_take(a, len + 1)) == NULL)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	t->v[t->n] = (struct str){ copy, (uint32_t)len, h };
	t->slots[i] = ++t->n;
	return t->n - 1;
}

/* Two texts as SQLite orders them (BINARY). */
static int
cmp_str(const void *a, const void *b)
{
	const struct str *x = *(const struct str *const *)a;
	const struct str *y = *(const struct str *const *)b;
	int d = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return d != 0 ? d : (x->len > y->len) - (x->len < y->len);
}

int
ks_sort_rank(struct strtab *t)
{
	const struct str **by = malloc(((size_t)t->n + 1) * sizeof(*by));

	if (by == NULL || (t->rank = malloc(((size_t)t->n + 1) *
	    sizeof(*t->rank))) == NULL)
		return free(by), -1;
	for (uint32_t i = 0; i < t->n; i++)
		by[i] = &t->v[i];
	qsort(by, t->n, sizeof(*by), cmp_str);
	for (uint32_t i = 0; i < t->n; i++)
		t->rank[by[i] - t->v] = i;
	free(by);
	return 0;
}

static unsigned
bits(uint64_t x)
{
	return x == 0 ? 0 : 64u - (unsigned)__builtin_clzll(x);
}

/* The bits of each key: its class's (when it varies) and its value's. */
static void
widths(struct order *o)
{
	const struct kept *k = o->k;

	o->total = 0;
	o->tuples = k->nkeys > 64;
	for (int i = 0; i < k->nkeys && i < 64; i++) {
		const struct colstat *st = &k->cols[k->keys[i].col];
		const struct strtab *t = &k->tabs[st->tab];
		unsigned vi = st->ints ? bits((uint64_t)st->max -
		    (uint64_t)st->min) : 0;
		unsigned vt = st->texts && t->n > 0 ? bits(t->n - 1) : 0;

		o->vbits[i] = vi > vt ? vi : vt;
		o->width[i] = o->vbits[i] +
		    (st->null + st->ints + st->texts > 1 ? 2 : 0);
		o->tuples |= o->width[i] > 64;
		o->total += o->width[i];
	}
	o->tuples |= o->total > 64 * WORDS;
}

/*
 * The class (0 NULL, 1 integer, 2 text) and value of each key column of
 * row into cls[col] and val[col].
 */
static void
fields(const struct kept *k, const char *row, uint64_t *cls, uint64_t *val)
{
	struct ks_cell c;

	for (int i = 0; i <= k->lastkey; i++) {
		const struct colstat *st = &k->cols[i];
		uint32_t id;

		if (st->tab < 0) {
			row = ks_sort_skip(row);
			continue;
		}
		if (*row == TAG_ID) {
			memcpy(&id, row + 1, 4);
			cls[i] = 2;
			val[i] = k->tabs[st->tab].rank[id];
			row += 5;
			continue;
		}
		row = ks_sort_value(k, i, row, &c);
		cls[i] = c.type == KS_CELL_NULL ? 0 : 1;
		val[i] = c.type == KS_CELL_INT ? (uint64_t)c.i -
		    (uint64_t)st->min : 0;
	}
}

/* Put the w low bits of f at bit off (from the top) of p. */
static void
put_bits(uint64_t *p, unsigned off, unsigned w, uint64_t f)
{
	unsigned word = off / 64, room = 64 - off % 64;

	if (w == 0)
		return;
	if (w <= room)
		p[word] |= f << (room - w);
	else {
		p[word] |= f >> (w - room);
		p[word + 1] |= f << (64 - (w - room));
	}
}

/* Row idx's key into p (packed) or tup (2 words per key). */
static void
key_of(const struct order *o, size_t idx, uint64_t *p, uint64_t *tup,
    uint64_t *cls, uint64_t *val)
{
	const struct kept *k = o->k;
	unsigned off = 0;

	fields(k, k->rows[idx], cls, val);
	for (int i = 0; i < k->nkeys; i++) {
		int col = k->keys[i].col, desc = k->keys[i].desc;
		uint64_t f, mask;

		if (tup != NULL) {
			tup[2 * i] = desc ? 2 - cls[col] : cls[col];
			tup[2 * i + 1] = desc ? ~val[col] : val[col];
			continue;
		}
		f = o->width[i] > o->vbits[i] ? cls[col] << o->vbits[i] |
		    val[col] : val[col];
		mask = o->width[i] >= 64 ? ~UINT64_C(0) :
		    (UINT64_C(1) << o->width[i]) - 1;
		put_bits(p, off, o->width[i], desc ? ~f & mask : f);
		off += o->width[i];
	}
}

/* Sort a[0..n) as integers, their low bits first (stable), by tmp. */
static void
radix(uint64_t *a, uint64_t *tmp, size_t n, unsigned nbits)
{
	size_t count[1u << DIGIT];
	uint64_t *from = a, *to = tmp, *t;

	for (unsigned sh = 0; sh < nbits; sh += DIGIT) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[from[i] >> sh & ((1u << DIGIT) - 1)]++;
		for (size_t d = 0; d < (1u << DIGIT); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[from[i] >> sh & ((1u << DIGIT) - 1)]++] =
			    from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
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
value_at(const struct kept *k, const char *row, int col)
{
	struct ks_cell c;

	for (int i = 0; i <= col; i++)
		row = ks_sort_value(k, i, row, &c);
	return c;
}

/* Two rows kept, value by value, by the keys. */
static int
cmp_rows(const struct kept *k, const char *a, const char *b)
{
	for (int i = 0; i < k->nkeys; i++) {
		struct ks_cell x = value_at(k, a, k->keys[i].col);
		struct ks_cell y = value_at(k, b, k->keys[i].col);
		int d = cmp_cell(&x, &y);

		if (d != 0)
			return k->keys[i].desc ? -d : d;
	}
	return 0;
}

/* Two rows: by their packed keys, tuples, or value by value. */
static int
cmp_ents(const struct kept *k, const struct ent *a, const struct ent *b)
{
	if (k->nokey)
		return cmp_rows(k, k->rows[a->idx], k->rows[b->idx]);
	if (a->tup != NULL) {
		for (int i = 0; i < 2 * k->nkeys; i++)
			if (a->tup[i] != b->tup[i])
				return a->tup[i] < b->tup[i] ? -1 : 1;
		return 0;
	}
	for (int w = 0; w < WORDS; w++)
		if (a->p[w] != b->p[w])
			return a->p[w] < b->p[w] ? -1 : 1;
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

/* Keys of 64 bits with the row's index below: sorted as integers. */
static int
order_ints(struct order *o, size_t *order, uint64_t *cls, uint64_t *val,
    unsigned ib)
{
	const struct kept *k = o->k;
	struct chunk *c = ks_sort_map(2 * k->n * sizeof(uint64_t));
	uint64_t *a, p[WORDS];

	if (c == NULL)
		return -1;
	a = (uint64_t *)(c + 1);
	for (size_t i = 0; i < k->n; i++) {
		memset(p, 0, sizeof(p));
		key_of(o, i, p, NULL, cls, val);
		a[i] = (o->total > 0 ? p[0] >> (64 - o->total) << ib : 0) | i;
	}
	radix(a, a + k->n, k->n, o->total + ib);
	for (size_t i = 0; i < k->n; i++)
		order[i] = (size_t)(a[i] & ((UINT64_C(1) << ib) - 1));
	munmap(c->base, c->size);
	return 0;
}

/* Other keys: entries sorted by comparison. */
static int
order_ents(struct order *o, size_t *order, uint64_t *cls, uint64_t *val)
{
	const struct kept *k = o->k;
	size_t per = o->tuples && !k->nokey ? 2 * (size_t)k->nkeys : 0;
	struct chunk *c = ks_sort_map(k->n * (2 * sizeof(struct ent) +
	    per * sizeof(uint64_t)));
	struct ent *e;
	uint64_t *tup;

	if (c == NULL)
		return -1;
	e = (struct ent *)(c + 1);
	tup = (uint64_t *)(e + 2 * k->n);
	for (size_t i = 0; i < k->n; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].idx = i;
		e[i].tup = per > 0 ? tup + i * per : NULL;
		if (!k->nokey)
			key_of(o, i, e[i].p, (uint64_t *)e[i].tup, cls, val);
	}
	merge_sort(k, e, e + k->n, k->n);
	for (size_t i = 0; i < k->n; i++)
		order[i] = e[i].idx;
	munmap(c->base, c->size);
	return 0;
}

int
ks_sort_order(struct kept *k, size_t *order)
{
	struct order o = { .k = k };
	uint64_t *cls = calloc(2 * (size_t)k->ncols + 1, sizeof(*cls));
	unsigned ib = bits(k->n > 0 ? k->n - 1 : 0);
	int rc = -1;

	if (cls == NULL)
		return -1;
	for (int i = 0; i < k->ntabs && !k->nokey; i++)
		if (ks_sort_rank(&k->tabs[i]) < 0)
			goto out;
	if (!k->nokey)
		widths(&o);
	if (!k->nokey && !o.tuples && o.total + ib <= 64)
		rc = order_ints(&o, order, cls, cls + k->ncols, ib);
	else
		rc = order_ents(&o, order, cls, cls + k->ncols);
out:
	free(cls);
	return rc;
}
