/*
 * The writers the formats (out-*.c) share: bytes, strings, padding and
 * escaped text to out->fp, with the first failure recorded in out (out.h),
 * and numbers formatted alike in every format.  They use nothing else of
 * the module, so the formats depend on this file and not on out.c.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/out.h"
#include "out/textesc.h"

/* The writer is one thread: no lock per write where the C library says so. */
#ifdef __GLIBC__
#define FWRITE	fwrite_unlocked
#else
#define FWRITE	fwrite
#endif

int
ks_out_ioerr(struct ks_out *out)
{
	int e = errno;

	if (!out->failed) {
		out->failed = 1;
		if (e != 0)
			ks_err_set(&out->err, "write error: %s", strerror(e));
		else
			ks_err_set(&out->err, "write error");
	}
	return -1;
}

int
ks_out_nomem(struct ks_out *out)
{
	if (!out->failed) {
		out->failed = 1;
		ks_err_set(&out->err, "out of memory");
	}
	return -1;
}

int
ks_out_write(struct ks_out *out, const char *s, size_t n)
{
	if (n > 0 && FWRITE(s, 1, n, out->fp) != n)
		return ks_out_ioerr(out);
	return 0;
}

int
ks_out_puts(struct ks_out *out, const char *s)
{
	return ks_out_write(out, s, strlen(s));
}

int
ks_out_pad(struct ks_out *out, size_t n)
{
	static const char spaces[] = "                                ";
	size_t k;

	while (n > 0) {
		k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		if (ks_out_write(out, spaces, k) == -1)
			return -1;
		n -= k;
	}
	return 0;
}

int
ks_out_text(struct ks_out *out, const char *s, size_t len, int flags)
{
	size_t n;
	char *p;
	int rc;

	if ((p = ks_textesc_dup(s, len, flags, &n)) == NULL)
		return ks_out_nomem(out);
	rc = ks_out_write(out, p, n);
	free(p);
	return rc;
}

int
ks_out_realprec(double r)
{
	char buf[KS_OUT_NUMSZ];
	int p;

	if (!isfinite(r))
		return 17;
	for (p = 15; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, r);
		if (strtod(buf, NULL) == r)
			break;
	}
	return p;
}

int
ks_out_cell(struct ks_out *out, const struct ks_cell *c,
    int (*text)(struct ks_out *, const char *, size_t, int), int arg)
{
	char num[KS_OUT_NUMSZ];

	switch (c->type) {
	case KS_CELL_INT:
	case KS_CELL_REAL:
		return ks_out_write(out, num, ks_out_num(c, num));
	case KS_CELL_TEXT:
		if (c->s != NULL)
			return text(out, c->s, c->len, arg);
		break;
	}
	return 0;
}

/* i in decimal into buf, as "%lld" writes it; its length. */
static size_t
int_text(long long i, char *buf)
{
	char tmp[24];
	unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i :
	    (unsigned long long)i;
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (i < 0)
		buf[k++] = '-';
	while (n > 0)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return k;
}

size_t
ks_out_num(const struct ks_cell *c, char *buf)
{
	size_t n;

	if (c->type == KS_CELL_INT)
		return int_text(c->i, buf);
	assert(c->type == KS_CELL_REAL);
	if (isnan(c->r))
		return (size_t)snprintf(buf, KS_OUT_NUMSZ, "NaN");
	if (isinf(c->r))
		return (size_t)snprintf(buf, KS_OUT_NUMSZ, "%s",
		    c->r > 0 ? "Inf" : "-Inf");
	n = (size_t)snprintf(buf, KS_OUT_NUMSZ, "%.*g", ks_out_realprec(c->r),
	    c->r);
	if (strspn(buf, "-0123456789") == n) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	return n;
}
