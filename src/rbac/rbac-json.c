/*
 * Manifests for remediation: rules, roles and bindings as JSON that
 * `kubectl apply -f` accepts, and that ks_rbac_add() takes back for replay.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbac.h"

#define API_VERSION	"rbac.authorization.k8s.io/v1"
#define API_GROUP	"rbac.authorization.k8s.io"
#define SA_PREFIX	"system:serviceaccount:"
#define LAST_APPLIED	"kubectl.kubernetes.io/last-applied-configuration"

/* Set obj[key] to a new string; 0 or -1. */
static int
set_str(json_t *obj, const char *key, const char *s)
{
	return json_object_set_new(obj, key, json_string(s));
}

/* A one-string array. */
static json_t *
one(const char *s)
{
	json_t *a;

	if ((a = json_array()) == NULL)
		return NULL;
	if (json_array_append_new(a, json_string(s)) == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *
ks_rbac_rule_json(const char *api_group, const char *resource,
    const char *subresource, const char *const *verbs, size_t nverbs)
{
	json_t *rule, *v;
	char buf[512];
	size_t i;

	if (resource == NULL)
		return NULL;
	if (subresource != NULL && *subresource != '\0') {
		if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", resource,
		    subresource) >= sizeof(buf))
			return NULL;
		resource = buf;
	}
	if ((rule = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(rule, "apiGroups",
	    one(api_group != NULL ? api_group : "")) == -1 ||
	    json_object_set_new(rule, "resources", one(resource)) == -1 ||
	    json_object_set_new(rule, "verbs", v = json_array()) == -1)
		goto fail;
	for (i = 0; i < nverbs; i++)
		if (json_array_append_new(v, json_string(verbs[i])) == -1)
			goto fail;
	return rule;
fail:
	json_decref(rule);
	return NULL;
}

/* metadata for a manifest: name, namespace, and from old (may be NULL)
   labels and annotations without kubectl's last-applied copy. */
static json_t *
metadata(const char *ns, const char *name, const json_t *old)
{
	json_t *md, *ann;
	const json_t *v;

	if ((md = json_object()) == NULL)
		return NULL;
	if (set_str(md, "name", name) == -1 ||
	    (ns != NULL && set_str(md, "namespace", ns) == -1))
		goto fail;
	if ((v = json_object_get(old, "labels")) != NULL &&
	    json_object_size(v) > 0 &&
	    json_object_set_new(md, "labels", json_deep_copy(v)) == -1)
		goto fail;
	if ((v = json_object_get(old, "annotations")) != NULL &&
	    json_is_object(v)) {
		if ((ann = json_deep_copy(v)) == NULL)
			goto fail;
		json_object_del(ann, LAST_APPLIED);
		if (json_object_size(ann) == 0)
			json_decref(ann);
		else if (json_object_set_new(md, "annotations", ann) == -1)
			goto fail;
	}
	return md;
fail:
	json_decref(md);
	return NULL;
}

/* The skeleton {apiVersion, kind, metadata}. */
static json_t *
skeleton(const char *kind, json_t *md)
{
	json_t *o;

	if (md == NULL || (o = json_object()) == NULL) {
		json_decref(md);
		return NULL;
	}
	if (set_str(o, "apiVersion", API_VERSION) == -1 ||
	    set_str(o, "kind", kind) == -1 ||
	    json_object_set_new(o, "metadata", md) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
ks_rbac_role_manifest(const struct ks_rbac_role *role,
    const json_t *extra_rule)
{
	const json_t *old, *agg, *r;
	json_t *o, *rules;
	size_t i;

	old = json_object_get(role->obj, "rules");
	o = skeleton(role->cluster ? "ClusterRole" : "Role",
	    metadata(role->namespace, role->name,
	    json_object_get(role->obj, "metadata")));
	if (o == NULL)
		return NULL;
	if ((agg = json_object_get(role->obj, "aggregationRule")) != NULL &&
	    !json_is_null(agg) && json_object_set_new(o, "aggregationRule",
	    json_deep_copy(agg)) == -1)
		goto fail;
	if (json_object_set_new(o, "rules", rules = json_array()) == -1)
		goto fail;
	json_array_foreach(old, i, r)
		if (json_array_append_new(rules, json_deep_copy(r)) == -1)
			goto fail;
	if (extra_rule != NULL &&
	    json_array_append_new(rules, json_deep_copy(extra_rule)) == -1)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *
ks_rbac_role_new_manifest(const char *ns, const char *name,
    const json_t *rules)
{
	json_t *o;

	o = skeleton(ns != NULL ? "Role" : "ClusterRole",
	    metadata(ns, name, NULL));
	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "rules", json_is_array(rules) ?
	    json_deep_copy(rules) : json_array()) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The subject for a user name: a ServiceAccount for system:serviceaccount:
   NS:NAME, else a User. */
static json_t *
subject(const char *user)
{
	const char *ns, *colon;
	json_t *s;
	int ok;

	if ((s = json_object()) == NULL)
		return NULL;
	ns = NULL;
	colon = NULL;
	if (strncmp(user, SA_PREFIX, strlen(SA_PREFIX)) == 0) {
		ns = user + strlen(SA_PREFIX);
		colon = strchr(ns, ':');
	}
	if (colon != NULL && colon != ns && colon[1] != '\0' &&
	    strchr(colon + 1, ':') == NULL) {
		ok = set_str(s, "kind", "ServiceAccount") == 0 &&
		    set_str(s, "name", colon + 1) == 0 &&
		    json_object_set_new(s, "namespace",
		    json_stringn(ns, (size_t)(colon - ns))) == 0;
	} else {
		ok = set_str(s, "kind", "User") == 0 &&
		    set_str(s, "apiGroup", API_GROUP) == 0 &&
		    set_str(s, "name", user) == 0;
	}
	if (!ok) {
		json_decref(s);
		return NULL;
	}
	return s;
}

json_t *
ks_rbac_binding_new_manifest(const char *ns, const char *name,
    const char *role_kind, const char *role_name, const char *user)
{
	json_t *o, *ref, *subs;

	if (role_kind == NULL || role_name == NULL || user == NULL)
		return NULL;
	o = skeleton(ns != NULL ? "RoleBinding" : "ClusterRoleBinding",
	    metadata(ns, name, NULL));
	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "roleRef", ref = json_object()) == -1 ||
	    set_str(ref, "apiGroup", API_GROUP) == -1 ||
	    set_str(ref, "kind", role_kind) == -1 ||
	    set_str(ref, "name", role_name) == -1 ||
	    json_object_set_new(o, "subjects", subs = json_array()) == -1 ||
	    json_array_append_new(subs, subject(user)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}
