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
#include "store/rollup.h"
#include "formats/sniff.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "store/walk.h"
#include "store/walk-int.h"

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

/* Record a member that was not read, with the reason, as its own source. */
int
ks_walk_note_skipped(struct ks_import *imp, struct ks_node *nd,
    const char *format, const char *reason, struct ks_err *err)
{
	struct ks_member m = { .path = nd->path, .name = nd->name };
	struct ks_source_facts f = { .format = format };

	ks_store_member(imp, &m);
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
void
ks_walk_add_totals(struct ks_import *imp, const struct ks_tally *t)
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
int
ks_walk_ingest_member(struct ks_import *imp, struct ks_node *nd,
    const char *refusal, struct ks_err *err)
{
	struct ks_member m = { .in = nd->in, .path = nd->path,
	    .name = nd->name, .mtime_us = nd->mtime_us };
	struct ks_source_facts f = { .format = "unrecognised" };
	const struct ks_sniffer *sn;
	const unsigned char *head;
	size_t n;
	char sha[65];

	ks_store_member(imp, &m);
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
	if (ks_rollup_flush(imp->rollup, imp->db, err) < 0)
		goto fail;
	if (nd->in->failed)
		ks_import_warn(imp, "%s: %s", nd->path, nd->in->err.msg);
	ks_input_sha256_hex(nd->in, sha);
	f.sha256 = sha;
	f.size = nd->in->total;
	f.tally = m.tally;
	f.copy_of = nd->copy_of;
	if (ks_store_source_done(imp->store, m.source_id, &f, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0)
		goto fail;
	ks_walk_add_totals(imp, &m.tally);
	imp->bytes += nd->in->total;
	if (imp->progress != NULL)
		imp->progress(imp->cb_arg, imp);
	return 0;
fail:
	ks_rollup_clear(imp->rollup);
	ks_store_rollback(imp->store);
	return -1;
}

/* A stream: an archive to open, or a member to read. */
int
ks_walk_stream(struct ks_import *imp, struct ks_node *nd, struct ks_err *err)
{
	const unsigned char *head;
	size_t n;
	char why[128];

	head = ks_input_peek(nd->in, 512, &n);
	if (ks_walk_archive_magic(head, n) == NULL)
		return ks_walk_ingest_member(imp, nd, NULL, err);
	if (nd->nesting >= imp->lim.max_nesting) {
		snprintf(why, sizeof(why), "archive nested more than %d deep "
		    "(--max-nesting): not opened", imp->lim.max_nesting);
		return ks_walk_ingest_member(imp, nd, why, err);
	}
	return ks_walk_archive(imp, nd, err);
}

/*
 * Hash a whole file first: an input imported before at the same path is
 * skipped, and one whose import was cut short is removed so that it is
 * imported afresh.  Bytes imported before from another path are a copy:
 * *orig names the source first read from them, and *archive says whether
 * they are an archive (walk_file records such a copy without reading it).
 * Returns 1 to skip, 0 to go on, -1 on error.
 */
static int
check_seen(struct ks_import *imp, int fd, const char *path, char sha[65],
    int64_t *orig, int *archive, struct ks_err *err)
{
	struct ks_input in;
	const unsigned char *head;
	int64_t id;
	int complete, found;
	size_t n;

	ks_input_init(&in, ks_input_fill_fd, &fd, NULL);
	head = ks_input_peek(&in, 512, &n);
	*archive = ks_walk_archive_magic(head, n) != NULL;
	if (ks_input_drain(&in) < 0) {
		ks_err_set(err, "%s: %s", path, in.err.msg);
		ks_input_release(&in);
		return -1;
	}
	ks_input_sha256_hex(&in, sha);
	ks_input_release(&in);
	if (ks_store_lock_input(imp, sha, err) < 0)
		return -1;
	if ((found = ks_store_source_find(imp->store, sha, path, 0, &id,
	    &complete, err)) < 0)
		return -1;
	if (!found)
		return ks_store_source_original(imp->store, sha, orig, err);
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
	    ks_rollup_rebuild(imp->db, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0) {
		ks_store_rollback(imp->store);
		return -1;
	}
	return ks_store_source_original(imp->store, sha, orig, err);
}

/*
 * An archive byte-identical to source orig, found at another path: a place
 * the evidence was found, so a row of its own (path, size, SHA-256, time,
 * copy_of), but not read again: its members, records and snapshot are
 * those of orig.
 */
static int
note_copy(struct ks_import *imp, const char *path, const struct stat *sb,
    const char *sha, int64_t orig, struct ks_err *err)
{
	struct ks_source_facts f = { .format = "copy", .sha256 = sha,
	    .size = (uint64_t)sb->st_size, .copy_of = orig };
	int64_t id;

	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_add(imp, 0, path, NULL, (int64_t)sb->st_mtim.tv_sec *
	    1000000 + sb->st_mtim.tv_nsec / 1000, sha, &id, err) < 0 ||
	    ks_store_source_done(imp->store, id, &f, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0) {
		ks_store_rollback(imp->store);
		return -1;
	}
	ks_import_warn(imp, "%s: a byte-identical copy of source %lld: "
	    "recorded, not read again", path, (long long)orig);
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
	struct ks_node nd;
	char sha[65] = "", *abs = realpath(path, NULL);
	const char *base = strrchr(path, '/');
	int64_t orig = 0;
	int fd, rc, archive = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		struct ks_node bad = { .path = abs ? abs : path, .name = path };
		char why[300];
		snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
		rc = ks_walk_note_skipped(imp, &bad, "unreadable", why, err);
		free(abs);
		return rc;
	}
	rc = check_seen(imp, fd, abs ? abs : path, sha, &orig, &archive, err);
	if (rc == 0 && orig != 0 && archive)
		rc = note_copy(imp, abs ? abs : path, sb, sha, orig, err) < 0 ?
		    -1 : 1;
	if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
		rc = ks_err_set(err, "%s: %s", path, strerror(errno));
	if (rc == 0) {
		new_input(imp);
		ks_input_init(&in, ks_input_fill_fd, &fd, NULL);
		nd = (struct ks_node){ .in = &in, .path = abs ? abs : path,
		    .name = base ? base + 1 : path, .sha256 = sha,
		    .copy_of = orig, .mtime_us = (int64_t)sb->st_mtim.tv_sec * 1000000 +
		    sb->st_mtim.tv_nsec / 1000 };
		rc = ks_walk_stream(imp, &nd, err);
		ks_input_release(&in);
	}
	if (sha[0] != '\0')
		ks_store_input_done(imp, sha);
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

/*
 * A folder named on the command line: one snapshot, open while it is read,
 * so that an import cut short and run again fills the same snapshot.
 */
static int
walk_folder(struct ks_import *imp, const char *path, struct ks_err *err)
{
	int rc;

	imp->origin_folder = 1;
	if ((rc = ks_store_snapshot_resume(imp, err)) == 0 &&
	    (rc = walk_dir(imp, path, 0, err)) == 0)
		rc = ks_store_snapshot_close(imp, err);
	imp->origin_folder = 0;
	return rc;
}

/*
 * Standard input: read once, so it cannot be hashed in advance.  Each member
 * is committed when done: whoever writes into the pipe may wait to see it.
 */
static int
walk_stdin(struct ks_import *imp, struct ks_err *err)
{
	int fd = 0, rc;
	struct ks_input in;
	struct ks_node nd = { .in = &in, .path = "(stdin)", .name = "(stdin)",
	    .mtime_us = KS_TIME_NONE };

	new_input(imp);
	ks_input_init(&in, ks_input_fill_fd, &fd, NULL);
	ks_store_batch(imp->store, 0);
	rc = ks_walk_stream(imp, &nd, err);
	ks_store_batch(imp->store, 1);
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
		rc = walk_folder(imp, path, err);
	else if (S_ISREG(sb.st_mode))
		rc = walk_file(imp, path, &sb, err);
	else
		rc = ks_err_set(err, "%s: not a file or a directory", path);
	imp->origin = NULL;
	free(abs);
	return rc;
}
