/*
 * The csv format, RFC 4180: a header row, then one record per row, each
 * ended by CRLF.  Text is escaped first (textesc.h), so a field never holds
 * a line break; it is then quoted if it holds a comma or a quote, or is
 * empty (to tell empty text from NULL, which is an empty field unquoted).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "out/out.h"
#include "out/textesc.h"

/* Bytes of a word, each set to b; the words' tests, per byte (exact). */
#define EACH(b)		(UINT64_C(0x0101010101010101) * (b))
#define ZERO(x)		(((x) - EACH(1)) & ~(x) & EACH(0x80))
#define BELOW(x, n)	(((x) - EACH(n)) & ~(x) & EACH(0x80))
#define ABOVE(x, n)	((((x) + EACH(127 - (n))) | (x)) & EACH(0x80))

/* Does word x hold a byte that is not printable ASCII, a comma or a quote? */
#define WORD_BAD(x) (BELOW(x, 0x20) | ABOVE(x, 0x7e) | \
    ZERO((x) ^ EACH(',')) | ZERO((x) ^ EACH('"')))

#ifdef __SSE2__
/* The same of 16 bytes at p: a byte below 0x20 (signed: or from 0x80),
   DEL, a comma or a quote. */
static int
bad16(const char *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i bad = _mm_or_si128(_mm_or_si128(
	    _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))), _mm_or_si128(
	    _mm_cmpeq_epi8(x, _mm_set1_epi8(',')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))));

	return _mm_movemask_epi8(bad) != 0;
}
#endif

/*
 * Is s[0..len) a field as it is: printable ASCII (which escaping keeps)
 * without a comma or a quote?  (Sixteen or eight bytes at a time; the
 * last piece overlaps the one before: the test is of any byte.)
 */
static int
bare(const char *s, size_t len)
{
	uint64_t x = EACH('a'), y;

#ifdef __SSE2__
	if (len >= 16) {
		for (size_t i = 0; i + 16 < len; i += 16)
			if (bad16(s + i))
				return 0;
		return !bad16(s + len - 16);
	}
#else
	for (; len > 16; s += 8, len -= 8) {
		memcpy(&x, s, 8);
		if (WORD_BAD(x))
			return 0;
	}
#endif
	if (len < 8) {
		memcpy(&x, s, len);
		return !WORD_BAD(x);
	}
	memcpy(&x, s, 8);
	memcpy(&y, s + len - 8, 8);
	return !(WORD_BAD(x) | WORD_BAD(y));
}

/* Write s[0..len) as one text field (arg unused).  Returns 0 or -1. */
static int
field(struct ks_out *out, const char *s, size_t len, int arg)
{
	char *p, *q, *r, *e;
	size_t n;
	int rc = -1;

	/* Most text needs no escape, and no quotes unless empty. */
	if (len > 0 && bare(s, len))
		return ks_out_write(out, s, len);
	if ((p = ks_textesc_dup(s, len, 0, &n)) == NULL)
		return ks_out_nomem(out);
	e = p + n;
	if (n > 0 && strcspn(p, ",\"\r\n") == n) {
		rc = ks_out_write(out, p, n);
		goto out;
	}
	if (ks_out_write(out, "\"", 1) == -1)
		goto out;
	/* Escaped text holds no NUL, so strchr() finds every quote. */
	for (q = p; (r = strchr(q, '"')) != NULL; q = r + 1)
		if (ks_out_write(out, q, (size_t)(r - q) + 1) == -1 ||
		    ks_out_write(out, "\"", 1) == -1)
			goto out;
	if (ks_out_write(out, q, (size_t)(e - q)) == -1 ||
	    ks_out_write(out, "\"", 1) == -1)
		goto out;
	rc = 0;
out:
	free(p);
	return rc;
}

static int
begin(struct ks_out *out, int ncols, const char *const *names)
{
	int i;

	if (ncols == 0)
		return 0;
	for (i = 0; i < ncols; i++)
		if ((i > 0 && ks_out_write(out, ",", 1) == -1) ||
		    field(out, names[i], strlen(names[i]), 0) == -1)
			return -1;
	return ks_out_write(out, "\r\n", 2);
}

/*
 * A record, gathered in buf and written in as few writes as its fields
 * allow (a field to quote or escape, or longer than buf, is written on
 * its own, after what buf holds).
 */
static int
row(struct ks_out *out, const struct ks_cell *cells)
{
	char buf[4096];
	size_t n = 0;

	if (out->ncols == 0)
		return 0;
	for (int i = 0; i < out->ncols; i++) {
		const struct ks_cell *c = &cells[i];

		if (n + KS_OUT_NUMSZ + 1 > sizeof(buf)) {
			if (ks_out_write(out, buf, n) == -1)
				return -1;
			n = 0;
		}
		if (i > 0)
			buf[n++] = ',';
		if (c->type == KS_CELL_INT || c->type == KS_CELL_REAL)
			n += ks_out_num(c, buf + n);
		else if (c->type != KS_CELL_TEXT || c->s == NULL)
			continue;
		else if (c->len == 0) {		/* as field() writes it */
			memcpy(buf + n, "\"\"", 2);
			n += 2;
		} else if (c->len > 0 && c->len <= sizeof(buf) - n &&
		    bare(c->s, c->len)) {
			memcpy(buf + n, c->s, c->len);
			n += c->len;
		} else {
			if (ks_out_write(out, buf, n) == -1 ||
			    field(out, c->s, c->len, 0) == -1)
				return -1;
			n = 0;
		}
	}
	if (n + 2 > sizeof(buf)) {
		if (ks_out_write(out, buf, n) == -1)
			return -1;
		n = 0;
	}
	memcpy(buf + n, "\r\n", 2);
	return ks_out_write(out, buf, n + 2);
}

static int
end(struct ks_out *out)
{
	return 0;
}

const struct ks_out_ops ks_out_csv_ops = {
	"csv", begin, row, end, NULL
};
