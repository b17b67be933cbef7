/*
 * One import at a time per input.  Two imports of the same file at once
 * would each find the other's unfinished source and take it for an import
 * cut short (deleting it under the other's feet), or both add it.  So an
 * import holds a lock named by the input's SHA-256 from the moment it looks
 * the input up until the input is done and committed; a second import of
 * the same input waits, then finds it complete and skips it.
 *
 * The lock is an open-file-description lock on one byte of the database
 * file, far past its end and past SQLite's own lock bytes (at 1 GiB), which
 * it never touches: the kernel drops it when the process dies, so a killed
 * import never blocks the next one, and no other file is made.  An import
 * commits and lets go of every lock before it waits for one, so two
 * imports cannot wait for each other.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store-int.h"

#define LOCK_BASE	((off_t)1 << 62)

/* The byte named by the first 32 bits of the SHA-256 (hex). */
static off_t
lock_byte(const char *sha)
{
	char head[9];

	snprintf(head, sizeof(head), "%.8s", sha);
	return LOCK_BASE + (off_t)strtoul(head, NULL, 16);
}

static int
set_lock(int fd, short type, off_t at, int wait)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
	    .l_start = at, .l_len = 1 };
	int rc;

	while ((rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl)) < 0 &&
	    errno == EINTR)
		;
	return rc;
}

/* Remember a lock held; it stays until its input is done and committed. */
static int
hold(struct ks_store *st, off_t at, struct ks_err *err)
{
	struct held_lock *more;

	more = realloc(st->held, (size_t)(st->nheld + 1) * sizeof(*more));
	if (more == NULL)
		return ks_err_set(err, "out of memory");
	st->held = more;
	st->held[st->nheld++] = (struct held_lock){ .at = at };
	return 0;
}

int
ks_store_lock_input(struct ks_import *imp, const char *sha,
    struct ks_err *err)
{
	struct ks_store *st = imp->store;
	const char *path;
	off_t at = lock_byte(sha);

	if (st->lock_fd == -2) {
		path = sqlite3_db_filename(st->db, "main");
		st->lock_fd = path != NULL && *path != '\0' ?
		    open(path, O_RDWR | O_CLOEXEC) : -1;
	}
	if (st->lock_fd < 0)
		return 0;	/* in memory: no other process sees it */
	if (set_lock(st->lock_fd, F_WRLCK, at, 0) == 0)
		return hold(st, at, err);
	if (errno != EAGAIN && errno != EACCES)
		return 0;	/* no locks on this file system: go on */
	/* Never wait while holding locks: two imports could wait forever. */
	if (ks_store_finish(st, err) < 0)
		return -1;
	ks_import_warn(imp, "another kubesift is importing the same input "
	    "into this database: waiting for it");
	if (set_lock(st->lock_fd, F_WRLCK, at, 1) < 0)
		return ks_err_set(err, "waiting for another import: %s",
		    strerror(errno));
	return hold(st, at, err);
}

void
ks_store_input_done(struct ks_import *imp, const char *sha)
{
	struct ks_store *st = imp->store;
	off_t at = lock_byte(sha);

	for (int i = 0; i < st->nheld; i++)
		if (st->held[i].at == at)
			st->held[i].done = 1;
	if (sqlite3_get_autocommit(st->db))	/* committed already */
		ks_store_locks_release(st);
}

/* Is the byte at still needed by an input not done? */
static int
still_needed(const struct ks_store *st, off_t at)
{
	for (int i = 0; i < st->nheld; i++)
		if (st->held[i].at == at && !st->held[i].done)
			return 1;
	return 0;
}

void
ks_store_locks_release(struct ks_store *st)
{
	int kept = 0;

	for (int i = 0; i < st->nheld; i++) {
		if (!st->held[i].done)
			st->held[kept++] = st->held[i];
		else if (!still_needed(st, st->held[i].at))
			set_lock(st->lock_fd, F_UNLCK, st->held[i].at, 0);
	}
	st->nheld = kept;
}
