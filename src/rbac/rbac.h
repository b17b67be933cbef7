/*
 * RBAC evaluator: the Roles, ClusterRoles, RoleBindings and
 * ClusterRoleBindings of one snapshot, and the questions asked of them.
 *
 * The semantics are those of the Kubernetes RBAC authorizer
 * (plugin/pkg/auth/authorizer/rbac/rbac.go, RuleAllows), its rule resolver
 * (pkg/registry/rbac/validation/rule.go, VisitRulesFor, appliesToUser,
 * GetRoleReferenceRules), the matching helpers
 * (pkg/apis/rbac/v1/evaluation_helpers.go) and the ClusterRole aggregation
 * controller (pkg/controller/clusterroleaggregation).  Where kubesift adds
 * something the apiserver does not do, the comment says so.
 *
 * Ownership: struct ks_rbac owns every role, binding, rule and string it
 * holds.  Pointers to them handed out by this module (struct ks_rbac_grant,
 * struct ks_rbac_near, ks_rbac_find_role(), ...) are borrowed and stay valid
 * until the next ks_rbac_add*() or ks_rbac_free() on the same struct
 * ks_rbac.  Objects passed in are borrowed; the module copies what it keeps.
 *
 * A struct ks_rbac resolves lazily on the first query after an addition:
 * it is not safe to query one from two threads at once.
 *
 * Not modelled (the lead must know): the apiserver's other authorizers.
 * Members of system:masters are allowed everything by a separate
 * privileged-group authorizer even without the cluster-admin binding, kubelets
 * (system:node:NAME in system:nodes) are judged by the Node authorizer first,
 * and webhook/ABAC authorizers may allow what RBAC does not.  This module
 * answers for RBAC alone, and RBAC never denies: "not allowed" means "RBAC
 * has no opinion".
 */
#ifndef KS_RBAC_H
#define KS_RBAC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ks_err;

/* A list of strings, each owned by the list. */
struct ks_rbac_strv {
	char		**v;		/* v[0..n), each a NUL-terminated copy */
	size_t		  n;		/* 0 when the field is absent or null */
};

/* One PolicyRule. */
struct ks_rbac_rule {
	struct ks_rbac_strv verbs;		/* "*" = all */
	struct ks_rbac_strv api_groups;		/* "" = core, "*" = all */
	struct ks_rbac_strv resources;		/* "*", "pods", "pods/log", or "*" +
						   "/SUB" for one subresource
						   of every resource */
	struct ks_rbac_strv resource_names;	/* empty = every name */
	struct ks_rbac_strv urls;		/* nonResourceURLs */
	const char	*aggregated_from;	/* NULL for a rule stored in the
						   role; else the name of the
						   ClusterRole it was unioned
						   from by aggregation (computed
						   by kubesift, see below) */
};

/* A Role or ClusterRole. */
struct ks_rbac_role {
	int		 cluster;	/* 1 ClusterRole, 0 Role */
	char		*namespace;	/* Role's namespace; NULL for ClusterRole */
	char		*name;		/* metadata.name */
	struct ks_rbac_rule *rules;	/* stored rules, then aggregated ones */
	size_t		 nrules;	/* all rules */
	size_t		 nstored;	/* rules[0..nstored) are the object's */
	int		 aggregated;	/* ClusterRole has an aggregationRule */
	int		 agg_error;	/* a selector is invalid: no union */
	size_t		 nbindings;	/* bindings that resolve to this role */
	json_t		*obj;		/* own deep copy of the object */
	size_t		 seq;		/* order of addition (private) */
};

enum ks_rbac_subject_kind {
	KS_RBAC_USER,
	KS_RBAC_GROUP,
	KS_RBAC_SERVICE_ACCOUNT,
	KS_RBAC_OTHER			/* unknown kind: matches nobody */
};

/* One subject of a binding. */
struct ks_rbac_subject {
	enum ks_rbac_subject_kind kind;
	char		*kind_name;	/* "kind" as written */
	char		*name;		/* "name" */
	char		*namespace;	/* "namespace" as written, NULL if absent */
	char		*user;		/* the user name this subject matches:
					   name for User, system:serviceaccount:
					   NS:NAME for ServiceAccount (NS defaults
					   to the RoleBinding's namespace, as
					   appliesToUser does); NULL for groups,
					   other kinds, and ServiceAccounts with
					   no namespace in a ClusterRoleBinding,
					   which match nobody */
};

