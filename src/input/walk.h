/*
 * The walk: from a command-line operand (file, directory, "-") down to the
 * streams of bytes that formats read, through archives and compressed
 * files with libarchive.  Nothing is extracted; every member is read as a
 * stream.  The walk keeps the limits on expansion, ratio, nesting and
 * member count; whatever is kept of what it finds (source rows, locks,
 * snapshots) is its caller's, reached through struct ks_walk_ops
 * (store/import.c fills them).
 */
#ifndef KS_WALK_H
#define KS_WALK_H

#include <stdint.h>

#include "util/err.h"
#include "input/input.h"
#include "input/limits.h"

struct ks_gunzip;

/* One stream on its way down: a top-level file, stdin or a member. */
struct ks_node {
	struct ks_input	*in;
	int64_t		 parent_id;	/* archive_begin's id; 0 top-level */
	const char	*path;		/* display path */
	const char	*name;		/* member name, or the operand */
	int64_t		 mtime_us;
	int		 nesting;	/* archives around this stream */
	const char	*sha256;	/* known in advance (top-level files) */
	struct ks_gunzip *gz;		/* an archive's gzip layers, or NULL */
	uint64_t	 empty;		/* an archive's members of no byte */
	int64_t		 copy_of;	/* a plain file's original source, or 0 */
};

/* What the operand is (ks_walk_ops.begin and .end). */
enum ks_walk_kind { KS_WALK_FILE, KS_WALK_FOLDER, KS_WALK_STDIN };

/*
 * What the walk tells its caller; arg is ks_walk's.  The int callbacks
 * return 0, or -1 with err set when the walk must stop.
 */
struct ks_walk_ops {
	/* One warning line (evidence names in it unescaped). */
	void	(*warn)(void *arg, const char *msg);
	/*
	 * An operand begins (origin: its absolute path, or "(stdin)");
	 * after -1 (begin undoes itself) the walk stops without end.
	 */
	int	(*begin)(void *arg, const char *origin, enum ks_walk_kind kind,
		    struct ks_err *err);
	/* ... and ends; ok is 0 when its walk failed. */
	int	(*end)(void *arg, enum ks_walk_kind kind, int ok,
		    struct ks_err *err);
	/*
	 * A top-level file hashed, before it is read: 1 to skip it (already
	 * read, or a copy recorded), 0 to read it with *orig the source
	 * first read from the same bytes (0: none), -1.  done(sha) follows
	 * every seen, whatever it returned.
	 */
	int	(*seen)(void *arg, const char *path, const char *sha,
		    int archive, uint64_t size, int64_t mtime_us,
		    int64_t *orig, struct ks_err *err);
	void	(*done)(void *arg, const char *sha);
	/* A stream that is not an archive, to read (refusal: not read). */
	int	(*member)(void *arg, struct ks_node *nd, const char *refusal,
		    struct ks_err *err);
	/* A stream or entry not read, for this reason. */
	int	(*skipped)(void *arg, struct ks_node *nd, const char *format,
		    const char *reason, struct ks_err *err);
	/* An archive entry kept as a name only (a link). */
	int	(*entry)(void *arg, struct ks_node *nd, const char *format,
		    struct ks_err *err);
	/*
	 * An archive opens: a handle for the calls below (NULL on error),
	 * *id the parent_id of its members.  archive_end always follows a
	 * handle: with format NULL when the archive's walk failed.
	 */
	void	*(*archive_begin)(void *arg, struct ks_node *nd, int64_t *id,
		    struct ks_err *err);
	int	(*archive_reject)(void *handle, const char *why,
		    struct ks_err *err);
	int	(*archive_end)(void *handle, struct ks_node *nd,
		    const char *format, struct ks_err *err);
	/*
	 * Optional (NULL: none): done of size bytes of a top-level file
	 * (its compressed bytes, for a compressed file or an archive) pulled
	 * so far, at every read; hashing is 1 in the pass that hashes the
	 * file before it is read.  size is 0 for standard input.  Called
	 * on the thread that reads, which may not be the walk's.
	 */
	void	(*bytes)(void *arg, const char *path, int hashing,
		    uint64_t done, uint64_t size);
};

/*
 * Walk one operand.  Bad evidence (corrupt, cut short, hostile) becomes
 * rejects and warnings and returns 0; -1 only when the walk cannot go on
 * (a callback failed, or the operand cannot be opened at all).
 */
int	ks_walk(const struct ks_walk_ops *ops, void *arg,
	    const struct ks_limits *lim, const char *path, struct ks_err *err);

#endif
