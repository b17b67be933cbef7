/*
 * The whole import path on arbitrary bytes: ks_run_import (src/store/run.c)
 * on a file holding the input, through libarchive, every sniffer and the store, into
 * a fresh in-memory database.  The first byte names the file (names matter
 * to the sniffers and to compressed members); the rest is its content.
 * Checked afterwards, with SQL, as the README promises:
 *   - the walk succeeds (bad evidence is never an error of the import);
 *   - every source is complete and records = imported + duplicates +
 *     rejected, with one rejects row per rejected record and one stored
 *     row per imported record (version documents store none);
 *   - every audit event has its raw bytes;
 *   - importing the same file again adds nothing.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/db.h"
#include "store/rawfn.h"
#include "fuzz.h"
#include "store/import.h"
#include "store/store.h"
#include "store/run.h"

static const char *const names[] = {
	"audit.log", "kube-apiserver-audit.log.gz", "events.json",
	"clusterroles.json", "version.json", "bundle.tar.gz", "bundle.zip",
	"core_v1_nodes.json", "ClusterRoleBindings.json", "controller.log",
	"cluster-info.json", "data", "results.tar", "x.tar.xz", "y.bz2",
	"z.zst",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

/* Each value of a one-column query must be 0; the query's text says why. */
static const char *const checks[] = {
	"SELECT count(*) FROM sources WHERE complete != 1 OR format = 'pending'",
	"SELECT count(*) FROM sources WHERE records != imported + duplicates"
	    " + rejected",
	"SELECT count(*) FROM sources s WHERE rejected != (SELECT count(*)"
	    " FROM rejects r WHERE r.source_id = s.id)",
	"SELECT count(*) FROM sources s WHERE format != 'k8s-version' AND"
	    " imported != (SELECT count(*) FROM audit_events a WHERE"
	    " a.source_id = s.id) + (SELECT count(*) FROM objects o WHERE"
	    " o.source_id = s.id) + (SELECT count(*) FROM log_denials l WHERE"
	    " l.source_id = s.id) + (SELECT count(*) FROM cluster_events c"
	    " WHERE c.source_id = s.id)",
	"SELECT count(*) FROM audit_events a WHERE ks_raw(a.id) IS NULL"
	    " OR a.raw_len != length(CAST(ks_raw(a.id) AS BLOB))",
};

static long long
one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fuzz_fail("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static long long
rows(sqlite3 *db)
{
	return one(db, "SELECT (SELECT count(*) FROM sources) + (SELECT"
	    " count(*) FROM audit_events) + (SELECT count(*) FROM objects) +"
	    " (SELECT count(*) FROM rejects) + (SELECT count(*) FROM"
	    " log_denials) + (SELECT count(*) FROM snapshots)");
}

static char dir[PATH_MAX - 64], file[PATH_MAX];

static void
cleanup(void)
{
	if (file[0] != '\0')
		unlink(file);
	rmdir(dir);
}

/* Write the input to DIR/NAME; DIR is made once per process. */
static const char *
input_file(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/kubesift-fuzz.XXXXXX",
		    tmp ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL)
			fuzz_fail("mkdtemp %s", dir);
		atexit(cleanup);
	}
	if (file[0] != '\0')
		unlink(file);
	snprintf(file, sizeof(file), "%s/%s", dir, names[data[0] % NNAMES]);
	if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		fuzz_fail("open %s", file);
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		fuzz_fail("write %s", file);
	close(fd);
	return file;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_import imp = { .argv_json = "[\"fuzz\"]", .started_us = 1 };
	struct ks_err err;
	const char *path;
	sqlite3 *db;
	long long before;

	if (size < 1)
		return 0;
	path = input_file(data, size);
	/* As ks_db_open_rw, with SQLite's small default pages: faster. */
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    ks_raw_register(db, &err) < 0 ||
	    ks_db_apply_schema(db, &err) < 0)
		fuzz_fail("database: %s", err.msg);
	ks_limits_default(&imp.lim);
	imp.lim.max_expanded = 32 << 20;
	imp.lim.max_record = 1 << 20;
	imp.lim.max_members = 2000;
	imp.db = db;
	if ((imp.store = ks_store_new(db, &imp.lim, &err)) == NULL)
		fuzz_fail("store: %s", err.msg);
	ks_err_clear(&err);
	if (ks_run_import(&imp, path, &err) < 0 || ks_store_finish(imp.store,
	    &err) < 0)
		fuzz_fail("ks_run_import failed on evidence: %s", err.msg);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (one(db, checks[i]) != 0)
			fuzz_fail("%lld rows break: %s", one(db, checks[i]),
			    checks[i]);
	if (imp.total.records != imp.total.imported + imp.total.duplicates +
	    imp.total.rejected)
		fuzz_fail("run totals: records %llu != %llu + %llu + %llu",
		    (unsigned long long)imp.total.records,
		    (unsigned long long)imp.total.imported,
		    (unsigned long long)imp.total.duplicates,
		    (unsigned long long)imp.total.rejected);
	before = rows(db);
	if (ks_run_import(&imp, path, &err) < 0 || ks_store_finish(imp.store,
	    &err) < 0 || imp.skipped != 1 || rows(db) != before)
		fuzz_fail("importing the same file again changed the database");
	ks_store_free(imp.store);
	sqlite3_close(db);
	return 0;
}
