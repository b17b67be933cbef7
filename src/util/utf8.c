#include <stdio.h>
#include <stdlib.h>

#include "util/utf8.h"

size_t
ks_utf8_seqlen(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;	/* nothing past U+10FFFF */
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

char *
ks_utf8_escape(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(n * 4 + 1), *o = out;
	size_t i = 0, k;

	if (out == NULL)
		return NULL;
	while (i < n) {
		k = p[i] == 0 ? 0 : ks_utf8_seqlen(p + i, n - i);
		if (k == 0) {
			o += sprintf(o, "\\x%02x", p[i]);
			i++;
			continue;
		}
		while (k--)
			*o++ = (char)p[i++];
	}
	*o = '\0';
	return out;
}
