/*
 * kubesift import PATH...: read evidence into the database.  Bad evidence
 * is not an error: it is counted, stored as rejects, and reported.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "cli/progress.h"
#include "store/db.h"
#include "store/import.h"
#include "store/rollup.h"
#include "formats/pipeline.h"
#include "store/store.h"
#include "out/textesc.h"
#include "util/utf8.h"
#include "store/run.h"

enum {
	O_MAX_EXPANDED = 256, O_MAX_RATIO, O_MAX_NESTING, O_MAX_RECORD,
	O_MAX_DEPTH, O_MAX_MEMBERS, O_NO_RAW, O_WORKERS
};

static const struct ks_opt opts[] = {
	{ "max-expanded", O_MAX_EXPANDED, "SIZE",
	    "bytes read per input, all members (default 64G)" },
	{ "max-ratio", O_MAX_RATIO, "N",
	    "decompressed:compressed ratio allowed (default 1000)" },
	{ "max-nesting", O_MAX_NESTING, "N",
	    "archives inside archives (default 4)" },
	{ "max-record", O_MAX_RECORD, "SIZE",
	    "bytes in one JSON record (default 64M)" },
	{ "max-depth", O_MAX_DEPTH, "N",
	    "nesting inside one JSON record (default 512)" },
	{ "max-members", O_MAX_MEMBERS, "N",
	    "members per input, all archives in it (default 100000)" },
	{ "no-raw", O_NO_RAW, NULL,
	    "keep the columns of audit events, not their raw JSON" },
	{ "workers", O_WORKERS, "N",
	    "1: one thread; 2: read and parse beside the writer (default "
	    "with 2 CPUs)" },
	{ NULL, 0, NULL, NULL }
};

/* One run's options and progress (ctx->state, the callbacks' cb_arg). */
struct import_state {
	struct ks_limits limits;	/* --max-* */
	struct ks_progress prog;	/* the progress line (progress.h) */
};

static void
init(void *state)
{
	struct import_state *is = state;

	ks_limits_default(&is->limits);
}

static int
option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct ks_limits *limits = &((struct import_state *)ctx->state)->limits;
	unsigned long long v;

	if (key == O_NO_RAW) {
		limits->keep_raw = 0;
		return 0;
	}
	if (ks_cmd_parse_size(arg, &v) < 0 || v == 0) {
		ks_cmd_error("import: not a positive size or count: %s", arg);
		return -1;
	}
	switch (key) {
	case O_MAX_EXPANDED: limits->max_expanded = v; break;
	case O_MAX_RATIO: limits->max_ratio = v; break;
	case O_MAX_NESTING: limits->max_nesting = v > 64 ? 64 : (int)v; break;
	case O_MAX_RECORD: limits->max_record = (size_t)v; break;
	case O_MAX_DEPTH:
		limits->max_json_depth = v > 100000 ? 100000 : (int)v;
		break;
	case O_MAX_MEMBERS: limits->max_members = v; break;
	case O_WORKERS: limits->workers = v > 2 ? 2 : (int)v; break;
	}
	return 0;
}

static void
warn(void *arg, const char *msg)
{
	struct import_state *is = arg;

	/* Clear the progress line first; evidence names are escaped. */
	ks_progress_hold(&is->prog);
	fprintf(stderr, "kubesift: warning: ");
	ks_textesc_fputs(stderr, msg, strlen(msg), 0);
	fputc('\n', stderr);
	ks_progress_release(&is->prog);
}

static int64_t
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* A member done: the counts after the bytes of the progress line. */
static void
progress(void *arg, const struct ks_import *imp)
{
	struct import_state *is = arg;

	ks_progress_tail(&is->prog, "%llu %s, %llu %s",
	    (unsigned long long)imp->sources, ks_cmd_plural(imp->sources,
	    "source", "sources"), (unsigned long long)imp->total.records,
	    ks_cmd_plural(imp->total.records, "record", "records"));
}

/* Bytes read: the line redrawn (progress.h keeps the pace). */
static void
reading(void *arg, const char *path, int hashing, uint64_t done,
    uint64_t size)
{
	struct import_state *is = arg;

	ks_progress_bytes(&is->prog, path, hashing, done, size);
}

/* SQLite's progress handler while the import finishes; never stops it. */
static int
finishing(void *arg)
{
	struct import_state *is = arg;

	ks_progress_working(&is->prog, "import");
	return 0;
}

