/*
 * The report's Findings: what happened, one sentence each, most severe
 * first.  Two sources: the findings view (sql/017-findings.sql, the
 * detections with the decision each needs, whatever rules it holds) and
 * the refusals the remediation plan classified (a component's RBAC gap,
 * "fix below"; a person's or a suspect's refusals, "decision needed";
 * refusals by something other than RBAC).
 */
#ifndef KS_REPORT_FIND_H
#define KS_REPORT_FIND_H

#include <jansson.h>
#include <sqlite3.h>

#include "out/doc.h"
#include "rbac/remediate.h"
#include "store/filter.h"
#include "util/err.h"

/*
 * The findings of db that the resolved filter f selects, with those of
 * plan (ks_remediate_plan's, already filtered), ordered by rank (0
 * critical ... 4 info), first time, rule and actor: a new array of
 * objects {rank, severity, rule, summary, actor, first, last (RFC 3339 or
 * null), first_us (or null), audit_ids (array), action, cause (for an
 * rbac-gap: the RBAC write remediate names as its cause or possible
 * cause, as a sentence that says which; else null)}.  NULL with err.
 */
json_t	*ks_report_findings(sqlite3 *db,
	    const struct ks_remediate_plan *plan, const struct ks_filter *f,
	    struct ks_err *err);

/* Write findings (ks_report_findings) as the list of the Findings section. */
void	ks_report_findings_write(struct ks_doc *d, json_t *findings);

#endif
