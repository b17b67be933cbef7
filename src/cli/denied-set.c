/*
 * The groups of `denied` as kept in C (denied.h): rows in a mapping of
 * their own (huge pages when large: out-sort-int.h), the texts of their
 * group columns once each, copies of the rest, in arenas.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cli/denied.h"

int
ks_dg_copy(struct dg_set *s, struct dg_text *t, const char *p, size_t len)
{
	char *w;

	if (len > UINT32_MAX || (w = ks_sort_take(&s->copies, len + 1)) ==
	    NULL)
		return -1;
	memcpy(w, p, len);
	w[len] = '\0';
	t->s = w;
	t->len = (uint32_t)len;
	return 0;
}

/* The size of a huge page, and the least mapping made of them. */
#define HUGE_PAGE	((size_t)2 << 20)

struct chunk *
ks_dg_map(size_t n)
{
	/* Large enough: one huge page rather than many small ones (on a
	   virtual machine a page first touched costs more than a few
	   kilobytes written). */
	return ks_sort_map(n >= HUGE_PAGE / 8 && n < HUGE_PAGE ?
	    HUGE_PAGE : n);
}

void
ks_dg_hint(struct dg_set *s, size_t n)
{
	if (n <= 4096 || s->cap > 0)
		return;
	s->copies.grow = 1;	/* its first mapping a huge page */
	s->big = 1;		/* and the rows' */
}

void
ks_dg_unmap(struct chunk *c)
{
	if (c != NULL)
		munmap(c->base, c->size);
}

struct dg_row *
ks_dg_add(struct dg_set *s)
{
	struct dg_row *r;

	if (s->n == s->cap) {
		size_t cap = s->cap == 0 && !s->big ? 4096 : s->cap <= 4096 ?
		    65536 : 2 * s->cap;
		struct chunk *c = ks_dg_map(cap * sizeof(*r));

		if (c == NULL)
			return NULL;
		if (s->n > 0)
			memcpy(c + 1, s->rows, s->n * sizeof(*r));
		ks_dg_unmap(s->rows_map);
		s->rows_map = c;
		s->rows = (struct dg_row *)(c + 1);
		s->cap = cap;
	}
	r = &s->rows[s->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* The mappings of arena a unmapped. */
static void
arena_free(struct arena *a)
{
	for (struct chunk *c = a->chunks, *next; c != NULL; c = next) {
		next = c->next;
		ks_dg_unmap(c);
	}
}

void
ks_dg_free(struct dg_set *s)
{
	arena_free(&s->texts);
	arena_free(&s->copies);
	for (int c = 0; c < 6; c++) {
		free(s->tabs[c].v);
		free(s->tabs[c].slots);
		free(s->tabs[c].rank);
	}
	ks_dg_unmap(s->rows_map);
	memset(s, 0, sizeof(*s));
}
