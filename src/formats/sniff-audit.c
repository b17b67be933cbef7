/*
 * Kubernetes audit events as the API server writes them: audit.k8s.io v1 or
 * v1beta1, one per line, one per file, pretty-printed, or as an EventList;
 * with or without apiVersion.  Compression and rotation are the walk's job.
 * A line of another audit shape (a Cloud Logging entry, an Azure record)
 * is read by its own reader (pipeline.c).  Events written as YAML
 * (k8s-audit-yaml) are read by sniff-yaml.c's document loop.
 */
#include <string.h>

#include "formats/pipeline.h"
#include "formats/sniff.h"
#include "formats/yamldoc.h"

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	if (!pk->json)
		return 0;
	if (ks_peek_has(pk, 0, "auditID") || ks_peek_has(pk, 1, "auditID"))
		return 30;
	if (strncmp(pk->api_version, "audit.k8s.io/", 13) == 0 &&
	    (strcmp(pk->kind, "Event") == 0 ||
	    strcmp(pk->kind, "EventList") == 0))
		return 30;
	if (ks_peek_has(pk, 0, "stage") && ks_peek_has(pk, 0, "requestURI"))
		return 30;
	return 0;
}

/* The pipeline reads and parses in one thread while another writes. */
static int
ingest(struct ks_member *m, struct ks_err *err)
{
	return ks_pipeline_audit(m, err);
}

const struct ks_sniffer ks_sniffer_audit = { "k8s-audit", bid, ingest };

/* An Event in YAML: its keys at the start of a line (an EventList's
   items start with "- "). */
static int
bid_yaml(const char *name, uint64_t size, const unsigned char *head,
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

const struct ks_sniffer ks_sniffer_audit_yaml = { "k8s-audit-yaml",
	bid_yaml, ks_yaml_ingest };
