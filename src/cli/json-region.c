/*
 * A region for jansson's small blocks (json-region.h): chunks mapped
 * whole, asking for huge pages, cut into blocks of a multiple of GRAIN
 * bytes behind a header that says which; a freed block goes on the free
 * list of its size.  Larger blocks, and every block while the region is
 * off, are malloc's; jansson's free tells the two apart by address.
 * Built without the region under AddressSanitizer, which checks malloc's
 * blocks only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <jansson.h>

#include "cli/json-region.h"
#include "rbac/remediate.h"

#if defined(__SANITIZE_ADDRESS__)
#define NO_REGION	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_REGION	1
#endif
#endif

#define CHUNK		((size_t)64 << 20)	/* bytes mapped at a time */
#define MAXCHUNKS	64
#define GRAIN		8	/* jansson's blocks need no more alignment */
#define SMALL		1024	/* larger blocks are malloc's */
#define NSIZES		(SMALL / GRAIN + 1)

struct block {
	struct block	*next;
};

static struct {
	int		 on;
	int		 installed;
	char		*chunk[MAXCHUNKS];
	size_t		 nchunks;
	char		*next;		/* the unused rest of the last chunk */
	size_t		 left;
	struct block	*free[NSIZES];	/* by size, in grains */
} r;

/* Is p a block of the region? */
static int
ours(const void *p)
{
	for (size_t i = 0; i < r.nchunks; i++)
		if ((const char *)p >= r.chunk[i] &&
		    (const char *)p < r.chunk[i] + CHUNK)
			return 1;
	return 0;
}

/* Map one more chunk; -1 when none can be. */
static int
grow(void)
{
	void *c;

	if (r.nchunks == MAXCHUNKS || (c = mmap(NULL, CHUNK, PROT_READ |
	    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
	    0)) == MAP_FAILED)
		return -1;
#ifdef MADV_HUGEPAGE
	(void)madvise(c, CHUNK, MADV_HUGEPAGE);
#endif
	r.chunk[r.nchunks++] = c;
	r.next = c;
	r.left = CHUNK;
	return 0;
}

static void *
region_malloc(size_t n)
{
	size_t k = n == 0 ? 1 : (n + GRAIN - 1) / GRAIN;
	struct block *b;
	size_t *h;

	if (!r.on || n > SMALL)
		return malloc(n);
	if ((b = r.free[k]) != NULL) {
		r.free[k] = b->next;
		return b;
	}
	if ((k + 1) * GRAIN > r.left && grow() < 0)
		return malloc(n);
	h = (size_t *)(void *)r.next;
	*h = k;
	r.next += (k + 1) * GRAIN;
	r.left -= (k + 1) * GRAIN;
	return r.next - k * GRAIN;	/* a grain after h: 8-aligned */
}

static void
region_free(void *p)
{
	struct block *b = p;
	size_t k;

	if (p == NULL)
		return;
	if (!ours(p)) {
		free(p);
		return;
	}
	k = *(size_t *)(void *)((char *)p - GRAIN);
	b->next = r.free[k];
	r.free[k] = b;
}

void
ks_json_region_on(void)
{
#ifdef NO_REGION
	(void)region_malloc;	/* (built, and not used) */
	(void)region_free;
#else
	if (!r.installed)
		json_set_alloc_funcs(region_malloc, region_free);
	r.installed = 1;
	r.on = 1;
#endif
}

void
ks_json_region_off(void)
{
	r.on = 0;
}

void
ks_json_region_drop(struct ks_remediate_plan *p)
{
#ifdef NO_REGION
	ks_remediate_plan_free(p);
#else
	(void)p;
#endif
}
