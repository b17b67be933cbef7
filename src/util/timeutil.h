/*
 * Times are int64 microseconds since 1970-01-01T00:00:00Z, computed with
 * integer arithmetic only (no float rounding, no timegm, no locale).
 */
#ifndef KS_TIMEUTIL_H
#define KS_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define KS_TIME_NONE	INT64_MIN	/* "no time" */

/*
 * Parse an RFC 3339 time: "2024-03-05T10:11:12Z", 0 to 9 fraction digits
 * (truncated to microseconds), "Z"/"z" or "+hh:mm"/"-hh:mm"; a space or
 * lower-case 't' is accepted as the separator.  The whole of s[0..len) must
 * be the time.  Returns 0 and sets *us, or -1.
 */
int	ks_time_parse(const char *s, size_t len, int64_t *us);

/*
 * The same, and a time without a zone ("2022-11-29 00:09:04.38", as
 * re-exporters such as Panther write audit events) is UTC.  For evidence
 * only: a time the user types must say its zone.
 */
int	ks_time_parse_utc(const char *s, size_t len, int64_t *us);

/*
 * A span written N followed by s, m, h or d (90s, 10m, 1.5h, 2d) as
 * microseconds in *us; 0, or -1 when malformed, negative or longer than
 * 10,000 days.
 */
int	ks_time_span(const char *s, int64_t *us);

/* Days since the epoch of a proleptic Gregorian civil date. */
int64_t	ks_time_days_from_civil(int64_t y, unsigned m, unsigned d);

/*
 * Format us as "2024-03-05T10:11:12.123456Z" into buf (at least
 * KS_TIME_BUFSZ bytes).  Returns buf.
 */
#define KS_TIME_BUFSZ	48
char	*ks_time_format(int64_t us, char *buf);

#endif
