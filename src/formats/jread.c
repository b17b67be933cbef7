/*
 * The strict JSON reader (jread.h): one pass over the bytes, no tree.
 * Strings are decoded into the caller's output buffer; arrays of strings
 * are written there as jansson prints them with JSON_COMPACT.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "formats/jread.h"
#include "util/utf8.h"

/* The length of the run at p of bytes that need no care in a string. */
static size_t
plain_run(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = p;

#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
	    sp = _mm_set1_epi8(0x20);

	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)q);
		/* Signed: bytes from 0x80 are negative, so below 0x20 too. */
		int hit = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)),
		    _mm_cmplt_epi8(v, sp)));
		if (hit != 0)
			return (size_t)(q - p) + (size_t)__builtin_ctz(
			    (unsigned)hit);
		q += 16;
	}
#endif
	while (q < end && *q != '"' && *q != '\\' && *q >= 0x20 && *q < 0x80)
		q++;
	return (size_t)(q - p);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (p + 4 <= end checked by the caller); -1 if not. */
static long
hex4(const unsigned char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Put n bytes in the output; -1 when it is full. */
static int
emit(struct ks_jread *s, const void *b, size_t n)
{
	if ((size_t)(s->oend - s->o) < n)
		return -1;
	memcpy(s->o, b, n);
	s->o += n;
	return 0;
}

/* Put code point c as UTF-8. */
static int
emit_utf8(struct ks_jread *s, unsigned long c)
{
	unsigned char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | c >> 6);
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | c >> 12);
		b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | c >> 18);
		b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return emit(s, b, n);
}

/*
 * One escape after a backslash at s->p; the code point goes to *c.
 * Refuses what jansson refuses (and "\u0000", which it refuses by default).
 */
static int
escape(struct ks_jread *s, unsigned long *c)
{
	const unsigned char *p = s->p + 1;
	long hi, lo;

	if (p >= s->end)
		return -1;
	switch (*p) {
	case '"': case '\\': case '/':
		*c = *p; break;
	case 'b': *c = '\b'; break;
	case 'f': *c = '\f'; break;
	case 'n': *c = '\n'; break;
	case 'r': *c = '\r'; break;
	case 't': *c = '\t'; break;
	case 'u':
		if (s->end - p < 5 || (hi = hex4(p + 1)) <= 0 ||
		    (hi >= 0xdc00 && hi <= 0xdfff))
			return -1;
		if (hi >= 0xd800 && hi <= 0xdbff) {
			if (s->end - p < 11 || p[5] != '\\' || p[6] != 'u' ||
			    (lo = hex4(p + 7)) < 0xdc00 || lo > 0xdfff)
				return -1;
			*c = 0x10000 + ((unsigned long)(hi - 0xd800) << 10) +
			    (unsigned long)(lo - 0xdc00);
			s->p = p + 11;
			return 0;
		}
		*c = (unsigned long)hi;
		s->p = p + 5;
		return 0;
	default:
		return -1;
	}
	s->p = p + 1;
	return 0;
}

/*
 * The string at s->p (its opening quote).  With dec, its decoded bytes and
 * a NUL go to the output and *dec points to them.  *raw_plain is set when
 * the string had no escape, so that its bytes are its value.
 */
static int
string(struct ks_jread *s, const char **dec, int *raw_plain)
{
	const unsigned char *p;
	unsigned long c;
	size_t n;

	s->p++;
	if (dec != NULL)
		*dec = s->o;
	if (raw_plain != NULL)
		*raw_plain = 1;
	for (;;) {
		p = s->p;
		n = plain_run(p, s->end);
		if (dec != NULL && n > 0 && emit(s, p, n) < 0)
			return -1;
		s->p = p += n;
		if (p >= s->end)
			return -1;
		if (*p == '"') {
			s->p++;
			return dec != NULL ? emit(s, "", 1) : 0;
		}
		if (*p == '\\') {
			if (raw_plain != NULL)
				*raw_plain = 0;
			if (escape(s, &c) < 0 ||
			    (dec != NULL && emit_utf8(s, c) < 0))
				return -1;
			continue;
		}
		if (*p < 0x20 || (n = ks_utf8_seqlen(p,
		    (size_t)(s->end - p))) == 0)
			return -1;
		if (dec != NULL && emit(s, p, n) < 0)
			return -1;
		s->p += n;
	}
}

static int
digits(struct ks_jread *s)
{
	const unsigned char *p = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return (int)(s->p - p);
}

