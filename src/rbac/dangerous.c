/*
 * The dangerous-permission test of remediation (remediate-class.c), for
 * one permission and for a whole rule.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rbac/dangerous.h"
#include "rbac/remediate-int.h"

const char *
ks_rbac_dangerous(const char *verb, const char *api_group,
    const char *resource, const char *subresource, const char *path,
    char *buf, size_t sz)
{
	struct ks_remediate_group g = { .verb = verb, .api_group = api_group,
	    .resource = resource, .subresource = subresource, .path = path };

	return ks_remediate_dangerous(&g, buf, sz);
}

/* One verb of rule against every group and resource of it. */
static const char *
verb_dangerous(const struct ks_rbac_rule *rule, const char *verb, char *buf,
    size_t sz)
{
	char res[256], *slash;

	for (size_t g = 0; g < rule->api_groups.n; g++)
		for (size_t r = 0; r < rule->resources.n; r++) {
			snprintf(res, sizeof(res), "%s", rule->resources.v[r]);
			if ((slash = strchr(res, '/')) != NULL)
				*slash++ = '\0';
			if (ks_rbac_dangerous(verb, rule->api_groups.v[g],
			    res, slash, NULL, buf, sz) != NULL)
				return buf;
		}
	/* A URL is dangerous only as the wildcard of all of them. */
	for (size_t u = 0; u < rule->urls.n; u++)
		if (strcmp(rule->urls.v[u], "*") == 0 && ks_rbac_dangerous(verb, NULL, NULL, NULL, rule->urls.v[u],
		    buf, sz) != NULL)
			return buf;
	return NULL;
}

const char *
ks_rbac_rule_dangerous(const struct ks_rbac_rule *rule, char *buf,
    size_t sz)
{
	for (size_t v = 0; v < rule->verbs.n; v++)
		if (verb_dangerous(rule, rule->verbs.v[v], buf, sz) != NULL)
			return buf;
	return NULL;
}
