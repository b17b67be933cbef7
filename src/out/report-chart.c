/*
 * The report's timeline (report-chart.h): denials per time bucket, one
 * line (an SVG polyline of class "series") per denied actor, on a time
 * axis with ticks in UTC, the bucket size and the y axis named, and the
 * RBAC changes (dashed lines, class "mark-rbac") and detections
 * (triangles, class "mark-finding") marked where they happened.  Inline
 * SVG, no script, no network.  In Markdown: a table of the buckets that
 * hold something.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out/report-chart.h"
#include "out/report-axis.h"
#include "util/jutil.h"
#include "util/timeutil.h"

#define MAXS	64		/* series (actors) drawn */
#define MAXM	500		/* marks of each kind */

struct series {
	char	*actor;
	long	 n[KS_AXIS_MAXB];
};

struct mark {
	long long	 t;
	char		*title;
	const char	*color;
};

struct chart {
	struct ks_axis	 ax;
	struct series	 s[MAXS];
	int		 ns;
	long		 ymax;
	struct mark	 rbac[MAXM], det[MAXM];
	int		 nrbac, ndet;
};

static const char *const colors[] = { "#d62728", "#1f77b4", "#2ca02c",
    "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf" };

/* The RBAC writes of the audit log in f's time window, as marks. */
static int
load_rbac(sqlite3 *db, const struct ks_filter *f, struct chart *c)
{
	sqlite3_stmt *st;
	char *t;

	if (sqlite3_prepare_v2(db, "SELECT time, time_utc || ' ' ||"
	    " coalesce(actor, '?') || ' ' || coalesce(verb, '?') || ' ' ||"
	    " coalesce(resource, '?') || '/' || coalesce(name, '?') ||"
	    " coalesce(' (code ' || code || ')', '') ||"
	    " coalesce(', audit ID ' || audit_id, '') FROM rbac_changes"
	    " WHERE time IS NOT NULL AND time >= ?1 AND time <= ?2"
	    " ORDER BY time LIMIT 500", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, f->since_us == KS_TIME_NONE ? INT64_MIN :
	    f->since_us);
	sqlite3_bind_int64(st, 2, f->until_us == KS_TIME_NONE ? INT64_MAX :
	    f->until_us);
	while (sqlite3_step(st) == SQLITE_ROW && c->nrbac < MAXM) {
		t = (char *)sqlite3_column_text(st, 1);
		c->rbac[c->nrbac].t = sqlite3_column_int64(st, 0);
		c->rbac[c->nrbac].color = "#1f4fa0";
		c->rbac[c->nrbac++].title = strdup(t ? t : "");
	}
	sqlite3_finalize(st);
	return 0;
}

/* The findings with a time, as marks in their severity's color. */
static void
load_findings(json_t *findings, struct chart *c)
{
	json_t *f;
	size_t i;
	char title[1024];

	json_array_foreach(findings, i, f) {
		json_t *t = json_object_get(f, "first_us");
		const char *sev = ks_json_str(f, "severity");
		if (!json_is_integer(t) || c->ndet == MAXM)
			continue;
		snprintf(title, sizeof(title), "%s %s: %s", sev,
		    ks_json_str(f, "rule"), ks_json_str(f, "summary"));
		c->det[c->ndet].t = json_integer_value(t);
		c->det[c->ndet].color = strcmp(sev, "critical") == 0 ?
		    "#b00" : strcmp(sev, "high") == 0 ? "#e60" :
		    strcmp(sev, "medium") == 0 ? "#cb0" : "#69c";
		c->det[c->ndet++].title = strdup(title);
	}
}

/*
 * The rows of denials the chart counts, with the columns a filter names,
 * read from denial_requests and its groups (and the plain logs'), not
 * from each refused event as the view's other columns are.
 */
#define REFUSALS "(SELECT g.actor, g.verb, g.api_group, g.resource," \
	" g.subresource, g.namespace, r.time, g.decision FROM denial_requests" \
	" r JOIN rollup_groups g ON g.id = r.gid UNION ALL SELECT actor," \
	" verb, api_group, resource, subresource, namespace, time, 'forbid'" \
	" FROM log_denials_only)"

/*
 * Without a filter, the first and last time of the refused requests
 * through the index by time (the first and last whose group there is, as
 * REFUSALS joins them), not every refusal read.
 */
#define EDGE(dir) "(SELECT r.time FROM denial_requests r" \
	" INDEXED BY denial_requests_time WHERE r.time IS NOT NULL AND" \
	" EXISTS (SELECT 1 FROM rollup_groups g WHERE g.id = r.gid)" \
	" ORDER BY r.time " dir " LIMIT 1)"
#define SPAN_ALL "SELECT min(time), max(time) FROM (SELECT " EDGE("ASC") \
	" AS time UNION ALL SELECT " EDGE("DESC") " UNION ALL SELECT time" \
	" FROM log_denials_only) WHERE time IS NOT NULL"

/* The first and last time of the denials f selects (0: none). */
static int
denial_span(sqlite3 *db, const struct ks_filter *f, long long *a,
    long long *b)
{
	char q[8192];
	sqlite3_stmt *st;
	int n = 0;

	snprintf(q, sizeof(q), "%s", ks_filter_empty(f) ? SPAN_ALL :
	    "SELECT min(time), max(time) FROM " REFUSALS
	    " WHERE time IS NOT NULL");
	if (ks_filter_sql(f, q, sizeof(q), "time", "decision") < 0 ||
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	ks_filter_bind(f, st);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) !=
	    SQLITE_NULL) {
		*a = sqlite3_column_int64(st, 0);
		*b = sqlite3_column_int64(st, 1);
		n = 1;
	}
	sqlite3_finalize(st);
	return n;
}

