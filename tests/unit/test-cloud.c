/*
 * Tests for the cloud readers' parts: GKE methodName and resourceName
 * mapping and gRPC codes (gke.h), recovery of cut audit events
 * (auditcut.h), the line reader (lines.h), lenient times, CloudWatch
 * stream names (cloudwatch.h), and the plain-log bid on text and binary
 * heads.  The splitting of cloud envelopes is tested in test-jscan.c.  Expectations
 * come from the formats' documentation and the sample entries quoted in each case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/auditcut.h"
#include "formats/cloud.h"
#include "formats/cloudwatch.h"
#include "formats/gke.h"
#include "input/lines.h"
#include "formats/sniff.h"
#include "util/timeutil.h"

/* Compare a possibly NULL string with a possibly NULL expectation. */
static void
same(const char *what, const char *want, const char *got)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(want, got) != 0)
		fail_msg("%s: want %s%s%s, got %s%s%s", what,
		    want ? "\"" : "", want ? want : "NULL", want ? "\"" : "",
		    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
}

/* ---- GKE ---- */

static const struct gke_case {
	const char	*method, *rname;
	const char	*verb, *group, *version, *resource, *sub, *ns, *name;
	const char	*path;
} gke_cases[] = {
	/* The examples. */
	{ "io.k8s.core.v1.pods.create", "core/v1/namespaces/default/pods/web",
	    "create", "", "v1", "pods", NULL, "default", "web", NULL },
	{ "io.k8s.apps.v1.deployments.patch",
	    "apps/v1/namespaces/shop/deployments/cart",
	    "patch", "apps", "v1", "deployments", NULL, "shop", "cart",
	    NULL },
	{ "io.k8s.core.v1.pods.exec.create",
	    "core/v1/namespaces/default/pods/nginx-pod/exec",
	    "create", "", "v1", "pods", "exec", "default", "nginx-pod", NULL },
	{ "io.k8s.coordination.v1.leases.update",
	    "coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler",
	    "update", "coordination.k8s.io", "v1", "leases", NULL,
	    "kube-system", "kube-scheduler", NULL },
	{ "io.k8s.core.v1.pods.status.patch",
	    "core/v1/namespaces/1-2-deployment-update/pods/nginx-xf5f4/status",
	    "patch", "", "v1", "pods", "status", "1-2-deployment-update",
	    "nginx-xf5f4", NULL },
	/* rbac.authorization.k8s.io reversed; Panther's short form too. */
	{ "io.k8s.authorization.rbac.v1.clusterrolebindings.create",
	    "rbac.authorization.k8s.io/v1/clusterrolebindings/oops",
	    "create", "rbac.authorization.k8s.io", "v1",
	    "clusterrolebindings", NULL, NULL, "oops", NULL },
	{ "io.k8s.authorization.rbac.v1.roles.patch", NULL,
	    "patch", "rbac.authorization.k8s.io", "v1", "roles", NULL, NULL,
	    NULL, NULL },
	{ "io.k8s.rbac.v1.clusterroles.create", NULL,
	    "create", "rbac.authorization.k8s.io", "v1", "clusterroles", NULL,
	    NULL, NULL, NULL },
	/* A group outside k8s.io: the reversed DNS name. */
	{ "aws.k8s.vpcresources.v1alpha1.cninodes.patch", NULL,
	    "patch", "vpcresources.k8s.aws", "v1alpha1", "cninodes", NULL,
	    NULL, NULL, NULL },
	{ "io.k8s.networking.v1.ingresses.create",
	    "networking.k8s.io/v1/namespaces/production/ingresses/web-ingress",
	    "create", "networking.k8s.io", "v1", "ingresses", NULL,
	    "production", "web-ingress", NULL },
	/* Lists: no name; a cluster-wide list of a namespaced resource. */
	{ "io.k8s.core.v1.pods.list", "core/v1/namespaces/default/pods",
	    "list", "", "v1", "pods", NULL, "default", NULL, NULL },
	{ "io.k8s.core.v1.secrets.list", "core/v1/secrets",
	    "list", "", "v1", "secrets", NULL, NULL, NULL, NULL },
	/* A Namespace is in itself; its status is a subresource. */
	{ "io.k8s.core.v1.namespaces.get", "core/v1/namespaces/team-a",
	    "get", "", "v1", "namespaces", NULL, "team-a", "team-a", NULL },
	{ "io.k8s.core.v1.namespaces.status.update",
	    "core/v1/namespaces/team-a/status",
	    "update", "", "v1", "namespaces", "status", "team-a", "team-a",
	    NULL },
	/* A node proxy path after the subresource. */
	{ "io.k8s.core.v1.nodes.proxy.get",
	    "core/v1/nodes/gke-adx-pool-e05a7794-jgln/proxy/metrics/cadvisor",
	    "get", "", "v1", "nodes", "proxy", NULL,
	    "gke-adx-pool-e05a7794-jgln", NULL },
	/* beta versions. */
	{ "io.k8s.batch.v1beta1.cronjobs.delete",
	    "batch/v1beta1/namespaces/ops/cronjobs/backup",
	    "delete", "batch", "v1beta1", "cronjobs", NULL, "ops", "backup",
	    NULL },
	/* Non-resource requests (elastic's HNAP1 probe, Panther's readyz). */
	{ "io.k8s.get", "HNAP1",
	    "get", NULL, NULL, NULL, NULL, NULL, NULL, "/HNAP1" },
	{ "io.k8s.readyz", "/readyz",
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, "/readyz" },
	{ "io.k8s.readyz", NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, "/readyz" },
	/* A resourceName alone. */
	{ NULL, "core/v1/namespaces/ns/configmaps/cm",
	    NULL, "", "v1", "configmaps", NULL, "ns", "cm", NULL },
	/* Nothing. */
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static void
test_gke_call(void **state)
{
	struct ks_gke_call c;

	for (size_t i = 0; i < sizeof(gke_cases) / sizeof(gke_cases[0]);
	    i++) {
		const struct gke_case *k = &gke_cases[i];
		ks_gke_call(k->method, k->rname, &c);
		printf("%s %s\n", k->method ? k->method : "-",
		    k->rname ? k->rname : "-");
		same("verb", k->verb, c.verb);
		same("api_group", k->group, c.api_group);
		same("api_version", k->version, c.api_version);
		same("resource", k->resource, c.resource);
		same("subresource", k->sub, c.subresource);
		same("namespace", k->ns, c.namespace);
		same("name", k->name, c.name);
		same("path", k->path, c.path);
	}
}

static void
test_gke_long_names(void **state)
{
	static char m[3 * KS_GKE_BUFSZ], r[3 * KS_GKE_BUFSZ];
	struct ks_gke_call c;

	/* Longer than the struct's storage: fields that do not fit are NULL. */
	memset(m, 'a', sizeof(m) - 1);
	memcpy(m, "io.k8s.core.v1.", 15);
	ks_gke_call(m, NULL, &c);
	assert_null(c.resource);
	memset(r, 'b', sizeof(r) - 1);
	memcpy(r, "core/v1/namespaces/x/pods/", 26);
	ks_gke_call("io.k8s.core.v1.pods.get", r, &c);
	same("verb", "get", c.verb);
	same("namespace", "x", c.namespace);
	assert_null(c.name);
}

static void
test_grpc_codes(void **state)
{
	/* google.rpc.Code and its HTTP mapping (google/rpc/code.proto). */
	static const struct { long grpc; int http; const char *name; } t[] = {
		{ 0, 200, "OK" }, { 1, 499, "CANCELLED" },
		{ 2, 500, "UNKNOWN" }, { 3, 400, "INVALID_ARGUMENT" },
		{ 4, 504, "DEADLINE_EXCEEDED" }, { 5, 404, "NOT_FOUND" },
		{ 6, 409, "ALREADY_EXISTS" }, { 7, 403, "PERMISSION_DENIED" },
		{ 8, 429, "RESOURCE_EXHAUSTED" },
		{ 9, 400, "FAILED_PRECONDITION" }, { 10, 409, "ABORTED" },
		{ 11, 400, "OUT_OF_RANGE" }, { 12, 501, "UNIMPLEMENTED" },
		{ 13, 500, "INTERNAL" }, { 14, 503, "UNAVAILABLE" },
		{ 15, 500, "DATA_LOSS" }, { 16, 401, "UNAUTHENTICATED" },
		{ 17, 0, NULL }, { -1, 0, NULL }, { 1000000, 0, NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(ks_gke_http_code(t[i].grpc), t[i].http);
		same("code name", t[i].name, ks_gke_code_name(t[i].grpc));
	}
}

/* ---- cut audit events ---- */

/* An event as kube-apiserver writes it (gen-audit's field order). */
#define EVENT \
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"," \
	"\"level\":\"RequestResponse\",\"auditID\":\"a-1\"," \
	"\"stage\":\"ResponseComplete\"," \
	"\"requestURI\":\"/api/v1/namespaces/team-a/pods/web\"," \
	"\"verb\":\"patch\",\"user\":{\"username\":\"alice\"," \
	"\"groups\":[\"dev\",\"system:authenticated\"]}," \
	"\"sourceIPs\":[\"10.0.0.1\"],\"userAgent\":\"kubectl/v1.29\"," \
	"\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"team-a\"," \
	"\"name\":\"web\",\"apiVersion\":\"v1\"}," \
	"\"responseStatus\":{\"metadata\":{}," \
	"\"message\":\"denied: \\\"web\\\" no\",\"code\":403}," \
	"\"requestObject\":{\"metadata\":{\"name\":\"not-the-name\"," \
	"\"namespace\":\"nor-this\"},\"verb\":\"nor-this-verb\"}," \
	"\"requestReceivedTimestamp\":\"2024-03-05T10:11:12.123456Z\"," \
	"\"stageTimestamp\":\"2024-03-05T10:11:12.223456Z\"," \
	"\"annotations\":{\"authorization.k8s.io/decision\":\"forbid\"," \
	"\"authorization.k8s.io/reason\":\"\"}}"

static void
test_cut_marked(void **state)
{
	const char *ev = EVENT;
	const char *cut = strstr(ev, "\"requestObject\"");
	char text[4096];
	struct ks_auditcut c;

	/* CloudWatch's cut: the start, then "[Truncated...]". */
	snprintf(text, sizeof(text), "%.*s\"requestObject\":{\"metadata\":{\"na"
	    "[Truncated...]", (int)(cut - ev), ev);
	assert_true(ks_auditcut_marked(text, strlen(text)));
	assert_int_equal(ks_auditcut_recover(text, strlen(text), &c), 1);
	same("audit_id", "a-1", c.row.audit_id);
	same("stage", "ResponseComplete", c.row.stage);
	same("level", "RequestResponse", c.row.level);
	same("verb", "patch", c.row.verb);
	same("request_uri", "/api/v1/namespaces/team-a/pods/web",
	    c.row.request_uri);
	same("username", "alice", c.row.username);
	same("user_agent", "kubectl/v1.29", c.row.user_agent);
	same("resource", "pods", c.row.resource);
	same("api_group", "", c.row.api_group);	/* core: omitted */
	same("api_version", "v1", c.row.api_version);
	same("namespace", "team-a", c.row.namespace);
	same("name", "web", c.row.name);
	assert_int_equal(c.row.code, 403);
	same("message", "denied: \"web\" no", c.row.message);
	assert_int_equal(c.row.extras, 1);
	assert_int_equal(json_array_size(c.row.user_groups), 2);
	same("group 2", "system:authenticated",
	    json_string_value(json_array_get(c.row.user_groups, 1)));
	same("ip", "10.0.0.1",
	    json_string_value(json_array_get(c.row.source_ips, 0)));
	/* The times and annotations came after the cut. */
	assert_true(c.row.received_us == KS_TIME_NONE);
	assert_true(c.row.stage_us == KS_TIME_NONE);
	assert_null(c.row.decision);
	assert_int_equal(c.row.partial, 1);
	ks_auditcut_clear(&c);
}

static void
test_cut_everywhere(void **state)
{
	const char *ev = EVENT;
	size_t n = strlen(ev);
	struct ks_auditcut c;
	char *copy;

	/* Cut at every length: never a crash, never a wrong field. */
	for (size_t k = 0; k < n; k++) {
		copy = malloc(k ? k : 1);
		memcpy(copy, ev, k);
		if (ks_auditcut_recover(copy, k, &c) == 1) {
			if (c.row.verb != NULL)
				same("verb", "patch", c.row.verb);
			if (c.row.namespace != NULL)
				same("namespace", "team-a", c.row.namespace);
			if (c.row.name != NULL)
				same("name", "web", c.row.name);
			if (c.row.username != NULL)
				same("user", "alice", c.row.username);
			/* A value cut in the middle is not read. */
			if (c.row.audit_id != NULL)
				same("audit_id", "a-1", c.row.audit_id);
			assert_true(c.row.code == 0 || c.row.code == 403);
			/* The message whole, or none: never a cut one. */
			if (c.row.message != NULL)
				same("message", "denied: \"web\" no",
				    c.row.message);
			ks_auditcut_clear(&c);
		}
		free(copy);
	}
	/* The whole event is not cut: not for recovery. */
	assert_int_equal(ks_auditcut_recover(ev, n, &c), 0);
	/* The times are read when the cut comes after them. */
	copy = strdup(ev);
	copy[strstr(ev, "\"annotations\"") - ev + 20] = '\0';
	assert_int_equal(ks_auditcut_recover(copy, strlen(copy), &c), 1);
	assert_true(c.row.received_us == INT64_C(1709633472123456));
	assert_true(c.row.stage_us == INT64_C(1709633472223456));
	ks_auditcut_clear(&c);
	free(copy);
}

static void
test_cut_not_events(void **state)
{
	struct ks_auditcut c;
	static const char *const no[] = {
		"",
		"hello",
		"[\"auditID\",\"x\"]",
		/* Another kind. */
		"{\"kind\":\"Pod\",\"verb\":\"get\",\"metadata\":{",
		/* No auditID, verb or requestURI (they are only nested). */
		"{\"objectRef\":{\"verb\":\"get\",\"auditID\":\"x\"},\"a\":",
		/* The only auditID is cut. */
		"{\"auditID\":\"abc",
	};

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_int_equal(ks_auditcut_recover(no[i], strlen(no[i]), &c),
		    0);
	/* Escapes undone; "\/" in keys (Azure's JSON) read as "/". */
	const char *esc = "  {\"auditID\":\"a\\u00e9\\\"b\",\"annotations\":"
	    "{\"authorization.k8s.io\\/decision\":\"allow\",\"x\":\"";
	assert_int_equal(ks_auditcut_recover(esc, strlen(esc), &c), 1);
	same("audit_id", "a\xc3\xa9\"b", c.row.audit_id);
	same("decision", "allow", c.row.decision);
	ks_auditcut_clear(&c);
	assert_false(ks_auditcut_marked("{\"a\":1}", 7));
	assert_true(ks_auditcut_marked("{\"a\":[Truncated...]\n", 20));
}

/* ---- the line reader ---- */

/* Read text in chunks; describe the lines as "number:len[:cut]|". */
static char *
read_lines(const char *text, size_t len, size_t chunk, size_t max)
{
	struct ks_memsrc src = { text, len, 0, chunk };
	struct ks_input in;
	struct ks_lines *lr;
	struct ks_line l;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);

	ks_input_init(&in, ks_input_fill_mem, &src, NULL);
	lr = ks_lines_new(&in, max);
	while (ks_lines_next(lr, &l) == 1) {
		fprintf(fp, "%llu:%.*s", (unsigned long long)l.number,
		    (int)(l.len < 12 ? l.len : 12), l.data);
		if (l.cut)
			fprintf(fp, ":cut%llu", (unsigned long long)l.full);
		fputc('|', fp);
	}
	ks_lines_free(lr);
	ks_input_release(&in);
	fclose(fp);
	return out;
}

static void
test_lines(void **state)
{
	static const size_t chunks[] = { 0, 1, 2, 7 };
	const char *t = "\xef\xbb\xbf" "one\r\ntwo\n\nthree";
	char *got;

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		got = read_lines(t, strlen(t), chunks[i], 100);
		assert_string_equal(got, "1:one|2:two|3:|4:three|");
		free(got);
	}
	got = read_lines("", 0, 0, 100);
	assert_string_equal(got, "");
	free(got);
	got = read_lines("\n", 1, 0, 100);
	assert_string_equal(got, "1:|");
	free(got);
	/* Longer than the limit: the start kept, the rest read through. */
	got = read_lines("abcdefghij\nk\n", 13, 3, 4);
	assert_string_equal(got, "1:abcd:cut10|2:k|");
	free(got);
}

