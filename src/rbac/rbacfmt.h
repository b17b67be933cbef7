/* Words for RBAC objects in text output (can, remediate, report). */
#ifndef KS_RBACFMT_H
#define KS_RBACFMT_H

#include <stddef.h>

#include "rbac/rbac.h"

/* "verbs=[get,list] apiGroups=[\"\"] resources=[pods]" into buf. */
char	*ks_rbacfmt_rule(const struct ks_rbac_rule *r, char *buf, size_t sz);

/* "ClusterRoleBinding x -> ClusterRole y" into buf. */
char	*ks_rbacfmt_grant(const struct ks_rbac_grant *g, char *buf, size_t sz);

/* What may allow or deny a request besides RBAC, for this user and groups:
   a sentence, or NULL. */
const char *ks_rbacfmt_other_authorizers(const char *user,
	    const char *const *groups, size_t ngroups);

#endif
