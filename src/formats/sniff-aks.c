/*
 * AKS through Azure Monitor diagnostic settings: records with a category,
 * one per line (storage account blobs), concatenated, in an array, or as
 * {"records":[...]} (Event Hubs messages, older blobs).
 *
 *  - kube-audit and kube-audit-admin records carry a Kubernetes audit event
 *    in properties.log, as a JSON string (read as text: a string Azure cut
 *    at 16 KiB becomes a partial row) or as an object (stored as jansson
 *    writes it back, compact, keys in their order);
 *  - the other control-plane categories (kube-apiserver,
 *    kube-controller-manager, guard, ...) carry log lines in
 *    properties.log, scanned for RBAC denials;
 *  - anything else (Activity Log records, other services) is counted and
 *    skipped.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/cloud.h"
#include "util/jutil.h"
#include "formats/sniff.h"
#include "formats/member.h"

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	int item = pk->array;

	if (!pk->json)
		return 0;
	if (!pk->array && ks_peek_has(pk, 0, "records") &&
	    memmem(head, n, "\"category\"", 10) != NULL)
		return 40;
	if (ks_peek_has(pk, item, "category") &&
	    (ks_peek_has(pk, item, "operationName") ||
	    ks_peek_has(pk, item, "properties") ||
	    ks_peek_has(pk, item, "resourceId")))
		return 40;
	return 0;
}

static int
is_audit(const char *category)
{
	return category != NULL && (strcasecmp(category, "kube-audit") == 0 ||
	    strcasecmp(category, "kube-audit-admin") == 0);
}

/* An audit event as an object inside the record. */
static int
audit_object(struct ks_member *m, json_t *ev, const struct ks_jrec *r,
    struct ks_err *err)
{
	char *raw = json_dumps(ev, JSON_COMPACT);
	int rc;

	if (raw == NULL)
		return ks_err_set(err, "out of memory");
	rc = ks_cloud_audit_json(m, ev, raw, strlen(raw), r->line, err);
	free(raw);
	return rc;
}

/* A record of the shape of an Azure Monitor diagnostic record. */
static int
claims(const json_t *v)
{
	return json_is_object(v) && json_object_get(v, "category") != NULL &&
	    (json_object_get(v, "operationName") != NULL ||
	    json_object_get(v, "properties") != NULL ||
	    json_object_get(v, "resourceId") != NULL);
}

static int
aks_record(struct ks_member *m, json_t *v, const struct ks_jrec *r,
    void *arg, struct ks_err *err)
{
	struct ks_cloud_read *a = arg;
	const char *cat = ks_json_str(v, "category");
	json_t *log = json_object_get(ks_json_obj(v, "properties"), "log");
	int64_t when = ks_cloud_jtime(json_object_get(v, "time"));
	ks_json_fn fn;

	if (!json_is_object(v))
		return ks_emit_reject(m, r->line, "not an Azure Monitor "
		    "record (not a JSON object)", r->data, r->len, err);
	/* A native event or a Cloud Logging entry among them (sniffer.h). */
	if ((fn = ks_sniff_record(m, v)) != NULL && fn != aks_record)
		return fn(m, v, r, arg, err);
	if (is_audit(cat)) {
		if (json_is_string(log))
			return ks_cloud_audit_text(m, json_string_value(log),
			    json_string_length(log), r->line, when, &a->t,
			    err);
		if (json_is_object(log))
			return audit_object(m, log, r, err);
		return ks_emit_reject(m, r->line, "kube-audit record "
		    "without properties.log", r->data, r->len, err);
	}
	if (cat != NULL && json_is_string(log)) {
		a->t.other_logs++;
		return ks_cloud_scan(m, json_string_value(log),
		    json_string_length(log), r->line, when, a->year, &a->t,
		    err);
	}
	a->t.other++;
	return 0;
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	static const char *const keys[] = { "records", NULL };

	return ks_cloud_ingest(m, keys, aks_record, err);
}

const struct ks_sniffer ks_sniffer_aks = {
	.name = "aks", .bid = bid, .ingest = ingest, .claims = claims,
	.record = aks_record
};
