/*
 * Kubernetes audit events as the API server writes them: audit.k8s.io v1 or
 * v1beta1, one per line, one per file, pretty-printed, or as an EventList;
 * with or without apiVersion.  Compression and rotation are the walk's job.
 * A line of another audit shape (a Cloud Logging entry, an Azure record)
 * is read by its own format's record reader (pipeline.c, sniffer.h).
 * Events written as YAML (k8s-audit-yaml) are read by sniff-yaml.c's
 * document loop, which hands each to audit_record here.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/cloud.h"
#include "formats/jscan.h"
#include "formats/pipeline.h"
#include "formats/sniff.h"
#include "util/jutil.h"

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

/* A record of the shape of an audit.k8s.io Event (or EventList). */
static int
claims(const json_t *v)
{
	const char *av = ks_json_str(v, "apiVersion");
	const char *kind = ks_json_str(v, "kind");

	if (!json_is_object(v))
		return 0;
	return json_object_get(v, "auditID") != NULL ||
	    (json_object_get(v, "stage") != NULL &&
	    json_object_get(v, "requestURI") != NULL) ||
	    (av != NULL && strncmp(av, "audit.k8s.io/", 13) == 0 &&
	    kind != NULL && (strcmp(kind, "Event") == 0 ||
	    strcmp(kind, "EventList") == 0));
}

/*
 * The items of an EventList read from YAML, which have no bytes of their
 * own: each is stored with its compact JSON as its raw text, at the line
 * where the list starts.
 */
static int
list_items(struct ks_member *m, json_t *v, uint64_t line,
    struct ks_err *err)
{
	json_t *it;
	size_t i;
	char *raw;
	int rc;

	json_array_foreach(json_object_get(v, "items"), i, it) {
		if ((raw = json_dumps(it, JSON_COMPACT | JSON_ENCODE_ANY)) ==
		    NULL)
			return ks_err_set(err, "out of memory");
		rc = ks_cloud_audit_json(m, it, raw, strlen(raw), line, err);
		free(raw);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* One native event met in another format's member. */
static int
audit_record(struct ks_member *m, json_t *v, const struct ks_jrec *rec,
    void *arg, struct ks_err *err)
{
	const struct ks_cloud_read *c = arg;
	const char *kind = ks_json_str(v, "kind");

	if (c->yaml && kind != NULL && strcmp(kind, "EventList") == 0)
		return list_items(m, v, rec->line, err);
	return ks_cloud_audit_json(m, v, rec->data, rec->len, rec->line, err);
}

const struct ks_sniffer ks_sniffer_audit = {
	.name = "k8s-audit", .bid = bid, .ingest = ingest, .claims = claims,
	.record = audit_record
};
