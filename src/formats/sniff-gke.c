/*
 * GKE through Cloud Logging: LogEntry JSON, one per line, the array that
 * `gcloud logging read --format=json` prints, or the Logging API's
 * entries.list answer ({"entries":[...],"nextPageToken":...}); and the
 * YAML that `gcloud logging read` prints by default (documents separated
 * by ---), read by sniff-yaml.c's document loop, which brings each entry
 * here as JSON.
 *
 *  - Kubernetes audit entries (protoPayload of type
 *    type.googleapis.com/google.cloud.audit.AuditLog, serviceName k8s.io,
 *    methodName io.k8s.*) become audit_events rows: methodName and
 *    resourceName as gke.h reads them, authenticationInfo.principalEmail,
 *    requestMetadata.callerIp and callerSuppliedUserAgent, the entry's
 *    timestamp, operation.id (Kubernetes' audit ID) or else insertId, the
 *    decision from the entry's authorization.k8s.io labels or else from
 *    authorizationInfo[].granted, and the HTTP code from a Status response
 *    or else from the gRPC status.  GKE logs no groups and no request URI.
 *  - container.googleapis.com entries (cluster and node-pool operations)
 *    become cluster_events, for the timeline.
 *  - Entries with a textPayload or jsonPayload (container and control-plane
 *    logs) are scanned for RBAC denials.
 *  - Audit entries of other services are counted and skipped.
 * Exports reshaped by SIEMs (Panther's "callerIP", a timestamp without a
 * zone or inside protoPayload) are read too.
 */
#include <stdio.h>
#include <string.h>

#include "formats/audit.h"
#include "formats/cloud.h"
#include "formats/gke.h"
#include "formats/ingest.h"
#include "util/jutil.h"
#include "formats/sniff.h"
#include "formats/member.h"
#include "util/timeutil.h"

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	int item = pk->array;

	if (!pk->json)
		return 0;
	if (!pk->array && ks_peek_has(pk, 0, "entries") &&
	    (memmem(head, n, "\"protoPayload\"", 14) != NULL ||
	    memmem(head, n, "\"logName\"", 9) != NULL))
		return 40;
	if (ks_peek_has(pk, item, "protoPayload"))
		return 40;
	if (ks_peek_has(pk, item, "logName") &&
	    (ks_peek_has(pk, item, "insertId") ||
	    ks_peek_has(pk, item, "textPayload") ||
	    ks_peek_has(pk, item, "jsonPayload")))
		return 40;
	return 0;
}

static int
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The entry's time: its timestamp, wherever the export put it. */
static int64_t
entry_time(json_t *e, json_t *pp)
{
	int64_t us = ks_cloud_jtime(json_object_get(e, "timestamp"));

	if (us == KS_TIME_NONE)
		us = ks_cloud_jtime(json_object_get(pp, "timestamp"));
	if (us == KS_TIME_NONE)
		us = ks_cloud_jtime(json_object_get(e, "receiveTimestamp"));
	return us;
}

/* The HTTP code: a Kubernetes Status response says it; else the gRPC one. */
static int
http_code(json_t *pp)
{
	json_t *resp = ks_json_obj(pp, "response"), *st, *code;
	const char *type = ks_json_str(resp, "@type");

	code = json_object_get(resp, "code");
	if (json_is_integer(code) && (starts(ks_json_str(resp, "kind"),
	    "Status") || (type != NULL && strstr(type, "v1.Status"))))
		return (int)json_integer_value(code);
	if ((st = ks_json_obj(pp, "status")) == NULL)
		return 0;
	code = json_object_get(st, "code");
	if (code == NULL)
		return 200;	/* an empty status is OK */
	return json_is_integer(code) ?
	    ks_gke_http_code((long)json_integer_value(code)) : 0;
}

/* "allow" when every check was granted, "forbid" when one was not. */
static const char *
decision(json_t *e, json_t *pp)
{
	const char *d = ks_json_str2(e, "labels",
	    "authorization.k8s.io/decision");
	json_t *info = json_object_get(pp, "authorizationInfo"), *a, *g;
	size_t i;
	int seen = 0;

	if (d != NULL)
		return d;
	json_array_foreach(info, i, a) {
		if (!json_is_boolean(g = json_object_get(a, "granted")))
			continue;
		if (!json_is_true(g))
			return "forbid";
		seen = 1;
	}
	return seen ? "allow" : NULL;
}

static const char *
stage(json_t *e)
{
	json_t *op = ks_json_obj(e, "operation");

	if (json_is_true(json_object_get(op, "first")) &&
	    !json_is_true(json_object_get(op, "last")))
		return "ResponseStarted";
	return "ResponseComplete";
}

static int
audit(struct ks_member *m, json_t *e, json_t *pp, const struct ks_jrec *r,
    struct ks_err *err)
{
	struct ks_audit_row row = { 0 };
	struct ks_gke_call call;
	json_t *auth = ks_json_obj(pp, "authenticationInfo");
	json_t *meta = ks_json_obj(pp, "requestMetadata");
	const char *ip = ks_json_str(meta, "callerIp");
	int rc;

