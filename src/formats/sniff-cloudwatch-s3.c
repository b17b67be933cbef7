/*
 * CloudWatch Logs exported to S3 (CreateExportTask): objects stored as
 * EXPORT/TASK/STREAM/000000.gz, whose lines are "<RFC 3339 time> <message>",
 * for example
 *
 *     2024-03-05T10:11:12.123Z {"kind":"Event","apiVersion":"audit.k8s.io/v1",...}
 *
 * The walk has already decompressed them.  This reader claims exports of
 * audit streams (the first message is an audit event); exports of the other
 * streams are plain logs with a time in front, which the plain-log reader
 * takes.  The stream comes from the object's path when it is there, else
 * from each message (cloudwatch.h).  A line without a time in front
 * continues the message before it (a message with line breaks) and is
 * scanned for denials like any log text.
 */
#include <string.h>

#include "formats/cloudwatch.h"
#include "input/lines.h"
#include "formats/sniff.h"
#include "formats/member.h"
#include "util/timeutil.h"

/* The time in front of a line, and where the message starts; -1 if none. */
static int
split(const char *s, size_t n, int64_t *us, size_t *msg)
{
	const char *sp = memchr(s, ' ', n < 64 ? n : 64);

	if (sp == NULL || ks_time_parse(s, (size_t)(sp - s), us) < 0)
		return -1;
	*msg = (size_t)(sp - s) + 1;
	return 0;
}

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	const char *s = (const char *)head;
	const char *nl = memchr(s, '\n', n);
	size_t len = nl != NULL ? (size_t)(nl - s) : n, at;
	int64_t us;

	if (split(s, len, &us, &at) < 0 || at >= len || s[at] != '{')
		return 0;
	if (memmem(s + at, len - at, "\"auditID\"", 9) == NULL &&
	    memmem(s + at, len - at, "\"audit.k8s.io/", 14) == NULL)
		return 0;
	return 40;
}

static int
line(struct ks_member *m, const struct ks_line *l, const char *stream,
    int year, struct ks_cloud_tally *t, struct ks_err *err)
{
	struct ks_cw_event ev = { stream, KS_TIME_NONE, NULL, 0, l->number };
	size_t at;

	if (l->len == 0)
		return 0;
	if (l->cut)
		return ks_emit_reject(m, l->number, "line longer than the "
		    "record-size limit (--max-record)", l->data, l->len, err);
	if (split(l->data, l->len, &ev.time_us, &at) < 0)
		return ks_cloud_scan(m, l->data, l->len, l->number,
		    KS_TIME_NONE, year, t, err);
	ev.msg = l->data + at;
	ev.len = l->len - at;
	return ks_cw_event(m, &ev, year, t, err);
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	struct ks_lines *lr = ks_lines_new(m->in, m->lim->max_record);
	struct ks_cloud_tally t = { 0 };
	struct ks_line l;
	char buf[256];
	const char *stream = ks_cw_stream_in_path(m->path, buf, sizeof(buf));
	int year = ks_cloud_year(m), rc = 0, got;

	if (lr == NULL)
		return ks_err_set(err, "out of memory");
	while (rc == 0 && (got = ks_lines_next(lr, &l)) == 1)
		rc = line(m, &l, stream, year, &t, err);
	if (rc == 0 && got < 0 && !m->in->failed)
		rc = ks_err_set(err, "out of memory");
	ks_lines_free(lr);
	ks_cloud_warn(m, &t);
	return rc;
}

const struct ks_sniffer ks_sniffer_cloudwatch_s3 = {
	.name = "cloudwatch-s3", .bid = bid, .ingest = ingest
};
