/*
 * The pieces of ks_out_stmt_sorted (out.h): out-sort.c keeps the rows
 * and prints them, out-sort-key.c orders them.  For those two, and for
 * a command that sorts rows of its own the same way (cli/denied.h: the
 * mappings, the arena, the tables of texts).
 *
 * A row is kept as its values one after the other (put_value in
 * out-sort.c): a tag (KS_CELL_*, | JSON for JSON text), then an integer's
 * or a real's 8 bytes, text's length (a varint), bytes and a NUL; or, in
 * a key column, text as the id of the column's copy of it (TAG_ID and 4
 * bytes: struct strtab).  The key columns' texts are each kept once,
 * ranked once sorted, so that a row's key is a few integers.
 */
#ifndef KS_OUT_SORT_INT_H
#define KS_OUT_SORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "out/out.h"

#define JSON		0x10
#define TAG_ID		5

/* One mapping of an arena, its header at its start. */
struct chunk {
	struct chunk	*next;
	void		*base;		/* as mapped */
	size_t		 size;		/* mapped */
};

/* Memory in large mappings (huge pages where the system has them). */
struct arena {
	struct chunk	*chunks;
	char		*p, *end;	/* room left in the newest chunk */
	size_t		 grow;		/* the newest chunk's size */
};

/* One distinct text of a key column. */
struct str {
	const char	*s;		/* in the arena, NUL-terminated */
	uint32_t	 len;
	uint32_t	 hash;
};

/* The distinct texts of a key column, by id (order of first sight). */
struct strtab {
	struct str	*v;
	uint32_t	 n, cap;
	uint32_t	*slots;		/* open addressing: id + 1, 0 empty */
	uint32_t	 nslots;	/* a power of two */
	uint32_t	*rank;		/* id -> place among the sorted texts */
};

/* What a key column holds, over the rows kept. */
struct colstat {
	int		 tab;		/* its strtab, or -1: not a key */
	int		 null, ints, texts;	/* seen */
	int64_t		 min, max;	/* of its integers */
};


/* The rows kept. */
struct kept {
	struct arena	 a;
	const char	**rows;		/* in a mapping of its own */
	struct chunk	*rows_map;
	size_t		 n, cap;
	int		 ncols;
	int		 nokey;		/* a REAL or JSON key: value by value */
	const struct ks_out_key *keys;
	int		 nkeys;
	struct colstat	*cols;		/* [ncols] */
	struct strtab	*tabs;		/* [ntabs] */
	int		 ntabs;
	int		 lastkey;	/* the last key column */
};

/* A mapping of at least n bytes; NULL on failure. */
struct chunk	*ks_sort_map(size_t n);
/* n bytes of the arena (8-aligned); NULL when out of memory. */
char		*ks_sort_take(struct arena *a, size_t n);

/* The id of text s[0..len) in tab, kept in arena a; -1 on no memory. */
int64_t	ks_sort_intern(struct arena *a, struct strtab *tab, const char *s,
	    size_t len);

/* The rank of each text of t among them (t->rank, from 0).  0, or -1. */
int	ks_sort_rank(struct strtab *t);

/* Whether db keeps its text in UTF-8 (it may: UTF-16). */
int	ks_sort_utf8(sqlite3 *db);

/* The value kept at v, of column col, into *c; the bytes after. */
const char *ks_sort_value(const struct kept *k, int col, const char *v,
	    struct ks_cell *c);

/* The bytes after the value kept at v. */
const char *ks_sort_skip(const char *v);

/*
 * The order of the rows kept: order[0..n) their indexes, sorted by the
 * keys, ties in the order kept.  0, or -1 when out of memory.
 */
int	ks_sort_order(struct kept *k, size_t *order);

#endif
