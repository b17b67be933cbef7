/*
 * Kubernetes version documents: `kubectl version -o json`, the API's
 * /version ({"major", "minor", "gitVersion", ...}), and troubleshoot's
 * cluster-info.json ({"info": {...}, "string": "v1.24.4+k3s1"}).  The
 * server version goes to the snapshot the document belongs to.
 */
#include <string.h>

#include "formats/ingest.h"
#include "util/jutil.h"
#include "formats/sniff.h"
#include "formats/member.h"

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	if (!pk->json || pk->array)
		return 0;
	if (ks_peek_has(pk, 0, "gitVersion") && ks_peek_has(pk, 0, "major"))
		return 25;
	if (ks_peek_has(pk, 0, "serverVersion"))
		return 25;
	if (ks_peek_has(pk, 0, "info") && ks_peek_has(pk, 0, "string") &&
	    pk->nkeys == 2)
		return 25;
	return 0;
}

static int
on_doc(struct ks_member *m, json_t *v, const struct ks_jrec *r, void *arg,
    struct ks_err *err)
{
	const char *ver = ks_json_str(v, "gitVersion");

	if (ver == NULL)
		ver = ks_json_str2(v, "serverVersion", "gitVersion");
	if (ver == NULL)
		ver = ks_json_str2(v, "info", "gitVersion");
	if (ver == NULL)
		ver = ks_json_str(v, "string");
	if (ver == NULL)
		return ks_emit_reject(m, r->line, "version document without "
		    "a server version (gitVersion)", r->data, r->len, err);
	if (ks_emit_server_version(m, ver, err) < 0)
		return -1;
	m->tally.records++;
	m->tally.imported++;
	return 0;
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	return ks_ingest_json(m, ks_jscan_items, on_doc, NULL, NULL, err);
}

const struct ks_sniffer ks_sniffer_version = {
	.name = "k8s-version", .bid = bid, .ingest = ingest
};
