/*
 * The streamed timeline (timeline-stream.h).  SQLite could merge the two
 * streams and write the messages and times itself, but at several times
 * the cost of reading the rows: a sort for each run of equal times, and a
 * string built for each || of the message.  Here a run of requests with
 * one time is held (and sorted by source, line and message), the other
 * rows of that time go first ("request" sorts after every other kind),
 * and each message and time is written once into a buffer
 * (ks_sqltime_text).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/timeline-stream.h"
#include "store/db.h"
#include "store/sqltime.h"

/* The cells of one row, in the order of the rows format's columns. */
enum {
	C_TIME, C_KIND, C_ACTOR, C_VERB, C_GROUP, C_RESOURCE, C_SUB, C_NS,
	C_NAME, C_CODE, C_MESSAGE, C_SOURCE_ID, C_LINE, C_SOURCE, NCELL
};

/*
 * A row: its time, its cells and the bytes they point to when held (a
 * request waiting for the rest of its run), in buf.
 */
struct trow {
	int64_t		 time;
	struct ks_cell	 c[NCELL];
	char		 when[40];	/* the time as text */
	char		*buf;
	size_t		 cap;
};

/* A growing string (a request's message). */
struct sbuf {
	char		*p;
	size_t		 n, cap;
	int		 nomem;
};

/* The state of one run. */
struct stream {
	sqlite3		*db;
	struct ks_out	*out;
	sqlite3_stmt	*req, *other, *fmt;	/* fmt: a time SQLite writes */
	int		 sketch;
	struct trow	*run;		/* the requests of one time */
	size_t		 nrun, caprun;
	struct sbuf	 msg;
	struct ks_err	*err;
};

/* Columns of the requests' statement, then of the others'. */
enum { R_TIME, R_ACTOR, R_VERB, R_GROUP, R_RESOURCE, R_SUB, R_NS, R_NAME,
	R_CODE, R_SOURCE_ID, R_LINE, R_PATH, R_IMP, R_REFUSED, R_SOURCE };
static const char req_sql[] =
    "SELECT time, actor, verb, api_group, resource, subresource, namespace,"
    " name, code, source_id, line, path, impersonator, refused%s"
    " FROM timeline_requests WHERE time IS NOT NULL%s ORDER BY time";
static const char other_sql[] =
    "SELECT time, kind, actor, verb, api_group, resource, subresource,"
    " namespace, name, code, message, source_id, line%s"
    " FROM timeline_other WHERE time IS NOT NULL%s"
    " ORDER BY time, kind, source_id, line, message";
static const char source_col[] =
    ", (SELECT path FROM sources s WHERE s.id = source_id) AS source";

static const char *const row_names[] = {
	"time", "kind", "actor", "verb", "api_group", "resource",
	"subresource", "namespace", "name", "code", "message", "source_id",
	"line"
};
static const char *const sketch_names[] = {
	"message", "datetime", "timestamp", "timestamp_desc", "kind", "actor",
	"verb", "resource", "namespace", "name", "code", "source", "line"
};

/* Column i of st as a cell pointing into st (valid until its next step). */
static struct ks_cell
cell_of(sqlite3_stmt *st, int i)
{
	struct ks_cell c = { KS_CELL_NULL, 0, 0, NULL, 0, 0 };

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		break;
	case SQLITE_INTEGER:
		c.type = KS_CELL_INT;
		c.i = sqlite3_column_int64(st, i);
		break;
	case SQLITE_FLOAT:
		c.type = KS_CELL_REAL;
		c.r = sqlite3_column_double(st, i);
		break;
	default:
		c.type = KS_CELL_TEXT;
		c.s = (const char *)sqlite3_column_text(st, i);
		c.len = (size_t)sqlite3_column_bytes(st, i);
		if (c.s == NULL)
			c.s = "";
		break;
	}
	return c;
}

/* The time cell of r from column 0 of st (its time). */
static int
time_cell(struct stream *s, sqlite3_stmt *st, struct trow *r)
{
	int n;

	r->time = sqlite3_column_int64(st, 0);
	r->c[C_TIME] = ks_cell_text(NULL);
	if (sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
	    (n = ks_sqltime_text(r->time, r->when)) > 0) {
		r->c[C_TIME] = (struct ks_cell){ KS_CELL_TEXT, 0, 0, r->when,
		    (size_t)n, 0 };
		return 0;
	}
	if (s->fmt == NULL && ks_db_prepare(s->db, "SELECT "
	    KS_SQL_TIME("?1"), &s->fmt, s->err) < 0)
		return -1;
	sqlite3_bind_value(s->fmt, 1, sqlite3_column_value(st, 0));
	if (sqlite3_step(s->fmt) == SQLITE_ROW &&
	    sqlite3_column_type(s->fmt, 0) == SQLITE_TEXT) {
		snprintf(r->when, sizeof(r->when), "%s",
		    (const char *)sqlite3_column_text(s->fmt, 0));
		r->c[C_TIME] = ks_cell_text(r->when);
	}
	sqlite3_reset(s->fmt);
	return 0;
}

