/*
 * Indexes of audit_events set aside during a large load.  Keeping an index
 * up to date row by row touches pages all over it, and costs more than
 * sorting once when many rows arrive; so once a member has added as many
 * rows as the table held before it (and at least DEFER_MIN), its secondary
 * indexes are dropped, and built again when the member is done (in the same
 * transaction: a crash or an error leaves them as they were).  Unique
 * indexes are constraints (byte-identical events are duplicates) and stay;
 * so do partial indexes, which hold few rows and whose building again
 * reads the whole table, but those with an IN list in their WHERE (unless
 * the import itself reads them: KEPT), set aside sooner (DEFER_LISTS):
 * SQLite evaluates the WHERE for each row inserted, and an IN list of more
 * than two values costs a temporary b-tree built afresh at each insert
 * (six per row in schema 12, some 20 times what a scan of the row to build
 * the four indexes again costs).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store-int.h"
#include "store/db.h"
#include "util/fault.h"

#define DEFER_MIN	50000
#define DEFER_LISTS	4096

/*
 * The partial indexes an import reads while it loads (the duplicates'
 * probe, the cut records', the denials' fold): they stay.
 */
#define KEPT	"('audit_events_timeline', 'audit_events_untimed'," \
		" 'audit_events_cut', 'audit_events_refused')"

/* The secondary indexes of audit_events (their name, their SQL) where. */
#define INDEXES	"SELECT s.name, s.sql FROM pragma_index_list('audit_rows')" \
		" AS l JOIN sqlite_schema AS s ON s.name = l.name" \
		" WHERE l.\"unique\" = 0 AND l.origin = 'c'" \
		" AND s.sql IS NOT NULL AND "

/* Forget the deferred indexes (they were rebuilt, or rolled back). */
void
ks_store_defer_reset(struct ks_store *st)
{
	struct deferred *d = &st->defer;

	for (int i = 0; i < d->n; i++)
		sqlite3_free(d->sql[i]);
	free(d->sql);
	memset(d, 0, sizeof(*d));
	d->base = -1;
}

/*
 * Drop secondary indexes of audit_events (lists: the partial ones with IN
 * lists, else the others), keeping the SQL that makes them again in
 * st->defer.  Returns 0 or -1.
 */
