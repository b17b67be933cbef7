/*
 * The strict JSON reader behind the audit fast reader (audit.h): one pass
 * over the bytes of one record, no tree.  It is strict where jansson is
 * (valid JSON, strict UTF-8, no "\u0000", no number jansson might refuse
 * as too big), and stricter where reading the same as jansson would take
 * more care (keys with escapes, arrays of anything but strings): every
 * function returns -1 for what it is not sure of, and the caller then
 * leaves the record to jansson.
 *
 * Each function reads the value at s->p and leaves s->p after it.
 * Decoded strings (NUL-terminated) and printed arrays are written to the
 * caller's output buffer [o, oend); the pointers handed back point there.
 */
#ifndef KS_JREAD_H
#define KS_JREAD_H

#include <stddef.h>

struct ks_jread {
	const unsigned char *p, *end;	/* the bytes left */
	char		*o, *oend;	/* where decoded strings go */
	int		 depth, max_depth;	/* open containers, and limit */
	void		*arg;		/* the caller's, for its ks_jread_fn */
};

/*
 * Reads one member of an object (key[0..n): the raw bytes of its key,
 * which has no escapes) or one element of an array (key NULL); the value
 * is at s->p.  Returns 0 or -1.
 */
typedef int (*ks_jread_fn)(struct ks_jread *s, const unsigned char *key,
	    size_t n);

/* Pass over blanks. */
static inline void
ks_jread_ws(struct ks_jread *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/* An object or array, each member or element read by fn. */
int	ks_jread_container(struct ks_jread *s, ks_jread_fn fn);

/* Any value, checked and passed over. */
int	ks_jread_skip(struct ks_jread *s);

/*
 * A number.  *is_int is set for an integer (jansson's json_int_t), whose
 * value goes to *v.  Numbers jansson might refuse as too big are refused.
 */
int	ks_jread_number(struct ks_jread *s, int *is_int, long long *v);

/* A string value, decoded, into *dst; anything else is checked and gives
   NULL. */
int	ks_jread_str(struct ks_jread *s, const char **dst);

/*
 * An array of strings into *dst as JSON text, as jansson prints it with
 * JSON_COMPACT; anything else that is not an array is checked and gives
 * NULL.
 */
int	ks_jread_strings(struct ks_jread *s, const char **dst);

#endif
