/*
 * The report's picture: denials over time, one line (an SVG polyline of
 * class "series") per denied actor, inline in the HTML page, no script and
 * no network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/doc.h"
#include "out/report-chart.h"
#include "store/filter.h"
#include "store/sqltime.h"

#define NB	60		/* buckets across the time span */
#define W	900
#define H	260
#define PADL	50
#define PADB	30

struct series {
	char	*actor;
	long	 n[NB];
};

static const char *const colors[] = { "#d62728", "#1f77b4", "#2ca02c",
    "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf" };

/* Fill up to max series from the denials; returns how many, -1 on error. */
static int
load(sqlite3 *db, const struct ks_filter *f, struct series *s, int max,
    long long *t0, long long *w, long *ymax)
{
	sqlite3_stmt *st;
	int ns = 0;

	char q[8192];

	snprintf(q, sizeof(q), "SELECT min(time), max(time) FROM denials"
	    " WHERE time IS NOT NULL");
	if (ks_filter_sql(f, q, sizeof(q), "time", "decision") < 0 ||
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	ks_filter_bind(f, st);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) ==
	    SQLITE_NULL) {
		sqlite3_finalize(st);
		return 0;
	}
	*t0 = sqlite3_column_int64(st, 0);
	*w = (sqlite3_column_int64(st, 1) - *t0) / NB + 1;
	sqlite3_finalize(st);
	snprintf(q, sizeof(q), "SELECT actor, (time - ?1) / ?2, count(*)"
	    " FROM denials WHERE time IS NOT NULL AND actor IS NOT NULL");
	if (ks_filter_sql(f, q, sizeof(q), "time", "decision") < 0)
		return -1;
	strncat(q, " GROUP BY actor, 2 ORDER BY actor", sizeof(q) -
	    strlen(q) - 1);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	ks_filter_bind(f, st);
	sqlite3_bind_int64(st, 1, *t0);
	sqlite3_bind_int64(st, 2, *w);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		long b = (long)sqlite3_column_int64(st, 1);
		if (ns == 0 || strcmp(s[ns - 1].actor, a) != 0) {
			if (ns == max)
				break;
			s[ns].actor = strdup(a);
			memset(s[ns].n, 0, sizeof(s[ns].n));
			ns++;
		}
		if (b >= 0 && b < NB) {
			s[ns - 1].n[b] += (long)sqlite3_column_int64(st, 2);
			if (s[ns - 1].n[b] > *ymax)
				*ymax = s[ns - 1].n[b];
		}
	}
	sqlite3_finalize(st);
	return ns;
}

static void
axis_time(FILE *fp, sqlite3 *db, long long t, int x, const char *anchor)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT " KS_SQL_TIME("?1"), -1, &st, NULL)
	    != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, t);
	if (sqlite3_step(st) == SQLITE_ROW)
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" "
		    "font-size=\"11\">%s</text>\n", x, H - 8, anchor,
		    sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int
ks_report_chart(struct ks_doc *d, sqlite3 *db, const struct ks_filter *f,
    struct ks_err *err)
{
	struct series s[64];
	long long t0 = 0, w = 1;
	long ymax = 1;
	int ns = load(db, f, s, 64, &t0, &w, &ymax);
	FILE *fp = d->fp;

	if (ns < 0)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	if (ns == 0 || !d->html)
		return 0;
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" role=\"img\" aria-label=\"denials over time per "
	    "actor\">\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#888\"/>\n<text x=\"4\" y=\"14\" font-size=\"11\">%ld"
	    "</text>\n", W + 260, H, PADL, H - PADB, W, H - PADB, ymax);
	for (int i = 0; i < ns; i++) {
		fprintf(fp, "<polyline class=\"series\" fill=\"none\" "
		    "stroke=\"%s\" stroke-width=\"2\" data-actor=\"",
		    colors[i % 10]);
		ks_doc_text(d, s[i].actor);
		fputs("\" points=\"", fp);
		for (int b = 0; b < NB; b++)
			fprintf(fp, "%s%d,%ld", b ? " " : "", PADL + b *
			    (W - PADL) / (NB - 1), (long)(H - PADB) - s[i].n[b] *
			    (H - PADB - 20) / ymax);
		fprintf(fp, "\"/>\n<text x=\"%d\" y=\"%d\" font-size=\"12\" "
		    "fill=\"%s\">", W + 10, 20 + i * 16, colors[i % 10]);
		ks_doc_text(d, s[i].actor);
		fputs("</text>\n", fp);
		free(s[i].actor);
	}
	axis_time(fp, db, t0, PADL, "start");
	axis_time(fp, db, t0 + w * NB, W, "end");
	fputs("</svg>\n", fp);
	return 0;
}
