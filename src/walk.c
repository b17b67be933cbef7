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

#include <archive.h>
#include <archive_entry.h>

#include "sniff.h"
#include "store.h"
#include "timeutil.h"
#include "walk.h"

/* One stream on its way down: a top-level file, stdin or a member. */
struct node {
	struct ks_input	*in;
	int64_t		 parent_id;	/* 0 for a top-level input */
	const char	*path;		/* display path */
	const char	*name;		/* member name, or the operand */
	int64_t		 mtime_us;
	int		 nesting;	/* archives around this stream */
	const char	*sha256;	/* known in advance (top-level files) */
};

static int walk_stream(struct ks_import *, struct node *, struct ks_err *);

/* Does the head start like a compressed file or an archive we read? */
static const char *
archive_magic(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
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

/* Record a member that was not read, with the reason, as its own source. */
static int
note_skipped(struct ks_import *imp, struct node *nd, const char *format,
    const char *reason, struct ks_err *err)
{
	struct ks_member m = { .imp = imp, .path = nd->path, .name = nd->name };
	struct ks_source_facts f = { .format = format };

	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_add(imp, nd->parent_id, nd->path, nd->parent_id ?
	    nd->name : NULL, nd->mtime_us, nd->sha256, &m.source_id, err) < 0 ||
	    ks_store_reject(&m, 0, reason, NULL, 0, err) < 0)
		goto fail;
	f.tally = m.tally;
	if (ks_store_source_done(imp->store, m.source_id, &f, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0)
		goto fail;
	imp->total.records++;
	imp->total.rejected++;
	ks_import_warn(imp, "%s: %s", nd->path, reason);
	return 0;
fail:
	ks_store_rollback(imp->store);
	return -1;
}

/* Add the rows of a finished member to the run's totals. */
static void
add_totals(struct ks_import *imp, const struct ks_tally *t)
{
	imp->total.records += t->records;
	imp->total.imported += t->imported;
	imp->total.duplicates += t->duplicates;
	imp->total.rejected += t->rejected;
}

/*
 * A member that is not an archive: the highest bidder reads it.  With a
 * refusal reason, nobody reads it; it is hashed and rejected for that reason.
 */
static int
ingest_member(struct ks_import *imp, struct node *nd, const char *refusal,
    struct ks_err *err)
{
	struct ks_member m = { .imp = imp, .in = nd->in, .path = nd->path,
	    .name = nd->name, .mtime_us = nd->mtime_us };
	struct ks_source_facts f = { .format = "unrecognised" };
	const struct ks_sniffer *sn;
	const unsigned char *head;
	size_t n;
	char sha[65];

	head = ks_input_peek(nd->in, KS_SNIFF_HEAD, &n);
	sn = refusal ? NULL : ks_sniff_choose(nd->name, 0, head, n, &f.bid);
	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_add(imp, nd->parent_id, nd->path, nd->parent_id ?
	    nd->name : NULL, nd->mtime_us, nd->sha256, &m.source_id, err) < 0)
		goto fail;
	if (refusal != NULL) {
		f.format = "refused";
		if (ks_store_reject(&m, 0, refusal, NULL, 0, err) < 0)
			goto fail;
		ks_import_warn(imp, "%s: %s", nd->path, refusal);
	} else if (sn != NULL) {
		f.format = sn->name;
		if (sn->ingest(&m, err) < 0)
			goto fail;
	} else
		imp->unrecognised++;
	if (ks_input_drain(nd->in) < 0 && ks_store_reject(&m, 0,
	    nd->in->err.msg, NULL, 0, err) < 0)
		goto fail;
	if (nd->in->failed)
		ks_import_warn(imp, "%s: %s", nd->path, nd->in->err.msg);
	ks_input_sha256_hex(nd->in, sha);
	f.sha256 = sha;
	f.size = nd->in->total;
	f.tally = m.tally;
	if (ks_store_source_done(imp->store, m.source_id, &f, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0)
		goto fail;
	add_totals(imp, &m.tally);
	imp->bytes += nd->in->total;
	if (imp->progress != NULL)
		imp->progress(imp->cb_arg, imp);
	return 0;
fail:
	ks_store_rollback(imp->store);
	return -1;
}

/* libarchive pulls the bytes of an archive from its stream. */
static la_ssize_t
arc_read(struct archive *a, void *ctx, const void **buf)
{
	struct ks_input *in = ctx;
	const unsigned char *p;
	size_t n;

	p = ks_input_peek(in, 1, &n);
	if (n == 0 && in->failed) {
		archive_set_error(a, EIO, "%s", in->err.msg);
		return -1;
	}
	/* The bytes stay in in's buffer until the next call. */
	ks_input_consume(in, n);
	*buf = p;
	return (la_ssize_t)n;
}

struct leaf {
	struct archive	*a;
	uint64_t	 max_ratio;
};

#define RATIO_FLOOR	(100ULL << 20)	/* bytes before the ratio counts */

/* A member's bytes, decompressed by libarchive. */
static ssize_t
leaf_fill(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct leaf *lf = ctx;
	la_ssize_t n = archive_read_data(lf->a, buf, cap);
	la_int64_t out, raw;

	if (n < 0)
		return ks_err_set(err, "member cut short or corrupt: %s",
		    archive_error_string(lf->a) ? archive_error_string(lf->a) :
		    "unknown libarchive error");
	out = archive_filter_bytes(lf->a, 0);
	raw = archive_filter_bytes(lf->a, -1);
	if (lf->max_ratio && out > (la_int64_t)RATIO_FLOOR && raw > 0 &&
	    (uint64_t)(out / raw) > lf->max_ratio)
		return ks_err_set(err, "compression ratio above %llu:1 "
		    "(--max-ratio): an archive bomb?",
		    (unsigned long long)lf->max_ratio);
	return n;
}

static struct archive *
arc_open(struct ks_input *in)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	/* If open fails, the first archive_read_next_header says why. */
	/* Built-in decompressors only: never an external program. */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_zip_streamable(a);
	archive_read_support_format_raw(a);
	archive_read_open(a, in, NULL, arc_read, NULL);
	return a;
}