static void
put(struct sbuf *b, const char *p, size_t n)
{
	char *q;
	size_t cap;

	if (b->n + n > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->n + n)
			cap *= 2;
		if ((q = realloc(b->p, cap)) == NULL) {
			b->nomem = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* Column i of st as SQL's || reads it; 0 for NULL. */
static int
put_col(struct sbuf *b, sqlite3_stmt *st, int i)
{
	const char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	t = (const char *)sqlite3_column_text(st, i);
	put(b, t ? t : "", (size_t)sqlite3_column_bytes(st, i));
	return 1;
}

static void
put_str(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static int
null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

/*
 * A request's message, as timeline_requests writes it: actor, verb, the
 * resource (or path), the code, refused, the impersonator.
 */
static void
message(struct sbuf *b, sqlite3_stmt *st)
{
	const char *g;

	b->n = 0;
	if (!put_col(b, st, R_ACTOR))
		put_str(b, "?");
	put_str(b, " ");
	if (!put_col(b, st, R_VERB))
		put_str(b, "?");
	put_str(b, " ");
	if (!null(st, R_RESOURCE)) {
		put_col(b, st, R_RESOURCE);
		g = (const char *)sqlite3_column_text(st, R_GROUP);
		if (g != NULL && sqlite3_column_bytes(st, R_GROUP) > 0) {
			put_str(b, ".");
			put_col(b, st, R_GROUP);
		}
		if (!null(st, R_SUB))
			put_str(b, "/");
		put_col(b, st, R_SUB);
		if (!null(st, R_NAME))
			put_str(b, " ");
		put_col(b, st, R_NAME);
		if (!null(st, R_NS))
			put_str(b, " -n ");
		put_col(b, st, R_NS);
	} else {
		put_col(b, st, R_PATH);
	}
	if (!null(st, R_CODE))
		put_str(b, " -> ");
	put_col(b, st, R_CODE);
	if (sqlite3_column_int64(st, R_REFUSED) != 0)
		put_str(b, " (denied)");
	if (!null(st, R_IMP)) {
		put_str(b, " (impersonated by ");
		put_col(b, st, R_IMP);
		put_str(b, ")");
	}
}

/* Make r's text cells point into r->buf, a copy.  0 or -1. */
static int
hold(struct trow *r)
{
	size_t need = 0, k = 0;
	char *p;

	for (int i = C_KIND; i < NCELL; i++)
		if (r->c[i].type == KS_CELL_TEXT)
			need += r->c[i].len + 1;
	if (need > r->cap) {
		if ((p = realloc(r->buf, need)) == NULL)
			return -1;
		r->buf = p;
		r->cap = need;
	}
	for (int i = C_KIND; i < NCELL; i++) {
		if (r->c[i].type != KS_CELL_TEXT)
			continue;
		memcpy(r->buf + k, r->c[i].s, r->c[i].len);
		r->buf[k + r->c[i].len] = '\0';
		r->c[i].s = r->buf + k;
		k += r->c[i].len + 1;
	}
	if (r->c[C_TIME].type == KS_CELL_TEXT)
		r->c[C_TIME].s = r->when;
	return 0;
}

/* The current request of s->req, held as r.  0 or -1. */
static int
read_request(struct stream *s, struct trow *r)
{
	sqlite3_stmt *st = s->req;
	static const int from[] = { -1, -1, R_ACTOR, R_VERB, R_GROUP,
	    R_RESOURCE, R_SUB, R_NS, R_NAME, R_CODE, -1, R_SOURCE_ID, R_LINE,
	    R_SOURCE };

	if (time_cell(s, st, r) < 0)
		return -1;
	for (int i = C_KIND; i < NCELL; i++)
		if (from[i] >= 0)
			r->c[i] = i != C_SOURCE || s->sketch ?
			    cell_of(st, from[i]) : ks_cell_text(NULL);
	r->c[C_KIND] = ks_cell_text("request");
	message(&s->msg, st);
	if (s->msg.nomem)
		return ks_err_set(s->err, "out of memory");
	r->c[C_MESSAGE] = (struct ks_cell){ KS_CELL_TEXT, 0, 0, s->msg.p,
	    s->msg.n, 0 };
	if (hold(r) < 0)
		return ks_err_set(s->err, "out of memory");
	return 0;
}

/* The current row of s->other as r (pointing into the statement). */
static int
read_other(struct stream *s, struct trow *r)
{
	sqlite3_stmt *st = s->other;

	if (time_cell(s, st, r) < 0)
		return -1;
	for (int i = C_KIND; i <= C_LINE; i++)
		r->c[i] = cell_of(st, i);
	if (s->sketch)
		r->c[C_SOURCE] = cell_of(st, C_SOURCE);
	return 0;
}

/* Timesketch's description of a kind's time. */
static const char *
sketch_desc(const struct ks_cell *kind)
{
	static const char *const desc[][2] = {
		{ "request", "Request received" }, { "log-denial", "Logged" },
		{ "k8s-event", "Event time" }, { "created", "Creation time" },
	};

	for (size_t i = 0; i < sizeof(desc) / sizeof(desc[0]); i++)
		if (kind->type == KS_CELL_TEXT && kind->len ==
		    strlen(desc[i][0]) && memcmp(kind->s, desc[i][0],
		    kind->len) == 0)
			return desc[i][1];
	return "Operation time";
}

/* Print r.  0, or -1 (the formatter says why). */
static int
emit(struct stream *s, const struct trow *r)
{
	struct ks_cell c[NCELL];

	if (!s->sketch)
		return ks_out_row(s->out, r->c);
	c[0] = r->c[C_MESSAGE];
	c[1] = r->c[C_TIME];
	c[2] = ks_cell_int(r->time);
	c[3] = ks_cell_text(sketch_desc(&r->c[C_KIND]));
	c[4] = r->c[C_KIND];
	c[5] = r->c[C_ACTOR];
	c[6] = r->c[C_VERB];
	c[7] = r->c[C_RESOURCE];
	c[8] = r->c[C_NS];
	c[9] = r->c[C_NAME];
	c[10] = r->c[C_CODE];
	c[11] = r->c[C_SOURCE];
	c[12] = r->c[C_LINE];
	return ks_out_row(s->out, c);
}

/* SQLite's order of two values: NULL, numbers, text (bytes), blobs. */
static int
cmp_cell(const struct ks_cell *a, const struct ks_cell *b)
{
	double x, y;
	size_t n;
	int d;

	if (a->type != b->type && (a->type == KS_CELL_NULL ||
	    b->type == KS_CELL_NULL || a->type == KS_CELL_TEXT ||
	    b->type == KS_CELL_TEXT))
		return a->type == KS_CELL_NULL || b->type == KS_CELL_TEXT ?
		    -1 : 1;
	switch (a->type) {
	case KS_CELL_NULL:
		return 0;
	case KS_CELL_TEXT:
		n = a->len < b->len ? a->len : b->len;
		if ((d = memcmp(a->s, b->s, n)) != 0)
			return d;
		return (a->len > b->len) - (a->len < b->len);
	}
	if (a->type == KS_CELL_INT && b->type == KS_CELL_INT)
		return (a->i > b->i) - (a->i < b->i);
	x = a->type == KS_CELL_INT ? (double)a->i : a->r;
	y = b->type == KS_CELL_INT ? (double)b->i : b->r;
	return (x > y) - (x < y);
}

/* Requests of one time by source, line, message. */
static int
cmp_run(const void *pa, const void *pb)
{
	const struct trow *a = pa, *b = pb;
	static const int key[] = { C_SOURCE_ID, C_LINE, C_MESSAGE };
	int d = 0;

	for (size_t i = 0; d == 0 && i < sizeof(key) / sizeof(key[0]); i++)
		d = cmp_cell(&a->c[key[i]], &b->c[key[i]]);
	return d;
}

/* Step st: 1 a row, 0 done, -1 an error (in s->err). */
static int
step(struct stream *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return ks_db_error(s->db, s->err, NULL);
}

/*
 * Hold the requests of the time of the current one (*more: whether
 * s->req has a row after them), sorted.  0 or -1.
 */
static int
read_run(struct stream *s, int *more)
{
	struct trow *r;
	int64_t t = sqlite3_column_int64(s->req, 0);

	s->nrun = 0;
	do {
		if (s->nrun == s->caprun) {
			size_t cap = s->caprun ? 2 * s->caprun : 16;
			if ((r = realloc(s->run, cap * sizeof(*r))) == NULL)
				return ks_err_set(s->err, "out of memory");
			memset(r + s->caprun, 0, (cap - s->caprun) *
			    sizeof(*r));
			s->run = r;
			s->caprun = cap;
		}
		if (read_request(s, &s->run[s->nrun]) < 0)
			return -1;
		s->nrun++;
	} while ((*more = step(s, s->req)) == 1 &&
	    sqlite3_column_int64(s->req, 0) == t);
	if (*more < 0)
		return -1;
	qsort(s->run, s->nrun, sizeof(*s->run), cmp_run);
	for (size_t i = 0; i < s->nrun; i++)
		if (s->run[i].c[C_TIME].type == KS_CELL_TEXT)
			s->run[i].c[C_TIME].s = s->run[i].when;
	return 0;
}

/*
 * Print the other rows before time t or at t but of a kind before
 * "request" (all but none: t is INT64_MAX).  *more: whether s->other has a
 * row left.  0 or -1.
 */
static int
others_before(struct stream *s, int64_t t, int all, int *more)
{
	static const struct ks_cell req = { KS_CELL_TEXT, 0, 0, "request",
	    7, 0 };
	struct ks_cell kind;
	struct trow r;
	int64_t ot;

	while (*more == 1) {
		ot = sqlite3_column_int64(s->other, 0);
		kind = cell_of(s->other, 1);
		if (!all && (ot > t || (ot == t && cmp_cell(&kind, &req) > 0)))
			return 0;
		if (read_other(s, &r) < 0 || emit(s, &r) < 0)
			return -1;
		*more = step(s, s->other);
	}
	return *more < 0 ? -1 : 0;
}

/* Merge the two statements into s->out.  0 or -1. */
static int
merge(struct stream *s)
{
	int rmore, omore;

	if ((rmore = step(s, s->req)) < 0 || (omore = step(s, s->other)) < 0)
		return -1;
	while (rmore == 1) {
		int64_t t = sqlite3_column_int64(s->req, 0);
		if (read_run(s, &rmore) < 0 ||
		    others_before(s, t, 0, &omore) < 0)
			return -1;
		for (size_t i = 0; i < s->nrun; i++)
			if (emit(s, &s->run[i]) < 0)
				return -1;
	}
	return others_before(s, 0, 1, &omore);
}

/* Prepare "sql" with its two %s, bind kind and the filter.  0 or -1. */
static int
prepare(struct stream *s, const char *sql, const char *cond,
    const struct ks_filter *f, const char *kind, sqlite3_stmt **st)
{
	char *q;
	int rc;

	if ((q = sqlite3_mprintf(sql, s->sketch ? source_col : "", cond)) ==
	    NULL)
		return ks_err_set(s->err, "out of memory");
	rc = ks_db_prepare(s->db, q, st, s->err);
	sqlite3_free(q);
	if (rc < 0)
		return -1;
	if (kind != NULL)
		sqlite3_bind_text(*st, 2, kind, -1, SQLITE_STATIC);
	ks_filter_bind(f, *st);
	return 0;
}

int
ks_timeline_stream(sqlite3 *db, struct ks_out *out,
    const struct ks_filter *f, const char *kind, const char *cond,
    int timesketch, struct ks_err *err)
{
	struct stream s = { db, out, NULL, NULL, NULL, timesketch, NULL, 0,
	    0, { NULL, 0, 0, 0 }, err };
	char rcond[16384];
	int rc = -1;

	snprintf(rcond, sizeof(rcond), "%s", cond);
	if (ks_filter_request_ids(f, rcond, sizeof(rcond)) < 0) {
		ks_err_set(err, "too many filters");
		goto out;
	}
	if (prepare(&s, req_sql, rcond, f, kind, &s.req) < 0 ||
	    prepare(&s, other_sql, cond, f, kind, &s.other) < 0)
		goto out;
	ks_err_clear(err);
	ks_out_begin(out, NCELL - 1, timesketch ? sketch_names : row_names);
	if (merge(&s) < 0 && err->msg[0] != '\0') {
		/* Not the formatter's: a half-printed result must not look
		   whole. */
		ks_out_discard(out);
		goto out;
	}
	rc = ks_out_end(out, err);
out:
	sqlite3_finalize(s.req);
	sqlite3_finalize(s.other);
	sqlite3_finalize(s.fmt);
	for (size_t i = 0; i < s.caprun; i++)
		free(s.run[i].buf);
	free(s.run);
	free(s.msg.p);
	return rc;
}
