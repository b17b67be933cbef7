/*
 * Kubernetes objects as YAML: `kubectl get -o yaml` output, manifests
 * (several documents separated by ---), Lists, and configuration files
 * (an audit Policy).  Each document is read with libyaml, turned into JSON
 * (yamldoc.h), and stored as a kubectl object would be, so that a manifest
 * (a patched role, say) can be imported as a snapshot.
 *
 * The document loop here is every YAML format's (kubectl-yaml,
 * k8s-audit-yaml, gke-yaml, all three here): a document a format claims as
 * its record (sniffer.h: native audit events, Cloud Logging entries, Azure
 * records) is read by that format's reader, as its JSON would be, and
 * anything else as an object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/cloud.h"
#include "util/jutil.h"
#include "formats/kobj.h"
#include "formats/sniff.h"
#include "formats/member.h"
#include "formats/yamldoc.h"

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	if (!ks_yaml_head_text(head, n, pk->json))
		return 0;
	if (ks_yaml_head_has(head, n, "apiVersion:") &&
	    ks_yaml_head_has(head, n, "kind:"))
		return 15;
	return 0;
}

/* Store one object or the items of a List. */
static int
store_doc(struct ks_member *m, json_t *v, uint64_t line, struct ks_err *err)
{
	const char *kind = ks_json_str(v, "kind"), *why;
	json_t *items = json_object_get(v, "items"), *it;
	size_t i, n;
	char item_kind[128];
	int secret;

	if (kind != NULL && json_is_array(items) && (n = strlen(kind)) >= 4 &&
	    strcmp(kind + n - 4, "List") == 0) {
		snprintf(item_kind, sizeof(item_kind), "%.*s", (int)(n - 4), kind);
		json_array_foreach(items, i, it) {
			if (!json_is_object(json_object_get(it, "metadata"))) {
				if (ks_emit_reject(m, line, "List item without "
				    "metadata", NULL, 0, err) < 0)
					return -1;
			} else if (ks_emit_object(m, it, item_kind[0] ? item_kind
			    : NULL, ks_json_str(v, "apiVersion"), line, i,
			    err) < 0)
				return -1;
		}
		return 0;
	}
	if (kind == NULL)
		return ks_emit_reject(m, line, "YAML document is not a "
		    "Kubernetes object (no kind)", NULL, 0, err);
	/* No excerpt: a YAML reject has no JSON bytes of its own. */
	if ((why = ks_kobj_why_not(v, &secret)) != NULL)
		return ks_emit_reject(m, line, why, NULL, 0, err);
	return ks_emit_object(m, v, NULL, NULL, line, 0, err);
}

/*
 * An audit record read from YAML has no JSON bytes of its own: its compact
 * JSON (as jansson writes it, keys in their order) is stored as its raw
 * text, and events are deduplicated by that text's SHA-256.  The same
 * event imported as JSON too is therefore two rows, as it is when two
 * JSON files space it differently.
 */
static int
as_json(struct ks_member *m, json_t *v, uint64_t line, ks_json_fn fn,
    void *arg, struct ks_err *err)
{
	struct ks_jrec r = { .type = KS_JREC_VALUE, .line = line, .key = -1 };
	char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc;

	if (raw == NULL)
		return ks_err_set(err, "out of memory");
	r.data = raw;
	r.len = strlen(raw);
	rc = fn(m, v, &r, arg, err);
	free(raw);
	return rc;
}

/* A document of a format's record shape (sniffer.h) goes to its reader. */
static int
on_doc(struct ks_member *m, json_t *v, uint64_t line, void *arg,
    struct ks_err *err)
{
	ks_json_fn fn = ks_sniff_record(m, v);

	if (fn == NULL)
		return store_doc(m, v, line, err);
	return as_json(m, v, line, fn, arg, err);
}

/* The ingest of every YAML format: each document read by libyaml. */
static int
yaml_ingest(struct ks_member *m, struct ks_err *err)
{
	struct ks_cloud_read c = { .year = ks_cloud_year(m), .yaml = 1 };
	int rc = ks_yaml_each(m, on_doc, &c, err);

	ks_cloud_warn(m, &c.t);
	return rc;
}

const struct ks_sniffer ks_sniffer_yaml = {
	.name = "kubectl-yaml", .bid = bid, .ingest = yaml_ingest
};

/* An Event in YAML: its keys at the start of a line (an EventList's
   items start with "- "). */
static int
bid_audit(const char *name, uint64_t size, const unsigned char *head,
    size_t n, const struct ks_peek *pk)
{
	if (!ks_yaml_head_text(head, n, pk->json))
		return 0;
	if (ks_yaml_head_has(head, n, "auditID:"))
		return 30;
	if (ks_yaml_head_has(head, n, "apiVersion: audit.k8s.io/") &&
	    ks_yaml_head_has(head, n, "kind: Event"))
		return 30;
	return 0;
}

const struct ks_sniffer ks_sniffer_audit_yaml = {
	.name = "k8s-audit-yaml", .bid = bid_audit, .ingest = yaml_ingest
};

/* gcloud's YAML: the keys of a LogEntry at the start of a line. */
static int
bid_gke(const char *name, uint64_t size, const unsigned char *head,
    size_t n, const struct ks_peek *pk)
{
	if (!ks_yaml_head_text(head, n, pk->json))
		return 0;
	if (ks_yaml_head_has(head, n, "protoPayload:"))
		return 40;
	if (ks_yaml_head_has(head, n, "logName:") &&
	    (ks_yaml_head_has(head, n, "insertId:") ||
	    ks_yaml_head_has(head, n, "textPayload:") ||
	    ks_yaml_head_has(head, n, "jsonPayload:")))
		return 40;
	return 0;
}

const struct ks_sniffer ks_sniffer_gke_yaml = {
	.name = "gke-yaml", .bid = bid_gke, .ingest = yaml_ingest
};
