#include <stdarg.h>
#include <stdio.h>

#include "store/import.h"

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
}

void
ks_import_warn(struct ks_import *imp, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (imp->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	imp->warn(imp->cb_arg, msg);
}
