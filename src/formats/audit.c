/*
 * An audit event as the columns of audit_events (audit.h), read two ways
 * that must agree: from a jansson tree (ks_audit_from_json), and by the
 * fast reader straight from the event's bytes (ks_audit_scan), which reads
 * JSON with jread.h and gives up whenever jansson might read otherwise.
 */
#include <string.h>

#include "formats/audit.h"
#include "formats/jread.h"
#include "util/jutil.h"
#include "util/timeutil.h"

static int64_t
time_of(const json_t *ev, const char *key)
{
	const char *s = ks_json_str(ev, key);
	int64_t us;

	if (s == NULL || ks_time_parse_utc(s, strlen(s), &us) < 0)
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
	ks_audit_extras(ev, row);
	return 0;
}

void
ks_audit_extras(json_t *ev, struct ks_audit_row *row)
{
	json_t *m;

	m = json_object_get(json_object_get(ev, "responseStatus"), "message");
	if (!json_is_string(m))
		m = json_object_get(json_object_get(json_object_get(ev,
		    "protoPayload"), "status"), "message");
	row->message = json_is_string(m) ? json_string_value(m) : NULL;
	row->request_object = json_object_get(ev, "requestObject");
	/* Cloud Logging keeps the object written as protoPayload.request. */
	if (row->request_object == NULL)
		row->request_object = json_object_get(json_object_get(ev,
		    "protoPayload"), "request");
	row->request_object_text = NULL;
	row->request_object_len = 0;
	row->extras = 1;
}

/*
 * The fast reader: the columns of an audit event straight from its bytes,
 * in one pass, without building a tree.  It is sure of a record only when
 * jansson would read it the same way (jread.h: valid JSON, strict UTF-8,
 * no "\u0000", no number jansson would refuse, keys without escapes,
 * arrays of strings); it gives up on anything else, and ks_audit_from_json
 * decides.
 */

#define SCAN_MAX_DEPTH	1024	/* jansson refuses more than 2048 */

/* The time strings of an event, as written. */
struct times {
	const char	*received, *stage, *beta;
};

/* What the fast reader fills for one event: the arg of its jread. */
struct event {
	struct ks_audit_row *row;
	struct ks_audit_json *js;
	int		 ref_seen;	/* objectRef is an object */
	const char	*kind;
	struct times	 times;
};

#define KEY(lit)	(n == sizeof(lit) - 1 && memcmp(k, lit, n) == 0)

static int
user_member(struct ks_jread *s, const unsigned char *k, size_t n)
{
	struct event *e = s->arg;
	if (KEY("username"))
		return ks_jread_str(s, &e->row->username);
	if (KEY("groups"))
		return ks_jread_strings(s, &e->js->user_groups);
	return ks_jread_skip(s);
}

static int
imp_member(struct ks_jread *s, const unsigned char *k, size_t n)
{
	struct event *e = s->arg;
	if (KEY("username"))
		return ks_jread_str(s, &e->row->impersonated_user);
	if (KEY("groups"))
		return ks_jread_strings(s, &e->js->impersonated_groups);
	return ks_jread_skip(s);
}

static int
ref_member(struct ks_jread *s, const unsigned char *k, size_t n)
{
	struct event *e = s->arg;
	struct ks_audit_row *r = e->row;

	if (KEY("resource"))
		return ks_jread_str(s, &r->resource);
	if (KEY("subresource"))
		return ks_jread_str(s, &r->subresource);
	if (KEY("apiGroup"))
		return ks_jread_str(s, &r->api_group);
	if (KEY("apiVersion"))
		return ks_jread_str(s, &r->api_version);
	if (KEY("namespace"))
		return ks_jread_str(s, &r->namespace);
	if (KEY("name"))
		return ks_jread_str(s, &r->name);
	return ks_jread_skip(s);
}

static int
status_member(struct ks_jread *s, const unsigned char *k, size_t n)
{
	struct event *e = s->arg;
	long long v;
	int is_int;

	if (KEY("message"))
		return ks_jread_str(s, &e->row->message);
	if (!KEY("code") || (*s->p != '-' && (*s->p < '0' || *s->p > '9'))) {
		if (KEY("code"))
			e->row->code = 0;
		return ks_jread_skip(s);
	}
	if (ks_jread_number(s, &is_int, &v) < 0)
		return -1;
	/* As (int)json_integer_value(); a real is no code. */
	e->row->code = is_int ? (int)v : 0;
	return 0;
}

static int
ann_member(struct ks_jread *s, const unsigned char *k, size_t n)
{
	struct event *e = s->arg;
	if (KEY("authorization.k8s.io/decision"))
		return ks_jread_str(s, &e->row->decision);
	if (KEY("authorization.k8s.io/reason"))
		return ks_jread_str(s, &e->row->authz_reason);
	return ks_jread_skip(s);
}

/* An object read by fn; any other value is checked and read as absent. */
static int
obj_value(struct ks_jread *s, ks_jread_fn fn)
{
	return *s->p == '{' ? ks_jread_container(s, fn) : ks_jread_skip(s);
}

/* requestObject: its JSON text as read (checked, not decoded). */
static int
object_text(struct ks_jread *s, struct ks_audit_row *r)
{
	const unsigned char *from = s->p;

	if (ks_jread_skip(s) < 0)
		return -1;
	r->request_object_text = (const char *)from;
	r->request_object_len = (size_t)(s->p - from);
	return 0;
}

