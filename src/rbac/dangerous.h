/*
 * Which grants are dangerous, for commands outside remediation (unused):
 * the list itself lives in one place, remediate-class.c, and is reached
 * from here, so that both judge alike.
 */
#ifndef KS_DANGEROUS_H
#define KS_DANGEROUS_H

#include <stddef.h>

#include "rbac/rbac.h"

/*
 * Why the permission (verb, api_group, resource, subresource; path for a
 * non-resource URL, resource NULL) is dangerous, as a sentence in buf (of
 * size sz, returned), or NULL when it is not.  NULL strings are absent.
 */
const char *ks_rbac_dangerous(const char *verb, const char *api_group,
	    const char *resource, const char *subresource, const char *path,
	    char *buf, size_t sz);

/*
 * Why some permission a rule grants is dangerous (every verb x API group
 * x resource of it, wildcards included; the first reason found), into buf
 * (returned), or NULL when none is.
 */
const char *ks_rbac_rule_dangerous(const struct ks_rbac_rule *rule,
	    char *buf, size_t sz);

#endif