static void
test_lines_long(void **state)
{
	/* Lines longer than the input's own buffer, under and over max. */
	size_t n = 3 * KS_INPUT_BUFSZ + 5, total = 2 * n + 8;
	char *t = malloc(total), *got;

	memset(t, 'x', total);
	t[n] = '\n';
	memcpy(t + n + 1, "short\n", 6);
	t[total - 1] = '\n';
	got = read_lines(t, total, 0, 4 * KS_INPUT_BUFSZ);
	assert_string_equal(got, "1:xxxxxxxxxxxx|2:short|3:xxxxxxxxxxxx|");
	free(got);
	got = read_lines(t, total, 1000, KS_INPUT_BUFSZ);
	char want[128];
	snprintf(want, sizeof(want), "1:xxxxxxxxxxxx:cut%zu|2:short|"
	    "3:xxxxxxxxxxxx:cut%zu|", n, total - n - 8);
	assert_string_equal(got, want);
	free(got);
	free(t);
}

/* ---- times, streams, the log bid ---- */

static void
test_times(void **state)
{
	const char *s;

	s = "2024-03-05T10:11:12.123Z";
	assert_true(ks_cloud_time(s, strlen(s)) == INT64_C(1709633472123000));
	/* Logs Insights and Panther write UTC without a zone. */
	s = "2024-03-05 10:11:12.123";
	assert_true(ks_cloud_time(s, strlen(s)) == INT64_C(1709633472123000));
	s = "2024-02-16 11:48:22.742154000";
	assert_true(ks_cloud_time(s, strlen(s)) == INT64_C(1708084102742154));
	s = "2024-03-05T12:11:12+02:00";
	assert_true(ks_cloud_time(s, strlen(s)) == INT64_C(1709633472000000));
	s = "yesterday";
	assert_true(ks_cloud_time(s, strlen(s)) == KS_TIME_NONE);
	assert_int_equal(ks_cloud_year_of(INT64_C(1709633472123000)), 2024);
}

