/*
 * Inside the JSON splitter (jscan.h), shared by its two files: jscan.c, the
 * byte-at-a-time state machine, and jscan-run.c, the record buffers and the
 * runs of bytes that the machine would only copy, taken in bulk.
 */
#ifndef KS_JSCAN_INT_H
#define KS_JSCAN_INT_H

#include <string.h>

#include "formats/jscan.h"

#define KS_JSCAN_EXCERPT 200	/* bytes of a reject kept as its excerpt */

enum ks_jscan_mode {
	KS_JS_IDLE,	/* between values */
	KS_JS_TOP,	/* inside a top-level value, copying it as a record */
	KS_JS_ITEMS,	/* inside an array whose elements come out one by one */
	KS_JS_ENV,	/* inside a split document, outside its split arrays */
	KS_JS_GARBAGE,	/* bytes that do not start a JSON value, up to the EOL */
	KS_JS_TRAIL,	/* line mode: after a value, until its line ends */
	KS_JS_SKIP	/* line mode: the rest of a line already rejected */
};

struct ks_jbuf {
	char	*p;		/* always room for a NUL after len bytes */
	size_t	 len, cap;
	int	 over;		/* bytes were dropped: the record is too big */
};

struct ks_jscan {
	struct ks_input	*in;		/* borrowed */
	struct ks_jscan_limits lim;
	const char *const *keys;	/* split arrays' keys; borrowed */
	int		 line_mode;	/* one value per line */
	int		 spans;		/* line mode, but the current value
					   opened alone on its line: a
					   pretty-printed one, read whole */
	uint64_t	 line;		/* current line, 1-based */
	enum ks_jscan_mode mode;
	int		 depth;		/* open containers */
	int		 in_str, esc;
	int		 too_deep;	/* the current record passed max_depth */
	int		 base;		/* depth at which the current record began */
	int		 items_depth;	/* depth of the split array */
	int		 key;		/* its key's index in keys, -1 top-level */
	int		 item_active;	/* inside one element of the split array */
	int		 expect_key;	/* depth 1: the next string is a key */
	int		 in_key;	/* inside that key */
	int		 key_hit;	/* the last key's index in keys + 1, or 0 */
	int		 await;		/* key_hit after its ':': a '[' splits */
	char		 kbuf[32];	/* the key's first bytes */
	size_t		 klen;		/* kept in kbuf, at most sizeof(kbuf) */
	struct ks_jbuf	 rec;		/* the current record */
	struct ks_jbuf	 env;		/* the envelope of a split document */
	uint64_t	 rec_line, index, env_line;
	struct ks_jrec	 out;		/* what the last EMIT produced; in
					   TRAIL, the value held back */
	const char	*garbage_why;	/* GARBAGE: the reject's reason */
};

/* The slow path of ks_jbuf_add: grow the buffer, or mark it too big. */
int	ks_jbuf_grow(struct ks_jbuf *b, const char *s, size_t n, size_t max)
	    __attribute__((noinline, cold));

/*
 * Append n bytes to b, keeping only an excerpt once max is passed.  Returns
 * 0, or -1 when memory ran out (the record is then marked too big).
 */
static inline int
ks_jbuf_add(struct ks_jbuf *b, const char *s, size_t n, size_t max)
{
	if (!b->over && b->len + n + 1 <= b->cap && b->len + n + 1 <= max) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		return 0;
	}
	return ks_jbuf_grow(b, s, n, max);
}

/* ks_jbuf_add of one byte. */
static inline void
ks_jbuf_add1(struct ks_jbuf *b, char c, size_t max)
{
	if (!b->over && b->len + 2 <= b->cap && b->len + 2 <= max)
		b->p[b->len++] = c;
	else
		ks_jbuf_grow(b, &c, 1, max);
}

/*
 * Copy into the record the bytes of p[i..lim) that the state machine would
 * only copy and track, at depth floor or deeper: strings and nesting are
 * followed; a line end, or a closing bracket that would leave floor, is
 * left to the machine.  Returns where it stopped.
 */
size_t	ks_jscan_deep_run(struct ks_jscan *js, const unsigned char *p,
	    size_t i, size_t lim, int floor);

/*
 * Inside a string, copy into b the run of bytes at p[i..lim) up to the
 * next quote, backslash or line end (and into the key being watched, if
 * any).  Returns the index after the run.
 */
size_t	ks_jscan_string_run(struct ks_jscan *js, struct ks_jbuf *b,
	    const unsigned char *p, size_t i, size_t lim);

#endif
