/*
 * Text decoding for the denial parser: undo JSON and Go string escapes and
 * make the result valid UTF-8, the way Go's encoding/json would have.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/denial.h"

/* Write code point cp as UTF-8 into out (U+FFFD if it is not a scalar). */
static size_t
put_utf8(unsigned long cp, char *out)
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Read exactly n digits in base (8 or 16) from s[0..len); -1 if not there. */
static long
number(const char *s, size_t len, size_t n, int base)
{
	long v = 0;
	size_t i;
	int d;

	if (len < n)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		v = v * base + d;
	}
	return v;
}

/*
 * Decode the escape at in[0..n) (in[0] is a backslash), the union of JSON's
 * and Go's, into out; return the bytes it took and set *w to the bytes
 * written, or return 0 to leave it as it is (unknown, or a NUL byte).
 */
static size_t
escape1(const char *in, size_t n, char *out, size_t *w)
{
	static const char from[] = "\"\\/'abfnrtv";
	static const char to[] = "\"\\/'\a\b\f\n\r\t\v";
	const char *f;
	long cp, lo;

	if (n < 2)
		return 0;
	if (in[1] != '\0' && (f = strchr(from, in[1])) != NULL) {
		out[0] = to[f - from];
		*w = 1;
		return 2;
	}
	switch (in[1]) {
	case 'x':
		if ((cp = number(in + 2, n - 2, 2, 16)) <= 0)
			return 0;
		out[0] = (char)cp;
		*w = 1;
		return 4;
	case 'U':
		if ((cp = number(in + 2, n - 2, 8, 16)) <= 0)
			return 0;
		*w = put_utf8((unsigned long)cp, out);
		return 10;
	case 'u':
		if ((cp = number(in + 2, n - 2, 4, 16)) <= 0)
			return 0;
		if (cp >= 0xd800 && cp < 0xdc00 && n >= 12 && in[6] == '\\' &&
		    in[7] == 'u' && (lo = number(in + 8, n - 8, 4, 16)) >= 0xdc00 &&
		    lo < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			*w = put_utf8((unsigned long)cp, out);
			return 12;
		}
		*w = put_utf8((unsigned long)cp, out);
		return 6;
	}
	if ((cp = number(in + 1, n - 1, 3, 8)) <= 0 || cp > 0377)
		return 0;
	out[0] = (char)cp;
	*w = 1;
	return 4;
}

/*
 * Undo one level of backslash escapes in buf[0..n), in place (the output is
 * never longer than the input); return the new length.
 */
static size_t
unescape(char *buf, size_t n)
{
	size_t i = 0, o = 0, used, w;
	char tmp[4];

	while (i < n) {
		used = buf[i] == '\\' ? escape1(buf + i, n - i, tmp, &w) : 0;
		if (used > 0) {
			memcpy(buf + o, tmp, w);
			o += w;
			i += used;
		} else
			buf[o++] = buf[i++];
	}
	return o;
}

/* The length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need + 1;
}

/*
 * Copy in[0..n) as a new NUL-terminated string of at most max bytes, cut at
 * a character boundary, with each invalid UTF-8 byte turned into U+FFFD.
 */
static char *
clean_utf8(const char *in, size_t n, size_t max)
{
	char *out = malloc(3 * n + 1);
	size_t i = 0, o = 0, l;

	if (out == NULL)
		return NULL;
	while (i < n) {
		l = utf8_len((const unsigned char *)in + i, n - i);
		if (o + (l ? l : 3) > max)
			break;
		if (l) {
			memcpy(out + o, in + i, l);
			i += l;
			o += l;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			i++;
			o += 3;
		}
	}
	out[o] = '\0';
	return out;
}
char *
ks_denial_unescape(const char *s, size_t n, int times, size_t max)
{
	char *buf = malloc(n + 1), *out;

	if (buf == NULL)
		return NULL;
	if (n > 0)
		memcpy(buf, s, n);
	while (times-- > 0)
		n = unescape(buf, n);
	out = clean_utf8(buf, n, max);
	free(buf);
	return out;
}
