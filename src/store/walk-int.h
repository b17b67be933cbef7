/*
 * Shared by walk.c (files, folders, standard input) and walk-archive.c
 * (archives and compressed files) only.
 */
#ifndef KS_WALK_INT_H
#define KS_WALK_INT_H

#include "store/import.h"

/* One stream on its way down: a top-level file, stdin or a member. */
struct ks_node {
	struct ks_input	*in;
	int64_t		 parent_id;	/* 0 for a top-level input */
	const char	*path;		/* display path */
	const char	*name;		/* member name, or the operand */
	int64_t		 mtime_us;
	int		 nesting;	/* archives around this stream */
	const char	*sha256;	/* known in advance (top-level files) */
	struct ks_gunzip *gz;		/* an archive's gzip layers, or NULL */
	uint64_t	 empty;		/* an archive's members of no byte */
	int64_t		 copy_of;	/* a plain file's original source, or 0 */
};

/* Decide what a stream is and read it: walk.c. */
int	ks_walk_stream(struct ks_import *imp, struct ks_node *nd,
	    struct ks_err *err);

/* An archive or compressed file: its row, then its members. */
int	ks_walk_archive(struct ks_import *imp, struct ks_node *nd,
	    struct ks_err *err);

/* "gzip", "zip", "tar", ... when the head starts like one, else NULL. */
const char *ks_walk_archive_magic(const unsigned char *p, size_t n);

/* Record a member that was not read, with the reason, as its own source. */
int	ks_walk_note_skipped(struct ks_import *imp, struct ks_node *nd,
	    const char *format, const char *reason, struct ks_err *err);

/* Add the rows of a finished member to the run's totals. */
void	ks_walk_add_totals(struct ks_import *imp, const struct ks_tally *t);

/*
 * A member that is not an archive: the highest bidder reads it.  With a
 * refusal reason, nobody reads it; it is hashed and rejected for that reason.
 */
int	ks_walk_ingest_member(struct ks_import *imp, struct ks_node *nd,
	    const char *refusal, struct ks_err *err);

#endif
