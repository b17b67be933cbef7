#include <string.h>

#include "audit.h"
#include "jutil.h"
#include "timeutil.h"

static int64_t
time_of(const json_t *ev, const char *key)
{
	const char *s = ks_json_str(ev, key);
	int64_t us;

	if (s == NULL || ks_time_parse(s, strlen(s), &us) < 0)
		return KS_TIME_NONE;
	return us;
}

static json_t *
array_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_array(v) ? v : NULL;
}

/* The parts of an Event that say who asked. */
static void
identity(json_t *ev, struct ks_audit_row *row)
{
	json_t *user = ks_json_obj(ev, "user");
	json_t *imp = ks_json_obj(ev, "impersonatedUser");

	row->username = ks_json_str(user, "username");
	row->user_groups = array_of(user, "groups");
	row->impersonated_user = ks_json_str(imp, "username");
	row->impersonated_groups = array_of(imp, "groups");
	row->source_ips = array_of(ev, "sourceIPs");
	row->user_agent = ks_json_str(ev, "userAgent");
}

int
ks_audit_from_json(json_t *ev, struct ks_audit_row *row, const char **why)
{
	const char *kind = ks_json_str(ev, "kind");
	json_t *ref, *ann, *code;

	memset(row, 0, sizeof(*row));
	if (!json_is_object(ev))
		return *why = "not a JSON object", -1;
	if (kind != NULL && strcmp(kind, "Event") != 0)
		return *why = "not an audit Event (kind is not \"Event\")", -1;
	row->audit_id = ks_json_str(ev, "auditID");
	row->stage = ks_json_str(ev, "stage");
	row->verb = ks_json_str(ev, "verb");
	row->request_uri = ks_json_str(ev, "requestURI");
	if (row->audit_id == NULL && row->verb == NULL &&
	    row->request_uri == NULL)
		return *why = "not an audit event (no auditID, verb or "
		    "requestURI)", -1;
	row->level = ks_json_str(ev, "level");
	identity(ev, row);
	ref = ks_json_obj(ev, "objectRef");
	row->resource = ks_json_str(ref, "resource");
	row->subresource = ks_json_str(ref, "subresource");
	row->api_group = ks_json_str(ref, "apiGroup");
	row->api_version = ks_json_str(ref, "apiVersion");
	row->namespace = ks_json_str(ref, "namespace");
	row->name = ks_json_str(ref, "name");
	/* The core group is "" (objectRef omits apiGroup for it). */
	if (ref != NULL && row->resource != NULL && row->api_group == NULL)
		row->api_group = "";
	code = json_object_get(ks_json_obj(ev, "responseStatus"), "code");
	row->code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
	ann = ks_json_obj(ev, "annotations");
	row->decision = ks_json_str(ann, "authorization.k8s.io/decision");
	row->authz_reason = ks_json_str(ann, "authorization.k8s.io/reason");
	row->received_us = time_of(ev, "requestReceivedTimestamp");
	row->stage_us = time_of(ev, "stageTimestamp");
	/* v1beta1 events may carry only "timestamp". */
	if (row->received_us == KS_TIME_NONE)
		row->received_us = time_of(ev, "timestamp");
	if (row->stage_us == KS_TIME_NONE)
		row->stage_us = row->received_us;
	return 0;
}
