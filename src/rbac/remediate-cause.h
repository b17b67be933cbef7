/*
 * Was it a gap at the time of the denial, and what made it one?  For the
 * denials of a remediation change, the RBAC write that removed what had
 * allowed them, shortly before they began (rbacat.h rebuilds the RBAC on
 * each side of each candidate write).
 */
#ifndef KS_REMEDIATE_CAUSE_H
#define KS_REMEDIATE_CAUSE_H

#include <jansson.h>
#include <sqlite3.h>

#include "rbac/rbacat.h"

/* How far before the first denial a write is looked for, in us. */
#define KS_CAUSE_WINDOW		(24LL * 3600 * 1000000)

/*
 * The cause of the denials of group g (a denial group of remediate.h:
 * actor, verb, api_group, resource, subresource, namespace, path, groups,
 * first_seen): the last RBAC write in the KS_CAUSE_WINDOW before its
 * first denial such that the RBAC just before the write allowed the
 * request and the RBAC just after it did not, with no object of unknown
 * state that could allow it.  A new object {audit_id, time, actor, verb,
 * kind, namespace, name, seconds_before, allowed_by, rule}, or NULL when
 * there is none (or out of memory).
 */
json_t	*ks_remediate_cause(const struct ks_rbac_hist *h, json_t *g);

/* Set "cause" on a change of the plan (remediate.h) from the first of its
   evidence groups that has one; nothing when none has. */
void	ks_remediate_cause_set(const struct ks_rbac_hist *h, json_t *change);

/*
 * Was group g, which the snapshot's RBAC allows, a gap at the time of its
 * denials: did the RBAC as it stood at its first and at its last denial
 * (rebuilt, with no object of unknown state that could allow it) refuse
 * it?  1 yes, 0 no or unknown.  *hist is loaded from db on first use
 * (the caller frees it; it stays NULL when it cannot be loaded).
 */
int	ks_remediate_gap_then(sqlite3 *db, struct ks_rbac_hist **hist,
	    json_t *g);

/*
 * When one of groups (marked "gap_at_time" by the plan) was a gap only at
 * the time of its denials: the RBAC at the last denial of them all, to
 * fix against.  A new struct (ks_rbac_at_free), or NULL.
 */
struct ks_rbac_at *ks_remediate_rbac_then(const struct ks_rbac_hist *h,
	    json_t *groups);

#endif
