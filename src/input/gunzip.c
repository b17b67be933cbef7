/*
 * Gzip layers through zlib; why they exist is in gunzip.h.  Each layer is
 * an input whose fill function inflates the bytes of the input under it,
 * straight into the buffer of its reader, so that decompression runs in
 * whichever thread reads (the pump's, for a member).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "input/gunzip.h"

enum lstate {
	MEMBER,		/* inside a gzip member */
	BETWEEN,	/* after a member's trailer */
	DONE,		/* after the last member (and any padding) */
	FAILED		/* corrupt, cut short, or a limit: err says */
};

/* Bytes per fill: as libarchive's own filter, they stay in cache. */
#define LAYER_OUT	(64 * 1024)

struct layer {
	z_stream	 zs;
	int		 zinit;		/* inflateInit2 succeeded */
	enum lstate	 state;
	struct ks_input	*src;		/* compressed bytes, borrowed */
	struct ks_input	 out;		/* what this layer yields */
	struct ks_gunzip *gz;		/* the chain it belongs to */
	uint64_t	 in_bytes;	/* taken from src */
	uint64_t	 out_bytes;	/* yielded */
	uint64_t	 trailing;	/* bytes after the last member, not read */
	struct ks_err	 err;		/* why FAILED */
};

struct ks_gunzip {
	struct layer	 L[KS_GUNZIP_LAYERS];
	int		 n;		/* layers in use, outermost first */
	uint64_t	 max_ratio;	/* 0: none */
	int		 limited;	/* stopped by max_ratio */
	struct ks_err	 limit;		/* why */
};

int
ks_gunzip_magic(const unsigned char *p, size_t n)
{
	return p != NULL && n >= 3 && p[0] == 0x1f && p[1] == 0x8b &&
	    p[2] == 8;
}

