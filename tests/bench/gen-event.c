/*
 * One audit.k8s.io/v1 Event as one line of JSON, written the way
 * kube-apiserver writes it: fields in the order of the Go struct, map keys
 * sorted, '&' escaped as \u0026 (the apiserver's encoder escapes HTML), times
 * with microseconds.
 */
#include <stdlib.h>

#include "gen-audit.h"

const char *const verb_names[] = {
	"get", "list", "watch", "create", "update", "patch", "delete"
};

static const char *const stage_names[] = {
	"RequestReceived", "ResponseStarted", "ResponseComplete"
};

/*
 * The ClusterRole the eks-cninodes scenario writes: the same rules as
 * fixtures/eks-1.29/snapshot/clusterroles.json (no "patch" on cninodes).
 */
#define CR_RULES \
	"\"rules\":[" \
	"{\"verbs\":[\"create\",\"patch\",\"update\"],\"apiGroups\":[\"\"],\"resources\":[\"events\"]}," \
	"{\"verbs\":[\"get\",\"list\",\"watch\"],\"apiGroups\":[\"\"],\"resources\":[\"nodes\"]}," \
	"{\"verbs\":[\"get\",\"patch\"],\"apiGroups\":[\"\"],\"resources\":[\"nodes/status\"]}," \
	"{\"verbs\":[\"get\",\"list\",\"patch\",\"watch\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}," \
	"{\"verbs\":[\"get\",\"list\",\"watch\"],\"apiGroups\":[\"\"],\"resources\":[\"serviceaccounts\"]}," \
	"{\"verbs\":[\"get\",\"list\",\"watch\"],\"apiGroups\":[\"crd.k8s.amazonaws.com\"],\"resources\":[\"eniconfigs\"]}," \
	"{\"verbs\":[\"create\",\"list\",\"patch\",\"update\",\"watch\"],\"apiGroups\":[\"events.k8s.io\"],\"resources\":[\"events\"]}," \
	"{\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"update\",\"watch\"],\"apiGroups\":[\"vpcresources.k8s.aws\"],\"resources\":[\"cninodes\"]}," \
	"{\"verbs\":[\"get\",\"list\",\"watch\"],\"apiGroups\":[\"vpcresources.k8s.aws\"],\"resources\":[\"securitygrouppolicies\"]}]"

#define CR_LABELS \
	"\"labels\":{\"eks.amazonaws.com/component\":\"vpc-resource-controller\"}"

static const char cr_request[] =
	"{\"kind\":\"ClusterRole\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
	"\"metadata\":{\"name\":\"vpc-resource-controller-role\","
	"\"resourceVersion\":\"4012877\"," CR_LABELS "}," CR_RULES "}";

static const char cr_response_head[] =
	"{\"kind\":\"ClusterRole\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
	"\"metadata\":{\"name\":\"vpc-resource-controller-role\","
	"\"uid\":\"5b0e7c1d-2f4a-4c8e-9a61-3d7f0b2e8c45\","
	"\"resourceVersion\":\"4013256\","
	"\"creationTimestamp\":\"2024-01-15T09:41:22Z\"," CR_LABELS ","
	"\"managedFields\":[{\"manager\":\"eks-addon-manager\","
	"\"operation\":\"Update\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
	"\"time\":\"";
static const char cr_response_tail[] =
	"\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":"
	"{\"f:labels\":{\".\":{},\"f:eks.amazonaws.com/component\":{}}},"
	"\"f:rules\":{}}}]}," CR_RULES "}";

/*
 * Time formatting is the hot path: the "YYYY-MM-DDTHH:MM:SS" part is cached
 * per second in a small direct-mapped table.
 */
struct tcache {
	int64_t sec;
	char	txt[20];
};

static struct tcache tcache[8] = {
	{ INT64_MIN, "" }, { INT64_MIN, "" }, { INT64_MIN, "" },
	{ INT64_MIN, "" }, { INT64_MIN, "" }, { INT64_MIN, "" },
	{ INT64_MIN, "" }, { INT64_MIN, "" }
};

