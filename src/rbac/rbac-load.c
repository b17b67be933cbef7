/*
 * Parsing RBAC objects (rbac.authorization.k8s.io v1, v1beta1, v1alpha1:
 * the fields read here are the same in all three) into struct ks_rbac_role
 * and struct ks_rbac_binding.  Everything kept is copied.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/err.h"
#include "rbac/rbac.h"

#define SA_PREFIX	"system:serviceaccount:"

/*
 * Prefix err's message with "NAME: FIELD[I]: " (no index when i is
 * SIZE_MAX).  Returns -1.
 */
static int
err_prefix(struct ks_err *err, const char *name, const char *field, size_t i)
{
	char msg[sizeof(err->msg)];

	if (err == NULL)
		return -1;
	memcpy(msg, err->msg, sizeof(msg));
	if (i == SIZE_MAX)
		return ks_err_set(err, "%s: %s: %s", name, field, msg);
	return ks_err_set(err, "%s: %s[%zu]: %s", name, field, i, msg);
}

/* A copy of s, or NULL (s NULL or out of memory). */
static char *
dup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

static void
strv_clear(struct ks_rbac_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/*
 * Fill sv from obj[key], which must be absent, null, or an array of
 * strings.  0, or -1 with err (err names the field).
 */
static int
strv_parse(struct ks_rbac_strv *sv, const json_t *obj, const char *key,
    struct ks_err *err)
{
	const json_t *a, *s;
	size_t i;

	sv->v = NULL;
	sv->n = 0;
	a = json_object_get(obj, key);
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return ks_err_set(err, "%s is not an array", key);
	if (json_array_size(a) == 0)
		return 0;
	if ((sv->v = calloc(json_array_size(a), sizeof(*sv->v))) == NULL)
		return ks_err_set(err, "out of memory");
	json_array_foreach(a, i, s) {
		if (!json_is_string(s)) {
			strv_clear(sv);
			return ks_err_set(err, "%s[%zu] is not a string",
			    key, i);
		}
		if ((sv->v[i] = strdup(json_string_value(s))) == NULL) {
			strv_clear(sv);
			return ks_err_set(err, "out of memory");
		}
		sv->n = i + 1;
	}
	return 0;
}

static int
strv_copy(struct ks_rbac_strv *dst, const struct ks_rbac_strv *src)
{
	size_t i;

	dst->v = NULL;
	dst->n = 0;
	if (src->n == 0)
		return 0;
	if ((dst->v = calloc(src->n, sizeof(*dst->v))) == NULL)
		return -1;
	for (i = 0; i < src->n; i++) {
		if ((dst->v[i] = strdup(src->v[i])) == NULL) {
			strv_clear(dst);
			return -1;
		}
		dst->n = i + 1;
	}
	return 0;
}

static int
strv_equal(const struct ks_rbac_strv *a, const struct ks_rbac_strv *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

void
ks_rbac_rule_clear(struct ks_rbac_rule *r)
{
	strv_clear(&r->verbs);
	strv_clear(&r->api_groups);
	strv_clear(&r->resources);
	strv_clear(&r->resource_names);
	strv_clear(&r->urls);
	r->aggregated_from = NULL;
}

int
ks_rbac_rule_copy(struct ks_rbac_rule *dst, const struct ks_rbac_rule *src)
{
	memset(dst, 0, sizeof(*dst));
	if (strv_copy(&dst->verbs, &src->verbs) == -1 ||
	    strv_copy(&dst->api_groups, &src->api_groups) == -1 ||
	    strv_copy(&dst->resources, &src->resources) == -1 ||
	    strv_copy(&dst->resource_names, &src->resource_names) == -1 ||
	    strv_copy(&dst->urls, &src->urls) == -1) {
		ks_rbac_rule_clear(dst);
		return -1;
	}
	dst->aggregated_from = src->aggregated_from;
	return 0;
}

/* Semantic equality of the five lists (the aggregation controller's
   ruleExists); where a rule came from does not count. */
int
ks_rbac_rule_equal(const struct ks_rbac_rule *a, const struct ks_rbac_rule *b)
{
	return strv_equal(&a->verbs, &b->verbs) &&
	    strv_equal(&a->api_groups, &b->api_groups) &&
	    strv_equal(&a->resources, &b->resources) &&
	    strv_equal(&a->resource_names, &b->resource_names) &&
	    strv_equal(&a->urls, &b->urls);
}

static int
rule_parse(struct ks_rbac_rule *r, const json_t *obj, struct ks_err *err)
{
	memset(r, 0, sizeof(*r));
	if (!json_is_object(obj))
		return ks_err_set(err, "rule is not an object");
	if (strv_parse(&r->verbs, obj, "verbs", err) == -1 ||
	    strv_parse(&r->api_groups, obj, "apiGroups", err) == -1 ||
	    strv_parse(&r->resources, obj, "resources", err) == -1 ||
	    strv_parse(&r->resource_names, obj, "resourceNames", err) == -1 ||
	    strv_parse(&r->urls, obj, "nonResourceURLs", err) == -1) {
		ks_rbac_rule_clear(r);
		return -1;
	}
	return 0;
}

/* The string obj[key], NULL when absent; -1 with err when not a string. */
static int
get_str(const json_t *obj, const char *key, const char **out,
    struct ks_err *err)
{
	const json_t *v;

	*out = NULL;
	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return ks_err_set(err, "%s is not a string", key);
	*out = json_string_value(v);
	return 0;
}

/*
 * metadata.name (required) and metadata.namespace (required when
 * namespaced, ignored otherwise) of obj.  Borrowed from obj.
 */
static int
get_meta(const json_t *obj, int cluster, const char **name, const char **ns,
    struct ks_err *err)
{
	const json_t *md;

	md = json_object_get(obj, "metadata");
	if (!json_is_object(md))
		return ks_err_set(err, "no metadata");
	if (get_str(md, "name", name, err) == -1 ||
	    get_str(md, "namespace", ns, err) == -1)
		return -1;
	if (*name == NULL || **name == '\0')
		return ks_err_set(err, "no metadata.name");
	if (cluster)
		*ns = NULL;
	else if (*ns == NULL || **ns == '\0')
		return ks_err_set(err, "%s has no metadata.namespace", *name);
	return 0;
}

static int
role_rules(struct ks_rbac_role *role, const json_t *obj, struct ks_err *err)
{
	const json_t *rules, *r;
	size_t i;

	rules = json_object_get(obj, "rules");
	if (rules == NULL || json_is_null(rules))
		return 0;
	if (!json_is_array(rules))
		return ks_err_set(err, "%s: rules is not an array", role->name);
	if (json_array_size(rules) == 0)
		return 0;
	role->rules = calloc(json_array_size(rules), sizeof(*role->rules));
	if (role->rules == NULL)
		return ks_err_set(err, "out of memory");
	json_array_foreach(rules, i, r) {
		if (rule_parse(&role->rules[i], r, err) == -1)
			return err_prefix(err, role->name, "rules", i);
		role->nrules = role->nstored = i + 1;
	}
	return 0;
}

struct ks_rbac_role *
ks_rbac_role_parse(json_t *obj, int cluster, struct ks_err *err)
{
	struct ks_rbac_role *role;
	const char *name, *ns;
	const json_t *agg;

	if (!json_is_object(obj)) {
		ks_err_set(err, "role is not an object");
		return NULL;
	}
	if (get_meta(obj, cluster, &name, &ns, err) == -1)
		return NULL;
	if ((role = calloc(1, sizeof(*role))) == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	role->cluster = cluster;
	role->name = dup(name);
	role->namespace = dup(ns);
	role->obj = json_deep_copy(obj);
	if (role->name == NULL || (ns != NULL && role->namespace == NULL) ||
	    role->obj == NULL) {
		ks_err_set(err, "out of memory");
		goto fail;
	}
	if (role_rules(role, obj, err) == -1)
		goto fail;
	agg = json_object_get(obj, "aggregationRule");
	role->aggregated = cluster && json_is_object(agg);
	return role;
fail:
	ks_rbac_role_free(role);
	return NULL;
}

void
ks_rbac_role_free(struct ks_rbac_role *role)
{
	size_t i;

	if (role == NULL)
		return;
	for (i = 0; i < role->nrules; i++)
		ks_rbac_rule_clear(&role->rules[i]);
	free(role->rules);
	free(role->name);
	free(role->namespace);
	json_decref(role->obj);
	free(role);
}

static enum ks_rbac_subject_kind
subject_kind(const char *kind)
{
	if (strcmp(kind, "User") == 0)
		return KS_RBAC_USER;
	if (strcmp(kind, "Group") == 0)
		return KS_RBAC_GROUP;
	if (strcmp(kind, "ServiceAccount") == 0)
		return KS_RBAC_SERVICE_ACCOUNT;
	return KS_RBAC_OTHER;
}

/*
 * The user name a subject matches (see struct ks_rbac_subject).  0, or -1
 * if out of memory.
 */
static int
subject_user(struct ks_rbac_subject *s, const char *bns)
{
	const char *ns;
	size_t len;

	s->user = NULL;
	if (s->kind == KS_RBAC_USER)
		return (s->user = strdup(s->name)) == NULL ? -1 : 0;
	if (s->kind != KS_RBAC_SERVICE_ACCOUNT)
		return 0;
	ns = s->namespace != NULL && *s->namespace != '\0' ? s->namespace :
	    bns;
	if (ns == NULL || *ns == '\0')
		return 0;	/* appliesToUser: no namespace, no match */
	len = strlen(SA_PREFIX) + strlen(ns) + 1 + strlen(s->name) + 1;
	if ((s->user = malloc(len)) == NULL)
		return -1;
	snprintf(s->user, len, SA_PREFIX "%s:%s", ns, s->name);
	return 0;
}

static int
subject_parse(struct ks_rbac_subject *s, const json_t *obj, const char *bns,
    struct ks_err *err)
{
	const char *kind, *name, *ns;

	if (!json_is_object(obj))
		return ks_err_set(err, "subject is not an object");
	if (get_str(obj, "kind", &kind, err) == -1 ||
	    get_str(obj, "name", &name, err) == -1 ||
	    get_str(obj, "namespace", &ns, err) == -1)
		return -1;
	if (kind == NULL || name == NULL)
		return ks_err_set(err, "subject without kind or name");
	s->kind = subject_kind(kind);
	if ((s->kind_name = strdup(kind)) == NULL ||
	    (s->name = strdup(name)) == NULL ||
	    (ns != NULL && (s->namespace = strdup(ns)) == NULL) ||
	    subject_user(s, bns) == -1)
		return ks_err_set(err, "out of memory");
	return 0;
}

static int
binding_subjects(struct ks_rbac_binding *b, const json_t *obj,
    struct ks_err *err)
{
	const json_t *subs, *s;
	size_t i;

	subs = json_object_get(obj, "subjects");
	if (subs == NULL || json_is_null(subs))
		return 0;
	if (!json_is_array(subs))
		return ks_err_set(err, "%s: subjects is not an array", b->name);
	if (json_array_size(subs) == 0)
		return 0;
	b->subjects = calloc(json_array_size(subs), sizeof(*b->subjects));
	if (b->subjects == NULL)
		return ks_err_set(err, "out of memory");
	json_array_foreach(subs, i, s) {
		b->nsubjects = i + 1;
		if (subject_parse(&b->subjects[i], s, b->namespace, err) == -1)
			return err_prefix(err, b->name, "subjects", i);
	}
	return 0;
}

static int
binding_ref(struct ks_rbac_binding *b, const json_t *obj, struct ks_err *err)
{
	const json_t *ref;
	const char *kind, *name;

	ref = json_object_get(obj, "roleRef");
	if (!json_is_object(ref))
		return ks_err_set(err, "%s: no roleRef", b->name);
	if (get_str(ref, "kind", &kind, err) == -1 ||
	    get_str(ref, "name", &name, err) == -1)
		return err_prefix(err, b->name, "roleRef", SIZE_MAX);
	if (kind == NULL || name == NULL)
		return ks_err_set(err, "%s: roleRef without kind or name",
		    b->name);
	if ((b->role_kind = strdup(kind)) == NULL ||
	    (b->role_name = strdup(name)) == NULL)
		return ks_err_set(err, "out of memory");
	return 0;
}

struct ks_rbac_binding *
ks_rbac_binding_parse(json_t *obj, int cluster, struct ks_err *err)
{
	struct ks_rbac_binding *b;
	const char *name, *ns;

	if (!json_is_object(obj)) {
		ks_err_set(err, "binding is not an object");
		return NULL;
	}
	if (get_meta(obj, cluster, &name, &ns, err) == -1)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	b->cluster = cluster;
	b->name = dup(name);
	b->namespace = dup(ns);
	b->obj = json_deep_copy(obj);
	b->ref = KS_RBAC_REF_MISSING;
	if (b->name == NULL || (ns != NULL && b->namespace == NULL) ||
	    b->obj == NULL) {
		ks_err_set(err, "out of memory");
		goto fail;
	}
	if (binding_ref(b, obj, err) == -1 ||
	    binding_subjects(b, obj, err) == -1)
		goto fail;
	return b;
fail:
	ks_rbac_binding_free(b);
	return NULL;
}

void
ks_rbac_binding_free(struct ks_rbac_binding *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nsubjects; i++) {
		free(b->subjects[i].kind_name);
		free(b->subjects[i].name);
		free(b->subjects[i].namespace);
		free(b->subjects[i].user);
	}
	free(b->subjects);
	free(b->name);
	free(b->namespace);
	free(b->role_kind);
	free(b->role_name);
	json_decref(b->obj);
	free(b);
}
