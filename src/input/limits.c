#include <unistd.h>

#include "input/limits.h"

void
ks_limits_default(struct ks_limits *lim)
{
	lim->max_expanded = 64ULL << 30;	/* 64 GiB */
	lim->max_ratio = 1000;
	lim->max_nesting = 4;
	lim->max_record = 64 << 20;		/* 64 MiB */
	lim->max_json_depth = 512;
	/*
	 * A troubleshoot bundle holds a few thousand files, a cluster-info
	 * dump of 10,000 pods some 30,000; 100,000 is past any real bundle,
	 * and that many empty members cost about a second (walk-archive.c).
	 */
	lim->max_members = 100000;
	lim->workers = 0;
	lim->keep_raw = 1;
}

int
ks_limits_workers(const struct ks_limits *lim)
{
	long n;

	if (lim->workers > 0)
		return lim->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 1 ? 2 : 1;
}