/* "archive/tar+gzip", "compressed/gzip", "archive/zip". */
static void
arc_format(struct archive *a, char *buf, size_t sz)
{
	int fmt = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
	const char *filter = archive_filter_count(a) > 1 ?
	    archive_filter_name(a, 0) : NULL;

	if (fmt == ARCHIVE_FORMAT_RAW)
		snprintf(buf, sz, "compressed/%s", filter ? filter : "none");
	else
		snprintf(buf, sz, "archive/%s%s%s",
		    fmt == ARCHIVE_FORMAT_ZIP ? "zip" : "tar",
		    filter ? "+" : "", filter ? filter : "");
}

/* The name of the one member of a compressed file: its own name, less .gz. */
static void
raw_name(const char *outer, char *buf, size_t sz)
{
	static const char *const ext[] = { ".gz", ".tgz", ".xz", ".bz2",
	    ".zst", ".zstd", ".lzma", NULL };
	size_t n = strlen(outer), k;

	for (int i = 0; ext[i] != NULL; i++) {
		k = strlen(ext[i]);
		if (n > k && strcmp(outer + n - k, ext[i]) == 0) {
			snprintf(buf, sz, "%.*s%s", (int)(n - k), outer,
			    strcmp(ext[i], ".tgz") == 0 ? ".tar" : "");
			return;
		}
	}
	snprintf(buf, sz, "%s.data", outer);
}

/*
 * The format of an entry that is not read: links are recorded (their bytes
 * are elsewhere in the archive), special files are refused with *why.
 * NULL for a regular file.
 */
static const char *
entry_kind(struct archive_entry *e, const char **why)
{
	*why = NULL;
	if (archive_entry_hardlink(e) != NULL)
		return "hardlink";
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
	case 0:
		return NULL;
	case AE_IFLNK:
		return "symlink";
	default:
		*why = "special file (device, FIFO or socket): not read";
		return "refused";
	}
}

