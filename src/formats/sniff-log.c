/*
 * Plain logs: any text member no other format claims (controller and pod
 * logs, kubectl output pasted into a ticket).  Every line is scanned for an
 * RBAC denial (denial.h); each denial is one record, in log_denials, and a
 * line without one is not a record.  klog times carry no year.  They take
 * the year of the last line before them that had a full date (controllers
 * often mix zap JSON or RFC 3339 lines with klog ones); before any such
 * line, the year of the member's last change (now, when the member has no
 * time: standard input, some archives), or the year before when that would
 * put the line after the change: a log is written before its file is last
 * changed (31 December in a file last written on 2 January).  That guess
 * is wrong for a log whose file was changed long after it was written.
 *
 * The bid is the lowest (1), and only for text: a head without NUL bytes,
 * nearly all valid UTF-8 and without many control characters.  Binary
 * members, macOS AppleDouble files (._name) among them, stay unrecognised.
 */
#include <string.h>
#include <time.h>

#include "formats/cloud.h"
#include "formats/denial.h"
#include "input/lines.h"
#include "formats/sniff.h"
#include "util/timeutil.h"
#include "util/utf8.h"

/* Text: no NUL, under 1% control bytes, under 2% invalid UTF-8. */
static int
is_text(const unsigned char *p, size_t n)
{
	size_t ctl = 0, bad = 0, i = 0, k;

	/* A sequence cut by the end of the head is not held against it. */
	size_t end = n > 3 ? n - 3 : 0;

	while (i < n) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r' && p[i] != '\f' && p[i] != '\v' &&
		    p[i] != '\b' && p[i] != 0x1b)
			ctl++;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = ks_utf8_seqlen(p + i, n - i)) == 0) {
			bad += i < end;
			k = 1;
		}
		i += k;
	}
	return ctl * 100 <= n && bad * 50 <= n;
}

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	const char *base = strrchr(name, '/');

	base = base != NULL ? base + 1 : name;
	if (n == 0 || strncmp(base, "._", 2) == 0)
		return 0;
	return is_text(head, n) ? 1 : 0;
}

/* A klog header, "E0305 10:12:51.152871": a time without a year. */
static int
klog(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '['))
		s++, n--;
	if (n < 5 || strchr("IWEF", s[0]) == NULL || s[0] == '\0')
		return 0;
	for (int i = 1; i < 5; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A klog time may run ahead of its file's time by a time zone: a day. */
#define DAY_US	(INT64_C(86400) * 1000000)

/*
 * The year of a klog line before any line with a full date (above): the
 * latest year, up to the change's, in which its date exists and is not
 * after the change (29 February goes back to a leap year).
 */
static int
undated_year(const struct ks_line *l, int64_t changed)
{
	int year = ks_cloud_year_of(changed);
	int64_t t;

	for (int y = year; y > year - 8; y--)
		if ((t = ks_denial_line_time(l->data, l->len, y)) !=
		    KS_TIME_NONE && t <= changed + DAY_US)
			return y;
	return year;
}

/* The year of a line's time: its own full date's, else the guess above. */
static int
line_year(const struct ks_line *l, int year, int *dated, int64_t changed)
{
	int64_t t;

	if (l->len == 0)
		return year;
	if (klog(l->data, l->len))
		return *dated ? year : undated_year(l, changed);
	t = ks_denial_line_time(l->data, l->len, year);
	if (t == KS_TIME_NONE)
		return year;
	*dated = 1;
	return ks_cloud_year_of(t);
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	struct ks_lines *lr = ks_lines_new(m->in, m->lim->max_record);
	struct ks_cloud_tally t = { 0 };
	struct ks_line l;
	int64_t changed = m->mtime_us != KS_TIME_NONE ? m->mtime_us :
	    (int64_t)time(NULL) * 1000000;
	int year = ks_cloud_year(m), dated = 0, rc = 0, got;

	if (lr == NULL)
		return ks_err_set(err, "out of memory");
	while (rc == 0 && (got = ks_lines_next(lr, &l)) == 1) {
		t.long_lines += l.cut;
		year = line_year(&l, year, &dated, changed);
		rc = ks_cloud_scan(m, l.data, l.len, l.number, KS_TIME_NONE,
		    year, &t, err);
	}
	if (rc == 0 && got < 0 && !m->in->failed)
		rc = ks_err_set(err, "out of memory");
	ks_lines_free(lr);
	ks_cloud_warn(m, &t);
	return rc;
}

const struct ks_sniffer ks_sniffer_log = {
	.name = "log", .bid = bid, .ingest = ingest
};
