/*
 * Matching one rule against one request, and one subject against one
 * actor: the functions of pkg/apis/rbac/v1/evaluation_helpers.go
 * (VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches,
 * NonResourceURLMatches), RuleAllows of plugin/pkg/auth/authorizer/rbac/
 * rbac.go, and appliesToUser of pkg/registry/rbac/validation/rule.go.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbac.h"

#define SA_PREFIX	"system:serviceaccount:"
#define SAS_GROUP	"system:serviceaccounts"

static const char *
nz(const char *s)
{
	return s == NULL ? "" : s;
}

/* The request's resource and subresource, split as RuleAllows sees them:
   "pods/exec" given whole in resource is split at the first '/'. */
struct res {
	const char	*res;		/* resource, possibly with "/sub" */
	size_t		 reslen;	/* length of the resource part */
	const char	*sub;		/* subresource, "" for none */
};

static void
split(const struct ks_rbac_request *req, struct res *r)
{
	const char *slash;

	r->res = nz(req->resource);
	r->sub = nz(req->subresource);
	r->reslen = strlen(r->res);
	if (*r->sub == '\0' && (slash = strchr(r->res, '/')) != NULL) {
		r->reslen = (size_t)(slash - r->res);
		r->sub = slash + 1;
	}
}

/* VerbMatches. */
static int
verb_matches(const struct ks_rbac_rule *rule, const char *verb)
{
	size_t i;

	for (i = 0; i < rule->verbs.n; i++)
		if (strcmp(rule->verbs.v[i], "*") == 0 ||
		    strcmp(rule->verbs.v[i], verb) == 0)
			return 1;
	return 0;
}

/* APIGroupMatches. */
static int
group_matches(const struct ks_rbac_rule *rule, const char *group)
{
	size_t i;

	for (i = 0; i < rule->api_groups.n; i++)
		if (strcmp(rule->api_groups.v[i], "*") == 0 ||
		    strcmp(rule->api_groups.v[i], group) == 0)
			return 1;
	return 0;
}

/* Is s equal to the combined resource RES[/SUB]? */
static int
combined_eq(const char *s, const struct res *r)
{
	if (strncmp(s, r->res, r->reslen) != 0)
		return 0;
	s += r->reslen;
	if (*r->sub == '\0')
		return *s == '\0';
	return *s == '/' && strcmp(s + 1, r->sub) == 0;
}

/*
 * ResourceMatches: "*" matches everything, the combined "resource/sub"
 * matches exactly, and for a subresource request "*" "/sub" matches any
 * resource's sub.  Nothing else is a pattern: "pods/" "*" matches only a
 * subresource literally named "*".
 */
static int
resource_matches(const struct ks_rbac_rule *rule, const struct res *r)
{
	const char *s;
	size_t i;

	for (i = 0; i < rule->resources.n; i++) {
		s = rule->resources.v[i];
		if (strcmp(s, "*") == 0 || combined_eq(s, r))
			return 1;
		if (*r->sub == '\0')
			continue;
		if (s[0] == '*' && s[1] == '/' && strcmp(s + 2, r->sub) == 0)
			return 1;
	}
	return 0;
}

/* ResourceNameMatches: an empty list allows every name, even none. */
static int
name_matches(const struct ks_rbac_rule *rule, const char *name)
{
	size_t i;

	if (rule->resource_names.n == 0)
		return 1;
	for (i = 0; i < rule->resource_names.n; i++)
		if (strcmp(rule->resource_names.v[i], name) == 0)
			return 1;
	return 0;
}

/* NonResourceURLMatches: "*", an exact match, or a prefix when the rule
   ends in '*' (every trailing '*' is trimmed, as strings.TrimRight does). */
static int
url_matches(const struct ks_rbac_rule *rule, const char *path)
{
	const char *u;
	size_t i, len;

	for (i = 0; i < rule->urls.n; i++) {
		u = rule->urls.v[i];
		if (strcmp(u, "*") == 0 || strcmp(u, path) == 0)
			return 1;
		len = strlen(u);
		if (len == 0 || u[len - 1] != '*')
			continue;
		while (len > 0 && u[len - 1] == '*')
			len--;
		if (strncmp(u, path, len) == 0)
			return 1;
	}
	return 0;
}

unsigned
ks_rbac_rule_miss(const struct ks_rbac_rule *rule,
    const struct ks_rbac_request *req)
{
	struct res r;
	unsigned miss = 0;

	if (!verb_matches(rule, nz(req->verb)))
		miss |= KS_RBAC_MISS_VERB;
	if (req->resource == NULL) {
		if (!url_matches(rule, nz(req->path)))
			miss |= KS_RBAC_MISS_URL;
		if (rule->urls.n == 0 && rule->resources.n > 0)
			miss |= KS_RBAC_MISS_KIND;
		return miss;
	}
	split(req, &r);
	if (!group_matches(rule, nz(req->api_group)))
		miss |= KS_RBAC_MISS_GROUP;
	if (!resource_matches(rule, &r))
		miss |= KS_RBAC_MISS_RESOURCE;
	if (!name_matches(rule, nz(req->name)))
		miss |= KS_RBAC_MISS_NAME;
	if (rule->resources.n == 0 && rule->urls.n > 0)
		miss |= KS_RBAC_MISS_KIND;
	return miss;
}

int
ks_rbac_rule_allows(const struct ks_rbac_rule *rule,
    const struct ks_rbac_request *req)
{
	return ks_rbac_rule_miss(rule, req) == 0;
}

/*
 * The groups the authenticators add (see struct ks_rbac_request): is group
 * one of them for this user?
 */
static int
implicit_group(const char *user, const char *group)
{
	const char *ns, *colon;
	size_t plen = strlen(SA_PREFIX), glen = strlen(SAS_GROUP);

	if (strcmp(user, "system:anonymous") == 0)
		return strcmp(group, "system:unauthenticated") == 0;
	if (strcmp(group, "system:authenticated") == 0)
		return 1;
	if (strncmp(user, SA_PREFIX, plen) != 0)
		return 0;
	ns = user + plen;
	if ((colon = strchr(ns, ':')) == NULL || colon == ns ||
	    colon[1] == '\0' || strchr(colon + 1, ':') != NULL)
		return 0;	/* not a service account user name */
	if (strcmp(group, SAS_GROUP) == 0)
		return 1;
	return strncmp(group, SAS_GROUP ":", glen + 1) == 0 &&
	    strncmp(group + glen + 1, ns, (size_t)(colon - ns)) == 0 &&
	    group[glen + 1 + (size_t)(colon - ns)] == '\0';
}

int
ks_rbac_request_in_group(const struct ks_rbac_request *req,
    const char *group)
{
	size_t i;

	for (i = 0; i < req->ngroups; i++)
		if (req->groups[i] != NULL && strcmp(req->groups[i], group) == 0)
			return 1;
	return req->implicit_groups && implicit_group(nz(req->user), group);
}

/*
 * appliesToUser: a User by name, a Group by membership, a ServiceAccount
 * by its system:serviceaccount:NS:NAME user name (precomputed in
 * subject->user, NULL when it matches nobody).
 */
int
ks_rbac_subject_applies(const struct ks_rbac_subject *s,
    const struct ks_rbac_request *req)
{
	switch (s->kind) {
	case KS_RBAC_USER:
	case KS_RBAC_SERVICE_ACCOUNT:
		return s->user != NULL && strcmp(s->user, nz(req->user)) == 0;
	case KS_RBAC_GROUP:
		return ks_rbac_request_in_group(req, s->name);
	default:
		return 0;
	}
}