static void
test_streams(void **state)
{
	char buf[128];

	assert_int_equal(ks_cw_stream_kind(
	    "kube-apiserver-audit-66093255a04930937875976616cbb34e"),
	    KS_CW_AUDIT);
	assert_int_equal(ks_cw_stream_kind(
	    "kube-apiserver-66093255a04930937875976616cbb34e"),
	    KS_CW_CONTROL_PLANE);
	assert_int_equal(ks_cw_stream_kind("authenticator-6609"),
	    KS_CW_CONTROL_PLANE);
	assert_int_equal(ks_cw_stream_kind("kube-controller-manager-6609"),
	    KS_CW_CONTROL_PLANE);
	assert_int_equal(ks_cw_stream_kind("cloud-controller-manager-6609"),
	    KS_CW_CONTROL_PLANE);
	assert_int_equal(ks_cw_stream_kind("kube-scheduler-6609"),
	    KS_CW_CONTROL_PLANE);
	assert_int_equal(ks_cw_stream_kind("123456789012_CloudTrail_us-east-1"),
	    KS_CW_OTHER);
	assert_int_equal(ks_cw_stream_kind(NULL), KS_CW_OTHER);
	same("stream in path", "kube-apiserver-audit-abc",
	    ks_cw_stream_in_path("x.tar!exportedlogs/t1/kube-apiserver-audit-"
	    "abc/000000.gz!000000", buf, sizeof(buf)));
	same("no stream in path", NULL,
	    ks_cw_stream_in_path("/tmp/audit.log", buf, sizeof(buf)));
}