int
ks_jread_number(struct ks_jread *s, int *is_int, long long *v)
{
	const unsigned char *start = s->p;
	int n, neg = 0;
	long exp = 0;

	if (*s->p == '-') {
		neg = 1;
		s->p++;
	}
	if (s->p >= s->end)
		return -1;
	if (*s->p == '0') {
		s->p++;
		n = 1;
	} else if ((n = digits(s)) == 0)
		return -1;
	*is_int = 1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) == 0)
			return -1;
		*is_int = 0;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		for (const unsigned char *e = s->p; s->p < s->end &&
		    *s->p >= '0' && *s->p <= '9'; s->p++)
			if (s->p - e < 6)
				exp = exp * 10 + (*s->p - '0');
			else
				return -1;
		if (s->p[-1] < '0' || s->p[-1] > '9')
			return -1;
		*is_int = 0;
	}
	/* Far from overflowing a double or a json_int_t. */
	if (n > 18 || exp > 280 || s->p - start > 400)
		return -1;
	if (*is_int) {
		long long x = 0;
		for (const unsigned char *d = start + neg; d < s->p; d++)
			x = x * 10 + (*d - '0');
		*v = neg ? -x : x;
	}
	return 0;
}

static int
literal(struct ks_jread *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

int
ks_jread_container(struct ks_jread *s, ks_jread_fn fn)
{
	int object = *s->p == '{';
	char close = object ? '}' : ']';
	const unsigned char *key = NULL;
	size_t klen = 0;
	int plain;

	if (++s->depth > s->max_depth)
		return -1;
	s->p++;
	ks_jread_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			if (s->p >= s->end || *s->p != '"')
				return -1;
			key = s->p + 1;
			if (string(s, NULL, &plain) < 0 || !plain)
				return -1;
			klen = (size_t)(s->p - 1 - key);
			ks_jread_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -1;
			s->p++;
			ks_jread_ws(s);
		}
		if (s->p >= s->end || fn(s, key, klen) < 0)
			return -1;
		ks_jread_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		if (*s->p != ',')
			return -1;
		s->p++;
		ks_jread_ws(s);
	}
}

static int
skip_member(struct ks_jread *s, const unsigned char *key, size_t n)
{
	return ks_jread_skip(s);
}

int
ks_jread_skip(struct ks_jread *s)
{
	int is_int;
	long long v;

	switch (*s->p) {
	case '"':
		return string(s, NULL, NULL);
	case '{':
	case '[':
		return ks_jread_container(s, skip_member);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return ks_jread_number(s, &is_int, &v);
		return -1;
	}
}

int
ks_jread_str(struct ks_jread *s, const char **dst)
{
	*dst = NULL;
	if (*s->p == '"')
		return string(s, dst, NULL);
	return ks_jread_skip(s);
}

/* Put the decoded string at d as jansson prints it (dump.c). */
static int
emit_jstring(struct ks_jread *s, const char *d)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[6];

	if (emit(s, "\"", 1) < 0)
		return -1;
	for (; *d != '\0'; d++) {
		unsigned char c = (unsigned char)*d;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			if (emit(s, esc, 2) < 0)
				return -1;
		} else if (c < 0x20) {
			const char *named = c == '\b' ? "\\b" : c == '\f' ?
			    "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r" :
			    c == '\t' ? "\\t" : NULL;
			if (named == NULL) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
			}
			if (emit(s, named ? named : esc, named ? 2 : 6) < 0)
				return -1;
		} else if (emit(s, d, 1) < 0)
			return -1;
	}
	return emit(s, "\"", 1);
}

/* One element of an array of strings, appended as JSON text. */
static int
text_element(struct ks_jread *s, const unsigned char *key, size_t n)
{
	const unsigned char *start = s->p;
	const char *d;
	char *printed;
	size_t len;
	int plain;

	if (*s->p != '"')
		return -1;	/* only arrays of strings */
	if (s->o[-1] != '[' && emit(s, ",", 1) < 0)
		return -1;
	if (string(s, NULL, &plain) < 0)
		return -1;
	if (plain)
		return emit(s, start, (size_t)(s->p - start));
	/* Decode it after the text, print it after that, move it back. */
	s->p = start;
	if (string(s, &d, NULL) < 0)
		return -1;
	printed = s->o;
	if (emit_jstring(s, d) < 0)
		return -1;
	len = (size_t)(s->o - printed);
	memmove((char *)d, printed, len);
	s->o = (char *)d + len;
	return 0;
}

int
ks_jread_strings(struct ks_jread *s, const char **dst)
{
	*dst = NULL;
	if (*s->p != '[')
		return ks_jread_skip(s);
	*dst = s->o;
	if (emit(s, "[", 1) < 0 || ks_jread_container(s, text_element) < 0)
		return -1;
	return emit(s, "]", 2);
}
