/*
 * The report's "Unused dangerous grants": the grants of a least-privilege
 * plan (rbac/unused.h, ks_unused_plan) that are dangerous and that the
 * audit log never saw used, judged only when the log covers a day or more.
 */
#ifndef KS_REPORT_UNUSED_H
#define KS_REPORT_UNUSED_H

#include <jansson.h>
#include <sqlite3.h>

#include "out/doc.h"
#include "util/err.h"

#define KS_REPORT_UNUSED_MAX	50	/* grants listed; the rest counted */

/*
 * Write the section of plan (ks_unused_plan's, borrowed) to d: its
 * heading, the span the log covers and, when that is a day or more
 * (strength moderate or strong: a span under a day, or of events on one
 * day only, is weak), the dangerous unused grants, in the plan's order,
 * up to KS_REPORT_UNUSED_MAX, then how many more; when less, one line
 * saying the log is too short to judge, with its span.  The table is read
 * through db (json_each).  0, or -1 with err.
 */
int	ks_report_unused(struct ks_doc *d, sqlite3 *db, const json_t *plan,
	    struct ks_err *err);

#endif
