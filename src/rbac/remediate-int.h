/* Shared by remediate.c and remediate-fix.c only. */
#ifndef KS_REMEDIATE_INT_H
#define KS_REMEDIATE_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "rbac/rbac.h"

/* One proposed change in the making: the denials of one actor in one scope. */
struct fix {
	const char	*actor;		/* borrowed from the first group */
	const char	*namespace;	/* NULL: cluster scope */
	json_t		*groups;	/* the denial groups (array, owned) */
	json_t		*rules;		/* merged rules (array, owned) */
};

/* A denial group as the request the authorizer judged (borrowed strings). */
void	remedy_request(json_t *group, struct ks_rbac_request *req,
	    const char **groups, size_t maxgroups);

/* Build the change object for f; NULL when out of memory. */
json_t	*remedy_change(sqlite3 *db, struct ks_rbac *rbac, struct fix *f);

/* The denials of group that the patched RBAC allows (replay). */
long	remedy_replay(sqlite3 *db, struct ks_rbac *patched, json_t *group);

#endif