static int
log_bid(const char *name, const void *head, size_t n)
{
	struct ks_peek pk;

	for (int i = 0; ks_sniffers[i] != NULL; i++)
		if (strcmp(ks_sniffers[i]->name, "log") == 0) {
			ks_peek(head, n, &pk);
			return ks_sniffers[i]->bid(name, n, head, n, &pk);
		}
	fail_msg("no log sniffer");
	return -1;
}

static void
test_log_bid(void **state)
{
	/* An AppleDouble header (magic 00051607), as in sonobuoy tarballs. */
	static const unsigned char apple[] = { 0x00, 0x05, 0x16, 0x07, 0x00,
	    0x02, 0x00, 0x00, 'M', 'a', 'c', ' ', 'O', 'S', ' ', 'X' };
	const char *klog = "E0305 10:12:51.152871 1 controller.go:329] x\n";
	/* A log with a Latin-1 name in it: a few invalid bytes are text. */
	const char *latin1 = "I0305 10:12:51.152871 1 user.go:12] user "
	    "Ren\xe9 M\xfcller logged in from 10.0.0.1, session 42, token "
	    "expires in 3600 seconds\n";

	assert_int_equal(log_bid("controller.log", klog, strlen(klog)), 1);
	assert_int_equal(log_bid("x.txt", latin1, strlen(latin1)), 1);
	assert_int_equal(log_bid("._results.json", "text\n", 5), 0);
	assert_int_equal(log_bid("dir/._x", "text\n", 5), 0);
	assert_int_equal(log_bid("results.json", apple, sizeof(apple)), 0);
	assert_int_equal(log_bid("empty", "", 0), 0);
	assert_int_equal(log_bid("bin", "\x01\x02\x03\x04 ab", 7), 0);
	assert_int_equal(log_bid("bad-utf8", "\xff\xfe\xfd\xfc abc", 8), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gke_call),
		cmocka_unit_test(test_gke_long_names),
		cmocka_unit_test(test_grpc_codes),
		cmocka_unit_test(test_cut_marked),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_cut_not_events),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_lines_long),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_streams),
		cmocka_unit_test(test_log_bid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