	ks_gke_call(ks_json_str(pp, "methodName"),
	    ks_json_str(pp, "resourceName"), &call);
	row.audit_id = ks_json_str2(e, "operation", "id");
	if (row.audit_id == NULL)
		row.audit_id = ks_json_str(e, "insertId");
	row.stage = stage(e);
	row.verb = call.verb;
	row.username = ks_json_str(auth, "principalEmail");
	if (row.username == NULL)
		row.username = ks_json_str(auth, "authoritySelector");
	if (ip == NULL)
		ip = ks_json_str(meta, "callerIP");
	row.source_ips = ip != NULL ? json_pack("[s]", ip) : NULL;
	row.user_agent = ks_json_str(meta, "callerSuppliedUserAgent");
	row.api_group = call.api_group;
	row.api_version = call.api_version;
	row.resource = call.resource;
	row.subresource = call.subresource;
	row.namespace = call.namespace;
	row.name = call.name;
	row.request_uri = call.path;
	row.code = http_code(pp);
	row.decision = decision(e, pp);
	row.authz_reason = ks_json_str2(e, "labels",
	    "authorization.k8s.io/reason");
	row.received_us = row.stage_us = entry_time(e, pp);
	ks_audit_extras(e, &row);
	rc = ks_emit_audit(m, &row, r->data, r->len, r->line, err);
	json_decref(row.source_ips);
	return rc;
}

/* A cluster or node-pool operation, for the timeline. */
static int
operation(struct ks_member *m, json_t *e, json_t *pp,
    const struct ks_jrec *r, struct ks_err *err)
{
	struct ks_cluster_event ev = { entry_time(e, pp), "gke",
	    ks_json_str(pp, "methodName"), ks_json_str(pp, "resourceName"),
	    ks_json_str2(pp, "authenticationInfo", "principalEmail"), NULL };
	json_t *code = json_object_get(ks_json_obj(pp, "status"), "code");
	json_t *op = ks_json_obj(e, "operation");
	char status[512];
	long c = json_is_integer(code) ? (long)json_integer_value(code) : 0;

	if (c != 0) {
		snprintf(status, sizeof(status), "%s: %s",
		    ks_gke_code_name(c) ? ks_gke_code_name(c) : "error",
		    ks_json_str2(pp, "status", "message") ?
		    ks_json_str2(pp, "status", "message") : "");
		ev.status = status;
	} else if (json_is_true(json_object_get(op, "last")))
		ev.status = "done";
	else if (json_is_true(json_object_get(op, "first")))
		ev.status = "started";
	return ks_emit_cluster_event(m, &ev, r->data, r->len, r->line, err);
}

/* A record of the shape of a Cloud Logging LogEntry. */
static int
claims(const json_t *v)
{
	return json_is_object(v) && (json_object_get(v, "protoPayload") !=
	    NULL || (json_object_get(v, "logName") != NULL &&
	    (json_object_get(v, "insertId") != NULL ||
	    json_object_get(v, "textPayload") != NULL ||
	    json_object_get(v, "jsonPayload") != NULL)));
}

static int
gke_entry(struct ks_member *m, json_t *e, const struct ks_jrec *r,
    void *arg, struct ks_err *err)
{
	struct ks_cloud_read *g = arg;
	json_t *pp = ks_json_obj(e, "protoPayload");
	const char *svc = ks_json_str(pp, "serviceName");
	const char *method = ks_json_str(pp, "methodName");
	json_t *text = json_object_get(e, "textPayload");
	ks_json_fn fn;

	if (!json_is_object(e))
		return ks_emit_reject(m, r->line, "not a Cloud Logging entry "
		    "(not a JSON object)", r->data, r->len, err);
	/* A native event or an Azure record among the entries (sniffer.h). */
	if ((fn = ks_sniff_record(m, e)) != NULL && fn != gke_entry)
		return fn(m, e, r, arg, err);
	if ((svc != NULL && strcmp(svc, "k8s.io") == 0) ||
	    starts(method, "io.k8s.") ||
	    starts(ks_json_str2(e, "operation", "producer"), "k8s.io")) {
		if (pp == NULL || method == NULL)
			return ks_emit_reject(m, r->line, "Kubernetes audit "
			    "entry without a protoPayload methodName", r->data,
			    r->len, err);
		return audit(m, e, pp, r, err);
	}
	if ((svc != NULL && strcmp(svc, "container.googleapis.com") == 0) ||
	    starts(method, "google.container."))
		return operation(m, e, pp, r, err);
	if (json_is_string(text) || ks_json_obj(e, "jsonPayload") != NULL) {
		g->t.other_logs++;
		if (json_is_string(text))
			return ks_cloud_scan(m, json_string_value(text),
			    json_string_length(text), r->line,
			    entry_time(e, pp), g->year, &g->t, err);
		return ks_cloud_scan(m, r->data, r->len, r->line,
		    entry_time(e, pp), g->year, &g->t, err);
	}
	g->t.other++;
	return 0;
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	/* "items" as before; "entries" for the Logging API's answer. */
	static const char *const keys[] = { "entries", "items", NULL };

	return ks_cloud_ingest(m, keys, gke_entry, err);
}

const struct ks_sniffer ks_sniffer_gke = {
	.name = "gke", .bid = bid, .ingest = ingest, .claims = claims,
	.record = gke_entry
};
