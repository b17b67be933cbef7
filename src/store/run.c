/*
 * The books of an import run, kept for the walk through its callbacks
 * (struct ks_walk_ops): what was a source, what was read before, which
 * snapshot a member belongs to, and the totals.
 */
#include <stdlib.h>

#include "formats/sniff.h"
#include "input/walk.h"
#include "store/rollup.h"
#include "store/run.h"
#include "store/store.h"

static void
warn(void *arg, const char *msg)
{
	struct ks_import *imp = arg;

	if (imp->warn != NULL)
		imp->warn(imp->cb_arg, msg);
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

/* A member read: its rows and bytes into the totals, and progress. */
static void
member_done(struct ks_import *imp, const struct ks_tally *t, uint64_t bytes)
{
	add_totals(imp, t);
	imp->bytes += bytes;
	if (imp->progress != NULL)
		imp->progress(imp->cb_arg, imp);
}

/*
 * A folder is one snapshot, open while it is read, so that an import cut
 * short and run again fills the same snapshot.  Standard input commits
 * each member when done: whoever writes into the pipe may wait to see it.
 */
static int
begin(void *arg, const char *origin, enum ks_walk_kind kind,
    struct ks_err *err)
{
	struct ks_import *imp = arg;

	imp->origin = origin;
	if (kind == KS_WALK_STDIN)
		ks_store_batch(imp->store, 0);
	if (kind == KS_WALK_FOLDER) {
		imp->origin_folder = 1;
		if (ks_store_snapshot_resume(imp, err) < 0) {
			imp->origin_folder = 0;
			imp->origin = NULL;
			return -1;
		}
	}
	return 0;
}

static int
end(void *arg, enum ks_walk_kind kind, int ok, struct ks_err *err)
{
	struct ks_import *imp = arg;
	int rc = 0;

	if (kind == KS_WALK_STDIN) {
		ks_store_batch(imp->store, 1);
		return 0;
	}
	if (kind == KS_WALK_FOLDER) {
		if (ok)
			rc = ks_store_snapshot_close(imp, err);
		imp->origin_folder = 0;
	}
	imp->origin = NULL;
	return rc;
}

/*
 * An archive byte-identical to source orig, found at another path: a place
 * the evidence was found, so a row of its own (path, size, SHA-256, time,
 * copy_of), but not read again: its members, records and snapshot are
 * those of orig.
 */
static int
note_copy(struct ks_import *imp, const char *path, uint64_t size,
    int64_t mtime_us, const char *sha, int64_t orig, struct ks_err *err)
{
	struct ks_source_facts f = { .format = "copy", .sha256 = sha,
	    .size = size, .copy_of = orig };
	int64_t id;

	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_add(imp, 0, path, NULL, mtime_us, sha, &id,
	    err) < 0 ||
	    ks_store_source_done(imp->store, id, &f, err) < 0 ||
	    ks_store_commit(imp->store, err) < 0) {
		ks_store_rollback(imp->store);
		return -1;
	}
	ks_import_warn(imp, "%s: a byte-identical copy of source %lld: "
	    "recorded, not read again", path, (long long)orig);
	return 0;
}

/*
 * A top-level file hashed: one imported before at the same path is
 * skipped, and one whose import was cut short is removed so that it is
 * imported afresh.  Bytes imported before from another path are a copy:
 * *orig names the source first read from them; an archive copy is
 * recorded without reading it.  Returns 1 to skip, 0 to go on, -1.
 */
static int
seen(void *arg, const char *path, const char *sha, int archive,
    uint64_t size, int64_t mtime_us, int64_t *orig, struct ks_err *err)
{
	struct ks_import *imp = arg;
	int64_t id;
	int complete, found;

	if (ks_store_lock_input(imp, sha, err) < 0 ||
	    (found = ks_store_source_find(imp->store, sha, path, 0, &id,
	    &complete, err)) < 0)
		return -1;
	if (found && complete) {
		imp->skipped++;
		ks_import_warn(imp, "%s: already imported (source %lld, same "
		    "SHA-256): skipped", path, (long long)id);
		return 1;
	}
	if (found) {
		ks_import_warn(imp, "%s: an earlier import of it was cut "
		    "short: importing it again", path);
		if (ks_store_begin(imp->store, err) < 0 ||
		    ks_store_source_delete(imp->store, id, err) < 0 ||
		    ks_rollup_rebuild(imp->rollup, imp->db, err) < 0 ||
		    ks_store_commit(imp->store, err) < 0) {
			ks_store_rollback(imp->store);
			return -1;
		}
	}
	if (ks_store_source_original(imp->store, sha, orig, err) < 0)
		return -1;
	if (*orig != 0 && archive)
		return note_copy(imp, path, size, mtime_us, sha, *orig,
		    err) < 0 ? -1 : 1;
	return 0;
}