static int
defer_indexes(struct ks_store *st, int lists, struct ks_err *err)
{
	struct deferred *d = &st->defer;
	sqlite3_stmt *q = NULL;
	char **names = NULL, **more, *drop;
	int rc, n = 0, first = d->n;

	if (sqlite3_prepare_v2(st->db, lists ? INDEXES "l.partial = 1 AND"
	    " s.sql LIKE '% IN (%' AND l.name NOT IN " KEPT : INDEXES
	    "l.partial = 0", -1, &q, NULL) !=
	    SQLITE_OK) {
		rc = ks_db_error(st->db, err, NULL);
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((more = realloc(names, (size_t)(n + 1) * sizeof(*more))) ==
		    NULL || (names = more, (more = realloc(d->sql,
		    (size_t)(first + n + 1) * sizeof(*more))) == NULL)) {
			rc = ks_err_set(err, "out of memory");
			goto out;
		}
		d->sql = more;
		names[n] = sqlite3_mprintf("%s", sqlite3_column_text(q, 0));
		d->sql[first + n] = sqlite3_mprintf("%s",
		    sqlite3_column_text(q, 1));
		d->n = first + ++n;
		if (names[n - 1] == NULL || d->sql[d->n - 1] == NULL) {
			rc = ks_err_set(err, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ks_db_error(st->db, err, NULL);
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	rc = 0;
	d->active = 1;
	for (int i = 0; i < n && rc == 0; i++) {
		if ((drop = sqlite3_mprintf("DROP INDEX \"%w\"", names[i])) ==
		    NULL)
			rc = ks_err_set(err, "out of memory");
		else if (sqlite3_exec(st->db, drop, NULL, NULL, NULL) !=
		    SQLITE_OK)
			rc = ks_db_error(st->db, err, NULL);
		sqlite3_free(drop);
	}
out:
	sqlite3_finalize(q);
	for (int i = 0; i < n; i++)
		sqlite3_free(names[i]);
	free(names);
	return rc;
}

/*
 * Statistics of audit_events for the query planner (sqlite_stat1), from a
 * sample of each index: without them it may scan a large index where a
 * small one (denials) answers.  Cheap, and done after large loads only.
 */
static int
analyze(struct ks_store *st, struct ks_err *err)
{
	if (sqlite3_exec(st->db, "PRAGMA analysis_limit = 400;"
	    " ANALYZE audit_rows", NULL, NULL, NULL) != SQLITE_OK)
		return ks_db_error(st->db, err, "statistics");
	return 0;
}

/*
 * The step after a large load: build again the indexes set aside by
 * defer_indexes, each from one sort of the table.  The sorter keeps as
 * much in memory as the page cache may hold: the cache is made small
 * meanwhile, so that memory does not depend on the size of the load.  With
 * a second worker, the sorter sorts in a thread beside the table's scan.
 */
#define SORT_CACHE	(-4096)		/* KiB */

int
ks_store_build_deferred(struct ks_store *st, struct ks_err *err)
{
	struct deferred *d = &st->defer;
	long long was;
	int rc = 0, cached;

	if (!d->active) {
		rc = ks_store_note_splits(st, err);
		/* Many rows but no rebuild: the statistics still help. */
		if (rc == 0 && d->added >= DEFER_MIN)
			rc = analyze(st, err);
		ks_store_defer_reset(st);
		return rc;
	}
	ks_fault(KS_FAULT_INDEX);
	cached = ks_db_cache_size(st->db, SORT_CACHE, &was) == 0;
	if (ks_limits_workers(&st->lim) > 1)
		sqlite3_exec(st->db, "PRAGMA threads = 1", NULL, NULL, NULL);
	for (int i = 0; i < d->n && rc == 0; i++)
		if (sqlite3_exec(st->db, d->sql[i], NULL, NULL, NULL) !=
		    SQLITE_OK)
			rc = ks_db_error(st->db, err, "building an index");
	if (cached)
		ks_db_cache_size(st->db, was, &was);
	sqlite3_exec(st->db, "PRAGMA threads = 0", NULL, NULL, NULL);
	if (rc == 0)
		rc = ks_store_note_splits(st, err);
	if (rc == 0 && d->added >= DEFER_MIN)	/* as without a rebuild */
		rc = analyze(st, err);
	ks_store_defer_reset(st);
	return rc;
}

/*
 * Have the kernel start writing to disk the pages SQLite has written to the
 * database file so far, without waiting.  A large member then does not
 * leave gigabytes for the fsync of its commit, and writes cost less.  Only
 * bytes SQLite has already written, after syncing its journal where that
 * is needed, are affected: the kernel may write them at any time anyway.
 */
void
ks_store_writeback(struct ks_store *st)
{
#ifdef SYNC_FILE_RANGE_WRITE
	const char *path;

	if (st->fd == -2) {
		path = sqlite3_db_filename(st->db, "main");
		st->fd = path != NULL && *path != '\0' ?
		    open(path, O_RDONLY | O_CLOEXEC) : -1;
	}
	if (st->fd >= 0)
		sync_file_range(st->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)st;
#endif
}

/*
 * How many rows audit_events held before this member, once per member;
 * and its latest time (store-recent.c).
 */
void
ks_store_note_base(struct ks_store *st)
{
	sqlite3_stmt *q = st->st[S_AUDIT_BASE];

	if (st->defer.base >= 0)
		return;
	st->defer.base = sqlite3_step(q) == SQLITE_ROW ?
	    sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	ks_recent_start(st);
}

/*
 * Count an event added by this member; set the indexes aside once the
 * member has added as many rows as the table held before it (and
 * DEFER_LISTS, DEFER_MIN).
 */
int
ks_store_count_added(struct ks_store *st, struct ks_err *err)
{
	struct deferred *d = &st->defer;

	uint64_t base = d->base > 0 ? (uint64_t)d->base : 0;

	++d->added;
	if (d->added == (base > DEFER_LISTS ? base : DEFER_LISTS) &&
	    !d->lists) {
		d->lists = 1;
		if (defer_indexes(st, 1, err) < 0)
			return -1;
	}
	if (d->added == (base > DEFER_MIN ? base : DEFER_MIN) && !d->whole) {
		d->whole = 1;
		return defer_indexes(st, 0, err);
	}
	return 0;
}

