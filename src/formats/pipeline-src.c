/*
 * The audit pipeline's records (pipeline-src.h): the member's jscan, or
 * its lines handed straight to the fast reader.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/pipeline-src.h"

int
ks_psrc_open(struct ks_psrc *ps, struct ks_input *in,
    const struct ks_jscan_limits *lim)
{
	memset(ps, 0, sizeof(*ps));
	if ((ps->js = ks_jscan_new(in, lim, ks_jscan_items)) == NULL)
		return -1;
	if (ks_jscan_line_mode(ps->js)) {
		ps->by_line = 1;
		ps->in = in;
		ps->lim = *lim;
		ps->line = 1;
		/* jscan.c's floor under the record limit. */
		if (ps->lim.max_record < 201)
			ps->lim.max_record = 201;
	}
	return 0;
}

/* The line view's fill function: the bytes of one line of the input. */
static ssize_t
line_fill(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct ks_psrc *ps = ctx;
	const unsigned char *p, *nl;
	size_t n, k;

	if (ps->pad) {
		ps->pad = 0;
		*(char *)buf = ' ';
		return 1;
	}
	if (ps->ended)
		return 0;
	p = ks_input_peek(ps->in, 1, &n);
	if (n == 0) {
		if (ps->in->failed) {
			*err = ps->in->err;
			return -1;
		}
		return 0;
	}
	nl = memchr(p, '\n', n);
	k = nl != NULL ? (size_t)(nl - p) + 1 : n;
	if (k > cap)
		k = cap;
	else if (nl != NULL)
		ps->ended = 1;
	memcpy(buf, p, k);
	ks_input_consume(ps->in, k);
	return (ssize_t)k;
}

int
ks_psrc_line_slow(struct ks_psrc *ps)
{
	const unsigned char *p;
	size_t n;

	p = ks_input_peek(ps->in, 3, &n);
	/* The member's jscan would not take a mark here for a BOM. */
	ps->pad = n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf;
	ps->ended = 0;
	ps->sub_line = ps->line++;
	ks_input_init(&ps->sin, line_fill, ps, NULL);
	ps->sub = ks_jscan_new(&ps->sin, &ps->lim, ks_jscan_items);
	if (ps->sub == NULL) {
		ks_input_release(&ps->sin);
		return -1;
	}
	return 0;
}

static void
line_slow_end(struct ks_psrc *ps)
{
	ks_jscan_free(ps->sub);
	ps->sub = NULL;
	ks_input_release(&ps->sin);
}

/*
 * A value opened alone on its line ("{" or "[" and blanks): a
 * pretty-printed one among lines (jq -c's, then jq's), which the member's
 * jscan reads whole.  It reads the rest of the member, from this line.
 */
static int
to_jscan(struct ks_psrc *ps, struct ks_jrec *r)
{
	ks_jscan_set_line(ps->js, ps->line);
	ps->by_line = 0;
	return ks_jscan_next(ps->js, r);
}

int
ks_psrc_next(struct ks_psrc *ps, struct ks_jrec *r, int *line, int *oom)
{
	const unsigned char *q, *nl, *s, *e;
	size_t n, k;
	int got;

	*line = 0;
	if (!ps->by_line)
		return ks_jscan_next(ps->js, r);
	for (;;) {
		if (ps->sub != NULL) {
			if ((got = ks_jscan_next(ps->sub, r)) == 1) {
				r->line += ps->sub_line - 1;
				return 1;
			}
			line_slow_end(ps);
			if (got < 0)
				return -1;
			continue;
		}
		q = ks_input_peek(ps->in, 1, &n);
		while ((nl = memchr(q, '\n', n)) == NULL && n > 0 &&
		    n < KS_INPUT_BUFSZ && !ps->in->eof && !ps->in->failed)
			q = ks_input_peek(ps->in, n + 1, &n);
		if (n == 0)
			return ps->in->failed ? -1 : 0;
		if (nl == NULL && (n >= KS_INPUT_BUFSZ || ps->in->failed)) {
			if (ks_psrc_line_slow(ps) < 0)
				return *oom = 1, -1;
			continue;
		}
		k = nl != NULL ? (size_t)(nl - q) + 1 : n;
		for (s = q; s < q + k && (*s == ' ' || *s == '\t' ||
		    *s == '\r' || *s == '\n'); s++)
			;
		if (s == q + k) {
			ks_input_consume(ps->in, k);	/* a blank line */
			ps->line++;
			continue;
		}
		for (e = q + k; e > s && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r' || e[-1] == '\n'); e--)
			;
		if (e - s == 1 && (*s == '{' || *s == '['))
			return to_jscan(ps, r);
		if (*s != '{' || (size_t)(e - s) > ps->lim.max_record) {
			if (ks_psrc_line_slow(ps) < 0)
				return *oom = 1, -1;
			continue;
		}
		*r = (struct ks_jrec){ .type = KS_JREC_VALUE,
		    .data = (const char *)s, .len = (size_t)(e - s),
		    .line = ps->line, .key = -1 };
		ps->pending = k;
		*line = 1;
		return 1;
	}
}

void
ks_psrc_line_done(struct ks_psrc *ps)
{
	ks_input_consume(ps->in, ps->pending);
	ps->line++;
}

void
ks_psrc_close(struct ks_psrc *ps)
{
	if (ps->sub != NULL)
		line_slow_end(ps);
	ks_jscan_free(ps->js);
	ps->js = NULL;
}