/* A link or special member: a row of its own, no bytes read. */
static int
note_entry(struct ks_import *imp, struct node *nd, const char *format,
    const char *why, struct ks_err *err)
{
	struct ks_source_facts f = { .format = format };
	int64_t id;

	if (why != NULL)
		return note_skipped(imp, nd, format, why, err);
	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_add(imp, nd->parent_id, nd->path, nd->name,
	    nd->mtime_us, NULL, &id, err) < 0 ||
	    ks_store_source_done(imp->store, id, &f, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0) {
		ks_store_rollback(imp->store);
		return -1;
	}
	return 0;
}

/* One member of an open archive. */
static int
walk_entry(struct ks_import *imp, struct node *arc, int64_t arc_id,
    struct archive *a, struct archive_entry *e, struct ks_err *err)
{
	struct leaf lf = { a, imp->lim.max_ratio };
	struct ks_input in;
	struct node nd;
	const char *name = archive_entry_pathname(e), *why, *kind;
	char rawname[PATH_MAX], *path = NULL;
	int rc;

	if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
	    ARCHIVE_FORMAT_RAW) {
		const char *base = strrchr(arc->name, '/');
		raw_name(base ? base + 1 : arc->name, rawname, sizeof(rawname));
		name = rawname;
	}
	if (name == NULL)
		name = "(unnamed member)";
	if (asprintf(&path, "%s!%s", arc->path, name) < 0)
		return ks_err_set(err, "out of memory");
	nd = (struct node){ .in = &in, .parent_id = arc_id, .path = path,
	    .name = name, .nesting = arc->nesting + 1,
	    .mtime_us = archive_entry_mtime_is_set(e) ?
	    (int64_t)archive_entry_mtime(e) * 1000000 +
	    archive_entry_mtime_nsec(e) / 1000 : KS_TIME_NONE };
	if ((kind = entry_kind(e, &why)) != NULL)
		rc = note_entry(imp, &nd, kind, why, err);
	else {
		ks_input_init(&in, leaf_fill, &lf, &imp->budget);
		rc = walk_stream(imp, &nd, err);
		ks_input_release(&in);
	}
	free(path);
	return rc;
}

/* Count archive-level rejects on the archive's own row. */
static int arc_reject(struct ks_member *, struct ks_err *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
arc_reject(struct ks_member *am, struct ks_err *err, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ks_import_warn(am->imp, "%s: %s", am->path, why);
	return ks_store_reject(am, 0, why, NULL, 0, err);
}

/* Read the members of an open archive until its end or a fatal problem. */
static int
walk_members(struct ks_import *imp, struct node *nd, struct ks_member *am,
    struct archive *a, struct ks_err *err)
{
	struct archive_entry *e;
	int r;

	for (;;) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return arc_reject(am, err, "archive cut short or "
			    "corrupt: %s", archive_error_string(a) ?
			    archive_error_string(a) : "unknown error");
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (++imp->members > imp->lim.max_members)
			return arc_reject(am, err, "more than %llu members in "
			    "one input (--max-members): the rest is not read",
			    (unsigned long long)imp->lim.max_members);
		if (walk_entry(imp, nd, am->source_id, a, e, err) < 0)
			return -1;
		if (imp->budget.limit && imp->budget.used > imp->budget.limit)
			return arc_reject(am, err, "expanded-size limit of %llu "
			    "bytes reached (--max-expanded): the rest of the "
			    "archive is not read",
			    (unsigned long long)imp->budget.limit);
	}
}

