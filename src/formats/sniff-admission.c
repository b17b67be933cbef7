/*
 * Admission webhook logs: AdmissionReview records (admission.k8s.io v1 or
 * v1beta1), one per request, as kube-audit-rest writes them where the API
 * server's own audit log is out of reach.  Each becomes an audit_events
 * row with the request's uid, user, operation, resource, namespace and
 * name, so that actors and what they did show beside real audit events.
 *
 * What such a record cannot say is kept unsaid: a webhook sees only
 * requests that authentication and RBAC already allowed, so none is a
 * denial (no code); the records carry no time unless the logger added
 * requestReceivedTimestamp; the verb is the admission operation in lower
 * case (an UPDATE may have been an update or a patch, a CONNECT an exec,
 * attach or port-forward).
 */
#include <ctype.h>
#include <string.h>

#include "formats/audit.h"
#include "formats/cloud.h"
#include "formats/ingest.h"
#include "util/jutil.h"
#include "formats/sniff.h"
#include "formats/member.h"
#include "util/timeutil.h"

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	if (pk->json && !pk->array && strcmp(pk->kind, "AdmissionReview") == 0)
		return 30;
	return 0;
}

/* "CREATE" as "create"; at most sz - 1 bytes. */
static const char *
lower(const char *op, char *buf, size_t sz)
{
	size_t i;

	if (op == NULL)
		return NULL;
	for (i = 0; op[i] != '\0' && i + 1 < sz; i++)
		buf[i] = (char)tolower((unsigned char)op[i]);
	buf[i] = '\0';
	return buf;
}

static int
on_review(struct ks_member *m, json_t *v, const struct ks_jrec *r, void *arg,
    struct ks_err *err)
{
	json_t *req = ks_json_obj(v, "request");
	json_t *user = ks_json_obj(req, "userInfo");
	json_t *res = ks_json_obj(req, "resource");
	char verb[32];
	struct ks_audit_row row = {
		.audit_id = ks_json_str(req, "uid"),
		.verb = lower(ks_json_str(req, "operation"), verb,
		    sizeof(verb)),
		.username = ks_json_str(user, "username"),
		.user_groups = json_is_array(json_object_get(user, "groups")) ?
		    json_object_get(user, "groups") : NULL,
		.resource = ks_json_str(res, "resource"),
		.subresource = ks_json_str(req, "subResource"),
		.api_group = ks_json_str(res, "group"),
		.api_version = ks_json_str(res, "version"),
		.namespace = ks_json_str(req, "namespace"),
		.name = ks_json_str(req, "name"),
		.received_us = ks_cloud_jtime(json_object_get(v,
		    "requestReceivedTimestamp")),
		.stage_us = KS_TIME_NONE,
	};

	if (!json_is_object(req) || row.verb == NULL || row.username == NULL)
		return ks_emit_reject(m, r->line, "not an admission request "
		    "(no request with an operation and a user)", r->data,
		    r->len, err);
	ks_audit_extras(v, &row);
	return ks_emit_audit(m, &row, r->data, r->len, r->line, err);
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	static const char *const whole[] = { NULL };	/* nothing to split */

	return ks_ingest_json(m, whole, on_review, NULL, NULL, err);
}

const struct ks_sniffer ks_sniffer_admission = {
	.name = "admission-review", .bid = bid, .ingest = ingest
};
