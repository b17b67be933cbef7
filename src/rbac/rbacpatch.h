/*
 * The three patch formats the apiserver accepts, as it applies them to
 * Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, for rebuilding
 * RBAC objects from the audit log's patch requests (rbacat.h).
 *
 * Strategic merge for these four kinds: their lists (rules, subjects,
 * aggregationRule.clusterRoleSelectors, and every list inside them) are
 * `+listType=atomic` with no patchStrategy or patchMergeKey
 * (k8s.io/api/rbac/v1/types.go), so a strategic merge patch replaces them
 * whole, as a JSON merge patch does.  What differs is metadata (finalizers
 * and ownerReferences merge) and the `$patch`-style directives; those in
 * metadata are dropped (they never change what RBAC allows), anywhere else
 * the patch is refused rather than guessed.
 *
 * Each function takes a borrowed target and patch and returns a new
 * reference to the patched document, or NULL with err (the patch is
 * malformed, fails, or uses what is not supported).
 */
#ifndef KS_RBACPATCH_H
#define KS_RBACPATCH_H

#include <jansson.h>

#include "util/err.h"

/* RFC 7386 JSON merge patch (application/merge-patch+json). */
json_t	*ks_rbac_merge_patch(const json_t *target, const json_t *patch,
	    struct ks_err *err);

/* Strategic merge patch (application/strategic-merge-patch+json), for the
   four RBAC kinds only (see above). */
json_t	*ks_rbac_strategic_patch(const json_t *target, const json_t *patch,
	    struct ks_err *err);

/* RFC 6902 JSON patch (application/json-patch+json): add, remove,
   replace, move, copy, test, with RFC 6901 pointers.  All or nothing. */
json_t	*ks_rbac_json_patch(const json_t *target, const json_t *patch,
	    struct ks_err *err);

#endif
