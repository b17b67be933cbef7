/*
 * The line reader.  The fast path finds the newline in the input's own
 * buffer and hands out a pointer into it; the bytes are consumed on the
 * next call.  A line that does not fit in that buffer is copied chunk by
 * chunk into the reader's buffer, which grows up to the limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "input/lines.h"

struct ks_lines {
	struct ks_input	*in;		/* borrowed */
	size_t		 max;		/* bytes of a line kept */
	size_t		 pending;	/* bytes of the last line to consume */
	uint64_t	 number;	/* lines handed out */
	char		*buf;		/* owned: a line longer than the input's */
	size_t		 len, cap;	/*   buffer, or its first max bytes */
};

struct ks_lines *
ks_lines_new(struct ks_input *in, size_t max)
{
	struct ks_lines *lr = calloc(1, sizeof(*lr));

	if (lr == NULL)
		return NULL;
	lr->in = in;
	lr->max = max > 0 ? max : 1;
	return lr;
}

void
ks_lines_free(struct ks_lines *lr)
{
	if (lr == NULL)
		return;
	free(lr->buf);
	free(lr);
}

/* Append what fits of p[0..n) under the limit; 1 when bytes were dropped. */
static int
keep(struct ks_lines *lr, const unsigned char *p, size_t n)
{
	size_t room = lr->max - lr->len, k = n < room ? n : room;
	char *nb;
	size_t cap;

	if (k > 0 && lr->len + k > lr->cap) {
		cap = lr->cap ? lr->cap : 4096;
		while (cap < lr->len + k)
			cap *= 2;
		if (cap > lr->max)
			cap = lr->max;
		if ((nb = realloc(lr->buf, cap)) == NULL)
			return -1;
		lr->buf = nb;
		lr->cap = cap;
	}
	memcpy(lr->buf + lr->len, p, k);
	lr->len += k;
	return k < n;
}

/* A line longer than the input's buffer: copy it, read through its end. */
static int
slow(struct ks_lines *lr, struct ks_line *out)
{
	const unsigned char *p, *nl;
	size_t n, k;
	int r;

	lr->len = 0;
	out->full = 0;
	out->cut = 0;
	for (;;) {
		p = ks_input_peek(lr->in, 1, &n);
		if (n == 0)
			break;
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) : n;
		if ((r = keep(lr, p, k)) < 0) {
			errno = ENOMEM;
			return -1;
		}
		out->cut |= r;
		out->full += k;
		ks_input_consume(lr->in, nl != NULL ? k + 1 : k);
		if (nl != NULL)
			break;
	}
	out->data = lr->buf;
	out->len = lr->len;
	return 1;
}

/* Drop a CR before the LF, and the byte-order mark of the first line. */
static void
trim(struct ks_lines *lr, struct ks_line *out)
{
	if (!out->cut && out->len > 0 && out->data[out->len - 1] == '\r') {
		out->len--;
		out->full--;
	}
	if (lr->number == 1 && out->len >= 3 &&
	    memcmp(out->data, "\xef\xbb\xbf", 3) == 0) {
		out->data += 3;
		out->len -= 3;
	}
}

int
ks_lines_next(struct ks_lines *lr, struct ks_line *out)
{
	const unsigned char *p, *nl = NULL;
	size_t n, scanned = 0;

	ks_input_consume(lr->in, lr->pending);
	lr->pending = 0;
	p = ks_input_peek(lr->in, 1, &n);
	if (n == 0)
		return lr->in->failed ? -1 : 0;
	memset(out, 0, sizeof(*out));
	out->number = ++lr->number;
	for (;;) {
		nl = memchr(p + scanned, '\n', n - scanned);
		if (nl != NULL || lr->in->eof || lr->in->failed)
			break;
		if (n >= KS_INPUT_BUFSZ) {
			if (slow(lr, out) < 0)
				return -1;
			trim(lr, out);
			return 1;
		}
		scanned = n;
		p = ks_input_peek(lr->in, n + 1, &n);
	}
	out->full = nl != NULL ? (uint64_t)(nl - p) : n;
	lr->pending = nl != NULL ? (size_t)(nl - p) + 1 : n;
	out->data = (const char *)p;
	out->len = (size_t)out->full;
	if (out->len > lr->max) {
		out->len = lr->max;
		out->cut = 1;
	}
	trim(lr, out);
	return 1;
}
