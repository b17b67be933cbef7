/*
 * The time of a log line, for the denial parser: an RFC 3339, klog or Go log
 * time at the start, else a `ts` / `time` / `timestamp` field (JSON or
 * logfmt) holding RFC 3339 or epoch seconds.  Integer arithmetic only.
 */
#include <string.h>

#include "formats/denial.h"
#include "util/timeutil.h"

#define MAXKEYTRIES	64	/* occurrences of one key name examined */

/* Is c a decimal digit? */
static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read exactly n decimal digits at s[0..n); -1 if one is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Microseconds of a civil time; KS_TIME_NONE when a field is out of range. */
static int64_t
civil(int y, int mo, int d, int h, int mi, int s, int us)
{
	static const int dm[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > dm[mo - 1] + (mo == 2 && leap) || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || s < 0 || s > 60 || us < 0)
		return KS_TIME_NONE;
	return (ks_time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s) * 1000000 + us;
}

/* Up to six fraction digits after a '.' at s[*i], as microseconds. */
static int
fraction(const char *s, size_t len, size_t *i)
{
	int us = 0, scale = 100000;

	if (*i >= len || s[*i] != '.')
		return 0;
	for ((*i)++; *i < len && digit(s[*i]); (*i)++) {
		us += (s[*i] - '0') * scale;
		scale /= 10;
	}
	return us;
}

/* An RFC 3339 time at s[p]; return the offset just past it, or 0. */
static size_t
rfc3339_at(const char *s, size_t len, size_t p, int64_t *us)
{
	size_t i = p + 19;

	if (p >= len || len - p < 20 || digits(s + p, 4) < 0)
		return 0;
	if (s[i] == '.')
		for (i++; i < len && i - p < 40 && digit(s[i]); i++)
			;
	if (i < len && (s[i] == 'Z' || s[i] == 'z'))
		i++;
	else if (i < len && len - i >= 6 && (s[i] == '+' || s[i] == '-'))
		i += 6;
	else
		return 0;
	return ks_time_parse(s + p, i - p, us) == 0 ? i : 0;
}

/* A klog header time, `E0727 18:09:24.847396`, at s[p], in year y. */
static int
klog_at(const char *s, size_t len, size_t p, int y, int64_t *us)
{
	const char *t = s + p;
	size_t i = p + 14;
	int frac;

	if (p >= len || len - p < 14 || strchr("IWEF", t[0]) == NULL ||
	    t[0] == '\0' || t[5] != ' ' || t[8] != ':' || t[11] != ':')
		return 0;
	frac = fraction(s, len, &i);
	if (i < len && s[i] != ' ')
		return 0;
	*us = civil(y, digits(t + 1, 2), digits(t + 3, 2), digits(t + 6, 2),
	    digits(t + 9, 2), digits(t + 12, 2), frac);
	return *us != KS_TIME_NONE;
}

/* A Go log time, `2018/12/07 23:21:45[.123456]`, at s[p]. */
static int
golog_at(const char *s, size_t len, size_t p, int64_t *us)
{
	const char *t = s + p;
	size_t i = p + 19;
	int frac;

	if (p >= len || len - p < 19 || t[4] != '/' || t[7] != '/' ||
	    t[10] != ' ' || t[13] != ':' || t[16] != ':')
		return 0;
	frac = fraction(s, len, &i);
	if (i < len && s[i] != ' ')
		return 0;
	*us = civil(digits(t, 4), digits(t + 5, 2), digits(t + 8, 2),
	    digits(t + 11, 2), digits(t + 14, 2), digits(t + 17, 2), frac);
	return *us != KS_TIME_NONE;
}

/* Multiply or divide m by 10^pw into *us; -1 on overflow. */
static int
scale10(int64_t m, int pw, int64_t *us)
{
	if (pw < -18)
		m = pw = 0;
	for (; pw < 0; pw++)
		m /= 10;
	for (; pw > 0; pw--) {
		if (m > INT64_MAX / 10 || m < INT64_MIN / 10)
			return -1;
		m *= 10;
	}
	*us = m;
	return 0;
}

/*
 * Epoch time as a JSON or logfmt number at s[p] (`1.7176762057e9`).  Seconds
 * unless the integer part has more than 11, 14 or 17 digits (then milli-,
 * micro- or nanoseconds).
 */
