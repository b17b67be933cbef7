#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/audit.h"
#include "formats/auditcut.h"
#include "formats/cloud.h"
#include "formats/denial.h"
#include "util/jutil.h"
#include "formats/member.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define HALF_YEAR	(INT64_C(182) * 86400 * 1000000)

int64_t
ks_cloud_time(const char *s, size_t len)
{
	char buf[48];
	int64_t us;

	if (s == NULL)
		return KS_TIME_NONE;
	if (ks_time_parse(s, len, &us) == 0)
		return us;
	/* No zone: read as UTC. */
	if (len < 19 || len > sizeof(buf) - 2)
		return KS_TIME_NONE;
	memcpy(buf, s, len);
	buf[len] = 'Z';
	if (ks_time_parse(buf, len + 1, &us) == 0)
		return us;
	return KS_TIME_NONE;
}

int64_t
ks_cloud_jtime(const json_t *v)
{
	if (!json_is_string(v))
		return KS_TIME_NONE;
	return ks_cloud_time(json_string_value(v), json_string_length(v));
}

int64_t
ks_cloud_ms(const json_t *v)
{
	json_int_t ms;

	if (!json_is_integer(v))
		return KS_TIME_NONE;
	ms = json_integer_value(v);
	/* Beyond year 9999 or before 1970: not a CloudWatch time. */
	if (ms < 0 || ms > 253402300799999LL)
		return KS_TIME_NONE;
	return (int64_t)ms * 1000;
}

int
ks_cloud_year_of(int64_t us)
{
	char buf[KS_TIME_BUFSZ];

	ks_time_format(us, buf);
	return atoi(buf);
}

int
ks_cloud_year(const struct ks_member *m)
{
	struct tm tm;
	time_t now;

	if (m->mtime_us != KS_TIME_NONE)
		return ks_cloud_year_of(m->mtime_us);
	/* The member has no time: the current year is the best guess. */
	now = time(NULL);
	gmtime_r(&now, &tm);
	return tm.tm_year + 1900;
}

int
ks_cloud_scan(struct ks_member *m, const char *text, size_t len,
    uint64_t line, int64_t when, int year, struct ks_cloud_tally *t,
    struct ks_err *err)
{
	struct ks_denial d;
	int r;

	t->scanned++;
	/* A klog time in the text takes its year from the envelope's. */
	if (when != KS_TIME_NONE)
		year = ks_cloud_year_of(when);
	if ((r = ks_denial_parse(text, len, year, &d)) < 0)
		return ks_err_set(err, "out of memory");
	if (r == 0)
		return 0;
	/* Logged on 31 December, received on 1 January: the year before. */
	if (when != KS_TIME_NONE && d.time_us != KS_TIME_NONE &&
	    d.time_us > when + HALF_YEAR) {
		ks_denial_clear(&d);
		if ((r = ks_denial_parse(text, len, year - 1, &d)) < 0)
			return ks_err_set(err, "out of memory");
	}
	if (d.time_us == KS_TIME_NONE)
		d.time_us = when;
	r = ks_emit_denial(m, &d, text, len, line, err);
	t->denials++;
	ks_denial_clear(&d);
	return r;
}

int
ks_cloud_ingest(struct ks_member *m, const char *const *keys, ks_json_fn fn,
    struct ks_err *err)
{
	struct ks_cloud_read c = { .year = ks_cloud_year(m) };
	int rc = ks_ingest_json(m, keys, fn, NULL, &c, err);

	ks_cloud_warn(m, &c.t);
	return rc;
}

int
ks_cloud_audit_json(struct ks_member *m, json_t *ev, const char *raw,
    size_t rawlen, uint64_t line, struct ks_err *err)
{
	struct ks_audit_row row;
	const char *why;

	if (ks_audit_from_json(ev, &row, &why) < 0)
		return ks_emit_reject(m, line, why, raw, rawlen, err);
	return ks_emit_audit(m, &row, raw, rawlen, line, err);
}

/* Text that is not JSON: the start of a cut event, or a reject. */
static int
cut_event(struct ks_member *m, const char *text, size_t len, uint64_t line,
    int64_t when, const char *why, struct ks_cloud_tally *t,
    struct ks_err *err)
{
	struct ks_auditcut c;
	char *raw;
	int r;

	if ((r = ks_auditcut_recover(text, len, &c)) < 0)
		return ks_err_set(err, "out of memory");
	if (r == 0)
		return ks_emit_reject(m, line, why, text, len, err);
	if (c.row.received_us == KS_TIME_NONE)
		c.row.received_us = when;
	if (c.row.stage_us == KS_TIME_NONE)
		c.row.stage_us = when;
	/* The raw text of a cut event is kept as it is, made valid UTF-8. */
	if ((raw = ks_utf8_escape(text, len)) == NULL) {
		ks_auditcut_clear(&c);
		return ks_err_set(err, "out of memory");
	}
	r = ks_emit_audit(m, &c.row, raw, strlen(raw), line, err);
	t->partial++;
	free(raw);
	ks_auditcut_clear(&c);
	return r;
}

int
ks_cloud_audit_text(struct ks_member *m, const char *text, size_t len,
    uint64_t line, int64_t when, struct ks_cloud_tally *t,
    struct ks_err *err)
{
	json_error_t je;
	json_t *v;
	char why[256];
	int r;

	if ((v = json_loadb(text, len, 0, &je)) != NULL) {
		r = ks_cloud_audit_json(m, v, text, len, line, err);
		json_decref(v);
		return r;
	}
	snprintf(why, sizeof(why), "invalid JSON in an audit message: %s "
	    "(column %d)", je.text, je.column);
	return cut_event(m, text, len, line, when, why, t, err);
}

/* Append one clause to the summary: "N one" or "N many". */
static void
clause(char *buf, size_t size, uint64_t n, const char *one,
    const char *many)
{
	size_t used = strlen(buf);

	if (n == 0 || used >= size)
		return;
	snprintf(buf + used, size - used, "%s%llu %s", used ? "; " : "",
	    (unsigned long long)n, n == 1 ? one : many);
}

void
ks_cloud_warn(struct ks_member *m, const struct ks_cloud_tally *t)
{
	char buf[1024] = "";

	clause(buf, sizeof(buf), t->other, "entry of another service skipped",
	    "entries of other services skipped");
	clause(buf, sizeof(buf), t->control, "CloudWatch CONTROL_MESSAGE "
	    "skipped", "CloudWatch CONTROL_MESSAGEs skipped");
	clause(buf, sizeof(buf), t->other_logs, "entry of another log (not "
	    "audit) scanned for RBAC denials only", "entries of other logs "
	    "(not audit) scanned for RBAC denials only");
	clause(buf, sizeof(buf), t->partial, "audit event cut short, kept as "
	    "a partial row", "audit events cut short, kept as partial rows");
	clause(buf, sizeof(buf), t->long_lines, "line longer than the "
	    "record-size limit (--max-record) scanned in part", "lines longer "
	    "than the record-size limit (--max-record) scanned in part");
	if (buf[0] != '\0')
		ks_member_warn(m, "%s: %s", m->path, buf);
}