/* Why a binding's roleRef grants nothing. */
enum ks_rbac_ref {
	KS_RBAC_REF_OK,			/* resolved: binding->role is set */
	KS_RBAC_REF_MISSING,		/* no such Role/ClusterRole */
	KS_RBAC_REF_CRB_TO_ROLE,	/* ClusterRoleBinding to a Role */
	KS_RBAC_REF_BAD_KIND		/* roleRef.kind is neither */
};

/* A RoleBinding or ClusterRoleBinding. */
struct ks_rbac_binding {
	int		 cluster;	/* 1 ClusterRoleBinding, 0 RoleBinding */
	char		*namespace;	/* RoleBinding's namespace, else NULL */
	char		*name;		/* metadata.name */
	char		*role_kind;	/* roleRef.kind */
	char		*role_name;	/* roleRef.name */
	struct ks_rbac_subject *subjects;
	size_t		 nsubjects;
	const struct ks_rbac_role *role; /* resolved role, NULL unless REF_OK */
	enum ks_rbac_ref ref;		/* resolution result */
	json_t		*obj;		/* own deep copy of the object */
	size_t		 seq;		/* order of addition (private) */
};

/*
 * A request, as the authorizer sees it (authorizer.Attributes).  All
 * strings are borrowed for the duration of the call.
 *
 * Groups: the evaluator uses exactly the groups given (audit events carry
 * them).  With implicit_groups set it also adds what the apiserver's
 * authenticators add, for a caller that knows only a user name (`kubesift
 * can ACTOR`): system:authenticated (system:unauthenticated for
 * system:anonymous), and for system:serviceaccount:NS:NAME also
 * system:serviceaccounts and system:serviceaccounts:NS.
 */
struct ks_rbac_request {
	const char	*user;		/* user.Info name; NULL = "" */
	const char *const *groups;	/* user.Info groups */
	size_t		 ngroups;
	int		 implicit_groups; /* add authenticator groups, see above */
	const char	*verb;		/* required */
	const char	*api_group;	/* NULL = "" (core) */
	const char	*resource;	/* NULL: a non-resource request.  May be
					   "pods/exec" with subresource NULL:
					   it is split at the first '/' */
	const char	*subresource;	/* NULL or "" = none */
	const char	*name;		/* NULL = "" (list, create, ...) */
	const char	*namespace;	/* NULL or "" = cluster scope */
	const char	*path;		/* non-resource URL when resource NULL */
};

/* One (binding, subject, role, rule) that grants a request. */
struct ks_rbac_grant {
	const struct ks_rbac_binding *binding;
	size_t		 subject;	/* index into binding->subjects */
	const struct ks_rbac_role *role; /* binding->role */
	size_t		 rule;		/* index into role->rules; SIZE_MAX when
					   not about one rule */
};

/* The answer of ks_rbac_allows(). */
struct ks_rbac_why {
	struct ks_rbac_grant grant;	/* when allowed: the first grant, in
					   the authorizer's visiting order
					   (ClusterRoleBindings, then the
					   namespace's RoleBindings; each by
					   name here) */
	size_t		 unresolved;	/* bindings that apply to the actor in
					   scope but whose role is missing (the
					   authorizer's resolution errors);
					   when allowed, only those visited
					   before the grant */
};

/* Mismatch reasons of a rule against a request (struct ks_rbac_near). */
#define KS_RBAC_MISS_VERB	0x01u	/* VerbMatches fails */
#define KS_RBAC_MISS_GROUP	0x02u	/* APIGroupMatches fails */
#define KS_RBAC_MISS_RESOURCE	0x04u	/* ResourceMatches fails */
#define KS_RBAC_MISS_NAME	0x08u	/* ResourceNameMatches fails */
#define KS_RBAC_MISS_URL	0x10u	/* NonResourceURLMatches fails */
#define KS_RBAC_MISS_KIND	0x20u	/* URL-only rule for a resource request,
					   or resource rule for a URL */
#define KS_RBAC_MISS_NAMESPACE	0x40u	/* RoleBinding of another namespace, or
					   any RoleBinding for a cluster-scoped
					   or non-resource request */
