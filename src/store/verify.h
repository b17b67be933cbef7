/*
 * kubesift verify, the chain of custody checked: every stored record's
 * bytes hashed again and compared with the SHA-256 stored beside them, and
 * every input still at its recorded path read again and compared with the
 * SHA-256 recorded when it was imported.
 */
#ifndef KS_VERIFY_H
#define KS_VERIFY_H

#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

struct ks_verify {
	/* Called once for each thing that differs (msg borrowed). */
	void		(*differs)(void *arg, const char *msg);
	void		*arg;
	uint64_t	 events;	/* audit events whose bytes match */
	uint64_t	 hash_only;	/* audit events kept without raw bytes */
	uint64_t	 blocks;	/* raw blocks decompressed */
	uint64_t	 objects;	/* objects whose body matches */
	uint64_t	 cluster;	/* cluster events whose raw matches */
	uint64_t	 sources;	/* input files read again, matching */
	uint64_t	 unreachable;	/* inputs not at their path (or stdin) */
	uint64_t	 bad;		/* things that differ */
};

/*
 * Check everything in db (read-only).  Returns 0 when the checks ran (v->bad
 * says whether anything differs), -1 with err set when the database could
 * not be read.
 */
int	ks_verify_run(sqlite3 *db, struct ks_verify *v, struct ks_err *err);

#endif
