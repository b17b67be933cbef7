/*
 * Helpers of gen-audit: append-only buffers, the PRNG (splitmix64 seeding
 * xoshiro256**), and RFC 3339 parsing with integer arithmetic only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "gen-audit.h"

/* -- buffers ------------------------------------------------------------ */

void
buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;

	while (cap < b->len + more)
		cap *= 2;
	char *p = realloc(b->p, cap);

	if (p == NULL) {
		perror("gen-audit");
		exit(1);
	}
	b->p = p;
	b->cap = cap;
}

void
buf_u64(struct buf *b, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		b->p[b->len++] = tmp[--n];
}

/* Lower-case hex, exactly digits digits. */
void
buf_hex(struct buf *b, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = digits - 1; i >= 0; i--) {
		b->p[b->len + (size_t)i] = hex[v & 15];
		v >>= 4;
	}
	b->len += (size_t)digits;
}

/* v in decimal, zero-padded to width digits (v must fit). */
void
buf_u64_pad(struct buf *b, uint64_t v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		b->p[b->len + (size_t)i] = (char)('0' + v % 10);
		v /= 10;
	}
	b->len += (size_t)width;
}

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/*
 * Whether one of the 8 bytes of w is '"', '\\' or below 0x20.  It may say
 * yes wrongly after a real hit (a borrow runs on), never no wrongly.
 */
static inline int
special8(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((bs - ONES) & ~bs) |
	    ((w - ONES * 0x20) & ~w)) & HIGHS ? 1 : 0;
}

/*
 * The body of a JSON string for s[0..n): quotes, backslashes and control
 * characters escaped.  Eight bytes at a time, since events rarely need it.
 */
void
buf_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *end = s + n, *run = s;

	while (s < end) {
		uint64_t w;

		if (end - s >= 8) {
			memcpy(&w, s, 8);
			if (!special8(w)) {
				s += 8;
				continue;
			}
		}
		const char *stop = end - s >= 8 ? s + 8 : end;

		for (; s < stop; s++) {
			unsigned char c = (unsigned char)*s;

			if (c >= 0x20 && c != '"' && c != '\\')
				continue;
			buf_put(b, run, (size_t)(s - run));
			b->p[b->len++] = '\\';
			if (c == '"' || c == '\\') {
				b->p[b->len++] = (char)c;
			} else {
				BUF_LIT(b, "u00");
				b->p[b->len++] = hex[c >> 4];
				b->p[b->len++] = hex[c & 15];
			}
			run = s + 1;
		}
	}
	buf_put(b, run, (size_t)(end - run));
}

/* -- PRNG: splitmix64 seeds xoshiro256** ------------------------------- */

uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* -- parsing ------------------------------------------------------------ */

static int
digits(const char **sp, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (**sp < '0' || **sp > '9')
			return -1;
		v = v * 10 + (*(*sp)++ - '0');
	}
	*out = v;
	return 0;
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* "2024-03-05T10:00:00[.ffffff](Z|+hh:mm|-hh:mm)" to µs; 0 or -1. */
int
time_parse(const char *s, int64_t *us)
{
	int y, mo, d, h, mi, sec, oh, om, sign;
	int64_t frac = 0, scale = US_PER_S;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d) || (*s != 'T' && *s != 't') ||
	    (s++, digits(&s, 2, &h)) || *s++ != ':' || digits(&s, 2, &mi) ||
	    *s++ != ':' || digits(&s, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9') {
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
			s++;
		}
	}
	if (*s == 'Z' || *s == 'z') {
		oh = om = sign = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (*s)
		return -1;
	*us = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec) - sign * (oh * 3600 + om * 60)) * US_PER_S +
	    frac;
	return 0;
}