static int
top_member(struct ks_jread *s, const unsigned char *k, size_t n)
{
	struct event *e = s->arg;
	struct ks_audit_row *r = e->row;
	struct times *t = &e->times;

	switch (n) {
	case 4:
		if (KEY("kind"))
			return ks_jread_str(s, &e->kind);
		if (KEY("verb"))
			return ks_jread_str(s, &r->verb);
		if (KEY("user")) {
			r->username = e->js->user_groups = NULL;
			return obj_value(s, user_member);
		}
		break;
	case 5:
		if (KEY("stage"))
			return ks_jread_str(s, &r->stage);
		if (KEY("level"))
			return ks_jread_str(s, &r->level);
		/* jscan.h splits the items of a top-level "items" array. */
		if (KEY("items") && *s->p == '[')
			return -1;
		break;
	case 7:
		if (KEY("auditID"))
			return ks_jread_str(s, &r->audit_id);
		break;
	case 9:
		if (KEY("sourceIPs"))
			return ks_jread_strings(s, &e->js->source_ips);
		if (KEY("userAgent"))
			return ks_jread_str(s, &r->user_agent);
		if (KEY("objectRef")) {
			r->resource = r->subresource = r->api_group = NULL;
			r->api_version = r->namespace = r->name = NULL;
			e->ref_seen = *s->p == '{';
			return obj_value(s, ref_member);
		}
		if (KEY("timestamp"))
			return ks_jread_str(s, &t->beta);
		break;
	case 10:
		if (KEY("requestURI"))
			return ks_jread_str(s, &r->request_uri);
		break;
	case 11:
		if (KEY("annotations")) {
			r->decision = r->authz_reason = NULL;
			return obj_value(s, ann_member);
		}
		break;
	case 14:
		if (KEY("responseStatus")) {
			r->code = 0;
			r->message = NULL;
			return obj_value(s, status_member);
		}
		if (KEY("stageTimestamp"))
			return ks_jread_str(s, &t->stage);
		break;
	case 12:
		/* A Cloud Logging entry's message: ks_audit_extras. */
		if (KEY("protoPayload"))
			return -1;
		break;
	case 13:
		if (KEY("requestObject"))
			return object_text(s, r);
		break;
	case 16:
		if (KEY("impersonatedUser")) {
			r->impersonated_user = NULL;
			e->js->impersonated_groups = NULL;
			return obj_value(s, imp_member);
		}
		break;
	case 24:
		if (KEY("requestReceivedTimestamp"))
			return ks_jread_str(s, &t->received);
		break;
	}
	return ks_jread_skip(s);
}

static int64_t
time_from(const char *v)
{
	int64_t us;

	if (v == NULL || ks_time_parse_utc(v, strlen(v), &us) < 0)
		return KS_TIME_NONE;
	return us;
}

long
ks_audit_scan(const char *p, size_t len, int max_depth, char *out,
    size_t outsz, struct ks_audit_row *row, struct ks_audit_json *js)
{
	struct event e = { .row = row, .js = js };
	struct times *t = &e.times;
	struct ks_jread s = { .p = (const unsigned char *)p,
	    .end = (const unsigned char *)p + len, .o = out, .oend = out + outsz,
	    .max_depth = SCAN_MAX_DEPTH, .arg = &e };

	if (max_depth > 0 && max_depth < SCAN_MAX_DEPTH)
		s.max_depth = max_depth;
	memset(row, 0, sizeof(*row));
	memset(js, 0, sizeof(*js));
	ks_jread_ws(&s);
	if (s.p >= s.end || *s.p != '{' ||
	    ks_jread_container(&s, top_member) < 0)
		return -1;
	ks_jread_ws(&s);
	if (s.p != s.end)
		return -1;
	/* What ks_audit_from_json would refuse, it must refuse itself. */
	if (e.kind != NULL && strcmp(e.kind, "Event") != 0)
		return -1;
	if (row->audit_id == NULL && row->verb == NULL &&
	    row->request_uri == NULL)
		return -1;
	if (e.ref_seen && row->resource != NULL && row->api_group == NULL)
		row->api_group = "";
	row->received_us = time_from(t->received);
	row->stage_us = time_from(t->stage);
	if (row->received_us == KS_TIME_NONE)
		row->received_us = time_from(t->beta);
	if (row->stage_us == KS_TIME_NONE)
		row->stage_us = row->received_us;
	row->extras = 1;
	return (long)(s.o - out);
}

void
ks_audit_texts(const struct ks_audit_row *r, const struct ks_audit_json *a,
    const char *v[KS_AUDIT_NTEXT])
{
	const char *t[KS_AUDIT_NTEXT] = { r->audit_id, r->stage, r->level,
	    r->verb, r->username, a->user_groups, r->impersonated_user,
	    a->impersonated_groups, a->source_ips, r->user_agent, r->resource,
	    r->subresource, r->api_group, r->api_version, r->namespace,
	    r->name, r->request_uri, r->decision, r->authz_reason };

	memcpy(v, t, sizeof(t));
}

void
ks_audit_measure(const struct ks_audit_row *row,
    const struct ks_audit_json *arrays, int len[KS_AUDIT_NTEXT])
{
	const char *v[KS_AUDIT_NTEXT];

	ks_audit_texts(row, arrays, v);
	for (int i = 0; i < KS_AUDIT_NTEXT; i++)
		len[i] = v[i] != NULL ? (int)strlen(v[i]) : -1;
}