static char *
argv_json(struct ks_ctx *ctx)
{
	json_t *a = json_array();
	char *s;

	for (int i = 0; i < ctx->full_argc; i++) {
		/* Arguments need not be UTF-8: keep them, escaped. */
		char *e = ks_utf8_escape(ctx->full_argv[i],
		    strlen(ctx->full_argv[i]));
		json_array_append_new(a, json_string(e ? e : "?"));
		free(e);
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* "imported 1 source: 3 records, ..." on stdout. */
static void
summary(const struct ks_import *imp)
{
	unsigned long long n[] = { imp->sources, imp->total.records,
	    imp->total.imported, imp->total.duplicates, imp->total.rejected,
	    imp->unrecognised, imp->skipped };

	printf("imported %llu %s: %llu %s, %llu new, %llu %s, %llu rejected; "
	    "%llu unrecognised %s", n[0], ks_cmd_plural(n[0], "source",
	    "sources"), n[1], ks_cmd_plural(n[1], "record", "records"), n[2],
	    n[3], ks_cmd_plural(n[3], "duplicate", "duplicates"), n[4], n[5],
	    ks_cmd_plural(n[5], "member", "members"));
	if (n[6] > 0)
		printf("; %llu %s already imported, skipped", n[6],
		    ks_cmd_plural(n[6], "input", "inputs"));
	printf("\n");
}

/*
 * Every operand must be there and readable before the database is opened
 * or made: a failed import leaves an existing database byte-identical and
 * makes none.  Returns 0, or -1 after saying which operand and why.
 */
static int
check_operands(struct ks_ctx *ctx)
{
	struct stat sb;
	DIR *d;
	int fd, bad = 0;

	for (int i = 0; i < ctx->argc; i++) {
		const char *p = ctx->argv[i];
		if (strcmp(p, "-") == 0)
			continue;
		if (stat(p, &sb) < 0)
			;
		else if (S_ISDIR(sb.st_mode) && (d = opendir(p)) != NULL) {
			closedir(d);
			continue;
		} else if (S_ISREG(sb.st_mode) &&
		    (fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
			close(fd);
			continue;
		} else if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
			errno = EINVAL;
		ks_cmd_error("import: %s: %s", p, errno == EINVAL ?
		    "not a file or a folder" : strerror(errno));
		bad = 1;
	}
	if (bad)
		ks_cmd_error("import: nothing imported, %s left as it was",
		    ctx->db_path);
	return bad ? -1 : 0;
}

static int
exec_import(struct ks_ctx *ctx)
{
	struct import_state *is = ctx->state;
	struct ks_import imp = { .warn = warn };
	struct ks_err err;
	int rc = KS_EXIT_OK;

	ks_err_clear(&err);
	if (check_operands(ctx) < 0)
		return KS_EXIT_ERROR;
	if (ks_db_open_rw(ctx->db_path, &ctx->db, &err) < 0) {
		ks_cmd_error("import: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	imp.db = ctx->db;
	imp.lim = is->limits;
	imp.started_us = now_us();
	imp.argv_json = argv_json(ctx);
	imp.cb_arg = is;
	ks_progress_init(&is->prog, ks_progress_wanted(ctx->quiet));
	if (is->prog.on) {
		imp.progress = progress;
		imp.reading = reading;
	}
	if ((imp.rollup = ks_rollup_new()) == NULL ||
	    (imp.store = ks_store_new(ctx->db, &is->limits, &err)) == NULL) {
		ks_cmd_error("import: %s", err.msg);
		ks_progress_fini(&is->prog);
		free(imp.argv_json);
		return KS_EXIT_ERROR;
	}
	for (int i = 0; i < ctx->argc; i++) {
		ks_err_clear(&err);
		if (ks_run_import(&imp, ctx->argv[i], &err) < 0) {
			ks_progress_hold(&is->prog);
			ks_cmd_error("import: %s", err.msg);
			ks_progress_release(&is->prog);
			rc = KS_EXIT_ERROR;
			if (sqlite3_errcode(ctx->db) != SQLITE_OK &&
			    sqlite3_errcode(ctx->db) != SQLITE_DONE &&
			    sqlite3_errcode(ctx->db) != SQLITE_ROW)
				break;	/* the database failed: stop */
		}
	}
	/* Indexes built after a large load: "working" while it lasts. */
	if (is->prog.on)
		sqlite3_progress_handler(ctx->db, 100000, finishing, is);
	if (ks_store_finish(imp.store, &err) < 0) {
		ks_progress_hold(&is->prog);
		ks_cmd_error("import: %s", err.msg);
		ks_progress_release(&is->prog);
		rc = KS_EXIT_ERROR;
	} else	/* If not, detect reads the view: the same rows. */
		(void)ks_rollup_save_detections(ctx->db, &err);
	sqlite3_progress_handler(ctx->db, 0, NULL, NULL);
	ks_progress_fini(&is->prog);
	if (!ctx->quiet)
		summary(&imp);
	ks_store_free(imp.store);
	ks_rollup_free(imp.rollup);
	free(imp.argv_json);
	return rc;
}

const struct ks_cmd ks_cmd_import = {
	.name = "import",
	.summary = "read evidence (files, folders, archives, - for stdin) "
	    "into the database",
	.usage = "[options] PATH...",
	.opts = opts,
	.min_args = 1, .max_args = -1,
	/* Opens the database itself, once its operands are checked. */
	.flags = 0,
	.state_size = sizeof(struct import_state),
	.init = init,
	.option = option,
	.exec = exec_import,
};
