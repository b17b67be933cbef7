/*
 * How the JSON splitter (jscan.c) copies bytes: the growth of its record
 * buffers, and the runs of bytes that its state machine would only copy
 * (the inside of a string, the inside of a record below the depth where
 * keys and items are watched), which are taken here in bulk.  Records are
 * the same either way; only the speed differs.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "formats/jscan-int.h"

int
ks_jbuf_grow(struct ks_jbuf *b, const char *s, size_t n, size_t max)
{
	if (b->over || b->len + n > max) {
		/* Keep an excerpt; drop the rest. */
		if (b->len < KS_JSCAN_EXCERPT) {
			size_t k = KS_JSCAN_EXCERPT - b->len < n ?
			    KS_JSCAN_EXCERPT - b->len : n;
			memcpy(b->p + b->len, s, k);
			b->len += k;
			b->p[b->len] = '\0';
		}
		b->over = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->over = 1;
			return -1;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/*
 * Bytes that end a run inside a string: the quote, an escape, a line end.
 * Every other byte inside a string only goes into the record.
 */
static const unsigned char run_stop[256] = {
	['"'] = 1, ['\\'] = 1, ['\n'] = 1,
};

/* The first byte of p[i..lim) that is a quote, a backslash or a line end. */
static size_t
string_end(const unsigned char *p, size_t i, size_t lim)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
	    nl = _mm_set1_epi8('\n');

	while (i + 16 <= lim) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
		int hit = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
		    _mm_cmpeq_epi8(v, nl)));
		if (hit != 0)
			return i + (size_t)__builtin_ctz((unsigned)hit);
		i += 16;
	}
#endif
	while (i < lim && !run_stop[p[i]])
		i++;
	return i;
}

size_t
ks_jscan_deep_run(struct ks_jscan *js, const unsigned char *p, size_t i,
    size_t lim, int floor)
{
	size_t j = i;
	int depth = js->depth, in_str = js->in_str, esc = js->esc;

	while (j < lim) {
		unsigned char c = p[j];
		if (in_str) {
			if (esc) {
				if (c == '\n')
					break;
				esc = 0;
				j++;
				continue;
			}
			if ((j = string_end(p, j, lim)) == lim)
				break;
			c = p[j];
			if (c == '\n')
				break;
			if (c == '\\')
				esc = 1;
			else
				in_str = 0;
			j++;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth - js->base > js->lim.max_depth)
				js->too_deep = 1;
		} else if (c == '}' || c == ']') {
			if (depth <= floor)
				break;
			depth--;
		} else if (c == '\n')
			break;
		j++;
	}
	js->depth = depth;
	js->in_str = in_str;
	js->esc = esc;
	if (j > i)
		ks_jbuf_add(&js->rec, (const char *)p + i, j - i,
		    js->lim.max_record);
	return j;
}

size_t
ks_jscan_string_run(struct ks_jscan *js, struct ks_jbuf *b,
    const unsigned char *p, size_t i, size_t lim)
{
	size_t j = string_end(p, i, lim);

	if (j == i)
		return j;
	ks_jbuf_add(b, (const char *)p + i, j - i, js->lim.max_record);
	if (js->in_key && js->klen < sizeof(js->kbuf)) {
		/* A key at depth 1: keep its first bytes, as the machine does. */
		size_t k = sizeof(js->kbuf) - js->klen;
		if (k > j - i)
			k = j - i;
		memcpy(js->kbuf + js->klen, p + i, k);
		js->klen += k;
	}
	return j;
}