/*
 * Without a filter, the denials of the first MAXS actors only (those the
 * chart draws, in the order of their names): the actors of the groups
 * that hold a timed denial (rollup_groups by actor, each group probed in
 * denial_requests, up to the first MAXS: the scan stops there) and of
 * the plain logs', then their refusals alone, by group.
 */
#define XSTR(x)	#x
#define STR(x)	XSTR(x)
#define SERIES_ALL "WITH top AS MATERIALIZED (SELECT actor FROM (" \
	"SELECT * FROM (SELECT DISTINCT g.actor FROM rollup_groups g" \
	" WHERE g.actor IS NOT NULL AND EXISTS (SELECT 1 FROM" \
	" denial_requests r WHERE r.gid = g.id AND r.time IS NOT NULL)" \
	" ORDER BY g.actor LIMIT " STR(MAXS) ")" \
	" UNION SELECT actor FROM log_denials_only" \
	" WHERE time IS NOT NULL AND actor IS NOT NULL) ORDER BY actor" \
	" LIMIT " STR(MAXS) ") SELECT actor, (time - ?1) / ?2, count(*)" \
	" FROM (SELECT g.actor, r.time FROM rollup_groups g" \
	" JOIN denial_requests r ON r.gid = g.id WHERE g.actor IN top" \
	" UNION ALL SELECT actor, time FROM log_denials_only" \
	" WHERE actor IN top) WHERE time IS NOT NULL AND actor IS NOT NULL" \
	" GROUP BY actor, 2 ORDER BY actor"

/* Count the denials f selects per actor and bucket (of the first MAXS
   actors: the rows are read in the order of their names). */
