/*
 * The report's picture: denials over time as an inline SVG, written into
 * the HTML document d.
 */
#ifndef KS_REPORT_CHART_H
#define KS_REPORT_CHART_H

#include <sqlite3.h>

#include "out/doc.h"
#include "store/filter.h"
#include "util/err.h"

/*
 * Draw the denials of db that the resolved filter f selects into d.  0,
 * or -1 with err.
 */
int	ks_report_chart(struct ks_doc *d, sqlite3 *db,
	    const struct ks_filter *f, struct ks_err *err);

#endif
