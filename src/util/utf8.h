/* UTF-8 checks shared by everything that stores or prints evidence text. */
#ifndef KS_UTF8_H
#define KS_UTF8_H

#include <stddef.h>

/*
 * The length (1-4) of the well-formed UTF-8 sequence at p[0..n), or 0 when
 * the bytes there are not one (overlong forms and surrogates included).
 */
size_t	ks_utf8_seqlen(const unsigned char *p, size_t n);

/*
 * Copy at most n bytes of p into a new NUL-terminated string that is valid
 * UTF-8: each byte that is not part of a well-formed sequence, and each NUL,
 * becomes "\xNN".  The result is the caller's to free; NULL when out of
 * memory.
 */
char	*ks_utf8_escape(const char *p, size_t n);

#endif
