/*
 * Archives and compressed files, through libarchive: the archive told to
 * the walk's caller (archive_begin, archive_end), then each member as a
 * stream of its own, with the limits on expansion, ratio, nesting and
 * member count.  Nothing is extracted.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "input/gunzip.h"
#include "util/timeutil.h"
#include "input/walk-int.h"

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
	struct ks_gunzip *gz;		/* under a, or NULL */
	uint64_t	 max_ratio;
};

/*
 * Why the gzip data under an archive ended early, as the reason to reject
 * a member or (whole) the archive, into err: -1.  0 when they did not.
 */
static int
gz_fault(struct ks_gunzip *gz, int whole, struct ks_err *err)
{
	const char *why = gz != NULL ? ks_gunzip_fault(gz) : NULL;

	if (why == NULL)
		return 0;
	if (ks_gunzip_limit(gz) != NULL)
		return ks_err_set(err, "%s%s", whole ? "the rest of the archive "
		    "is not read: " : "", why);
	return ks_err_set(err, "%s cut short or corrupt: %s", whole ?
	    "archive" : "member", why);
}

/* A member's bytes, decompressed by libarchive (and gunzip.c). */
static ssize_t
leaf_fill(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct leaf *lf = ctx;
	la_ssize_t n = archive_read_data(lf->a, buf, cap);
	la_int64_t out, raw;

	/*
	 * A tar member is whole when libarchive ends it; a compressed
	 * file's one member is all the gzip data.
	 */
	if ((n < 0 || (n == 0 && (archive_format(lf->a) &
	    ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW)) &&
	    gz_fault(lf->gz, 0, err) < 0)
		return -1;
	if (n < 0)
		return ks_err_set(err, "member cut short or corrupt: %s",
		    archive_error_string(lf->a) ? archive_error_string(lf->a) :
		    "unknown libarchive error");
	out = archive_filter_bytes(lf->a, 0);
	/* The compressed bytes: gzip is inflated before libarchive. */
	raw = lf->gz != NULL ? (la_int64_t)ks_gunzip_raw_bytes(lf->gz) :
	    archive_filter_bytes(lf->a, -1);
	if (lf->max_ratio && out > (la_int64_t)KS_RATIO_FLOOR && raw > 0 &&
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
	/*
	 * Built-in decompressors only: never an external program.  Not
	 * libarchive's gzip, which checks no trailer: gunzip.c reads gzip.
	 */
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

/*
 * "archive/tar+gzip", "compressed/gzip", "archive/zip": the innermost
 * filter, libarchive's or else gunzip.c's.
 */
static void
arc_format(struct archive *a, int gzip, char *buf, size_t sz)
{
	int fmt = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
	const char *filter = archive_filter_count(a) > 1 ?
	    archive_filter_name(a, 0) : gzip ? "gzip" : NULL;

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
note_entry(struct ks_walk *w, struct ks_node *nd, const char *format,
    const char *why, struct ks_err *err)
{
	if (why != NULL)
		return w->ops->skipped(w->arg, nd, format, why, err);
	return w->ops->entry(w->arg, nd, format, err);
}

/* The archive being read, for its rejects. */
struct arc {
	struct ks_walk	*w;
	void		*handle;	/* archive_begin's */
	const char	*path;
};

/*
 * A regular member of no byte holds no evidence but its name, which its
 * archive (hashed, kept) holds too: it costs no row, no savepoint and no
 * hash, only a count on the archive's row.
 */
static int
is_empty(struct archive_entry *e, struct ks_input *in)
{
	size_t n;

	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
		return 0;
	ks_input_peek(in, 1, &n);
	return n == 0 && !in->failed;
}

/* One member of an open archive. */
static int
walk_entry(struct ks_walk *w, struct ks_node *arc, int64_t arc_id,
    struct archive *a, struct archive_entry *e, struct ks_err *err)
{
	struct leaf lf = { a, arc->gz, w->lim->max_ratio };
	struct ks_input in;
	struct ks_node nd;
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
	nd = (struct ks_node){ .in = &in, .parent_id = arc_id, .path = path,
	    .name = name, .nesting = arc->nesting + 1,
	    .mtime_us = archive_entry_mtime_is_set(e) ?
	    (int64_t)archive_entry_mtime(e) * 1000000 +
	    archive_entry_mtime_nsec(e) / 1000 : KS_TIME_NONE };
	if ((kind = entry_kind(e, &why)) != NULL)
		rc = note_entry(w, &nd, kind, why, err);
	else {
		ks_input_init(&in, leaf_fill, &lf, &w->budget);
		if (is_empty(e, &in)) {
			arc->empty++;	/* counted on the archive's row */
			rc = 0;
		} else
			rc = ks_walk_stream(w, &nd, err);
		ks_input_release(&in);
	}
	free(path);
	return rc;
}

/* Count archive-level rejects on the archive's own row. */
static int arc_reject(struct arc *, struct ks_err *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
arc_reject(struct arc *ar, struct ks_err *err, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ks_walk_warn(ar->w, "%s: %s", ar->path, why);
	return ar->w->ops->archive_reject(ar->handle, why, err);
}

/*
 * Why libarchive cannot read further, recorded: a fault of the gzip data
 * under it first.  Returns 1, or -1.
 */
static int
arc_broken(struct arc *ar, struct archive *a, struct ks_gunzip *gz,
    struct ks_err *err)
{
	struct ks_err why;
	int rc;

	if (gz_fault(gz, 1, &why) < 0)
		rc = arc_reject(ar, err, "%s", why.msg);
	else
		rc = arc_reject(ar, err, "archive cut short or corrupt: %s",
		    archive_error_string(a) ? archive_error_string(a) :
		    "unknown error");
	return rc < 0 ? -1 : 1;
}

/*
 * Read the members of an open archive until its end or a fatal problem.
 * Returns 0 at the end, 1 when stopped before it (the reason recorded),
 * or -1.
 */
static int
walk_members(struct ks_walk *w, struct ks_node *nd, struct arc *ar,
    int64_t id, struct archive *a, struct ks_err *err)
{
	struct archive_entry *e;
	uint64_t entries = 0;
	int r;

	for (;;) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF && entries == 0)
			/*
			 * A compressed stream whose data starts with zero blocks
			 * reads as an empty tar: say so rather than drop it.
			 */
			return arc_reject(ar, err, "no member at all: an empty "
			    "archive, or data that begins with zero blocks and "
			    "was read as an empty tar; not read further");
		if (r == ARCHIVE_EOF)
			return 0;
		entries++;
		if (r < ARCHIVE_WARN)
			return arc_broken(ar, a, nd->gz, err);
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (++w->members > w->lim->max_members)
			return arc_reject(ar, err, "%llu members read, the "
			    "limit for one input (--max-members %llu; raise it "
			    "to read on): the rest of the archive is not read",
			    (unsigned long long)w->lim->max_members,
			    (unsigned long long)w->lim->max_members) < 0 ?
			    -1 : 1;
		if (walk_entry(w, nd, id, a, e, err) < 0)
			return -1;
		if (w->budget.limit && w->budget.used > w->budget.limit)
			return arc_reject(ar, err, "expanded-size limit of %llu "
			    "bytes reached (--max-expanded): the rest of the "
			    "archive is not read",
			    (unsigned long long)w->budget.limit) < 0 ? -1 : 1;
	}
}

/*
 * After libarchive's end, read the gzip data to theirs: a tar ends at its
 * end blocks, before the trailers to be checked and whatever follows
 * them.  A fault of the gzip data is recorded here (libarchive takes an
 * early end for the end), and bytes after the last member that are
 * neither gzip nor zero padding.  The drain is bounded by --max-ratio.
 * Returns 0 or -1.
 */
static int
gz_finish(struct arc *ar, struct ks_gunzip *gz, struct ks_err *err)
{
	struct ks_err why;
	uint64_t n;
	int layer;

	if (ks_input_drain(ks_gunzip_output(gz)) < 0)
		return ks_err_set(err, "%s", ks_gunzip_output(gz)->err.msg);
	if (gz_fault(gz, 1, &why) < 0 &&
	    arc_reject(ar, err, "%s", why.msg) < 0)
		return -1;
	if ((n = ks_gunzip_trailing(gz, &layer)) > 0 && arc_reject(ar, err,
	    "%llu bytes after the end of the gzip data%s are not gzip: not "
	    "read", (unsigned long long)n, layer > 1 ? " (an inner layer)" :
	    "") < 0)
		return -1;
	return 0;
}

/*
 * libarchive on the stream, behind gzip layers when it is gzip (gunzip.h
 * says why); nd->gz holds them.  NULL when out of memory.
 */
static struct archive *
arc_start(struct ks_walk *w, struct ks_node *nd)
{
	const unsigned char *head;
	size_t n;

	head = ks_input_peek(nd->in, 3, &n);
	if (ks_gunzip_magic(head, n) &&
	    (nd->gz = ks_gunzip_new(nd->in, w->lim->max_ratio)) == NULL)
		return NULL;
	return arc_open(nd->gz != NULL ? ks_gunzip_output(nd->gz) : nd->in);
}

/* An archive or compressed file: told to the caller, then its members. */
int
ks_walk_archive(struct ks_walk *w, struct ks_node *nd, struct ks_err *err)
{
	struct arc ar = { .w = w, .path = nd->path };
	struct archive *a = NULL;
	char fmt[64];
	int64_t id;
	int rc = -1, end;

	if ((ar.handle = w->ops->archive_begin(w->arg, nd, &id, err)) == NULL)
		return -1;
	if ((a = arc_start(w, nd)) == NULL)
		ks_err_set(err, "out of memory");
	else
		rc = walk_members(w, nd, &ar, id, a, err);
	if (rc == 0 && nd->gz != NULL)
		rc = gz_finish(&ar, nd->gz, err);
	if (rc >= 0)
		arc_format(a, nd->gz != NULL, fmt, sizeof(fmt));
	end = w->ops->archive_end(ar.handle, nd, rc >= 0 ? fmt : NULL, err);
	if (a != NULL)
		archive_read_free(a);
	ks_gunzip_free(nd->gz);
	nd->gz = NULL;
	return rc < 0 || end < 0 ? -1 : 0;
}