/* An archive or compressed file: its row, then its members. */
static int
walk_archive(struct ks_import *imp, struct node *nd, struct ks_err *err)
{
	struct ks_member am = { .imp = imp, .path = nd->path, .name = nd->name };
	struct ks_source_facts f = { .format = "archive" };
	const char *saved_origin = imp->origin;
	int64_t saved_source = imp->origin_source, saved_snap = imp->snapshot_id;
	struct archive *a = NULL;
	char fmt[64], sha[65];
	int rc = -1;

	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_add(imp, nd->parent_id, nd->path, nd->parent_id ?
	    nd->name : NULL, nd->mtime_us, nd->sha256, &am.source_id, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0)
		goto out;
	if (nd->nesting == 0 || saved_origin == NULL) {
		/* The outermost archive is a snapshot of its own. */
		imp->origin = nd->path;
		imp->origin_source = am.source_id;
		imp->snapshot_id = 0;
	}
	if ((a = arc_open(nd->in)) == NULL) {
		ks_err_set(err, "out of memory");
		goto out;
	}
	rc = walk_members(imp, nd, &am, a, err);
	if (rc == 0) {
		arc_format(a, fmt, sizeof(fmt));
		f.format = fmt;
		ks_input_drain(nd->in);
		ks_input_sha256_hex(nd->in, sha);
		f.sha256 = sha;
		f.size = nd->in->total;
		f.tally = am.tally;
		add_totals(imp, &am.tally);
		rc = ks_store_begin(imp->store, err) < 0 ||
		    ks_store_source_done(imp->store, am.source_id, &f, err) < 0 ||
		    ks_store_commit(imp->store, err) < 0 ? -1 : 0;
	}
out:
	ks_store_rollback(imp->store);
	if (a != NULL)
		archive_read_free(a);
	imp->origin = saved_origin;
	imp->origin_source = saved_source;
	imp->snapshot_id = saved_snap;
	return rc;
}

/* A stream: an archive to open, or a member to read. */
static int
walk_stream(struct ks_import *imp, struct node *nd, struct ks_err *err)
{
	const unsigned char *head;
	size_t n;
	char why[128];

	head = ks_input_peek(nd->in, 512, &n);
	if (archive_magic(head, n) == NULL)
		return ingest_member(imp, nd, NULL, err);
	if (nd->nesting >= imp->lim.max_nesting) {
		snprintf(why, sizeof(why), "archive nested more than %d deep "
		    "(--max-nesting): not opened", imp->lim.max_nesting);
		return ingest_member(imp, nd, why, err);
	}
	return walk_archive(imp, nd, err);
}

/*
 * Hash a whole file first: an input imported before is skipped, and one
 * whose import was cut short is removed so that it is imported afresh.  An
 * archive is the same evidence wherever it lies; a plain file only at the
 * same path (folders often hold byte-identical files, such as empty lists,
 * which are evidence each).  Returns 1 to skip, 0 to go on, -1 on error.
 */
static int
check_seen(struct ks_import *imp, int fd, const char *path, char sha[65],
    struct ks_err *err)
{
	struct ks_input in;
	const unsigned char *head;
	int64_t id;
	int complete, found, archive;
	size_t n;

	ks_input_init(&in, ks_input_fill_fd, &fd, NULL);
	head = ks_input_peek(&in, 512, &n);
	archive = archive_magic(head, n) != NULL;
	if (ks_input_drain(&in) < 0) {
		ks_err_set(err, "%s: %s", path, in.err.msg);
		ks_input_release(&in);
		return -1;
	}
	ks_input_sha256_hex(&in, sha);
	ks_input_release(&in);
	if ((found = ks_store_source_find(imp->store, sha, path, archive, &id,
	    &complete, err)) <= 0)
		return found;
	if (complete) {
		imp->skipped++;
		ks_import_warn(imp, "%s: already imported (source %lld, same "
		    "SHA-256): skipped", path, (long long)id);
		return 1;
	}
	ks_import_warn(imp, "%s: an earlier import of it was cut short: "
	    "importing it again", path);
	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_delete(imp->store, id, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0) {
		ks_store_rollback(imp->store);
		return -1;
	}
	return 0;
}

/* Reset what is counted per top-level input. */
static void
new_input(struct ks_import *imp)
{
	imp->members = 0;
	imp->budget.used = 0;
	imp->budget.limit = imp->lim.max_expanded;
}

