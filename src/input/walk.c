/*
 * The walk over files, folders and standard input; archives are
 * walk-archive.c.  Each stream is an archive to open or a member to read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/gunzip.h"
#include "input/walk.h"
#include "input/walk-int.h"
#include "util/timeutil.h"

/* Does the head start like a compressed file or an archive we read? */
const char *
ks_walk_archive_magic(const unsigned char *p, size_t n)
{
	if (ks_gunzip_magic(p, n))
		return "gzip";
	if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return "xz";
	if (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	if (n >= 4 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9')
		return "bzip2";
	if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return "zip";
	if (n >= 4 && memcmp(p, "PK\x05\x06", 4) == 0)
		return "zip";
	if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return "tar";
	return NULL;
}

void
ks_walk_warn(struct ks_walk *w, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->ops->warn(w->arg, msg);
}

/* A stream: an archive to open, or a member to read. */
int
ks_walk_stream(struct ks_walk *w, struct ks_node *nd, struct ks_err *err)
{
	const unsigned char *head;
	size_t n;
	char why[128];

	head = ks_input_peek(nd->in, 512, &n);
	if (ks_walk_archive_magic(head, n) == NULL)
		return w->ops->member(w->arg, nd, NULL, err);
	if (nd->nesting >= w->lim->max_nesting) {
		snprintf(why, sizeof(why), "archive nested more than %d deep "
		    "(--max-nesting): not opened", w->lim->max_nesting);
		return w->ops->member(w->arg, nd, why, err);
	}
	return ks_walk_archive(w, nd, err);
}

/* A top-level stream's bytes, told to ops->bytes as they are pulled. */
struct counted {
	int		 fd;
	const struct ks_walk *w;
	const char	*path;		/* borrowed */
	int		 hashing;	/* the pass that hashes, before reading */
	uint64_t	 done, size;	/* size 0: unknown (standard input) */
};

static ssize_t
fill_counted(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct counted *c = ctx;
	ssize_t n = ks_input_fill_fd(&c->fd, buf, cap, err);

	if (n > 0 && c->w->ops->bytes != NULL) {
		c->done += (uint64_t)n;
		c->w->ops->bytes(c->w->arg, c->path, c->hashing, c->done,
		    c->size);
	}
	return n;
}

/*
 * Hash a whole file first, and ask the caller whether to read it (seen):
 * *archive says whether the bytes are an archive.  Returns 1 to skip, 0
 * to go on, -1 on error.
 */
static int
check_seen(struct ks_walk *w, int fd, const char *path,
    const struct stat *sb, char sha[65], int64_t *orig, struct ks_err *err)
{
	struct counted c = { .fd = fd, .w = w, .path = path, .hashing = 1,
	    .size = (uint64_t)sb->st_size };
	struct ks_input in;
	const unsigned char *head;
	int archive;
	size_t n;

	ks_input_init(&in, fill_counted, &c, NULL);
	head = ks_input_peek(&in, 512, &n);
	archive = ks_walk_archive_magic(head, n) != NULL;
	if (ks_input_drain(&in) < 0) {
		ks_err_set(err, "%s: %s", path, in.err.msg);
		ks_input_release(&in);
		return -1;
	}
	ks_input_sha256_hex(&in, sha);
	ks_input_release(&in);
	return w->ops->seen(w->arg, path, sha, archive, (uint64_t)sb->st_size,
	    (int64_t)sb->st_mtim.tv_sec * 1000000 + sb->st_mtim.tv_nsec / 1000,
	    orig, err);
}

/* Reset what is counted per top-level input. */
static void
new_input(struct ks_walk *w)
{
	w->members = 0;
	w->budget.used = 0;
	w->budget.limit = w->lim->max_expanded;
}

/* A regular file named on the command line or found in a directory. */
static int
walk_file(struct ks_walk *w, const char *path, const struct stat *sb,
    struct ks_err *err)
{
	struct ks_input in;
	struct ks_node nd;
	char sha[65] = "", *abs = realpath(path, NULL);
	const char *base = strrchr(path, '/');
	int64_t orig = 0;
	struct counted c = { .w = w, .size = (uint64_t)sb->st_size };
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		struct ks_node bad = { .path = abs ? abs : path, .name = path };
		char why[300];
		snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
		rc = w->ops->skipped(w->arg, &bad, "unreadable", why, err);
		free(abs);
		return rc;
	}
	rc = check_seen(w, fd, abs ? abs : path, sb, sha, &orig, err);
	if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
		rc = ks_err_set(err, "%s: %s", path, strerror(errno));
	if (rc == 0) {
		new_input(w);
		c.fd = fd;
		c.path = abs ? abs : path;
		ks_input_init(&in, fill_counted, &c, NULL);
		nd = (struct ks_node){ .in = &in, .path = abs ? abs : path,
		    .name = base ? base + 1 : path, .sha256 = sha,
		    .copy_of = orig, .mtime_us = (int64_t)sb->st_mtim.tv_sec *
		    1000000 + sb->st_mtim.tv_nsec / 1000 };
		rc = ks_walk_stream(w, &nd, err);
		ks_input_release(&in);
	}
	if (sha[0] != '\0')
		w->ops->done(w->arg, sha);
	close(fd);
	free(abs);
	return rc < 0 ? -1 : 0;
}

static int walk_dir(struct ks_walk *, const char *, int, struct ks_err *);

/* One entry of a directory: files and folders; links are not followed. */
static int
walk_dirent(struct ks_walk *w, const char *path, int depth,
    struct ks_err *err)
{
	struct stat sb;

	if (lstat(path, &sb) < 0) {
		ks_walk_warn(w, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(sb.st_mode))
		return walk_dir(w, path, depth + 1, err);
	if (S_ISREG(sb.st_mode))
		return walk_file(w, path, &sb, err);
	ks_walk_warn(w, "%s: %s: not read", path, S_ISLNK(sb.st_mode) ?
	    "symbolic link" : "not a regular file");
	return 0;
}

static int
walk_dir(struct ks_walk *w, const char *dir, int depth, struct ks_err *err)
{
	struct dirent **names = NULL;
	char *path;
	int n, rc = 0;

	if (depth > 64) {
		ks_walk_warn(w, "%s: folders nested too deep: not read", dir);
		return 0;
	}
	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		ks_walk_warn(w, "%s: %s", dir, strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		if (rc == 0 && strcmp(d, ".") != 0 && strcmp(d, "..") != 0) {
			if (asprintf(&path, "%s/%s", dir, d) < 0)
				rc = ks_err_set(err, "out of memory");
			else {
				rc = walk_dirent(w, path, depth, err);
				free(path);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/*
 * Standard input: read once, so it cannot be hashed in advance.
 */
static int
walk_stdin(struct ks_walk *w, struct ks_err *err)
{
	struct counted c = { .fd = 0, .w = w, .path = "(stdin)" };
	struct ks_input in;
	struct ks_node nd = { .in = &in, .path = "(stdin)", .name = "(stdin)",
	    .mtime_us = KS_TIME_NONE };
	int rc;

	new_input(w);
	ks_input_init(&in, fill_counted, &c, NULL);
	rc = ks_walk_stream(w, &nd, err);
	ks_input_release(&in);
	return rc;
}

/* The operand, between the caller's begin and end. */
static int
walk_top(struct ks_walk *w, const char *path, const char *origin,
    enum ks_walk_kind kind, const struct stat *sb, struct ks_err *err)
{
	int rc;

	if ((rc = w->ops->begin(w->arg, origin, kind, err)) < 0)
		return -1;
	if (kind == KS_WALK_STDIN)
		rc = walk_stdin(w, err);
	else if (kind == KS_WALK_FOLDER)
		rc = walk_dir(w, path, 0, err);
	else
		rc = walk_file(w, path, sb, err);
	if (w->ops->end(w->arg, kind, rc == 0, err) < 0)
		rc = -1;
	return rc;
}

int
ks_walk(const struct ks_walk_ops *ops, void *arg,
    const struct ks_limits *lim, const char *path, struct ks_err *err)
{
	struct ks_walk w = { .ops = ops, .arg = arg, .lim = lim };
	struct stat sb;
	char *abs;
	int rc;

	if (strcmp(path, "-") == 0)
		return walk_top(&w, path, "(stdin)", KS_WALK_STDIN, NULL, err);
	if (stat(path, &sb) < 0)
		return ks_err_set(err, "%s: %s", path, strerror(errno));
	abs = realpath(path, NULL);
	if (S_ISDIR(sb.st_mode))
		rc = walk_top(&w, path, abs ? abs : path, KS_WALK_FOLDER, &sb,
		    err);
	else if (S_ISREG(sb.st_mode))
		rc = walk_top(&w, path, abs ? abs : path, KS_WALK_FILE, &sb,
		    err);
	else
		rc = ks_err_set(err, "%s: not a file or a directory", path);
	free(abs);
	return rc;
}
