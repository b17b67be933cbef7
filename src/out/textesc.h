/*
 * Evidence text made safe to print.  Evidence comes from attackers: a string
 * may hold terminal escapes, carriage returns, bidi overrides, invisible
 * characters or invalid UTF-8.  The functions here rewrite such text so that
 * it can neither move the reader's cursor, hide characters, nor reorder the
 * line, and measure how many terminal columns the result takes.  No locale
 * is consulted: the character tables are built in (Unicode 14).
 *
 * Escapes written by ks_textesc_dup() and ks_textesc_fputs(), hex in lower
 * case:
 *
 *	\t \n \r		TAB, LF, CR
 *	\xNN			other C0 controls and DEL; each byte of an
 *				invalid UTF-8 sequence (overlong forms,
 *				surrogates, code points past U+10FFFF,
 *				stray or missing continuation bytes)
 *	\uNNNN			C1 controls (U+0080 to U+009F); format
 *	\UNNNNNNNN		characters (Unicode Cf: bidi embeddings,
 *				overrides and isolates U+202A-202E and
 *				U+2066-2069, marks U+200E/200F/061C, zero
 *				width space and joiners, soft hyphen, BOM,
 *				tag characters); U+2028 and U+2029
 *
 * Everything else, including a backslash, is copied as it is: the result is
 * for reading, not for parsing back (a literal "\x1b" in the evidence looks
 * like an escaped ESC).  KS_TEXTESC_MD adds markdown's own escaping, under
 * which a backslash is doubled; KS_TEXTESC_HTML adds HTML's.
 */
#ifndef KS_TEXTESC_H
#define KS_TEXTESC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A GitHub markdown table cell: LF becomes "<br>", and a backslash goes
 * before each of \ | ` * _ ~ [ ] < > & so that the rendered cell shows the
 * evidence's characters rather than markup.
 */
#define KS_TEXTESC_MD	0x01

/*
 * HTML text or an attribute value: & < > " ' become &amp; &lt; &gt; &quot;
 * &#39; (the escapes above hold none of them, so the two compose).
 */
#define KS_TEXTESC_HTML	0x02

/*
 * Decode the UTF-8 sequence at s[0..len), len > 0.  Returns the number of
 * bytes it takes (1 to 4) and sets *cp to the code point; for invalid input
 * sets *cp to -1 and returns the length of the maximal invalid subpart (the
 * bytes to replace or escape together, as Unicode recommends).
 */
size_t	ks_textesc_decode(const char *s, size_t len, int32_t *cp);

/* Nonzero if code point cp is one of those escaped above. */
int	ks_textesc_unsafe(int32_t cp);

/*
 * The escaped form of s[0..len) as a new NUL-terminated string (the caller
 * frees it), its length in *outlen if outlen is not NULL.  NULL when out of
 * memory.  flags: 0, KS_TEXTESC_MD or KS_TEXTESC_HTML.
 */
char	*ks_textesc_dup(const char *s, size_t len, int flags, size_t *outlen);

/*
 * How many bytes at the start of s[0..len) stand for themselves under
 * flags (printable ASCII, but markdown's or HTML's specials): len when
 * the escaped form is s itself.
 */
size_t	ks_textesc_plain(const char *s, size_t len, int flags);

/* Write the escaped form of s[0..len) to fp.  Returns 0, or -1 (errno). */
int	ks_textesc_fputs(FILE *fp, const char *s, size_t len, int flags);

/*
 * Terminal columns that s[0..len) takes: 0 for combining marks, 2 for East
 * Asian wide and fullwidth characters, 1 for the rest.  Meant for escaped
 * text; unsafe characters count 0 and invalid bytes 1.
 */
size_t	ks_textesc_width(const char *s, size_t len);

/*
 * A copy of s[0..len) in which each invalid UTF-8 subpart is replaced by
 * U+FFFD, as a new NUL-terminated string (the caller frees it), its length
 * in *outlen if outlen is not NULL.  Embedded NULs are kept.  NULL when out
 * of memory.  For jansson, which refuses invalid UTF-8.
 */
char	*ks_textesc_utf8(const char *s, size_t len, size_t *outlen);

#endif
