/*
 * `kubectl get -o json` output: single objects, List and typed *List
 * documents (troubleshoot bundles, cluster-info dumps), and JSON arrays of
 * objects without kind (sonobuoy), whose kind comes from the file name:
 * ClusterRoles.json, rbac.authorization.k8s.io_v1_clusterroles.json,
 * clusterroles.rbac.authorization.k8s.io.json, or a parent folder named for
 * the resource (cluster-resources/pods/default.json).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "formats/ingest.h"
#include "util/jutil.h"
#include "formats/kobj.h"
#include "formats/sniff.h"
#include "formats/member.h"

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	int item_obj = ks_peek_has(pk, 1, "metadata") ||
	    ks_peek_has(pk, 1, "kind");

	if (!pk->json)
		return 0;
	if (pk->array)
		return ks_peek_has(pk, 1, "metadata") ? 20 : 0;
	if (pk->kind[0] != '\0' && ks_peek_has(pk, 0, "metadata"))
		return 20;
	if (ks_peek_has(pk, 0, "items") && (item_obj || pk->nitem_keys == 0))
		return 20;
	/* A kind that is not a string: a broken object, to be rejected. */
	if (ks_peek_has(pk, 0, "kind") && pk->kind[0] == '\0')
		return 10;
	return 0;
}

/* What the file name says about the objects in it. */
struct guess {
	char	kind[128];	/* "" when the name says nothing */
	char	api_version[300];
};

/* Try "resource" in "group" (NULL: any group); 1 when known. */
static int
try_resource(struct ks_member *m, const char *group, const char *res,
    size_t len, struct guess *g)
{
	char r[128];

	if (len == 0 || len >= sizeof(r))
		return 0;
	for (size_t i = 0; i < len; i++)
		r[i] = (char)tolower((unsigned char)res[i]);
	r[len] = '\0';
	return ks_member_kind_of(m, group, r, g->kind,
	    sizeof(g->kind));
}

/* Infer from one path element without its ".json". */
static int
guess_from(struct ks_member *m, const char *s, size_t len, struct guess *g)
{
	const char *u1 = memchr(s, '_', len), *u2, *dot;
	char group[128];

	if (u1 != NULL && (u2 = memchr(u1 + 1, '_', len - (u1 + 1 - s)))) {
		/* group_version_resource; "core" is the core group. */
		snprintf(group, sizeof(group), "%.*s", (int)(u1 - s), s);
		if (strcmp(group, "core") == 0)
			group[0] = '\0';
		if (!try_resource(m, group, u2 + 1, len - (u2 + 1 - s), g))
			return 0;
		snprintf(g->api_version, sizeof(g->api_version), "%s%s%.*s",
		    group, group[0] ? "/" : "", (int)(u2 - u1 - 1), u1 + 1);
		return 1;
	}
	if ((dot = memchr(s, '.', len)) != NULL) {
		/* resource.group */
		snprintf(group, sizeof(group), "%.*s", (int)(len - (dot + 1 - s)),
		    dot + 1);
		return try_resource(m, group, s, (size_t)(dot - s), g);
	}
	return try_resource(m, NULL, s, len, g);
}

static void
guess_kind(struct ks_member *m, struct guess *g)
{
	const char *p = m->path, *end, *start;
	size_t len;

	memset(g, 0, sizeof(*g));
	/* The file's own name, then the folder around it. */
	end = p + strlen(p);
	for (int level = 0; level < 2 && end > p; level++) {
		start = end;
		while (start > p && start[-1] != '/' && start[-1] != '!')
			start--;
		len = (size_t)(end - start);
		if (level == 0 && len > 5 && strcmp(end - 5, ".json") == 0)
			len -= 5;
		if (guess_from(m, start, len, g))
			return;
		end = start > p ? start - 1 : p;
	}
	g->kind[0] = '\0';
}

static int
on_object(struct ks_member *m, json_t *v, const struct ks_jrec *r, void *arg,
    struct ks_err *err)
{
	struct guess *g = arg;
	int secret;
	const char *why = ks_kobj_why_not(v, &secret);

	if (why != NULL)
		return ks_emit_reject(m, r->line, why, secret ? NULL : r->data,
		    secret ? 0 : r->len, err);
	return ks_emit_object(m, v, g->kind[0] ? g->kind : NULL,
	    g->api_version[0] ? g->api_version : NULL, r->line,
	    r->type == KS_JREC_ITEM ? r->index : 0, err);
}

/* A typed List names the kind of items that did not say theirs. */
static int
on_list(struct ks_member *m, json_t *env, const struct ks_jrec *r, void *arg,
    struct ks_err *err)
{
	const char *kind = ks_json_str(env, "kind");
	size_t n = kind != NULL ? strlen(kind) : 0;
	char item[128];

	if (n <= 4 || n - 4 >= sizeof(item) || strcmp(kind + n - 4, "List"))
		return 0;
	snprintf(item, sizeof(item), "%.*s", (int)(n - 4), kind);
	return ks_emit_object_kinds(m, item, ks_json_str(env, "apiVersion"),
	    err);
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	struct guess g;

	guess_kind(m, &g);
	return ks_ingest_json(m, ks_jscan_items, on_object, on_list, &g, err);
}

const struct ks_sniffer ks_sniffer_kubectl = {
	.name = "kubectl", .bid = bid, .ingest = ingest
};
