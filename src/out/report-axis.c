/*
 * The timeline's time axis (report-axis.h).
 */
#include <time.h>

#include "out/report-axis.h"

#define S	1000000LL	/* microseconds in a second */

static const struct step {
	long long	 us;
	const char	*name;
} steps[] = {
	{ 1 * S, "1 second" }, { 2 * S, "2 seconds" }, { 5 * S, "5 seconds" },
	{ 10 * S, "10 seconds" }, { 15 * S, "15 seconds" },
	{ 30 * S, "30 seconds" }, { 60 * S, "1 minute" },
	{ 120 * S, "2 minutes" }, { 300 * S, "5 minutes" },
	{ 600 * S, "10 minutes" }, { 900 * S, "15 minutes" },
	{ 1800 * S, "30 minutes" }, { 3600 * S, "1 hour" },
	{ 7200 * S, "2 hours" }, { 10800 * S, "3 hours" },
	{ 21600 * S, "6 hours" }, { 43200 * S, "12 hours" },
	{ 86400 * S, "1 day" }, { 172800 * S, "2 days" },
	{ 604800 * S, "7 days" }, { 2592000 * S, "30 days" },
	{ 31536000 * S, "365 days" },
};

#define NSTEPS	((int)(sizeof(steps) / sizeof(steps[0])))

/* t rounded down to a multiple of m (t may be negative). */
static long long
floor_to(long long t, long long m)
{
	return t / m * m - (t % m < 0 ? m : 0);
}

void
ks_axis_init(struct ks_axis *ax, long long a, long long b)
{
	int i = 0, k;
	long long span;

	while (i < NSTEPS - 1 && (b - floor_to(a, steps[i].us)) /
	    steps[i].us >= KS_AXIS_MAXB - 1)
		i++;
	ax->step = i;
	ax->bucket = steps[i].us;
	ax->t0 = floor_to(a, ax->bucket);
	ax->nb = (int)((b - ax->t0) / ax->bucket) + 1;
	if (ax->nb > KS_AXIS_MAXB)
		ax->nb = KS_AXIS_MAXB;
	span = ax->bucket * ax->nb;
	/* At most 6 ticks, each a step of at least one bucket. */
	for (k = i; k < NSTEPS - 1 && span / steps[k].us > 6; k++)
		;
	ax->tick = steps[k].us;
	ax->tick_fmt = ax->tick >= 86400 * S ? KS_AXIS_DAY :
	    (ax->t0 / (86400 * S)) != (ax->t0 + span) / (86400 * S) ?
	    KS_AXIS_DAY_MIN : ax->tick < 60 * S ? KS_AXIS_SEC : KS_AXIS_MIN;
}

int
ks_axis_bucket(const struct ks_axis *ax, long long t)
{
	long long b;

	if (t < ax->t0)
		return -1;
	b = (t - ax->t0) / ax->bucket;
	return b < ax->nb ? (int)b : -1;
}

const char *
ks_axis_bucket_name(const struct ks_axis *ax)
{
	return steps[ax->step].name;
}

void
ks_axis_time(long long t, enum ks_axis_fmt fmt, char *buf, size_t n)
{
	time_t s = (time_t)(floor_to(t, S) / S);
	struct tm tm;
	size_t k = 0;

	if (gmtime_r(&s, &tm) != NULL)
		switch (fmt) {
		case KS_AXIS_DAY:
			k = strftime(buf, n, "%m-%d", &tm);
			break;
		case KS_AXIS_DAY_MIN:
			k = strftime(buf, n, "%m-%d %H:%M", &tm);
			break;
		case KS_AXIS_MIN:
			k = strftime(buf, n, "%H:%M", &tm);
			break;
		case KS_AXIS_SEC:
			k = strftime(buf, n, "%H:%M:%S", &tm);
			break;
		case KS_AXIS_FULL:
			k = strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
			break;
		case KS_AXIS_RFC3339:
			k = strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
			break;
		}
	if (k == 0 && n > 0)
		buf[0] = '\0';
}
