/*
 * Before anything is proposed: who the actor is (a component or a
 * person, from the identity_classes table of sql/004-identities.sql),
 * whether a detection names it, and whether the permission a denial asks
 * for is dangerous.  See DESIGN.md, "Remediation, as a user expects it".
 */
#include <stdio.h>
#include <string.h>

#include "store/filter.h"
#include "store/rollup.h"
#include "util/jutil.h"
#include "rbac/remediate-int.h"

json_t *
ks_remediate_suspects(sqlite3 *db)
{
	/*
	 * A controller that creates a privileged pod does it for whoever
	 * wrote the workload (kube-proxy, CNI daemonsets): the pod rules do
	 * not make the control plane's own identities suspects.
	 */
	/* (%s: the detections saved at import while they hold, else the
	   view: store/rollup.h.) */
	static const char fmt[] = "SELECT actor, rule FROM %s d"
	    " WHERE severity IN ('critical', 'high') AND actor IS NOT NULL"
	    " AND NOT (rule IN ('privileged-pod', 'host-network',"
	    " 'sensitive-mount') AND (SELECT class FROM identity_classes"
	    " WHERE d.actor GLOB pattern ORDER BY priority LIMIT 1) IN"
	    " ('control-plane', 'controller', 'node', 'cloud-provider'))"
	    " ORDER BY severity = 'critical' DESC, first_seen, rule";
	json_t *o = json_object();
	sqlite3_stmt *st;
	const char *actor;
	char q[sizeof(fmt) + 32];

	snprintf(q, sizeof(q), fmt, ks_rollup_detections(db));
	if (o == NULL || sqlite3_prepare_v2(db, q, -1, &st, NULL) !=
	    SQLITE_OK)
		return o;
	while (sqlite3_step(st) == SQLITE_ROW)
		if ((actor = (const char *)sqlite3_column_text(st, 0)) !=
		    NULL && json_object_get(o, actor) == NULL)
			json_object_set_new(o, actor, json_string(
			    (const char *)sqlite3_column_text(st, 1)));
	sqlite3_finalize(st);
	return o;
}

const char *
ks_remediate_detection(const json_t *suspects, const char *actor)
{
	return actor == NULL ? NULL : json_string_value(json_object_get(
	    suspects, actor));
}

int
ks_remediate_named(const struct ks_filter *f, const char *actor)
{
	for (int i = 0; actor != NULL && i < f->actor.n; i++)
		if (strcmp(f->actor.v[i], actor) == 0)
			return 1;
	return 0;
}

/* Is w one of the space-separated words of list? */
static int
word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

/* Permissions that hand out more than they seem to (verbs NULL: any). */
static const struct {
	const char	*group, *resource, *sub, *verbs, *why;
} dangerous[] = {
#define RBAC_W(res) { "rbac.authorization.k8s.io", res, NULL, \
	"create update patch", "writing " res " lets the actor grant " \
	"itself or anyone any permission (escalation)" }
	RBAC_W("roles"), RBAC_W("clusterroles"), RBAC_W("rolebindings"),
	RBAC_W("clusterrolebindings"),
#undef RBAC_W
	{ "", "secrets", NULL, "get list watch", "reading secrets gives "
	    "their contents, credentials and service account tokens included" },
	{ "", "pods", "exec", NULL, "pods/exec runs commands inside "
	    "workloads, with their credentials" },
	{ "", "pods", "attach", NULL, "pods/attach reaches into running "
	    "containers" },
	{ "", "pods", "portforward", NULL, "pods/portforward opens network "
	    "access to pods past their network policies" },
	{ "", "nodes", "proxy", NULL, "nodes/proxy reaches the kubelet API, "
	    "and through it every pod on the node" },
	{ "", "serviceaccounts", "token", NULL, "serviceaccounts/token mints "
	    "tokens, and with them the service accounts' permissions" },
	{ "certificates.k8s.io", "certificatesigningrequests", "approval",
	    "update patch", "approving certificate signing requests issues "
	    "credentials" },
	{ "certificates.k8s.io", "signers", NULL, "approve", "approving for "
	    "a signer issues credentials" },
#define HOOK_W(res) { "admissionregistration.k8s.io", res, NULL, \
	"create update patch delete deletecollection", "writing " res \
	" lets the actor see, change or block every matching request" }
	HOOK_W("mutatingwebhookconfigurations"),
	HOOK_W("validatingwebhookconfigurations"),
#undef HOOK_W
};

static int
eq0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

const char *
ks_remediate_dangerous(const struct ks_remediate_group *g, char *buf,
    size_t sz)
{
	static const char *const keys[] = { "verb", "api_group", "resource",
	    "subresource", "path" };
	const char *verb = g->verb;
	const char *res = g->resource;
	const char *v[] = { g->verb, g->api_group, g->resource,
	    g->subresource, g->path };

	for (size_t k = 0; k < 5; k++)
		if (v[k] && strchr(v[k], '*')) {
			snprintf(buf, sz, "a wildcard (*) in the %s grants "
			    "everything of its kind, present and future",
			    keys[k]);
			return buf;
		}
	if (verb && (strcmp(verb, "bind") == 0 || strcmp(verb, "escalate") ==
	    0 || strcmp(verb, "impersonate") == 0)) {
		snprintf(buf, sz, "the verb %s lets the actor gain permissions "
		    "it does not have (escalation)", verb);
		return buf;
	}
	for (size_t i = 0; verb && res && i < sizeof(dangerous) /
	    sizeof(dangerous[0]); i++)
		if (strcmp(res, dangerous[i].resource) == 0 &&
		    eq0(g->api_group, dangerous[i].group) &&
		    eq0(g->subresource, dangerous[i].sub) &&
		    (dangerous[i].verbs == NULL ||
		    word_in(dangerous[i].verbs, verb))) {
			snprintf(buf, sz, "%s", dangerous[i].why);
			return buf;
		}
	return NULL;
}