#define KS_RBAC_MISS_ROLE	0x80u	/* the binding's role does not resolve */

/* A rule bound to the actor, and why it does not allow a request. */
struct ks_rbac_near {
	struct ks_rbac_grant grant;	/* role NULL and rule SIZE_MAX with
					   KS_RBAC_MISS_ROLE */
	unsigned	 miss;		/* KS_RBAC_MISS_* bits; 0 = allows */
	unsigned	 distance;	/* number of bits in miss; a missing
					   role is far: KS_RBAC_FAR */
};

#define KS_RBAC_FAR		16u	/* distance of a binding without role */

/* Callbacks return 0 to go on, nonzero to stop the walk. */
typedef int	(*ks_rbac_grant_fn)(const struct ks_rbac_grant *, void *);
typedef int	(*ks_rbac_near_fn)(const struct ks_rbac_near *, void *);
typedef int	(*ks_rbac_binding_fn)(const struct ks_rbac_binding *, void *);
typedef int	(*ks_rbac_role_fn)(const struct ks_rbac_role *, void *);

/* --- the set of objects (rbac.c) --- */

/* A new, empty evaluator; NULL when out of memory.  Free with
   ks_rbac_free(), which accepts NULL. */
struct ks_rbac *ks_rbac_new(void);
void	ks_rbac_free(struct ks_rbac *);

/*
 * Add one Role, ClusterRole, RoleBinding or ClusterRoleBinding
 * (rbac.authorization.k8s.io v1, v1beta1 or v1alpha1 JSON as kubectl prints
 * it), or a List of them (List, RoleList, ...; every item is added, an item
 * without "kind" takes it from the list's kind).  obj is borrowed.  Other
 * kinds, these kinds from another API group, and objects without a kind
 * are ignored (return 0).
 * An object whose key (kind, namespace, name) was added before replaces
 * the earlier one: the last added wins, so a patched copy can be added to a
 * clone.  A malformed object is skipped and gives -1 with err; in a List the
 * good items are still added.
 */
int	ks_rbac_add(struct ks_rbac *, json_t *obj, struct ks_err *err);

/* The same, with the kind given by the caller for objects that carry none
   (sonobuoy arrays): kind is "Role", "ClusterRole", "RoleBinding",
   "ClusterRoleBinding" or NULL.  A JSON array is taken as a list. */
int	ks_rbac_add_kind(struct ks_rbac *, json_t *obj, const char *kind,
	    struct ks_err *err);

/* A deep copy, for replaying requests against a patched RBAC; NULL when out
   of memory. */
struct ks_rbac *ks_rbac_clone(struct ks_rbac *);

/*
 * Replace duplicates, link every roleRef and compute aggregation, if
 * anything was added since the last time.  Every query below does it
 * first (and fails with -1 if it fails); call it to tell out-of-memory
 * apart.  0, or -1 with err.
 */
int	ks_rbac_resolve(struct ks_rbac *, struct ks_err *err);

/*
 * The resolved objects (duplicates replaced, roleRefs linked, aggregation
 * computed).  Roles: ClusterRoles by name, then Roles by namespace and
 * name.  Bindings: ClusterRoleBindings by name (the first *ncluster), then
 * RoleBindings by namespace and name.  *n gets the count; ncluster may be
 * NULL.  Borrowed (see the top of this file); NULL with *n = 0 when out of
 * memory or empty.
 */
struct ks_rbac_role *const *ks_rbac_roles(struct ks_rbac *, size_t *n);
struct ks_rbac_binding *const *ks_rbac_bindings(struct ks_rbac *, size_t *n,
	    size_t *ncluster);

/* The role (namespace NULL: the ClusterRole) by name, or NULL. */
const struct ks_rbac_role *ks_rbac_find_role(struct ks_rbac *,
	    const char *namespace, const char *name);

/* --- queries (rbac-query.c) --- */

/*
 * Does RBAC allow req?  1 yes (why->grant says by what), 0 no, -1 when req
 * lacks a verb, or a resource and a path, or memory ran out.  why may be
 * NULL; it is filled on 0 and 1.  Namespaced requests are allowed by
 * ClusterRoleBindings and by RoleBindings in that namespace; cluster-scoped
 * and non-resource requests by ClusterRoleBindings alone.
 */
