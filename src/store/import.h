/*
 * One import run: the limits, the database, the totals, and the member
 * being ingested.  The walk (input/walk.c) finds members, run.c keeps the
 * books and hands each to the sniffers (sniff-*.c), which read them, and
 * the store (store.c) writes what they find.
 */
#ifndef KS_IMPORT_H
#define KS_IMPORT_H

#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"
#include "input/input.h"
#include "input/limits.h"
#include "formats/member.h"

struct ks_rollup;
struct ks_store;

struct ks_import {
	sqlite3		*db;		/* borrowed */
	struct ks_store	*store;		/* owned */
	struct ks_rollup *rollup;	/* owned: activity counts (rollup.h) */
	struct ks_limits lim;
	char		*argv_json;	/* owned: the command line as JSON */
	int64_t		 started_us;
	/* Called with a one-line warning; the command layer prints it. */
	void		(*warn)(void *arg, const char *msg);
	/* Called now and then so the command layer can show progress. */
	void		(*progress)(void *arg, const struct ks_import *imp);
	/*
	 * Optional: at every read of a top-level file, done of its size
	 * bytes (compressed, for a compressed file) pulled, in the pass that
	 * hashes it (hashing 1) or reads it; size 0 when unknown (standard
	 * input).  Called on the reading thread, which may not be the
	 * writer's (pipeline.h): it must not touch *imp.
	 */
	void		(*reading)(void *arg, const char *path, int hashing,
			    uint64_t done, uint64_t size);
	void		*cb_arg;
	/* Totals over the run. */
	struct ks_tally	 total;
	uint64_t	 sources;	/* rows added to sources */
	uint64_t	 skipped;	/* inputs already imported */
	uint64_t	 unrecognised;	/* members no sniffer claimed */
	uint64_t	 bytes;		/* member bytes read */
	/* The snapshot of the current top-level input (0 = none yet). */
	const char	*origin;	/* borrowed: archive or directory path */
	int64_t		 origin_source;	/* its source id */
	int64_t		 snapshot_id;
	int		 origin_folder;	/* origin is a folder being read */
};

/* The import a member filled by ks_store_member belongs to. */
static inline struct ks_import *
ks_import_of(const struct ks_member *m)
{
	return m->sink_arg;
}

/* Report a warning through imp->warn (formatted). */
void	ks_import_warn(struct ks_import *imp, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
