#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

/* Howard Hinnant's days_from_civil: exact for every year we can meet. */
int64_t
ks_time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Read exactly n decimal digits at s; -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* RFC 3339; with zoneless, a time without a zone is UTC. */
static int
parse(const char *s, size_t len, int zoneless, int64_t *us)
{
	int y, mo, d, h, mi, sec;
	int64_t frac = 0, scale = 100000, off = 0;
	size_t i;

	if (len < (zoneless ? 19u : 20u) || s[4] != '-' || s[7] != '-' ||
	    s[13] != ':' ||
	    s[16] != ':')
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	if ((y = digits(s, 4)) < 0 || (mo = digits(s + 5, 2)) < 1 || mo > 12 ||
	    (d = digits(s + 8, 2)) < 1 || d > days_in_month(y, mo) ||
	    (h = digits(s + 11, 2)) < 0 || h > 23 ||
	    (mi = digits(s + 14, 2)) < 0 || mi > 59 ||
	    (sec = digits(s + 17, 2)) < 0 || sec > 60)
		return -1;
	i = 19;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (i - start < 6) {
				frac += (s[i] - '0') * scale;
				scale /= 10;
			}
			i++;
		}
		if (i == start || i - start > 9)
			return -1;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		off = 0;
	} else if (zoneless && i == len) {
		off = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
	    s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (int64_t)(oh * 60 + om) * 60;
		if (s[i] == '-')
			off = -off;
	} else
		return -1;
	*us = ((ks_time_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec - off) * 1000000) + frac;
	return 0;
}

int
ks_time_parse(const char *s, size_t len, int64_t *us)
{
	return parse(s, len, 0, us);
}

int
ks_time_parse_utc(const char *s, size_t len, int64_t *us)
{
	return parse(s, len, 1, us);
}

/* v (0 <= v < 10^n) in n decimal digits at p, zeros before. */
static void
put_digits(char *p, int64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *
ks_time_format(int64_t us, char *buf)
{
	int64_t secs = us / 1000000, rem = us % 1000000, days, z, era, doe;
	int64_t yoe, y, doy, mp, d, m, sod;

	if (rem < 0) {
		rem += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	/* civil_from_days, the inverse of ks_time_days_from_civil. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	/* (Years of four digits, written by hand: snprintf costs some
	   thousand instructions a time, and a plan writes one per group.) */
	if (y >= 0 && y <= 9999) {
		put_digits(buf, y, 4);
		buf[4] = '-';
		put_digits(buf + 5, m, 2);
		buf[7] = '-';
		put_digits(buf + 8, d, 2);
		buf[10] = 'T';
		put_digits(buf + 11, sod / 3600, 2);
		buf[13] = ':';
		put_digits(buf + 14, sod % 3600 / 60, 2);
		buf[16] = ':';
		put_digits(buf + 17, sod % 60, 2);
		buf[19] = '.';
		put_digits(buf + 20, rem, 6);
		memcpy(buf + 26, "Z", 2);
		return buf;
	}
	snprintf(buf, KS_TIME_BUFSZ,
	    "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64
	    ":%02" PRId64 ".%06" PRId64 "Z", y, m, d, sod / 3600,
	    sod % 3600 / 60, sod % 60, rem);
	return buf;
}

int
ks_time_span(const char *s, int64_t *us)
{
	char *end;
	double n, v;
	int64_t unit;

	if (*s < '0' || *s > '9')
		return -1;
	n = strtod(s, &end);
	if (end == s || end[0] == '\0' || end[1] != '\0' || !(n >= 0))
		return -1;
	switch (*end) {
	case 's': unit = 1000000; break;
	case 'm': unit = 60000000; break;
	case 'h': unit = 3600000000LL; break;
	case 'd': unit = 86400000000LL; break;
	default: return -1;
	}
	if ((v = n * (double)unit) > 864e15)
		return -1;
	*us = (int64_t)v;
	return 0;
}
