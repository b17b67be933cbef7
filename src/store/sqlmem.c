/*
 * SQLite's memory in a query process (sqlmem.h): blocks of size classes
 * cut from large mappings made of huge pages where the system has them,
 * freed blocks kept on a list per class for the next of that class.
 *
 * Why: a query's first statement makes SQLite read the whole schema,
 * some 100 KB of view SQL parsed into trees and copied, tens of
 * thousands of small allocations; its page cache takes 64 KiB buffers.
 * Through malloc each new 4 KiB of heap is a page fault, and on a
 * virtual machine a fault costs microseconds: for the schema alone
 * about a third of a small query's time.  A huge page is one fault.
 *
 * Each block has a header of HDR bytes (its class, or its size when it
 * was mapped on its own) and is HDR-aligned.  The lists are per thread,
 * so no lock is taken: a block freed by another thread than the one that
 * took it goes to that other thread's list, which is as good.  Nothing
 * is given back to the system before the process ends.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <sqlite3.h>

#include "store/sqlmem.h"

#define HDR		16
#define SMALL		256		/* classes 16 bytes apart up to here */
#define NSMALL		(SMALL / 16)
#define STEPS		8		/* then 8 classes per doubling */
#define MAXLOG		21		/* ... up to 2 MiB */
#define NCLASS		(NSMALL + (MAXLOG - 8) * STEPS)
#define BIG		0xffffffffu	/* a block mapped on its own */
#define HUGE_PAGE	((size_t)2 << 20)
#define CHUNK		((size_t)4 << 20)

struct block {
	struct block	*next;
};

/* A thread's free lists and the room left in its newest mapping. */
static __thread struct block	*lists[NCLASS];
static __thread char		*room, *room_end;

/* The class of a block of n bytes with its header (n >= 1). */
static unsigned
class_of(size_t n)
{
	unsigned b;

	if (n <= SMALL)
		return (unsigned)((n + 15) / 16 - 1);
	b = 63u - (unsigned)__builtin_clzll((unsigned long long)(n - 1));
	return NSMALL + (b - 8) * STEPS + (unsigned)(((n - 1) >> (b - 3)) &
	    (STEPS - 1));
}

/* The bytes of a block of class c, its header included. */
static size_t
class_size(unsigned c)
{
	unsigned b;

	if (c < NSMALL)
		return (size_t)(c + 1) * 16;
	c -= NSMALL;
	b = c / STEPS + 8;
	return (size_t)(STEPS + c % STEPS + 1) << (b - 3);
}

/* A mapping of n bytes (a multiple of HUGE_PAGE), huge-page aligned. */
static char *
map(size_t n)
{
	char *p = mmap(NULL, n + HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t lead;

	if (p == MAP_FAILED)
		return NULL;
	lead = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	if (lead > 0)
		munmap(p, lead);
	munmap(p + lead + n, HUGE_PAGE - lead);
	p += lead;
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

/* A block of class c, from its list or the newest mapping. */
static char *
take(unsigned c)
{
	size_t size = class_size(c);
	struct block *b = lists[c];
	char *p;

	if (b != NULL) {
		lists[c] = b->next;
		return (char *)b;
	}
	if ((size_t)(room_end - room) < size) {
		/* The rest of the old mapping is left unused. */
		size_t n = size > CHUNK ? (size + HUGE_PAGE - 1) /
		    HUGE_PAGE * HUGE_PAGE : CHUNK;

		if ((p = map(n)) == NULL)
			return NULL;
		room = p;
		room_end = p + n;
	}
	p = room;
	room += size;
	return p;
}

static void *
mem_malloc(int n)
{
	size_t want = (size_t)(n > 0 ? n : 1) + HDR;
	char *p;

	if (want > class_size(NCLASS - 1)) {
		/* Of huge pages too (a sorter's list, tens of MB at 1M
		   events, grows by copies): whole ones. */
		want = (want + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
		if ((p = map(want)) == NULL)
			return NULL;
		((uint32_t *)p)[0] = BIG;
		memcpy(p + 8, &want, sizeof(want));
		return p + HDR;
	}
	if ((p = take(class_of(want))) == NULL)
		return NULL;
	((uint32_t *)p)[0] = class_of(want);
	return p + HDR;
}

/* The bytes of the block whose payload is at p, its header included. */
static size_t
block_size(const char *p)
{
	uint32_t c;
	size_t n;

	memcpy(&c, p - HDR, sizeof(c));
	if (c != BIG)
		return class_size(c);
	memcpy(&n, p - HDR + 8, sizeof(n));
	return n;
}

static void
mem_free(void *v)
{
	char *p = (char *)v - HDR;
	uint32_t c;
	struct block *b;

	memcpy(&c, p, sizeof(c));
	if (c == BIG) {
		munmap(p, block_size(v));
		return;
	}
	b = (struct block *)p;
	b->next = lists[c];
	lists[c] = b;
}

static int
mem_size(void *v)
{
	return (int)(block_size(v) - HDR);
}

static void *
mem_realloc(void *v, int n)
{
	size_t have = block_size(v) - HDR;
	void *w;

	/* Kept when it fits, unless it would waste over half. */
	if ((size_t)n <= have && (size_t)n >= have / 2)
		return v;
	if ((w = mem_malloc(n)) == NULL)
		return NULL;
	memcpy(w, v, (size_t)n < have ? (size_t)n : have);
	mem_free(v);
	return w;
}

static int
mem_roundup(int n)
{
	size_t want = (size_t)(n > 0 ? n : 1) + HDR;

	if (want > class_size(NCLASS - 1))
		return n;
	return (int)(class_size(class_of(want)) - HDR);
}

static int
mem_init(void *arg)
{
	return SQLITE_OK;
}

static void
mem_shutdown(void *arg)
{
}

static const sqlite3_mem_methods methods = {
	mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init,
	mem_shutdown, NULL
};

void
ks_sqlmem_install(void)
{
	/* Under AddressSanitizer, SQLite keeps to malloc, which it checks. */
#if defined(__SANITIZE_ADDRESS__)
	return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return;
#endif
#endif
	sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
}
