#include <string.h>

#include "util/jutil.h"
#include "formats/kobj.h"

/* Configuration kinds that carry keys or tokens in plain text. */
static const struct { const char *group, *kind; } secret_kinds[] = {
	{ "", "Config" },			/* kubeconfig: users' tokens */
	{ "apiserver.config.k8s.io", "EncryptionConfiguration" },
	{ "kubeadm.k8s.io", "InitConfiguration" },	/* bootstrap tokens */
	{ "kubeadm.k8s.io", "JoinConfiguration" },
};

static int
holds_secrets(const char *kind, const char *api_version)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash != NULL ? (size_t)(slash - api_version) : 0;

	for (size_t i = 0; i < sizeof(secret_kinds) / sizeof(secret_kinds[0]);
	    i++)
		if (strcmp(kind, secret_kinds[i].kind) == 0 &&
		    strlen(secret_kinds[i].group) == glen &&
		    strncmp(api_version, secret_kinds[i].group, glen) == 0)
			return 1;
	return 0;
}

const char *
ks_kobj_why_not(const json_t *v, int *secret)
{
	json_t *kind = json_object_get(v, "kind");
	const char *k = ks_json_str(v, "kind");
	const char *av = ks_json_str(v, "apiVersion");

	*secret = 0;
	if (!json_is_object(v))
		return "not a Kubernetes object (not a JSON object)";
	if (kind != NULL && !json_is_string(kind))
		return "not a Kubernetes object (kind is not a string)";
	if (json_is_object(json_object_get(v, "metadata")))
		return NULL;
	/* Nothing but kind and apiVersion: nothing to keep. */
	if (k == NULL || av == NULL || json_object_size(v) < 3)
		return "not a Kubernetes object (no metadata)";
	if ((*secret = holds_secrets(k, av)) != 0)
		return "configuration that holds credentials (not copied)";
	return NULL;
}