/* A regular file named on the command line or found in a directory. */
static int
walk_file(struct ks_import *imp, const char *path, const struct stat *sb,
    struct ks_err *err)
{
	struct ks_input in;
	struct node nd;
	char sha[65], *abs = realpath(path, NULL);
	const char *base = strrchr(path, '/');
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		struct node bad = { .path = abs ? abs : path, .name = path };
		char why[300];
		snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
		rc = note_skipped(imp, &bad, "unreadable", why, err);
		free(abs);
		return rc;
	}
	rc = check_seen(imp, fd, abs ? abs : path, sha, err);
	if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
		rc = ks_err_set(err, "%s: %s", path, strerror(errno));
	if (rc == 0) {
		new_input(imp);
		ks_input_init(&in, ks_input_fill_fd, &fd, NULL);
		nd = (struct node){ .in = &in, .path = abs ? abs : path,
		    .name = base ? base + 1 : path, .sha256 = sha,
		    .mtime_us = (int64_t)sb->st_mtim.tv_sec * 1000000 +
		    sb->st_mtim.tv_nsec / 1000 };
		rc = walk_stream(imp, &nd, err);
		ks_input_release(&in);
	}
	close(fd);
	free(abs);
	return rc < 0 ? -1 : 0;
}

static int walk_dir(struct ks_import *, const char *, int, struct ks_err *);

/* One entry of a directory: files and folders; links are not followed. */
static int
walk_dirent(struct ks_import *imp, const char *path, int depth,
    struct ks_err *err)
{
	struct stat sb;

	if (lstat(path, &sb) < 0) {
		ks_import_warn(imp, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(sb.st_mode))
		return walk_dir(imp, path, depth + 1, err);
	if (S_ISREG(sb.st_mode))
		return walk_file(imp, path, &sb, err);
	ks_import_warn(imp, "%s: %s: not read", path, S_ISLNK(sb.st_mode) ?
	    "symbolic link" : "not a regular file");
	return 0;
}

static int
walk_dir(struct ks_import *imp, const char *dir, int depth,
    struct ks_err *err)
{
	struct dirent **names = NULL;
	char *path;
	int n, rc = 0;

	if (depth > 64) {
		ks_import_warn(imp, "%s: folders nested too deep: not read", dir);
		return 0;
	}
	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		ks_import_warn(imp, "%s: %s", dir, strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		if (rc == 0 && strcmp(d, ".") != 0 && strcmp(d, "..") != 0) {
			if (asprintf(&path, "%s/%s", dir, d) < 0)
				rc = ks_err_set(err, "out of memory");
			else {
				rc = walk_dirent(imp, path, depth, err);
				free(path);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Standard input: read once, so it cannot be hashed in advance. */
static int
walk_stdin(struct ks_import *imp, struct ks_err *err)
{
	int fd = 0, rc;
	struct ks_input in;
	struct node nd = { .in = &in, .path = "(stdin)", .name = "(stdin)",
	    .mtime_us = KS_TIME_NONE };

	new_input(imp);
	ks_input_init(&in, ks_input_fill_fd, &fd, NULL);
	rc = walk_stream(imp, &nd, err);
	ks_input_release(&in);
	return rc;
}

int
ks_walk(struct ks_import *imp, const char *path, struct ks_err *err)
{
	struct stat sb;
	char *abs;
	int rc;

	imp->origin = NULL;
	imp->origin_source = 0;
	imp->snapshot_id = 0;
	if (strcmp(path, "-") == 0) {
		imp->origin = "(stdin)";
		return walk_stdin(imp, err);
	}
	if (stat(path, &sb) < 0)
		return ks_err_set(err, "%s: %s", path, strerror(errno));
	abs = realpath(path, NULL);
	imp->origin = abs ? abs : path;
	if (S_ISDIR(sb.st_mode))
		rc = walk_dir(imp, path, 0, err);
	else if (S_ISREG(sb.st_mode))
		rc = walk_file(imp, path, &sb, err);
	else
		rc = ks_err_set(err, "%s: not a file or a directory", path);
	imp->origin = NULL;
	free(abs);
	return rc;
}
