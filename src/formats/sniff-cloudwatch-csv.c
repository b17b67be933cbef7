/*
 * CloudWatch Logs Insights results exported as CSV from the console: a
 * header naming the query's fields (@timestamp, @message, and @logStream
 * when the query asked for it), then one row per log event, RFC 4180
 * quoting ("" for a quote, line breaks inside quotes).  Times are written
 * "2024-03-05 10:11:12.123", in UTC.  Each row goes where its stream says
 * (cloudwatch.h); without @logStream, where its message says.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/cloudwatch.h"
#include "input/lines.h"
#include "formats/sniff.h"
#include "formats/member.h"
#include "util/timeutil.h"

#define MAXFIELDS	64	/* later fields are ignored */

/* One CSV record, its quoting undone in place. */
struct csv {
	struct ks_lines	*lr;
	size_t		 max;		/* bytes of a record */
	char		*buf;		/* owned */
	size_t		 len, cap;
	uint64_t	 line;		/* where the record starts */
	int		 over;		/* longer than max */
	int		 nf;
	char		*f[MAXFIELDS];
	size_t		 fl[MAXFIELDS];
};

static int
add(struct csv *c, const char *p, size_t n)
{
	size_t cap;
	char *nb;

	if (c->over || c->len + n > c->max) {
		c->over = 1;
		return 0;
	}
	if (c->len + n + 1 > c->cap) {
		for (cap = c->cap ? c->cap : 4096; cap < c->len + n + 1;)
			cap *= 2;
		if ((nb = realloc(c->buf, cap)) == NULL)
			return -1;
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	c->buf[c->len] = '\0';
	return 0;
}

/* Split the record into fields, undoing the quotes in place. */
static void
fields(struct csv *c)
{
	char *s = c->buf, *end = c->buf + c->len, *out;

	c->nf = 0;
	while (s <= end && c->nf < MAXFIELDS) {
		c->f[c->nf] = out = s;
		if (s < end && *s == '"') {
			for (s++; s < end; s++) {
				if (*s == '"' && s + 1 < end && s[1] == '"')
					s++;
				else if (*s == '"') {
					s++;
					break;
				}
				*out++ = *s;
			}
		}
		while (s < end && *s != ',')
			*out++ = *s++;
		c->fl[c->nf] = (size_t)(out - c->f[c->nf]);
		c->nf++;
		s++;
	}
}

/* Read one record; 1, 0 at the end, -1 when memory ran out. */
static int
next(struct csv *c)
{
	struct ks_line l;
	int got, odd = 0;

	c->len = 0;
	c->over = 0;
	while ((got = ks_lines_next(c->lr, &l)) == 1) {
		if (c->len == 0 && !odd)
			c->line = l.number;
		else if (add(c, "\n", 1) < 0)
			return -1;
		if (add(c, l.data, l.len) < 0)
			return -1;
		c->over |= l.cut;
		for (size_t i = 0; i < l.len; i++)
			odd ^= l.data[i] == '"';
		if (!odd)
			break;
	}
	if (got < 0)
		return -1;
	if (got == 0 && c->len == 0 && !odd)
		return 0;
	if (add(c, "", 0) < 0)
		return -1;
	fields(c);
	return 1;
}

static int
column(const struct csv *c, const char *name)
{
	for (int i = 0; i < c->nf; i++)
		if (c->fl[i] == strlen(name) && memcmp(c->f[i], name,
		    c->fl[i]) == 0)
			return i;
	return -1;
}

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	const char *s = (const char *)head, *nl;
	size_t len;
	int msg = 0, ts = 0;

	if (pk->json)
		return 0;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;		/* a byte-order mark, as spreadsheets write */
		n -= 3;
	}
	nl = memchr(s, '\n', n);
	len = nl != NULL ? (size_t)(nl - s) : n;
	for (size_t i = 0, j; i < len; i = j + 1) {
		for (j = i; j < len && s[j] != ','; j++)
			;
		size_t a = i, b = j;
		if (b > a && s[b - 1] == '\r')
			b--;
		if (b - a >= 2 && s[a] == '"' && s[b - 1] == '"')
			a++, b--;
		msg |= b - a == 8 && memcmp(s + a, "@message", 8) == 0;
		ts |= b - a == 10 && memcmp(s + a, "@timestamp", 10) == 0;
	}
	return msg && ts ? 40 : 0;
}

/* One data row. */
static int
row(struct ks_member *m, struct csv *c, const int col[3], int year,
    struct ks_cloud_tally *t, struct ks_err *err)
{
	struct ks_cw_event ev = { NULL, KS_TIME_NONE, NULL, 0, c->line };
	char stream[512];

	if (c->over)
		return ks_emit_reject(m, c->line, "record larger than the "
		    "record-size limit (--max-record)", c->buf, c->len, err);
	if (c->len == 0)
		return 0;
	if (col[0] >= c->nf)
		return ks_emit_reject(m, c->line, "Logs Insights row without "
		    "an @message field", c->buf, c->len, err);
	ev.msg = c->f[col[0]];
	ev.len = c->fl[col[0]];
	if (col[1] >= 0 && col[1] < c->nf)
		ev.time_us = ks_cloud_time(c->f[col[1]], c->fl[col[1]]);
	if (col[2] >= 0 && col[2] < c->nf && c->fl[col[2]] < sizeof(stream)) {
		memcpy(stream, c->f[col[2]], c->fl[col[2]]);
		stream[c->fl[col[2]]] = '\0';
		ev.stream = stream;
	}
	return ks_cw_event(m, &ev, year, t, err);
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	struct csv c = { .max = m->lim->max_record };
	struct ks_cloud_tally t = { 0 };
	int col[3], year = ks_cloud_year(m), rc = 0, got;

	if ((c.lr = ks_lines_new(m->in, c.max)) == NULL)
		return ks_err_set(err, "out of memory");
	if ((got = next(&c)) == 1) {
		col[0] = column(&c, "@message");
		col[1] = column(&c, "@timestamp");
		col[2] = column(&c, "@logStream");
		if (col[0] < 0)
			got = 0;	/* the bid saw it; a header cut short */
	}
	while (rc == 0 && got == 1 && (got = next(&c)) == 1)
		rc = row(m, &c, col, year, &t, err);
	if (rc == 0 && got < 0 && !m->in->failed)
		rc = ks_err_set(err, "out of memory");
	ks_lines_free(c.lr);
	free(c.buf);
	ks_cloud_warn(m, &t);
	return rc;
}

const struct ks_sniffer ks_sniffer_cloudwatch_csv = {
	.name = "cloudwatch-csv", .bid = bid, .ingest = ingest
};
