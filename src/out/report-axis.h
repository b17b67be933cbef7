/*
 * The time axis of the report's timeline: a bucket size from a list of
 * round steps (1 second ... 30 days), so that the span holds at most
 * KS_AXIS_MAXB - 1 buckets, the first bucket starting on a multiple of
 * its size, and ticks on round times, labelled in UTC.
 */
#ifndef KS_REPORT_AXIS_H
#define KS_REPORT_AXIS_H

#include <stddef.h>

#define KS_AXIS_MAXB	61	/* buckets at most */

/* How a time is written (ks_axis_time). */
enum ks_axis_fmt {
	KS_AXIS_DAY,		/* 03-05 */
	KS_AXIS_DAY_MIN,	/* 03-05 10:00 */
	KS_AXIS_MIN,		/* 10:00 */
	KS_AXIS_SEC,		/* 10:00:15 */
	KS_AXIS_FULL,		/* 2024-03-05 10:00:15 */
	KS_AXIS_RFC3339		/* 2024-03-05T10:00:15Z */
};

struct ks_axis {
	long long	 t0;		/* the first bucket's start (us) */
	long long	 bucket;	/* its size (us) */
	int		 nb;		/* buckets */
	int		 step;		/* the bucket's step (an index) */
	long long	 tick;		/* between ticks (us) */
	enum ks_axis_fmt tick_fmt;	/* how a tick's label is written */
};

/* The axis over the times a..b (microseconds since the epoch, a <= b). */
void	ks_axis_init(struct ks_axis *ax, long long a, long long b);
/* The bucket of time t, or -1 outside. */
int	ks_axis_bucket(const struct ks_axis *ax, long long t);
/* The bucket size in words: "1 minute", "15 seconds". */
const char *ks_axis_bucket_name(const struct ks_axis *ax);
/* Time t (us) in UTC, written as fmt says, into buf. */
void	ks_axis_time(long long t, enum ks_axis_fmt fmt, char *buf, size_t n);

#endif