int	ks_rbac_allows(struct ks_rbac *, const struct ks_rbac_request *req,
	    struct ks_rbac_why *why);

/*
 * Every (binding, subject, role, first matching rule) that grants
 * req's verb/resource/name/path in req's namespace, whoever the actor
 * (req->user and groups are ignored): ClusterRoleBindings by name, then
 * the namespace's RoleBindings by name, each binding's subjects in order.
 * Subjects that match nobody (unknown kinds, ServiceAccounts without a
 * namespace in a ClusterRoleBinding) are left out.  Returns the number of
 * grants reported, -1 as ks_rbac_allows.
 */
long	ks_rbac_who_can(struct ks_rbac *, const struct ks_rbac_request *req,
	    ks_rbac_grant_fn fn, void *arg);

/*
 * For `kubesift can` when the answer is no: every rule reachable by the
 * actor through any binding, in any namespace, with what does not match
 * (struct ks_rbac_near; a binding whose role is missing is reported once,
 * with KS_RBAC_MISS_ROLE).  The caller keeps the smallest distances.
 * Returns the number of calls, -1 as ks_rbac_allows.
 */
long	ks_rbac_explain(struct ks_rbac *, const struct ks_rbac_request *req,
	    ks_rbac_near_fn fn, void *arg);

/*
 * For remediation: the bindings that name user *directly* (a User subject
 * with that name, or a ServiceAccount subject for system:serviceaccount:
 * NS:NAME), never through a group, so that no broad group such as
 * system:authenticated gains anything.  namespace NULL: ClusterRoleBindings
 * only; else also the RoleBindings of that namespace.  grant->rule is
 * SIZE_MAX; grant->role is NULL for a binding whose role is missing.
 * Before proposing to extend grant->role, check role->aggregated (the
 * controller overwrites the rules of an aggregated role),
 * ks_rbac_role_subjects() (who else the role reaches: a broad group must
 * not) and ks_rbac_aggregators() (which aggregated roles would take the
 * rule in too).  Returns the number reported, -1 if out of memory.
 */
long	ks_rbac_direct_bindings(struct ks_rbac *, const char *user,
	    const char *namespace, ks_rbac_grant_fn fn, void *arg);

/*
 * Everyone a role reaches: every (binding, subject) of the bindings that
 * resolve to it, subjects that match nobody left out; grant->rule is
 * SIZE_MAX.  Before extending a role found by ks_rbac_direct_bindings(),
 * check that none of these is a broad group (ks_rbac_broad_group()) or
 * someone else.  Returns the number reported, -1 if out of memory.
 */
long	ks_rbac_role_subjects(struct ks_rbac *, const struct ks_rbac_role *role,
	    ks_rbac_grant_fn fn, void *arg);

/* Is group one that reaches a whole class of identities:
   system:authenticated, system:unauthenticated, system:serviceaccounts or
   system:serviceaccounts:NS? */
int	ks_rbac_broad_group(const char *group);

/* Every binding whose roleRef does not resolve (binding->ref says why);
   they grant nothing.  Returns the number reported, -1 if out of memory. */
long	ks_rbac_unresolved(struct ks_rbac *, ks_rbac_binding_fn fn, void *arg);

/* "verb, resource, namespace of the binding": the misses as words, into
   buf (always NUL-terminated).  Returns buf. */
char	*ks_rbac_miss_str(unsigned miss, char *buf, size_t size);

/* --- rule matching (rbac-match.c), the evaluation_helpers.go functions --- */

/* 0 when rule allows req (RuleAllows), else KS_RBAC_MISS_* bits. */
unsigned ks_rbac_rule_miss(const struct ks_rbac_rule *,
	    const struct ks_rbac_request *req);
int	ks_rbac_rule_allows(const struct ks_rbac_rule *,
	    const struct ks_rbac_request *req);

/* Does the subject apply to req's user and groups (appliesToUser)? */
int	ks_rbac_subject_applies(const struct ks_rbac_subject *,
	    const struct ks_rbac_request *req);

/* Is group among req's groups (with implicit_groups, the derived ones)? */
int	ks_rbac_request_in_group(const struct ks_rbac_request *req,
	    const char *group);