static int
epoch_at(const char *s, size_t len, size_t p, int64_t *us)
{
	int64_t m = 0;
	int sig = 0, exp10 = 0, any = 0, neg = 0, e = 0, eneg = 0, unit;
	size_t i = p;

	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	for (int frac = 0; i < len; i++) {
		if (s[i] == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (!digit(s[i]))
			break;
		any = 1;
		if (sig < 18) {
			m = m * 10 + (s[i] - '0');
			sig += m != 0;
			exp10 -= frac;
		} else
			exp10 += !frac;
	}
	if (!any)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (any = 0; i < len && digit(s[i]) && e < 1000; i++, any = 1)
			e = e * 10 + (s[i] - '0');
		if (!any)
			return 0;
		exp10 += eneg ? -e : e;
	}
	if (i < len && strchr(",} \t\"", s[i]) == NULL)
		return 0;
	unit = sig + exp10 <= 11 ? 6 : sig + exp10 <= 14 ? 3 :
	    sig + exp10 <= 17 ? 0 : -3;
	if (exp10 + unit > 18 || scale10(neg ? -m : m, exp10 + unit, us) < 0)
		return 0;
	return 1;
}

/* The time in a field value at s[p]: quoted or bare RFC 3339, or a number. */
static int
value_at(const char *s, size_t len, size_t p, int64_t *us)
{
	size_t e;

	if (p < len && s[p] == '"') {
		for (e = p + 1; e < len && e - p < 48 && s[e] != '"'; e++)
			;
		if (e >= len || s[e] != '"')
			return 0;
		return ks_time_parse(s + p + 1, e - p - 1, us) == 0 ||
		    (e > p + 1 && epoch_at(s, e, p + 1, us));
	}
	return rfc3339_at(s, len, p, us) > 0 || epoch_at(s, len, p, us);
}

/*
 * The first occurrence of key (`"ts"` or `ts=`) that holds a time, before
 * offset *best; update *best and *us.
 */
static void
field(const char *s, size_t len, const char *key, size_t *best, int64_t *us)
{
	size_t n = strlen(key), p = 0, v, b;
	const char *hit;
	int tries = 0;

	while (p < *best && tries++ < MAXKEYTRIES &&
	    (hit = memmem(s + p, len - p, key, n)) != NULL) {
		b = (size_t)(hit - s);
		p = b + 1;
		if (b >= *best)
			return;
		v = b + n;
		if (key[0] == '"') {
			while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t'))
				b--;
			if (b == 0 || (s[b - 1] != '{' && s[b - 1] != ','))
				continue;
			while (v < len && (s[v] == ' ' || s[v] == '\t'))
				v++;
			if (v >= len || s[v++] != ':')
				continue;
			while (v < len && (s[v] == ' ' || s[v] == '\t'))
				v++;
		} else if (b > 0 && s[b - 1] != ' ' && s[b - 1] != '\t')
			continue;
		if (value_at(s, len, v, us)) {
			*best = (size_t)(hit - s);
			return;
		}
	}
}

int64_t
ks_denial_line_time(const char *s, size_t len, int year_hint)
{
	static const char *const keys[] = { "\"ts\"", "\"time\"",
	    "\"timestamp\"", "\"@timestamp\"", "ts=", "time=", "timestamp=" };
	static const char flagparse[] = "ERROR: logging before flag.Parse: ";
	size_t p = 0, best;
	int64_t us = KS_TIME_NONE, t;

	if (s == NULL)
		return KS_TIME_NONE;
	while (p < len && (s[p] == ' ' || s[p] == '\t'))
		p++;
	if (p < len && s[p] == '[')
		p++;
	if (len - p > sizeof(flagparse) - 1 &&
	    memcmp(s + p, flagparse, sizeof(flagparse) - 1) == 0 &&
	    klog_at(s, len, p + sizeof(flagparse) - 1, year_hint, &us))
		return us;
	if (rfc3339_at(s, len, p, &us) || klog_at(s, len, p, year_hint, &us) ||
	    golog_at(s, len, p, &us))
		return us;
	best = len;
	us = KS_TIME_NONE;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t before = best;
		field(s, len, keys[i], &best, &t);
		if (best < before)
			us = t;
	}
	return us;
}