/* Fail the layer with a reason; returns -1. */
static int lfail(struct layer *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
lfail(struct layer *L, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(L->err.msg, sizeof(L->err.msg), fmt, ap);
	va_end(ap);
	L->state = FAILED;
	return -1;
}

/* The input under L failed (a read error, a limit): so does L. */
static int
src_failed(struct layer *L)
{
	return lfail(L, "%s", L->src->err.msg);
}

/*
 * After the last member: count what remains.  Zero bytes only are padding,
 * accepted; anything else is counted in L->trailing, all of it, so that
 * the report says how much was not read.  Returns 1 (the end) or -1.
 */
static int
after_last(struct layer *L)
{
	const unsigned char *p;
	uint64_t count = 0;
	size_t n, i;
	int garbage = 0;

	for (;;) {
		p = ks_input_peek(L->src, 1, &n);
		if (n == 0)
			break;
		for (i = 0; !garbage && i < n; i++)
			garbage = p[i] != 0;
		count += n;
		ks_input_consume(L->src, n);
	}
	if (L->src->failed)
		return src_failed(L);
	if (garbage)
		L->trailing = count;
	L->state = DONE;
	return 1;
}

/* After a member's trailer: another member, or the end.  0, 1 or -1. */
static int
next_member(struct layer *L)
{
	const unsigned char *p;
	size_t n;

	p = ks_input_peek(L->src, 3, &n);
	if (n == 0 && L->src->failed)
		return src_failed(L);
	if (n == 0) {
		L->state = DONE;
		return 1;
	}
	if (!ks_gunzip_magic(p, n))
		return after_last(L);
	if (inflateReset(&L->zs) != Z_OK)
		return lfail(L, "gzip: inflateReset failed");
	L->state = MEMBER;
	return 0;
}

/* Inflate what src holds now.  Returns 0 to go on, 1 at the end, or -1. */
static int
step(struct layer *L)
{
	const unsigned char *p;
	size_t n;
	uInt avail;
	int r;

	switch (L->state) {
	case DONE:
		return 1;
	case FAILED:
		return -1;
	case BETWEEN:
		return next_member(L);
	case MEMBER:
		break;
	}
	p = ks_input_peek(L->src, 1, &n);
	if (n == 0 && L->src->failed)
		return src_failed(L);
	if (n == 0)
		return lfail(L, "gzip: cut short: the data end inside a gzip "
		    "member, before its trailer");
	avail = n > UINT_MAX ? UINT_MAX : (uInt)n;
	L->zs.next_in = p;
	L->zs.avail_in = avail;
	r = inflate(&L->zs, Z_NO_FLUSH);
	ks_input_consume(L->src, avail - L->zs.avail_in);
	L->in_bytes += avail - L->zs.avail_in;
	switch (r) {
	case Z_STREAM_END:
		L->state = BETWEEN;
		return 0;
	case Z_OK:
	case Z_BUF_ERROR:
		return 0;
	case Z_MEM_ERROR:
		return lfail(L, "out of memory");
	default:
		/* "incorrect data check" (CRC-32), "incorrect length check". */
		return lfail(L, "gzip: %s", L->zs.msg ? L->zs.msg :
		    "corrupt data");
	}
}

/* Past KS_RATIO_FLOOR, does L yield too much for the bytes taken? */
static int
over_ratio(struct layer *L)
{
	struct ks_gunzip *gz = L->gz;
	uint64_t raw = gz->L[0].in_bytes;

	if (gz->max_ratio == 0 || L->out_bytes <= KS_RATIO_FLOOR || raw == 0 ||
	    L->out_bytes / raw <= gz->max_ratio)
		return 0;
	lfail(L, "compression ratio above %llu:1 (--max-ratio): an archive "
	    "bomb?", (unsigned long long)gz->max_ratio);
	gz->limit = L->err;
	gz->limited = 1;
	return 1;
}

/*
 * The layer's fill function: at least one byte, unless the end or a fault
 * comes first.  A fault ends the output as the end does, after the bytes
 * inflated before it: libarchive keeps what it read ahead only when its
 * reads end without an error.  ks_gunzip_fault says why it ended.
 */
static ssize_t
layer_fill(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct layer *L = ctx;
	size_t want = cap > LAYER_OUT ? LAYER_OUT : cap, n;
	int r = 0;

	if (L->state != FAILED && L->state != DONE && over_ratio(L))
		r = -1;
	L->zs.next_out = buf;
	L->zs.avail_out = (uInt)want;
	while (r == 0 && L->zs.avail_out == want)
		r = step(L);
	n = want - L->zs.avail_out;
	L->out_bytes += n;
	return (ssize_t)n;
}

/* Set up layer i over src. */
static int
layer_init(struct ks_gunzip *gz, int i, struct ks_input *src)
{
	struct layer *L = &gz->L[i];

	L->gz = gz;
	L->src = src;
	L->state = MEMBER;
	ks_input_init(&L->out, layer_fill, L, NULL);
	L->out.unhashed = 1;
	/* 16 + MAX_WBITS: a gzip header and trailer, checked. */
	if (inflateInit2(&L->zs, 16 + MAX_WBITS) != Z_OK)
		return -1;
	L->zinit = 1;
	return 0;
}

struct ks_gunzip *
ks_gunzip_new(struct ks_input *src, uint64_t max_ratio)
{
	struct ks_gunzip *gz = calloc(1, sizeof(*gz));
	const unsigned char *p;
	size_t n;

	if (gz == NULL)
		return NULL;
	gz->max_ratio = max_ratio;
	while (gz->n < KS_GUNZIP_LAYERS) {
		if (layer_init(gz, gz->n, src) < 0) {
			gz->n++;
			ks_gunzip_free(gz);
			return NULL;
		}
		src = &gz->L[gz->n++].out;
		/* Inflates the first block here; a fault stays in src. */
		p = ks_input_peek(src, 3, &n);
		if (!ks_gunzip_magic(p, n))
			break;
	}
	return gz;
}

void
ks_gunzip_free(struct ks_gunzip *gz)
{
	if (gz == NULL)
		return;
	for (int i = 0; i < gz->n; i++) {
		if (gz->L[i].zinit)
			inflateEnd(&gz->L[i].zs);
		ks_input_release(&gz->L[i].out);
	}
	free(gz);
}

struct ks_input *
ks_gunzip_output(struct ks_gunzip *gz)
{
	return &gz->L[gz->n - 1].out;
}

uint64_t
ks_gunzip_raw_bytes(const struct ks_gunzip *gz)
{
	return gz->L[0].in_bytes;
}

const char *
ks_gunzip_fault(const struct ks_gunzip *gz)
{
	/* The outermost: the layers inside it are cut short by it. */
	for (int i = 0; i < gz->n; i++)
		if (gz->L[i].state == FAILED)
			return gz->L[i].err.msg;
	return NULL;
}

const char *
ks_gunzip_limit(const struct ks_gunzip *gz)
{
	return gz->limited ? gz->limit.msg : NULL;
}

uint64_t
ks_gunzip_trailing(const struct ks_gunzip *gz, int *layer)
{
	for (int i = 0; i < gz->n; i++)
		if (gz->L[i].trailing > 0) {
			*layer = i + 1;
			return gz->L[i].trailing;
		}
	*layer = 0;
	return 0;
}