static void
done(void *arg, const char *sha)
{
	ks_store_input_done(arg, sha);
}

/* Record a stream or entry that was not read, with the reason. */
static int
skipped(void *arg, struct ks_node *nd, const char *format,
    const char *reason, struct ks_err *err)
{
	struct ks_import *imp = arg;
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

/* A link in an archive: a row of its own, no bytes read. */
static int
entry(void *arg, struct ks_node *nd, const char *format, struct ks_err *err)
{
	struct ks_import *imp = arg;
	struct ks_source_facts f = { .format = format };
	int64_t id;

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

/*
 * A stream that is not an archive: the highest bidder reads it.  With a
 * refusal reason, nobody reads it; it is hashed and rejected for that reason.
 */
static int
member(void *arg, struct ks_node *nd, const char *refusal,
    struct ks_err *err)
{
	struct ks_import *imp = arg;
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
	member_done(imp, &m.tally, nd->in->total);
	return 0;
fail:
	ks_rollup_clear(imp->rollup);
	ks_store_rollback(imp->store);
	return -1;
}

/* An open archive: its own row, and the snapshot it may begin. */
struct arc_books {
	struct ks_import *imp;
	struct ks_member am;		/* the archive's own rejects */
	const char	*saved_origin;
	int64_t		 saved_source, saved_snap;
};

static void *
archive_begin(void *arg, struct ks_node *nd, int64_t *id, struct ks_err *err)
{
	struct ks_import *imp = arg;
	struct arc_books *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	*b = (struct arc_books){ .imp = imp, .am = { .path = nd->path,
	    .name = nd->name }, .saved_origin = imp->origin,
	    .saved_source = imp->origin_source,
	    .saved_snap = imp->snapshot_id };
	ks_store_member(imp, &b->am);
	if (ks_store_begin(imp->store, err) < 0 ||
	    ks_store_source_add(imp, nd->parent_id, nd->path, nd->parent_id ?
	    nd->name : NULL, nd->mtime_us, nd->sha256, &b->am.source_id,
	    err) < 0 ||
	    ks_store_commit(imp->store, err) < 0) {
		ks_store_rollback(imp->store);
		free(b);
		return NULL;
	}
	if (nd->nesting == 0 || b->saved_origin == NULL) {
		/* The outermost archive is a snapshot of its own. */
		imp->origin = nd->path;
		imp->origin_source = b->am.source_id;
		imp->snapshot_id = 0;
	}
	*id = b->am.source_id;
	return b;
}

/* Archive-level rejects count on the archive's own row. */
static int
archive_reject(void *handle, const char *why, struct ks_err *err)
{
	struct arc_books *b = handle;

	return ks_store_reject(&b->am, 0, why, NULL, 0, err);
}

static int
archive_end(void *handle, struct ks_node *nd, const char *format,
    struct ks_err *err)
{
	struct arc_books *b = handle;
	struct ks_import *imp = b->imp;
	struct ks_source_facts f = { .format = format };
	char sha[65];
	int rc = 0;

	if (format != NULL) {
		/* The source's hash and size are of its own bytes. */
		ks_input_drain(nd->in);
		ks_input_sha256_hex(nd->in, sha);
		f.sha256 = sha;
		f.size = nd->in->total;
		f.tally = b->am.tally;
		f.empty_members = nd->empty;
		add_totals(imp, &b->am.tally);
		rc = ks_store_begin(imp->store, err) < 0 ||
		    ks_store_source_done(imp->store, b->am.source_id, &f,
		    err) < 0 || ks_store_commit(imp->store, err) < 0 ? -1 : 0;
	}
	ks_store_rollback(imp->store);
	imp->origin = b->saved_origin;
	imp->origin_source = b->saved_source;
	imp->snapshot_id = b->saved_snap;
	free(b);
	return rc;
}

static void
bytes(void *arg, const char *path, int hashing, uint64_t done,
    uint64_t size)
{
	const struct ks_import *imp = arg;

	if (imp->reading != NULL)
		imp->reading(imp->cb_arg, path, hashing, done, size);
}

static const struct ks_walk_ops import_ops = {
	.warn = warn, .begin = begin, .end = end, .seen = seen, .done = done,
	.member = member, .skipped = skipped, .entry = entry,
	.archive_begin = archive_begin, .archive_reject = archive_reject,
	.archive_end = archive_end, .bytes = bytes,
};

int
ks_run_import(struct ks_import *imp, const char *path, struct ks_err *err)
{
	imp->origin = NULL;
	imp->origin_source = 0;
	imp->snapshot_id = 0;
	return ks_walk(&import_ops, imp, &imp->lim, path, err);
}