/* Civil date of a day count since the epoch (H. Hinnant's algorithm). */
static void
civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void
two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* Append us as RFC 3339 UTC with 0, 3 or 6 fraction digits. */
void
buf_time(struct buf *b, int64_t us, int fracdigits)
{
	int64_t sec = us >= 0 ? us / US_PER_S : -((-us + US_PER_S - 1) / US_PER_S);
	unsigned frac = (unsigned)(us - sec * US_PER_S);
	struct tcache *c = &tcache[sec & 7];

	if (c->sec != sec) {
		int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
		unsigned s = (unsigned)(sec - days * 86400), m, d;
		int64_t y;

		civil(days, &y, &m, &d);
		c->txt[0] = (char)('0' + (y / 1000) % 10);
		c->txt[1] = (char)('0' + (y / 100) % 10);
		c->txt[2] = (char)('0' + (y / 10) % 10);
		c->txt[3] = (char)('0' + y % 10);
		c->txt[4] = '-';
		two(c->txt + 5, m);
		c->txt[7] = '-';
		two(c->txt + 8, d);
		c->txt[10] = 'T';
		two(c->txt + 11, s / 3600);
		c->txt[13] = ':';
		two(c->txt + 14, s / 60 % 60);
		c->txt[16] = ':';
		two(c->txt + 17, s % 60);
		c->sec = sec;
	}
	buf_put(b, c->txt, 19);
	if (fracdigits > 0) {
		char f[7];
		int i;

		f[0] = '.';
		for (i = 6; i >= 1; i--) {
			f[i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		buf_put(b, f, 1 + (size_t)fracdigits);
	}
	b->p[b->len++] = 'Z';
}

/* Append a UUID made of two random words, as a version 4 UUID. */
static void
put_uuid(struct buf *b, const uint64_t id[2])
{
	uint64_t hi = (id[0] & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
	uint64_t lo = (id[1] & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);

	buf_hex(b, hi >> 32, 8);
	b->p[b->len++] = '-';
	buf_hex(b, (hi >> 16) & 0xffff, 4);
	b->p[b->len++] = '-';
	buf_hex(b, hi & 0xffff, 4);
	b->p[b->len++] = '-';
	buf_hex(b, lo >> 48, 4);
	b->p[b->len++] = '-';
	buf_hex(b, lo & UINT64_C(0xffffffffffff), 12);
}

static void
put_name(struct buf *b, const struct req *r)
{
	buf_str(b, r->name);
	if (r->namesuf) {
		b->p[b->len++] = '.';
		buf_hex(b, r->namesuf, 16);
	}
}

/* "cninodes.vpcresources.k8s.aws", or "pods" for the core group. */
static void
put_qualified(struct buf *b, const struct res *rs)
{
	buf_str(b, rs->name);
	if (rs->group[0]) {
		b->p[b->len++] = '.';
		buf_str(b, rs->group);
	}
}

static void
put_uri(struct buf *b, const struct req *r)
{
	const struct res *rs = r->res;

	if (rs == NULL) {
		buf_str(b, r->path);
		return;
	}
	if (rs->group[0]) {
		BUF_LIT(b, "/apis/");
		buf_str(b, rs->group);
		b->p[b->len++] = '/';
	} else {
		BUF_LIT(b, "/api/");
	}
	buf_str(b, rs->version);
	if (r->ns) {
		BUF_LIT(b, "/namespaces/");
		buf_str(b, r->ns);
	}
	b->p[b->len++] = '/';
	buf_str(b, rs->name);
	if (r->name && r->verb != V_LIST && r->verb != V_WATCH &&
	    !(r->verb == V_CREATE && r->sub == NULL)) {
		b->p[b->len++] = '/';
		put_name(b, r);
	}
	if (r->sub) {
		b->p[b->len++] = '/';
		buf_str(b, r->sub);
	}
	if (r->verb == V_WATCH) {
		BUF_LIT(b, "?allowWatchBookmarks=true\\u0026resourceVersion=");
		buf_u64(b, r->rv);
		BUF_LIT(b, "\\u0026timeout=");
		buf_u64(b, r->timeout / 60);
		b->p[b->len++] = 'm';
		buf_u64(b, r->timeout % 60);
		BUF_LIT(b, "s\\u0026timeoutSeconds=");
		buf_u64(b, r->timeout);
		BUF_LIT(b, "\\u0026watch=true");
	} else if (r->query) {
		buf_str(b, r->query);
	}
}

static void
put_objectref(struct buf *b, const struct req *r, enum stage st)
{
	const struct res *rs = r->res;

	BUF_LIT(b, ",\"objectRef\":{\"resource\":\"");
	buf_str(b, rs->name);
	b->p[b->len++] = '"';
	if (r->ns) {
		BUF_LIT(b, ",\"namespace\":\"");
		buf_str(b, r->ns);
		b->p[b->len++] = '"';
	}
	/* A create names its object only once the body is decoded. */
	if (r->name && r->verb != V_LIST && r->verb != V_WATCH &&
	    !(r->verb == V_CREATE && r->sub == NULL && st == ST_RECEIVED)) {
		BUF_LIT(b, ",\"name\":\"");
		put_name(b, r);
		b->p[b->len++] = '"';
	}
	if (rs->group[0]) {
		BUF_LIT(b, ",\"apiGroup\":\"");
		buf_str(b, rs->group);
		b->p[b->len++] = '"';
	}
	BUF_LIT(b, ",\"apiVersion\":\"");
	buf_str(b, rs->version);
	b->p[b->len++] = '"';
	if (r->sub) {
		BUF_LIT(b, ",\"subresource\":\"");
		buf_str(b, r->sub);
		b->p[b->len++] = '"';
	}
	b->p[b->len++] = '}';
}

/* metav1.Status details: name, group, kind (omitempty each). */
static void
put_details(struct buf *b, const struct req *r)
{
	int comma = 0;

	BUF_LIT(b, ",\"details\":{");
	if (r->res) {
		if (r->name && r->verb != V_LIST && r->verb != V_WATCH) {
			BUF_LIT(b, "\"name\":\"");
			put_name(b, r);
			b->p[b->len++] = '"';
			comma = 1;
		}
		if (r->res->group[0]) {
			if (comma)
				b->p[b->len++] = ',';
			BUF_LIT(b, "\"group\":\"");
			buf_str(b, r->res->group);
			b->p[b->len++] = '"';
			comma = 1;
		}
		if (comma)
			b->p[b->len++] = ',';
		BUF_LIT(b, "\"kind\":\"");
		buf_str(b, r->res->name);
		b->p[b->len++] = '"';
	}
	b->p[b->len++] = '}';
}

/*
 * The apiserver's forbidden message (responsewriters.forbiddenMessage
 * wrapped by errors.NewForbidden), with its quotes escaped for JSON.
 */
static void
put_forbidden(struct buf *b, const struct req *r)
{
	const struct res *rs = r->res;

	if (rs == NULL) {
		BUF_LIT(b, "forbidden: User \\\"");
		buf_str(b, r->who->user);
		BUF_LIT(b, "\\\" cannot get path \\\"");
		buf_str(b, r->path);
		BUF_LIT(b, "\\\"");
		return;
	}
	put_qualified(b, rs);
	if (r->name && r->verb != V_LIST && r->verb != V_WATCH) {
		BUF_LIT(b, " \\\"");
		put_name(b, r);
		BUF_LIT(b, "\\\"");
	}
	BUF_LIT(b, " is forbidden: User \\\"");
	buf_str(b, r->who->user);
	BUF_LIT(b, "\\\" cannot ");
	buf_str(b, verb_names[r->verb]);
	BUF_LIT(b, " resource \\\"");
	buf_str(b, rs->name);
	if (r->sub) {
		b->p[b->len++] = '/';
		buf_str(b, r->sub);
	}
	BUF_LIT(b, "\\\" in API group \\\"");
	buf_str(b, rs->group);
	if (r->ns) {
		BUF_LIT(b, "\\\" in the namespace \\\"");
		buf_str(b, r->ns);
		BUF_LIT(b, "\\\"");
	} else {
		BUF_LIT(b, "\\\" at the cluster scope");
	}
}

static void
put_status(struct buf *b, const struct req *r, enum stage st)
{
	int code = r->code;

	if (st == ST_STARTED) {
		BUF_LIT(b, ",\"responseStatus\":{\"metadata\":{},\"code\":");
		buf_u64(b, (uint64_t)code);
		b->p[b->len++] = '}';
		return;
	}
	switch (r->fail) {
	case F_NONE:
		BUF_LIT(b, ",\"responseStatus\":{\"metadata\":{},\"code\":");
		buf_u64(b, (uint64_t)code);
		b->p[b->len++] = '}';
		return;
	case F_403:
		BUF_LIT(b, ",\"responseStatus\":{\"metadata\":{},"
		    "\"status\":\"Failure\",\"message\":\"");
		put_forbidden(b, r);
		BUF_LIT(b, "\",\"reason\":\"Forbidden\"");
		put_details(b, r);
		BUF_LIT(b, ",\"code\":403}");
		return;
	case F_404:
		BUF_LIT(b, ",\"responseStatus\":{\"metadata\":{},"
		    "\"status\":\"Failure\",\"message\":\"");
		put_qualified(b, r->res);
		BUF_LIT(b, " \\\"");
		put_name(b, r);
		BUF_LIT(b, "\\\" not found\",\"reason\":\"NotFound\"");
		put_details(b, r);
		BUF_LIT(b, ",\"code\":404}");
		return;
	case F_409:
		BUF_LIT(b, ",\"responseStatus\":{\"metadata\":{},"
		    "\"status\":\"Failure\",\"message\":\"Operation cannot be "
		    "fulfilled on ");
		put_qualified(b, r->res);
		BUF_LIT(b, " \\\"");
		put_name(b, r);
		BUF_LIT(b, "\\\": the object has been modified; please apply "
		    "your changes to the latest version and try again\","
		    "\"reason\":\"Conflict\"");
		put_details(b, r);
		BUF_LIT(b, ",\"code\":409}");
		return;
	}
}

static void
put_reqobj(struct buf *b, const struct req *r)
{
	int64_t t = r->t_recv;
	int i;

	BUF_LIT(b, ",\"requestObject\":");
	switch (r->ro) {
	case RO_POD_STATUS:
		BUF_LIT(b, "{\"metadata\":{\"uid\":\"");
		buf_str(b, r->pod->uid);
		BUF_LIT(b, "\"},\"status\":{\"$setElementOrder/conditions\":["
		    "{\"type\":\"PodReadyToStartContainers\"},"
		    "{\"type\":\"Initialized\"},{\"type\":\"Ready\"},"
		    "{\"type\":\"ContainersReady\"},{\"type\":\"PodScheduled\"}],"
		    "\"conditions\":[{\"lastProbeTime\":null,"
		    "\"lastTransitionTime\":\"");
		buf_time(b, t - 7 * US_PER_S, 0);
		BUF_LIT(b, "\",\"status\":\"True\",\"type\":\"Ready\"},"
		    "{\"lastProbeTime\":null,\"lastTransitionTime\":\"");
		buf_time(b, t - 7 * US_PER_S, 0);
		BUF_LIT(b, "\",\"status\":\"True\",\"type\":\"ContainersReady\"}]}}");
		break;
	case RO_NODE_STATUS:
		BUF_LIT(b, "{\"status\":{\"$setElementOrder/conditions\":["
		    "{\"type\":\"MemoryPressure\"},{\"type\":\"DiskPressure\"},"
		    "{\"type\":\"PIDPressure\"},{\"type\":\"Ready\"}],"
		    "\"conditions\":[");
		for (i = 0; i < 4; i++) {
			static const char *const ct[] = {
				"MemoryPressure", "DiskPressure", "PIDPressure",
				"Ready"
			};
			if (i)
				b->p[b->len++] = ',';
			BUF_LIT(b, "{\"lastHeartbeatTime\":\"");
			buf_time(b, t, 0);
			BUF_LIT(b, "\",\"type\":\"");
			buf_str(b, ct[i]);
			BUF_LIT(b, "\"}");
		}
		BUF_LIT(b, "]}}");
		break;
	case RO_TOKEN:
		BUF_LIT(b, "{\"kind\":\"TokenRequest\",\"apiVersion\":"
		    "\"authentication.k8s.io/v1\",\"metadata\":"
		    "{\"creationTimestamp\":null},\"spec\":{\"audiences\":"
		    "[\"https://kubernetes.default.svc\"],\"expirationSeconds\":"
		    "3607,\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":"
		    "\"v1\",\"name\":\"");
		buf_str(b, r->pod->name);
		BUF_LIT(b, "\",\"uid\":\"");
		buf_str(b, r->pod->uid);
		BUF_LIT(b, "\"}},\"status\":{\"token\":\"\","
		    "\"expirationTimestamp\":null}}");
		break;
	case RO_LEASE:
		BUF_LIT(b, "{\"kind\":\"Lease\",\"apiVersion\":"
		    "\"coordination.k8s.io/v1\",\"metadata\":{\"name\":\"");
		buf_str(b, r->name);
		BUF_LIT(b, "\",\"namespace\":\"");
		buf_str(b, r->ns);
		BUF_LIT(b, "\",\"resourceVersion\":\"");
		buf_u64(b, r->rv);
		BUF_LIT(b, "\"},\"spec\":{\"holderIdentity\":\"");
		buf_str(b, r->name);
		BUF_LIT(b, "\",\"leaseDurationSeconds\":40,\"renewTime\":\"");
		buf_time(b, t, 6);
		BUF_LIT(b, "\"}}");
		break;
	case RO_RESTART:
		BUF_LIT(b, "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
		    "{\"kubectl.kubernetes.io/restartedAt\":\"");
		buf_time(b, t, 0);
		BUF_LIT(b, "\"}}}}}");
		break;
	case RO_BINDING:
		BUF_LIT(b, "{\"kind\":\"Binding\",\"apiVersion\":\"v1\","
		    "\"metadata\":{\"name\":\"");
		buf_str(b, r->pod->name);
		BUF_LIT(b, "\",\"namespace\":\"");
		buf_str(b, r->pod->ns);
		BUF_LIT(b, "\",\"uid\":\"");
		buf_str(b, r->pod->uid);
		BUF_LIT(b, "\",\"creationTimestamp\":null},\"target\":"
		    "{\"kind\":\"Node\",\"name\":\"");
		buf_str(b, r->pod->nodename);
		BUF_LIT(b, "\"}}");
		break;
	case RO_CLUSTERROLE:
		BUF_LIT(b, cr_request);
		BUF_LIT(b, ",\"responseObject\":");
		BUF_LIT(b, cr_response_head);
		buf_time(b, r->t_done, 0);
		BUF_LIT(b, cr_response_tail);
		break;
	}
}

/*
 * Append one Event (without the newline) for stage st of r.  The caller has
 * reserved room: an event is at most a few kilobytes.
 */
void
ev_format(struct buf *b, const struct req *r, enum stage st)
{
	int64_t stamp = st == ST_RECEIVED ? r->t_recv :
	    st == ST_STARTED ? r->t_start : r->t_done;

	BUF_LIT(b, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\","
	    "\"level\":\"");
	if (r->ro == RO_NONE || r->fail == F_403)
		BUF_LIT(b, "Metadata");
	else if (r->ro == RO_CLUSTERROLE)
		BUF_LIT(b, "RequestResponse");
	else
		BUF_LIT(b, "Request");
	BUF_LIT(b, "\",\"auditID\":\"");
	put_uuid(b, r->aid);
	BUF_LIT(b, "\",\"stage\":\"");
	buf_str(b, stage_names[st]);
	BUF_LIT(b, "\",\"requestURI\":\"");
	put_uri(b, r);
	BUF_LIT(b, "\",\"verb\":\"");
	buf_str(b, verb_names[r->verb]);
	BUF_LIT(b, "\",");
	buf_put(b, r->who->json, r->who->jsonlen);
	if (r->res)
		put_objectref(b, r, st);
	if (st != ST_RECEIVED)
		put_status(b, r, st);
	if (st == ST_COMPLETE && r->ro != RO_NONE && r->fail != F_403)
		put_reqobj(b, r);
	BUF_LIT(b, ",\"requestReceivedTimestamp\":\"");
	buf_time(b, r->t_recv, 6);
	BUF_LIT(b, "\",\"stageTimestamp\":\"");
	buf_time(b, stamp, 6);
	b->p[b->len++] = '"';
	if (st != ST_RECEIVED) {
		BUF_LIT(b, ",\"annotations\":{\"authorization.k8s.io/decision\":\"");
		if (r->fail == F_403) {
			BUF_LIT(b, "forbid\",\"authorization.k8s.io/reason\":\"\"}");
		} else {
			BUF_LIT(b, "allow\",\"authorization.k8s.io/reason\":\"");
			buf_str(b, r->reason ? r->reason : r->who->reason);
			BUF_LIT(b, "\"}");
		}
	}
	b->p[b->len++] = '}';
}
