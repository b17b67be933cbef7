/*
 * What the cloud readers (sniff-cloudwatch*.c, sniff-gke.c, sniff-aks.c)
 * and the plain-log reader (sniff-log.c) share: lenient times, the scan of
 * log text for RBAC denials, audit events carried as text inside an
 * envelope, and one summary warning per member for what was skipped.
 *
 * Skipped entries (another service's, a CloudWatch CONTROL_MESSAGE) are not
 * records: they are counted here and reported once, never stored.  Log text
 * without a denial is not a record either; each denial found is one.
 */
#ifndef KS_CLOUD_H
#define KS_CLOUD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "formats/member.h"
#include "formats/ingest.h"

/* What one member held besides its records, for the summary warning. */
struct ks_cloud_tally {
	uint64_t	 other;		/* entries of other services, skipped */
	uint64_t	 other_logs;	/* entries of other log streams, scanned
					   for denials only */
	uint64_t	 control;	/* CloudWatch CONTROL_MESSAGEs, skipped */
	uint64_t	 scanned;	/* log lines or messages scanned */
	uint64_t	 denials;	/* RBAC denials found in them */
	uint64_t	 partial;	/* cut audit events kept as partial rows */
	uint64_t	 long_lines;	/* lines past --max-record, read in part */
};

/*
 * A time in s[0..len): RFC 3339, or the same without a zone (as Panther and
 * Logs Insights write them: "2024-03-05 10:11:12.123"), read as UTC.
 * KS_TIME_NONE when it is neither.
 */
int64_t	ks_cloud_time(const char *s, size_t len);

/* The same for a JSON string (NULL or not a string: KS_TIME_NONE). */
int64_t	ks_cloud_jtime(const json_t *v);

/* Milliseconds since the epoch in a JSON integer, as microseconds. */
int64_t	ks_cloud_ms(const json_t *v);

/*
 * The year given to log times that carry none (klog): the member's
 * modification year, or the current year when the member has no time.
 */
int	ks_cloud_year(const struct ks_member *m);

/* The UTC year of a time. */
int	ks_cloud_year_of(int64_t us);

/*
 * Scan text[0..len), one log line or message, for an RBAC denial (denial.h)
 * and store it in log_denials with the given line.  A denial whose text
 * carries no time of its own takes when (KS_TIME_NONE: none); a klog time,
 * which has no year, takes when's year, else year.  Returns 0, or -1 when
 * the import must stop (database, memory).
 */
int	ks_cloud_scan(struct ks_member *m, const char *text, size_t len,
	    uint64_t line, int64_t when, int year, struct ks_cloud_tally *t,
	    struct ks_err *err);

/*
 * An audit event carried as text (a CloudWatch message, an S3 export line,
 * AKS properties.log).  Valid JSON is stored as the event it is, with the
 * text as its raw bytes; text cut short becomes a partial row (auditcut.h)
 * whose missing times are when; anything else is a reject.  Returns 0, or
 * -1 when the import must stop.
 */
int	ks_cloud_audit_text(struct ks_member *m, const char *text, size_t len,
	    uint64_t line, int64_t when, struct ks_cloud_tally *t,
	    struct ks_err *err);

/*
 * An audit event already parsed: stored with raw (valid UTF-8), or
 * rejected when it is not an audit event.  Returns 0 or -1.
 */
int	ks_cloud_audit_json(struct ks_member *m, json_t *ev, const char *raw,
	    size_t rawlen, uint64_t line, struct ks_err *err);

/* What a cloud reader keeps while it reads one member (ks_cloud_ingest). */
struct ks_cloud_read {
	struct ks_cloud_tally t;
	int		 year;		/* ks_cloud_year of the member */
	int		 yaml;		/* records are YAML documents, with no
					   bytes of their own (sniff-yaml.c) */
};

/*
 * The ingest loop of the JSON cloud readers (Cloud Logging entries, Azure
 * Monitor records, CloudWatch events): split the member into records,
 * splitting the arrays that keys hold (ingest.h), hand each value or item
 * that parsed to fn with a struct ks_cloud_read as its arg, and end with
 * the member's summary warning.  Returns 0, or -1 when the import must
 * stop.
 */
int	ks_cloud_ingest(struct ks_member *m, const char *const *keys,
	    ks_json_fn fn, struct ks_err *err);

/* One warning for the member, naming what t counted (if anything). */
void	ks_cloud_warn(struct ks_member *m, const struct ks_cloud_tally *t);

#endif
