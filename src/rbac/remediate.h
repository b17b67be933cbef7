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
	int	no_manifests;		/* the changes without "manifests"
					   (readable text prints none) */
};

/*
 * A denial group of a plan: the refusals `denied` groups together (actor,
 * verb, API group, resource, subresource, namespace, path, refused_by),
 * and what the plan says of it.  Strings are the plan's (NULL: JSON null).
 */
struct ks_remediate_group {
	const char	*actor, *verb, *api_group, *resource, *subresource,
			*namespace, *path;
	long long	 count;
	const char	*first_seen, *last_seen;
	const char	*examples[2];	/* the least and greatest auditID */
	size_t		 nexamples;
	json_t		*groups;	/* the actor's groups (the plan's), or
					   NULL: null */
	const char	*origin, *refusal_reason, *refused_by, *message;
	/* What the plan says, in the order of its keys; NULL: not said. */
	int		 gap_at_time;	/* a gap then (key "gap_at_time") */
	int		 has_fixed_by;	/* key "fixed_by": fixed_by, or null */
	json_t		*fixed_by;	/* owned */
	char		*allowed_by;	/* owned */
	const char	*explanation, *class, *reason;
};

/* Denial groups (borrowed from the plan). */
struct ks_remediate_list {
	struct ks_remediate_group **v;
	size_t		 n, cap;
};

/* The plan's lists of groups that get no change, in their order. */
enum { KS_PLAN_HELD_BACK, KS_PLAN_NEEDS_DECISION, KS_PLAN_NOT_RBAC,
	KS_PLAN_NOT_REMEDIATED, KS_PLAN_LISTS };
/* Their names ("held_back", ...). */
extern const char *const ks_remediate_list_names[KS_PLAN_LISTS];

/*
 * A plan: json is {"changes": [...], "rbac_objects": N, "denial_groups":
 * N}, each change as below, its "evidence" the index of its groups in
 * evidence; lists the groups that get no change.
 */
struct ks_remediate_plan {
	json_t			*json;
	struct ks_remediate_list lists[KS_PLAN_LISTS];
	struct ks_remediate_list *evidence;
	size_t			 nevidence;
	struct ks_remediate_store *store;	/* the groups and their text */
};

/*
 * Plan the changes for the denials that pass filter (resolved), against
 * the RBAC of snapshot_id (0: every snapshot overlaid), with opts (NULL:
 * the defaults).  Returns a new plan (ks_remediate_plan_free); NULL with
 * err.  Every group of the lists has class (component, person, not-rbac,
 * suspicious) and reason (a sentence).
 * Only components get changes, unless people are named with --actor (in
 * filter) or opts->include_people, and suspicious actors (named by a
 * high or critical detection) only when named and opts->force; dangerous
 * permissions are held back unless opts->allow_dangerous.  Each change has actor,
 * subject_kind, target_kind, target_name, target_namespace, target_exists,
 * rules, denials, allowed_after, warnings, known_issues, and also
 * binding, evidence, resources and manifests.
 */
struct ks_remediate_plan *ks_remediate_plan(sqlite3 *db, int64_t snapshot_id,
	    const struct ks_filter *filter,
	    const struct ks_remediate_opts *opts, struct ks_err *err);
void	ks_remediate_plan_free(struct ks_remediate_plan *p);

/* The groups of change c of plan p (its "evidence"). */
const struct ks_remediate_list *ks_remediate_evidence(
	    const struct ks_remediate_plan *p, const json_t *c);

/*
 * Ask for the memory of group g ahead of its use (a hint: tens of
 * thousands of groups, in the plan's order anywhere in memory).
 */
static inline void
ks_remediate_prefetch(const struct ks_remediate_group *g)
{
	__builtin_prefetch(g);
	__builtin_prefetch((const char *)g + 64);
	__builtin_prefetch((const char *)g + 128);
}

/* Group g as a new JSON object (its keys in the order above). */
json_t	*ks_remediate_group_json(const struct ks_remediate_group *g);

/* Change c of plan p as a new JSON object, its evidence the groups' JSON. */
json_t	*ks_remediate_change_json(const struct ks_remediate_plan *p,
	    const json_t *c);

#endif
