#include <stdio.h>
#include <string.h>

#include "rbac/rbacfmt.h"

static void
list(char *buf, size_t sz, const char *name, const struct ks_rbac_strv *v,
    int quote_empty)
{
	size_t n = strlen(buf);

	if (v->n == 0)
		return;
	n += snprintf(buf + n, n < sz ? sz - n : 0, "%s%s=[", n ? " " : "",
	    name);
	for (size_t i = 0; i < v->n && n < sz; i++)
		n += snprintf(buf + n, sz - n, "%s%s", i ? "," : "",
		    quote_empty && v->v[i][0] == '\0' ? "\"\"" : v->v[i]);
	if (n < sz)
		snprintf(buf + n, sz - n, "]");
}

char *
ks_rbacfmt_rule(const struct ks_rbac_rule *r, char *buf, size_t sz)
{
	buf[0] = '\0';
	list(buf, sz, "verbs", &r->verbs, 0);
	list(buf, sz, "apiGroups", &r->api_groups, 1);
	list(buf, sz, "resources", &r->resources, 0);
	list(buf, sz, "resourceNames", &r->resource_names, 0);
	list(buf, sz, "nonResourceURLs", &r->urls, 0);
	return buf;
}

char *
ks_rbacfmt_grant(const struct ks_rbac_grant *g, char *buf, size_t sz)
{
	const struct ks_rbac_binding *b = g->binding;

	snprintf(buf, sz, "%s %s%s%s -> %s %s%s%s",
	    b->cluster ? "ClusterRoleBinding" : "RoleBinding",
	    b->namespace ? b->namespace : "", b->namespace ? "/" : "", b->name,
	    b->role_kind ? b->role_kind : "?",
	    g->role && g->role->namespace ? g->role->namespace : "",
	    g->role && g->role->namespace ? "/" : "",
	    b->role_name ? b->role_name : "?");
	return buf;
}

const char *
ks_rbacfmt_other_authorizers(const char *user, const char *const *groups,
    size_t ngroups)
{
	for (size_t i = 0; i < ngroups; i++)
		if (strcmp(groups[i], "system:masters") == 0)
			return "member of system:masters: the apiserver allows "
			    "everything to this group whatever RBAC says";
	if (user != NULL && strncmp(user, "system:node:", 12) == 0)
		return "a kubelet: the Node authorizer judges it before RBAC";
	return NULL;
}
