/*
 * A progress line on standard error, for a person at a terminal: redrawn
 * in place ("\r", erase to the end of the line) at most every
 * KS_PROGRESS_INTERVAL_MS, cut to the terminal's width, and erased when
 * the work ends or before anything else is written to standard error.
 * Never drawn when standard error is not a terminal or with -q.  Safe to
 * call from two threads (the import's reader and its writer).
 *
 * KUBESIFT_PROGRESS_INTERVAL_MS (undocumented, for tests) sets the
 * interval; 0 redraws at every call.
 */
#ifndef KS_PROGRESS_H
#define KS_PROGRESS_H

#include <pthread.h>
#include <stdint.h>

#define KS_PROGRESS_INTERVAL_MS	250

struct ks_progress {
	int		 on;		/* drawing (a terminal, no -q) */
	int		 drawn;		/* a line is on the screen */
	int64_t		 interval_us;	/* between redraws */
	int64_t		 last_us;	/* the last redraw */
	int64_t		 start_us;	/* ks_progress_init */
	int64_t		 after_us;	/* "working" shown after this long */
	int64_t		 pass_us;	/* when the current byte pass began */
	int		 hashing;	/* that pass hashes (1) or reads (0) */
	const char	*src;		/* its file's path as given (compared
					   only, never read) */
	uint64_t	 done;		/* its bytes at the last call */
	char		 path[256];	/* its file's path, cut, made safe */
	char		 tail[160];	/* counts shown after the bytes */
	pthread_mutex_t	 mu;
};

/* Whether to draw: standard error is a terminal and not quiet. */
int	ks_progress_wanted(int quiet);

/* Start; on = 0 makes every call below do nothing. */
void	ks_progress_init(struct ks_progress *p, int on);

/* Erase the line and release p. */
void	ks_progress_fini(struct ks_progress *p);

/*
 * done of size bytes of path read (size 0: unknown), in the pass that
 * hashes it (hashing 1) or reads it: the share, the rate and the time
 * left of the pass, and the tail.
 */
void	ks_progress_bytes(struct ks_progress *p, const char *path,
	    int hashing, uint64_t done, uint64_t size);

/* Set the counts shown after the bytes (printf format); not redrawn. */
void	ks_progress_tail(struct ks_progress *p, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* "kubesift WHAT: working, N s" once a second has passed since init. */
void	ks_progress_working(struct ks_progress *p, const char *what);

/*
 * Around other writes to standard error: lock and erase the line; then
 * unlock (the line comes back at the next redraw).
 */
void	ks_progress_hold(struct ks_progress *p);
void	ks_progress_release(struct ks_progress *p);

#endif
