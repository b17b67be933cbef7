/*
 * Remediation: for each group of denials (filter.h) that the evidence's
 * RBAC does not allow, the smallest RBAC change that ends it — a rule
 * added to a role already bound to the actor, else a new role and binding
 * — with the evidence, checks and a replay of the denials against the
 * patched RBAC.  See DESIGN.md, "Remediation".
 */
#ifndef KS_REMEDIATE_H
#define KS_REMEDIATE_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "store/filter.h"
#include "util/err.h"

/* What the user allowed beyond the default (all 0: components only, safe). */
struct ks_remediate_opts {
	int	include_people;		/* --include-people */
	int	allow_dangerous;	/* --allow-dangerous */
	int	force;			/* --force: a suspicious actor named
					   with --actor gets changes too */
};

/*
 * Plan the changes for the denials that pass filter (resolved), against
 * the RBAC of snapshot_id (0: every snapshot overlaid), with opts (NULL:
 * the defaults).  Returns a new object {"changes": [...], "held_back":
 * [...], "needs_decision": [...], "not_rbac_gaps": [...],
 * "not_remediated": [...]}, the caller's; NULL with err.  Every entry has
 * class (component, person, not-rbac, suspicious) and reason (a sentence).
 * Only components get changes, unless people are named with --actor (in
 * filter) or opts->include_people, and suspicious actors (named by a
 * high or critical detection) only when named and opts->force; dangerous
 * permissions are held back unless opts->allow_dangerous.  Each change has actor,
 * subject_kind, target_kind, target_name, target_namespace, target_exists,
 * rules, denials, allowed_after, warnings, known_issues, and also
 * binding, evidence, resources and manifests.
 */
json_t	*ks_remediate_plan(sqlite3 *db, int64_t snapshot_id,
	    const struct ks_filter *filter,
	    const struct ks_remediate_opts *opts, struct ks_err *err);

#endif