static int
load_series(sqlite3 *db, const struct ks_filter *f, struct chart *c)
{
	char q[8192];
	sqlite3_stmt *st;

	snprintf(q, sizeof(q), "SELECT actor, (time - ?1) / ?2, count(*)"
	    " FROM " REFUSALS " WHERE time IS NOT NULL AND actor IS NOT NULL");
	if (ks_filter_sql(f, q, sizeof(q), "time", "decision") < 0)
		return -1;
	strncat(q, " GROUP BY actor, 2 ORDER BY actor", sizeof(q) -
	    strlen(q) - 1);
	if (ks_filter_empty(f))
		snprintf(q, sizeof(q), "%s", SERIES_ALL);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	ks_filter_bind(f, st);
	sqlite3_bind_int64(st, 1, c->ax.t0);
	sqlite3_bind_int64(st, 2, c->ax.bucket);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		long b = (long)sqlite3_column_int64(st, 1);
		struct series *s = c->ns > 0 ? &c->s[c->ns - 1] : NULL;
		if (s == NULL || strcmp(s->actor, a) != 0) {
			if (c->ns == MAXS)
				break;
			s = &c->s[c->ns++];
			s->actor = strdup(a);
			memset(s->n, 0, sizeof(s->n));
		}
		if (b >= 0 && b < c->ax.nb) {
			s->n[b] += (long)sqlite3_column_int64(st, 2);
			if (s->n[b] > c->ymax)
				c->ymax = s->n[b];
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* Everything the chart shows; 0 when there is nothing timed, -1. */
static int
load(sqlite3 *db, const struct ks_filter *f, json_t *findings,
    struct chart *c)
{
	long long a = 0, b = 0;
	int i, n;

	if ((n = denial_span(db, f, &a, &b)) < 0 || load_rbac(db, f, c) < 0)
		return -1;
	load_findings(findings, c);
	for (i = 0; i < c->nrbac + c->ndet; i++) {
		long long t = i < c->nrbac ? c->rbac[i].t :
		    c->det[i - c->nrbac].t;
		a = n == 0 || t < a ? t : a;
		b = n == 0 || t > b ? t : b;
		n = 1;
	}
	if (n == 0)
		return 0;
	ks_axis_init(&c->ax, a, b);
	return load_series(db, f, c) < 0 ? -1 : 1;
}

static void
free_chart(struct chart *c)
{
	for (int i = 0; i < c->ns; i++)
		free(c->s[i].actor);
	for (int i = 0; i < c->nrbac; i++)
		free(c->rbac[i].title);
	for (int i = 0; i < c->ndet; i++)
		free(c->det[i].title);
}

/* The marks of kind (rbac or detection) in the bucket b. */
static int
marks_in(const struct chart *c, const struct mark *m, int n, int b)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += ks_axis_bucket(&c->ax, m[i].t) == b;
	return k;
}

/* Markdown: one row per bucket that holds a denial or a mark. */
static void
table_md(struct ks_doc *d, const struct chart *c)
{
	char when[64];

	fprintf(d->fp, "Denials per bucket of %s (UTC), with the RBAC changes "
	    "and the findings in each:\n\n| bucket start | denials | RBAC "
	    "changes | findings |\n|---|---|---|---|\n",
	    ks_axis_bucket_name(&c->ax));
	for (int b = 0; b < c->ax.nb; b++) {
		long n = 0;
		int r = marks_in(c, c->rbac, c->nrbac, b),
		    k = marks_in(c, c->det, c->ndet, b);
		for (int i = 0; i < c->ns; i++)
			n += c->s[i].n[b];
		if (n == 0 && r == 0 && k == 0)
			continue;
		ks_axis_time(c->ax.t0 + b * c->ax.bucket, KS_AXIS_RFC3339,
		    when, sizeof(when));
		fprintf(d->fp, "| %s | %ld | %d | %d |\n", when, n, r, k);
	}
	fputs("\n", d->fp);
}

#define VW	1000		/* the drawing's width, scaled to the page */
#define PX0	70		/* the plot's left, right, top, bottom */
#define PX1	980
#define PY0	34
#define PY1	250
#define LEG	318		/* the legend's first line */

/* m rounded up to 1, 2 or 5 times a power of ten. */
static long
nice_max(long m)
{
	for (long p = 1;; p *= 10)
		if (m <= 5 * p)
			return m <= p ? p : m <= 2 * p ? 2 * p : 5 * p;
}

static int
x_of(const struct chart *c, long long t)
{
	return PX0 + (int)((double)(t - c->ax.t0) * (PX1 - PX0) /
	    ((double)c->ax.bucket * c->ax.nb));
}

static int
y_of(long n, long ymax)
{
	return PY1 - (int)(n * (PY1 - PY0) / ymax);
}

/* The axes: y gridlines and its name, x ticks, labels and its name. */
static void
svg_axes(struct ks_doc *d, const struct chart *c, long ymax)
{
	long long span = c->ax.bucket * c->ax.nb, t;
	char lab[64];

	for (int k = 0; k <= 2; k++)
		fprintf(d->fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#ddd\"/><text x=\"%d\" y=\"%d\" text-anchor="
		    "\"end\" font-size=\"12\">%ld</text>\n", PX0, y_of(ymax *
		    k / 2, ymax), PX1, y_of(ymax * k / 2, ymax), PX0 - 6,
		    y_of(ymax * k / 2, ymax) + 4, ymax * k / 2);
	fprintf(d->fp, "<text class=\"y-name\" transform=\"translate(18,%d) "
	    "rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">denials "
	    "per %s</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#444\"/>\n", (PY0 + PY1) / 2,
	    ks_axis_bucket_name(&c->ax), PX0, PY1, PX1, PY1);
	for (t = c->ax.t0 + (c->ax.tick - c->ax.t0 % c->ax.tick) %
	    c->ax.tick; t <= c->ax.t0 + span; t += c->ax.tick) {
		ks_axis_time(t, c->ax.tick_fmt, lab, sizeof(lab));
		fprintf(d->fp, "<line class=\"tick\" x1=\"%d\" y1=\"%d\" "
		    "x2=\"%d\" y2=\"%d\" stroke=\"#444\"/><text x=\"%d\" "
		    "y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s"
		    "</text>\n", x_of(c, t), PY1, x_of(c, t), PY1 + 6,
		    x_of(c, t), PY1 + 20, lab);
	}
	ks_axis_time(c->ax.t0, KS_AXIS_FULL, lab, sizeof(lab));
	fprintf(d->fp, "<text class=\"x-name\" x=\"%d\" y=\"%d\" text-anchor="
	    "\"middle\" font-size=\"13\">time (UTC) from %s; one bucket = "
	    "%s</text>\n", (PX0 + PX1) / 2, PY1 + 42, lab,
	    ks_axis_bucket_name(&c->ax));
}

/* Each mark with its text as a tooltip (<title>). */
static void
svg_marks(struct ks_doc *d, const struct chart *c)
{
	for (int i = 0; i < c->nrbac + c->ndet; i++) {
		const struct mark *m = i < c->nrbac ? &c->rbac[i] :
		    &c->det[i - c->nrbac];
		int x = x_of(c, m->t);
		if (i < c->nrbac)
			fprintf(d->fp, "<line class=\"mark-rbac\" x1=\"%d\" "
			    "y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			    "stroke-width=\"1.5\" stroke-dasharray=\"5 3\">"
			    "<title>RBAC change: ", x, PY0 - 14, x, PY1,
			    m->color);
		else
			fprintf(d->fp, "<path class=\"mark-finding\" d=\"M%d"
			    ",%d l-6,-11 h12 z\" fill=\"%s\"><title>finding: ",
			    x, PY0 - 2, m->color);
		ks_doc_text(d, m->title);
		fputs(i < c->nrbac ? "</title></line>\n" : "</title></path>\n",
		    d->fp);
	}
}

/* The legend: the marks, then one line of text per series, 2 columns. */
static void
svg_legend(struct ks_doc *d, const struct chart *c)
{
	fprintf(d->fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke="
	    "\"#1f4fa0\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/><text "
	    "x=\"%d\" y=\"%d\" font-size=\"13\">RBAC change (%d)</text>\n"
	    "<path d=\"M%d,%d l-6,-11 h12 z\" fill=\"#e60\"/><text x=\"%d\" "
	    "y=\"%d\" font-size=\"13\">finding (%d), colored by severity"
	    "</text>\n", PX0, LEG - 4, PX0 + 24, LEG - 4, PX0 + 30, LEG,
	    c->nrbac, PX0 + 262, LEG + 1, PX0 + 274, LEG, c->ndet);
	for (int i = 0; i < c->ns; i++) {
		fprintf(d->fp, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill="
		    "\"%s\">&#9644; ", PX0 + (i % 2) * (PX1 - PX0) / 2, LEG +
		    22 + (i / 2) * 18, colors[i % 10]);
		ks_doc_text(d, c->s[i].actor);
		fputs("</text>\n", d->fp);
	}
}

static void
svg(struct ks_doc *d, const struct chart *c)
{
	long ymax = nice_max(c->ymax);

	fprintf(d->fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0"
	    " 0 %d %d\" width=\"%d\" role=\"img\" aria-label=\"denials per %s"
	    " per actor, with RBAC changes and detections\">\n", VW, LEG + 14 +
	    (c->ns + 1) / 2 * 18, VW, ks_axis_bucket_name(&c->ax));
	svg_axes(d, c, ymax);
	for (int i = 0; i < c->ns; i++) {
		fprintf(d->fp, "<polyline class=\"series\" fill=\"none\" "
		    "stroke=\"%s\" stroke-width=\"2\" data-actor=\"",
		    colors[i % 10]);
		ks_doc_text(d, c->s[i].actor);
		fputs("\" points=\"", d->fp);
		for (int b = 0; b < c->ax.nb; b++)
			fprintf(d->fp, "%s%d,%d", b ? " " : "", x_of(c,
			    c->ax.t0 + b * c->ax.bucket + c->ax.bucket / 2),
			    y_of(c->s[i].n[b], ymax));
		fputs("\"/>\n", d->fp);
	}
	svg_marks(d, c);
	svg_legend(d, c);
	fputs("</svg>\n", d->fp);
}

int
ks_report_chart(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f,
    json_t *findings, struct ks_err *err)
{
	struct chart *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return ks_err_set(err, "out of memory");
	c->ymax = 1;
	if ((rc = load(db, f, findings, c)) < 0)
		ks_err_set(err, "timeline: %s", sqlite3_errmsg(db));
	else if (rc == 0)
		ks_doc_para(d, "(nothing timed: no denial, RBAC change or "
		    "detection with a time)");
	else if (d->html)
		svg(d, c);
	else
		table_md(d, c);
	free_chart(c);
	free(c);
	return rc < 0 ? -1 : 0;
}