/* --- loading (rbac-load.c); used by rbac.c, exposed for tests --- */

/* Parse one object of the given kind into a new role or binding (the
   caller's; free with the matching *_free, which accept NULL).  NULL with
   err when malformed or out of memory. */
struct ks_rbac_role *ks_rbac_role_parse(json_t *obj, int cluster,
	    struct ks_err *err);
struct ks_rbac_binding *ks_rbac_binding_parse(json_t *obj, int cluster,
	    struct ks_err *err);
void	ks_rbac_role_free(struct ks_rbac_role *);
void	ks_rbac_binding_free(struct ks_rbac_binding *);
int	ks_rbac_rule_copy(struct ks_rbac_rule *dst,
	    const struct ks_rbac_rule *src);	/* 0 or -1 (memory) */
void	ks_rbac_rule_clear(struct ks_rbac_rule *);
int	ks_rbac_rule_equal(const struct ks_rbac_rule *,
	    const struct ks_rbac_rule *);

/* --- aggregation (rbac-agg.c) --- */

/*
 * Does a metav1.LabelSelector (matchLabels, matchExpressions with In,
 * NotIn, Exists, DoesNotExist) select an object with these labels (a JSON
 * object or NULL)?  An empty selector selects everything
 * (LabelSelectorAsSelector).  1, 0, or -1 when the selector is invalid.
 */
int	ks_rbac_selector_matches(const json_t *selector, const json_t *labels);

/*
 * Recompute the aggregated rules of every ClusterRole with an
 * aggregationRule: the stored rules stay, and every rule of every selected
 * ClusterRole (other than itself) that is not already there is appended,
 * marked aggregated_from, until nothing changes.  The controller replaces
 * the rules with this union; a snapshot normally shows it done, and the
 * union only matters when the snapshot was taken before the controller
 * caught up.  roles are sorted ClusterRoles-first by name (rbac.c's order).
 * 0, or -1 if out of memory.
 */
int	ks_rbac_aggregate(struct ks_rbac_role **roles, size_t nroles);

/*
 * Whether the aggregationRule of aggregator selects role directly: role
 * is another ClusterRole whose labels one of its selectors matches
 * (rbac-agg.c).
 */
int	ks_rbac_role_selects(const struct ks_rbac_role *aggregator,
	    const struct ks_rbac_role *role);

/*
 * Every aggregated ClusterRole that takes in role's rules, directly or
 * through another aggregated role (a rule added to a role labelled
 * aggregate-to-edit also reaches edit and admin).  Returns the number
 * reported, -1 if out of memory (rbac-query.c).
 */
long	ks_rbac_aggregators(struct ks_rbac *, const struct ks_rbac_role *role,
	    ks_rbac_role_fn fn, void *arg);

/* --- manifests for remediation (rbac-json.c); all return a new reference,
   NULL when out of memory --- */

/* {"apiGroups":[group],"resources":[resource or resource/subresource],
   "verbs":[verbs...]}; no resourceNames, no wildcards added. */
json_t	*ks_rbac_rule_json(const char *api_group, const char *resource,
	    const char *subresource, const char *const *verbs, size_t nverbs);

/* The role as a manifest `kubectl apply -f` accepts: apiVersion
   rbac.authorization.k8s.io/v1, kind, metadata (name, namespace, labels,
   annotations without kubectl's last-applied-configuration),
   aggregationRule if any, and all its stored rules followed by extra_rule
   (borrowed; NULL for none).  Aggregated rules are not written: the
   controller owns them. */
json_t	*ks_rbac_role_manifest(const struct ks_rbac_role *,
	    const json_t *extra_rule);

/* A new Role (namespace non-NULL) or ClusterRole with the given rules (a
   JSON array, borrowed). */
json_t	*ks_rbac_role_new_manifest(const char *namespace, const char *name,
	    const json_t *rules);

/* A new RoleBinding (namespace non-NULL) or ClusterRoleBinding to
   role_kind "Role"/"ClusterRole" role_name, for one user: a ServiceAccount
   subject for system:serviceaccount:NS:NAME, else a User subject. */
json_t	*ks_rbac_binding_new_manifest(const char *namespace, const char *name,
	    const char *role_kind, const char *role_name, const char *user);

#endif
