/*
 * Shared by remediate.c (the plan) and remediate-fix.c (one change, and
 * the requests it judges) only: the pieces of module remediate.
 */
#ifndef KS_REMEDIATE_INT_H
#define KS_REMEDIATE_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "rbac/rbac.h"
#include "store/filter.h"

/* One proposed change in the making: the denials of one actor in one scope. */
struct ks_remediate_fix {
	const char	*actor;		/* borrowed from the first group */
	const char	*namespace;	/* NULL: cluster scope */
	json_t		*groups;	/* the denial groups (array, owned) */
	json_t		*rules;		/* merged rules (array, owned) */
};

/*
 * A denial group as the request the authorizer judged (borrowed strings;
 * groups, of maxgroups entries, receives the group's groups).
 */
void	ks_remediate_request(json_t *group, struct ks_rbac_request *req,
	    const char **groups, size_t maxgroups);

/*
 * Build the change object for f, its denials (those filter selects)
 * replayed against the changed RBAC; NULL when out of memory.
 */
json_t	*ks_remediate_change(sqlite3 *db, struct ks_rbac *rbac,
	    const struct ks_filter *filter, struct ks_remediate_fix *f);

#endif
