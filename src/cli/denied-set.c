/*
 * The groups of `denied` as kept in C (denied-groups.h): rows, the texts
 * of their group columns once each, copies of the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cli/denied-groups.h"

#define HUGE_PAGE	((size_t)2 << 20)
#define BLOCK		(2 * HUGE_PAGE - 64)	/* the pool's, at least */

/* What a mapping starts with, before the bytes handed out. */
struct map_head {
	void	*base;
	size_t	 size;
	char	 pad[64 - sizeof(void *) - sizeof(size_t)];
};

/*
 * n bytes in a mapping of their own, asked to be made of huge pages when
 * large (on a virtual machine, a page first touched costs more than what
 * is written in it: a few large pages cost less than many small ones);
 * NULL on failure.
 */
void *
ks_dg_map(size_t n)
{
	size_t size = n + sizeof(struct map_head), pad = 0;
	struct map_head *h;
	char *base;

	if (size >= HUGE_PAGE / 4) {
		size = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
		pad = HUGE_PAGE;
	}
	base = mmap(NULL, size + pad, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	h = (struct map_head *)(base + (pad - (uintptr_t)base % HUGE_PAGE) %
	    HUGE_PAGE * (pad != 0));
#ifdef MADV_HUGEPAGE
	if (pad != 0)
		madvise(h, size, MADV_HUGEPAGE);
#endif
	h->base = base;
	h->size = size + pad;
	return h + 1;
}

void
ks_dg_unmap(void *p)
{
	struct map_head *h = (struct map_head *)p - 1;

	if (p != NULL)
		munmap(h->base, h->size);
}

/* n bytes of s's pool; NULL when out of memory. */
static char *
take(struct dg_pool *p, size_t n)
{
	char *b, **v;
	size_t size = n > BLOCK ? n : BLOCK;

	if ((size_t)(p->end - p->p) < n) {
		if ((b = ks_dg_map(size)) == NULL)
			return NULL;
		if ((v = realloc(p->blocks, (p->nblocks + 1) *
		    sizeof(*v))) == NULL)
			return ks_dg_unmap(b), NULL;
		p->blocks = v;
		v[p->nblocks++] = b;
		p->p = b;
		p->end = b + size;
	}
	b = p->p;
	p->p += n;
	return b;
}

/* A copy of p[0..len) in pool into *t.  0, or -1. */
static int
copy_into(struct dg_pool *pool, struct dg_text *t, const char *p,
    size_t len)
{
	char *w;

	if (len > UINT32_MAX || (w = take(pool, len + 1)) == NULL)
		return -1;
	memcpy(w, p, len);
	w[len] = '\0';
	t->s = w;
	t->len = (uint32_t)len;
	return 0;
}

int
ks_dg_copy(struct dg_set *s, struct dg_text *t, const char *p, size_t len)
{
	return copy_into(&s->pool, t, p, len);
}

struct dg_row *
ks_dg_add(struct dg_set *s)
{
	struct dg_row *r;

	if (s->n == s->cap) {
		size_t cap = s->cap == 0 ? 4096 : s->cap == 4096 ? 65536 :
		    2 * s->cap;

		if ((r = ks_dg_map(cap * sizeof(*r))) == NULL)
			return NULL;
		if (s->n > 0)
			memcpy(r, s->rows, s->n * sizeof(*r));
		ks_dg_unmap(s->rows);
		s->rows = r;
		s->cap = cap;
	}
	r = &s->rows[s->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* Every bit of h into the low ones (MurmurHash3's finalizer). */
static uint32_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	return (uint32_t)(h ^ h >> 33);
}

/* (The last word overlaps the one before: no copy of a few bytes.) */
static uint32_t
hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n, w = 0;
	const char *end = s + n;

	if (n < 8) {
		memcpy(&w, s, n);
		return mix(h ^ w);
	}
	for (; end - s > 8; s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
		h ^= h >> 32;
	}
	memcpy(&w, end - 8, 8);
	return mix(h ^ w);
}

/* Twice the slots, the ids placed again.  0, or -1. */
static int
rehash(struct dg_tab *t)
{
	uint32_t n = t->nslots == 0 ? 256 : 2 * t->nslots, mask = n - 1;
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
ks_dg_intern(struct dg_set *s, int col, const char *p, size_t len)
{
	struct dg_tab *t = &s->tabs[col];
	uint32_t h = hash(p, len), i, id;
	struct dg_text copy;

	if (len > UINT32_MAX || t->n >= UINT32_MAX - 2 ||
	    (((uint64_t)t->n + 1) * 2 > t->nslots && rehash(t) < 0))
		return -1;
	for (i = h & (t->nslots - 1); (id = t->slots[i]) != 0;
	    i = (i + 1) & (t->nslots - 1)) {
		const struct dg_str *x = &t->v[id - 1];

		if (x->hash == h && x->len == len && memcmp(x->s, p, len) == 0)
			return id - 1;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap == 0 ? 64 : 2 * t->cap;
		struct dg_str *v = realloc(t->v, (size_t)cap * sizeof(*v));

		if (v == NULL || cap < t->cap)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	if (copy_into(&s->tpool, &copy, p, len) < 0)
		return -1;
	t->v[t->n] = (struct dg_str){ copy.s, copy.len, h };
	t->slots[i] = ++t->n;
	return t->n - 1;
}

void
ks_dg_free(struct dg_set *s)
{
	for (size_t i = 0; i < s->pool.nblocks; i++)
		ks_dg_unmap(s->pool.blocks[i]);
	for (size_t i = 0; i < s->tpool.nblocks; i++)
		ks_dg_unmap(s->tpool.blocks[i]);
	free(s->pool.blocks);
	free(s->tpool.blocks);
	for (int c = 0; c < 6; c++) {
		free(s->tabs[c].v);
		free(s->tabs[c].slots);
		free(s->tabs[c].rank);
	}
	ks_dg_unmap(s->rows);
	memset(s, 0, sizeof(*s));
}
