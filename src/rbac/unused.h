/*
 * Least privilege: the grants of the snapshot's RBAC that the audit log
 * never saw used.  For each subject of each binding (User, Group,
 * ServiceAccount) and each rule of its role, whether any allowed request
 * of the window matched it (a Group's use is by any member seen with that
 * group in user.groups), and which verbs, API groups and resources were
 * used under it; the span the log covers, with a strength word; and, on
 * request, the tightened roles, replayed.  See kubesift(1), "unused".
 */
#ifndef KS_UNUSED_H
#define KS_UNUSED_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "store/filter.h"
#include "util/err.h"

/* What to compute beyond the grants. */
struct ks_unused_opts {
	int64_t		 snapshot;	/* 0: every snapshot overlaid */
	int		 tighten;	/* also the tightened roles */
	int		 no_requests;	/* span's requests not wanted: the log
					   is not read when no grant is to
					   be judged (requests then 0) */
	void		(*progress)(void *); /* called now and then while the
					   log is read; may be NULL */
	void		*progress_arg;
};

/*
 * The grants of the subjects filter selects (--actor against the
 * subject's name, a ServiceAccount's also as system:serviceaccount:NS:N;
 * --namespace against the binding's, '' = ClusterRoleBindings), judged
 * against the allowed requests of filter's window (--since, --until);
 * filter must be resolved.  Returns a new object, the caller's:
 *
 *   span	{from, to (RFC 3339 or null), seconds, days (distinct UTC
 *		days with events), strength (none, weak, moderate, strong:
 *		under a day, under 30 days, more, counting no more days than
 *		have events), requests (allowed requests of the window; 0
 *		with opts->no_requests when no grant was judged)}
 *   entries	one per subject x binding x rule, dangerous ones first, then
 *		unused before used: subject_kind, subject, subject_namespace,
 *		binding_kind, binding, binding_namespace, role_kind, role,
 *		role_namespace, rule_index, aggregated_from, rule {verbs,
 *		api_groups, resources, resource_names, non_resource_urls},
 *		used, requests, used_verbs, used_api_groups, used_resources,
 *		used_urls, dangerous, dangerous_reason, span_from, span_to,
 *		rule_text (the rule in words), subject_user (the user name
 *		the subject matches: system:serviceaccount:NS:NAME for a
 *		ServiceAccount; null for a Group), fully_used (every verb
 *		and every API group x resource or URL of the rule was used,
 *		and it has no wildcard), first_used, last_used (RFC 3339,
 *		null when unused)
 *   tightened	(opts->tighten) one per role reached by those entries:
 *		role_kind, role, role_namespace, changed, manifest (all its
 *		rules, only what was used), rules_before, rules_after, kept
 *		[{rule_index, reason}], replayed, refused_after, skipped
 *		(why it is left alone, or null)
 *
 * NULL with err.
 */
json_t	*ks_unused_plan(sqlite3 *db, const struct ks_filter *filter,
	    const struct ks_unused_opts *opts, struct ks_err *err);
/* The span of the window when under a day (no requests read), else JSON
   null: unused-req.c. */
json_t	*ks_unused_short_span(sqlite3 *db, const struct ks_filter *f,
	    struct ks_err *err);

#endif
