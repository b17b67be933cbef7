/*
 * The report's timeline: denials over time per actor, with the RBAC
 * changes and the findings marked, as an inline SVG in HTML, a table of
 * buckets in Markdown, written into the document d.
 */
#ifndef KS_REPORT_CHART_H
#define KS_REPORT_CHART_H

#include <jansson.h>
#include <sqlite3.h>

#include "out/doc.h"
#include "store/filter.h"
#include "util/err.h"

/*
 * Draw the denials of db that the resolved filter f selects, the RBAC
 * changes of the audit log (rbac_changes) and the findings with a time
 * (ks_report_findings) into d.  0, or -1 with err.
 */
int	ks_report_chart(struct ks_doc *d, sqlite3 *db,
	    const struct ks_filter *f, json_t *findings, struct ks_err *err);

#endif
