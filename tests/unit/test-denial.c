/*
 * Tests for the plain-log RBAC denial parser: hand-written lines of every
 * form, every line of the real-data sample, and hostile input (NUL bytes,
 * invalid UTF-8, 10 MB lines, cut quotes).  Every line is handed over in a
 * heap buffer of exactly its length, so that under -fsanitize=address a read
 * past the end is caught; every found denial is also parsed cut at each
 * length, and from each offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/denial.h"
#include "util/timeutil.h"

#define REALDATA \
	"../shared/realdata/denial-log-lines/rbac-denial-lines.log"
#define YEAR		2024		/* the default year hint */
#define BIG		(10 << 20)	/* a 10 MB line */

/*
 * What a line should give.  A string field left out means "must be NULL";
 * api_group "" (the core group) is written out.
 */
struct want {
	int		 line;		/* realdata: line number, from 1 */
	const char	*text;		/* hand-written: the line */
	int		 found;		/* 1 a denial, 0 none */
	int		 form;		/* enum ks_denial_form */
	const char	*user, *verb, *resource, *subresource, *api_group;
	const char	*namespace, *name, *path, *reason;
	const char	*time;		/* as ks_time_format() has it */
	int		 repaired;
	int		 year;		/* year hint; 0 means YEAR */
	long		 start, end;	/* checked if end != 0; -1: length */
	const char	*why;		/* why it holds no denial */
	const char	*note;		/* why damaged text is read */
};

/*
 * Hand-written lines: every form, wrapper and escaping level, then lines
 * that hold no denial (found = 0).
 */
static const struct want hand[] = {
	{ .text = "cninodes.vpcresources.k8s.aws "
	    "\"ip-10-0-1-23.ec2.internal\" is forbidden: User "
	    "\"eks:vpc-resource-controller\" cannot patch resource "
	    "\"cninodes\" in API group \"vpcresources.k8s.aws\" at "
	    "the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "eks:vpc-resource-controller", .verb = "patch",
	    .resource = "cninodes", .api_group = "vpcresources.k8s.aws",
	    .name = "ip-10-0-1-23.ec2.internal", .start = 0, .end = -1 },
	{ .text = "User \"jane\" cannot delete resource \"configmaps\" in "
	    "API group \"\" in the namespace \"team-a\"",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "jane",
	    .verb = "delete", .resource = "configmaps", .api_group = "",
	    .namespace = "team-a", .start = 0, .end = -1 },
	{ .text = "secrets \\\"db-creds\\\" is forbidden: User "
	    "\\\"system:serviceaccount:app:web\\\" cannot get "
	    "resource \\\"secrets\\\" in API group \\\"\\\" in the "
	    "namespace \\\"app\\\"",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:app:web", .verb = "get",
	    .resource = "secrets", .api_group = "", .namespace = "app",
	    .name = "db-creds" },
	{ .text = "{\"log\":\"{\\\"msg\\\":\\\"pods \\\\\\\"web-0\\\\\\\" "
	    "is forbidden: User \\\\\\\"system:serviceaccount:ci:depl"
	    "oyer\\\\\\\" cannot get resource "
	    "\\\\\\\"pods/log\\\\\\\" in API group \\\\\\\"\\\\\\\" "
	    "in the namespace \\\\\\\"prod\\\\\\\"\\\"}\\n\",\"stream"
	    "\":\"stderr\",\"time\":\"2024-03-05T10:11:12.123456789Z\""
	    "}",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:ci:deployer", .verb = "get",
	    .resource = "pods", .subresource = "log", .api_group = "",
	    .namespace = "prod", .name = "web-0",
	    .time = "2024-03-05T10:11:12.123456Z" },
	{ .text = "E0727 18:09:24.847396       1 reflector.go:126] "
	    "k8s.io/client-go/informers/factory.go:133: Failed to "
	    "list *v1.Secret: secrets is forbidden: User "
	    "\"system:serviceaccount:monitoring:prometheus\" cannot "
	    "list resource \"secrets\" in API group \"\" in the "
	    "namespace \"kube-system\"",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:monitoring:prometheus",
	    .verb = "list", .resource = "secrets", .api_group = "",
	    .namespace = "kube-system",
	    .time = "2024-07-27T18:09:24.847396Z" },
	{ .text = "time=\"2019-11-25T16:30:34Z\" level=error "
	    "msg=\"namespaces is forbidden: User "
	    "\\\"system:serviceaccount:kube-system:pdb\\\" cannot "
	    "list resource \\\"namespaces\\\" in API group \\\"\\\" "
	    "at the cluster scope\"",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:pdb", .verb = "list",
	    .resource = "namespaces", .api_group = "",
	    .time = "2019-11-25T16:30:34.000000Z" },
	{ .text = "{\"level\":\"error\",\"ts\":1.7176762057e9,\"logger\":\""
	    "controller\",\"msg\":\"Reconciler "
	    "error\",\"error\":\"nodes \\\"ip-10-0-12-183\\\" is "
	    "forbidden: User \\\"system:serviceaccount:kube-system:aw"
	    "s-node\\\" cannot update resource \\\"nodes\\\" in API "
	    "group \\\"\\\" at the cluster scope\"}",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:aws-node",
	    .verb = "update", .resource = "nodes", .api_group = "",
	    .name = "ip-10-0-12-183", .time = "2024-06-06T12:16:45.700000Z" },
	{ .text = "{\"level\":\"error\",\"ts\":\"2024-06-06T12:16:45.771Z\""
	    ",\"msg\":\"Reconciler error\",\"controller\":\"cninode\""
	    ",\"error\":\"cninodes.vpcresources.k8s.aws "
	    "\\\"ip-10-0-1-23.ec2.internal\\\" is forbidden: User "
	    "\\\"eks:vpc-resource-controller\\\" cannot patch "
	    "resource \\\"cninodes\\\" in API group "
	    "\\\"vpcresources.k8s.aws\\\" at the cluster scope\"}",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "eks:vpc-resource-controller", .verb = "patch",
	    .resource = "cninodes", .api_group = "vpcresources.k8s.aws",
	    .name = "ip-10-0-1-23.ec2.internal",
	    .time = "2024-06-06T12:16:45.771000Z" },
	{ .text = "Error from server (Forbidden): deployments.apps \"web\" "
	    "is forbidden: User \"dev@example.com\" cannot patch "
	    "resource \"deployments\" in API group \"apps\" in the "
	    "namespace \"shop\"",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "dev@example.com",
	    .verb = "patch", .resource = "deployments", .api_group = "apps",
	    .namespace = "shop", .name = "web", .start = 31, .end = -1 },
	{ .text = "  \"message\": \"pods \\\"web-0\\\" is forbidden: User "
	    "\\\"system:anonymous\\\" cannot get resource "
	    "\\\"pods/exec\\\" in API group \\\"\\\" in the "
	    "namespace \\\"default\\\"\",",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "system:anonymous",
	    .verb = "get", .resource = "pods", .subresource = "exec",
	    .api_group = "", .namespace = "default", .name = "web-0" },
	{ .text = "User \"bob\" cannot list pods in the namespace "
	    "\"default\"",
	    .found = 1, .form = KS_DENIAL_LEGACY, .user = "bob",
	    .verb = "list", .resource = "pods", .namespace = "default" },
	{ .text = "Error from server (Forbidden): nodes is forbidden: User "
	    "\"bob\" cannot list nodes at the cluster scope.",
	    .found = 1, .form = KS_DENIAL_LEGACY, .user = "bob",
	    .verb = "list", .resource = "nodes" },
	{ .text = "deployments.extensions is forbidden: User "
	    "\"system:serviceaccount:ci:helm\" cannot list "
	    "deployments.extensions in the namespace \"prod\".",
	    .found = 1, .form = KS_DENIAL_LEGACY,
	    .user = "system:serviceaccount:ci:helm", .verb = "list",
	    .resource = "deployments", .api_group = "extensions",
	    .namespace = "prod" },
	{ .text = "User \"ops\" cannot update deployments.apps/scale in "
	    "the namespace \"web\"",
	    .found = 1, .form = KS_DENIAL_LEGACY, .user = "ops",
	    .verb = "update", .resource = "deployments",
	    .subresource = "scale", .api_group = "apps", .namespace = "web" },
	{ .text = "User \"developer\" cannot get secrets in project "
	    "\"trident\"",
	    .found = 1, .form = KS_DENIAL_OPENSHIFT, .user = "developer",
	    .verb = "get", .resource = "secrets", .namespace = "trident" },
	{ .text = "User \"developer\" cannot list all nodes in the cluster",
	    .found = 1, .form = KS_DENIAL_OPENSHIFT, .user = "developer",
	    .verb = "list", .resource = "nodes" },
	{ .text = "User \"alice\" cannot \"escalate\" \"roles\" with name "
	    "\"admin\" in project \"team\"",
	    .found = 1, .form = KS_DENIAL_OPENSHIFT, .user = "alice",
	    .verb = "escalate", .resource = "roles", .namespace = "team",
	    .name = "admin" },
	{ .text = "User \"system:anonymous\" cannot \"get\" on "
	    "\"/oapi/v1\"",
	    .found = 1, .form = KS_DENIAL_OPENSHIFT,
	    .user = "system:anonymous", .verb = "get", .path = "/oapi/v1" },
	{ .text = "forbidden: User \"system:anonymous\" cannot get path "
	    "\"/healthz\"",
	    .found = 1, .form = KS_DENIAL_PATH, .user = "system:anonymous",
	    .verb = "get", .path = "/healthz", .start = 0, .end = -1 },
	{ .text = "{\"kind\":\"Status\",\"message\":\"forbidden: User "
	    "\\\"system:anonymous\\\" cannot get path "
	    "\\\"/metrics\\\".\",\"code\":403}",
	    .found = 1, .form = KS_DENIAL_PATH, .user = "system:anonymous",
	    .verb = "get", .path = "/metrics" },
	{ .text = "pods is forbidden: User \"u\" cannot create resource "
	    "\"pods\" in API group \"\" in the namespace \"n\": "
	    "RBAC: clusterrole.rbac.authorization.k8s.io \"edit\" "
	    "not found",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "u", .verb = "create",
	    .resource = "pods", .api_group = "", .namespace = "n",
	    .reason = "RBAC: clusterrole.rbac.authorization.k8s.io "
		"\"edit\" not found" },
	{ .text = "err=\"pvc \\\"data\\\" is forbidden: User "
	    "\\\"system:node:n1\\\" cannot get resource "
	    "\\\"persistentvolumeclaims\\\" in API group \\\"\\\" in "
	    "the namespace \\\"db\\\": no relationship found between "
	    "node \\\"n1\\\" and this object\" pod=\"db/x\"",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "system:node:n1",
	    .verb = "get", .resource = "persistentvolumeclaims",
	    .api_group = "", .namespace = "db", .name = "data",
	    .reason = "no relationship found between node \"n1\" and "
		"this object" },
	{ .text = "User \"viewer\" cannot get resource \"pods/log\" in API "
	    "group \"\" in the namespace \"web\"",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "viewer",
	    .verb = "get", .resource = "pods", .subresource = "log",
	    .api_group = "", .namespace = "web" },
	{ .text = "userextras.authentication.k8s.io \"x\" is forbidden: "
	    "User \"proxy\" cannot impersonate resource "
	    "\"userextras/scopes.authorization.openshift.io\" in API "
	    "group \"authentication.k8s.io\" at the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "proxy",
	    .verb = "impersonate", .resource = "userextras",
	    .subresource = "scopes.authorization.openshift.io",
	    .api_group = "authentication.k8s.io", .name = "x" },
	{ .text = "2024-03-05T10:11:12.5+02:00 ERROR pods is forbidden: "
	    "User \"u\" cannot list resource \"pods\" in API group "
	    "\"\" at the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "u", .verb = "list",
	    .resource = "pods", .api_group = "",
	    .time = "2024-03-05T08:11:12.500000Z" },
	{ .text = "2024-03-05T10:11:12.123456789Z stderr F E0305 "
	    "10:11:12.000001       1 x.go:1] services is forbidden: "
	    "User \"u\" cannot watch resource \"services\" in API "
	    "group \"\" at the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "u", .verb = "watch",
	    .resource = "services", .api_group = "",
	    .time = "2024-03-05T10:11:12.123456Z" },
	{ .text = "I0305 10:11:12.000000    1 server.go:300] Forbidden "
	    "(user=system:anonymous, verb=get, resource=nodes, "
	    "subresource=metrics)",
	    .found = 1, .form = KS_DENIAL_KUBELET, .user = "system:anonymous",
	    .verb = "get", .resource = "nodes", .subresource = "metrics",
	    .time = "2024-03-05T10:11:12.000000Z", .start = 42, .end = -1 },
	{ .text = "Forbidden (user=bob, verb=get, namespace=default, "
	    "resource=pods)",
	    .found = 1, .form = KS_DENIAL_KUBELET, .user = "bob",
	    .verb = "get", .resource = "pods", .namespace = "default" },
	{ .text = "User \"we\\\"ird\" cannot get resource \"pods\" in API "
	    "group \"\" at the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "we\"ird",
	    .verb = "get", .resource = "pods", .api_group = "" },
	{ .text = "msg=\"User \\\"we\\\\\\\"ird\\\\\\\\\\\" cannot get "
	    "resource \\\"pods\\\" in API group \\\"\\\" at the "
	    "cluster scope\"",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "we\"ird\\",
	    .verb = "get", .resource = "pods", .api_group = "" },
	{ .text = "User \"caf\\u00e9 \\U0001F600 \\ud83d\\ude00\" cannot "
	    "get resource \"pods\" in API group \"\" at the cluster "
	    "scope",
	    .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "caf\xc3\xa9 \xf0\x9f\x98\x80 \xf0\x9f\x98\x80",
	    .verb = "get", .resource = "pods", .api_group = "" },
	{ .text = "User \"a\" cannot get resource \"pods\" in API group "
	    "\"\" at the cluster scope; User \"b\" cannot list "
	    "resource \"nodes\" in API group \"\" at the cluster "
	    "scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "a", .verb = "get",
	    .resource = "pods", .api_group = "" },
	{ .text = "level=warn ts=2019-09-17T10:52:34.848535733Z "
	    "caller=klog.go:94 msg=\"services is forbidden: User "
	    "\\\"x\\\" cannot list resource \\\"services\\\" in API "
	    "group \\\"\\\" in the namespace \\\"default\\\"\"",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "x", .verb = "list",
	    .resource = "services", .api_group = "", .namespace = "default",
	    .time = "2019-09-17T10:52:34.848535Z" },
	{ .text = "{\"ts\":1717676205771,\"msg\":\"User \\\"u\\\" cannot "
	    "get resource \\\"pods\\\" in API group \\\"\\\" at the "
	    "cluster scope\"}",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "u", .verb = "get",
	    .resource = "pods", .api_group = "",
	    .time = "2024-06-06T12:16:45.771000Z" },
	{ .text = "2018/12/07 23:21:45 User \"u\" cannot create pods/exec "
	    "in the namespace \"s\"",
	    .found = 1, .form = KS_DENIAL_LEGACY, .user = "u",
	    .verb = "create", .resource = "pods", .subresource = "exec",
	    .namespace = "s", .time = "2018-12-07T23:21:45.000000Z" },
	{ .text = "[2024-03-05T10:11:12Z] User \"u\" cannot get resource "
	    "\"pods\" in API group \"\" at the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "u", .verb = "get",
	    .resource = "pods", .api_group = "",
	    .time = "2024-03-05T10:11:12.000000Z" },
	{ .text = "E0229 00:00:00.000000 1 x.go:1] User \"u\" cannot get "
	    "resource \"pods\" in API group \"\" at the cluster "
	    "scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "u", .verb = "get",
	    .resource = "pods", .api_group = "", .year = 2023 },
	{ .text = "> \"ci\" cannot get resource \"pods\" in API group \"\" "
	    "at the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "ci", .verb = "get",
	    .resource = "pods", .api_group = "", .repaired = 1 },
	{ .text = "User \"system:node:n1\" cannot get configmaps in the "
	    "namespace \"kube-system\".: \"no path found to object\"",
	    .found = 1, .form = KS_DENIAL_LEGACY, .user = "system:node:n1",
	    .verb = "get", .resource = "configmaps",
	    .namespace = "kube-system", .reason = "no path found to object" },
	{ .text = "User \"\" cannot list resource \"pods\" in API group "
	    "\"\" at the cluster scope",
	    .found = 1, .form = KS_DENIAL_RBAC, .user = "", .verb = "list",
	    .resource = "pods", .api_group = "" },
	{ .text = "the request was forbidden by the admission webhook "
	    "\"policy.example.com\"",
	    .found = 0 },
	{ .text = "User cannot log in: invalid password",
	    .found = 0 },
	{ .text = "User \"bob\" cannot log in",
	    .found = 0 },
	{ .text = "Forbidden: user is not allowed to access this page",
	    .found = 0 },
	{ .text = "error: You must be logged in to the server "
	    "(Unauthorized)",
	    .found = 0 },
	{ .text = "User \"bob\" cannot list pods",
	    .found = 0 },
	{ .text = "cannot ",
	    .found = 0 },
	{ .text = "\"x\" cannot get pods at the cluster scope",
	    .found = 0 },
	{ .text = "nodes is forbidden: User \"x\" cannot list resource "
	    "\"nodes\" in API group \"\" at the clus",
	    .found = 0 },
	{ .text = "Forbidden (user=x, verb=, resource=nodes, "
	    "subresource=proxy)",
	    .found = 0 },
	{ .text = "Forbidden (user=x, verb=get, resource=nodes, "
	    "subresource=proxy",
	    .found = 0 },
	{ .text = "Failed to watch *v1.Deployment: unknown (get "
	    "deployments.apps)",
	    .found = 0 },
	{ .text = "{@usr.id:eks:vpc-resource-controller} A Kubernetes user "
	    "attempted to perform a high number of actions that were "
	    "denied",
	    .found = 0 },
	{ .text = "I cannot believe \"this\" cannot be parsed at the "
	    "cluster scope",
	    .found = 0 },
	{ .text = "User \"x\" cannot get resource \"pods\" in API group "
	    "\"\" in the namespace",
	    .found = 0 },
	{ .text = "User \"x\" cannot get resource \"pods\" in API group "
	    "\"\" in the namespace \"ns",
	    .found = 0 },
	{ .text = "msg=\"User \\\"x\\\" cannot get resource \"pods\\\" in "
	    "API group \\\"\\\" at the cluster scope\"",
	    .found = 0 },
	{ .text = "ServiceUser \"x\" cannot list pods at the cluster scope",
	    .found = 0 },
	{ .text = "User \"x\" cannotlist pods at the cluster scope",
	    .found = 0 },
	{ .text = "",
	    .found = 0 },
};

/*
 * ../shared/realdata/denial-log-lines/rbac-denial-lines.log, line by line:
 * what each line says, read by hand.  .why says why a line is not a
 * denial; .note explains a line read despite damage.
 */
static const struct want real[] = {
	{ .line = 1, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "eks:vpc-resource-controller", .verb = "patch",
	    .resource = "cninodes", .api_group = "vpcresources.k8s.aws",
	    .name = "ip-[ip].[region].compute.internal" },
	{ .line = 2, .found = 0,
	    .why = "a Datadog alert title about denials, not a denial" },
	{ .line = 3, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:default:aws-cni", .verb = "patch",
	    .resource = "nodes", .api_group = "", .name = "<IP>" },
	{ .line = 4, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:aws-node",
	    .verb = "update", .resource = "nodes", .api_group = "",
	    .name = "ip-10-0-12-183.eu-north-1.compute.internal",
	    .time = "2024-06-06T12:16:45.771000Z" },
	{ .line = 5, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:aws-node",
	    .verb = "update", .resource = "nodes", .api_group = "",
	    .name = "ip-10-0-12-183.eu-north-1.compute.internal",
	    .time = "2024-06-06T12:16:45.771000Z" },
	{ .line = 6, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:karpenter-controller",
	    .verb = "patch", .resource = "nodes", .api_group = "",
	    .name = "ip-*-*-*-*.ec2.internal",
	    .time = "2023-02-28T15:02:31.175358Z" },
	{ .line = 7, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:pdb-controller",
	    .verb = "list", .resource = "namespaces", .api_group = "",
	    .time = "2019-11-25T16:30:34.000000Z" },
	{ .line = 8, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:nsm-system:default", .verb = "list",
	    .resource = "namespaces", .api_group = "" },
	{ .line = 9, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:test-namespace:default",
	    .verb = "list", .resource = "deployments", .api_group = "apps",
	    .namespace = "test-namespace",
	    .time = "2024-11-11T14:27:44.435006Z" },
	{ .line = 10, .found = 0,
	    .why = "a watch failure reported as \"unknown (get "
		"deployments.apps)\": no user, no denial text" },
	{ .line = 11, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:capi-system:default",
	    .verb = "list", .resource = "configmaps", .api_group = "" },
	{ .line = 12, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:autoneg-system:autoneg",
	    .verb = "list", .resource = "services", .api_group = "",
	    .time = "2024-07-27T18:09:24.847396Z" },
	{ .line = 13, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:autoneg-system:autoneg",
	    .verb = "get", .resource = "configmaps", .api_group = "",
	    .namespace = "autoneg-system",
	    .name = "controller-leader-election-helper",
	    .time = "2024-07-27T18:09:24.891173Z" },
	{ .line = 14, .found = 1, .form = KS_DENIAL_RBAC, .user = "admin",
	    .verb = "list", .resource = "services", .api_group = "",
	    .namespace = "kube-system" },
	{ .line = 15, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:canary-checker:canary-checker-sa",
	    .verb = "list", .resource = "canaries",
	    .api_group = "canaries.flanksource.com",
	    .time = "2024-08-12T18:38:25.853381Z" },
	{ .line = 16, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:canary-checker:canary-checker-sa",
	    .verb = "list", .resource = "canaries",
	    .api_group = "canaries.flanksource.com",
	    .time = "2024-08-12T18:38:25.853424Z" },
	{ .line = 17, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:promoter-system:promoter-con"
		"troller-manager",
	    .verb = "list", .resource = "namespaces", .api_group = "",
	    .time = "2026-03-31T18:13:58.968540Z" },
	{ .line = 18, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:cattle-prometheus-p-2nc9l:pr"
		"oject-monitoring",
	    .verb = "list", .resource = "services", .api_group = "",
	    .namespace = "default", .time = "2019-09-17T10:52:34.848535Z" },
	{ .line = 19, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:kube-backup",
	    .verb = "list", .resource = "namespaces", .api_group = "" },
	{ .line = 20, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:kube-scheduler", .verb = "list",
	    .resource = "services", .api_group = "",
	    .time = "2024-01-12T19:24:47.387048Z" },
	{ .line = 21, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:kube-scheduler", .verb = "list",
	    .resource = "configmaps", .api_group = "",
	    .namespace = "kube-system",
	    .name = "extension-apiserver-authentication",
	    .time = "2024-11-06T17:33:55.282442Z" },
	{ .line = 22, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:default:kubeblocks", .verb = "list",
	    .resource = "replicasets", .api_group = "apps",
	    .time = "2024-02-22T07:45:29.788954Z" },
	{ .line = 23, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:cloudtty:default", .verb = "list",
	    .resource = "pods", .api_group = "" },
	{ .line = 24, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:mt-nodered:create-pod",
	    .verb = "create", .resource = "pods", .api_group = "",
	    .namespace = "default" },
	{ .line = 25, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "267596194370097065", .verb = "get", .resource = "pods",
	    .subresource = "exec", .api_group = "", .namespace = "demo",
	    .name = "demo-6888488647-2zc4k" },
	{ .line = 26, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:default:config-db-sa",
	    .verb = "create", .resource = "pods", .subresource = "exec",
	    .api_group = "", .namespace = "default", .name = "postgresql-0" },
	{ .line = 27, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:default:yugaware", .verb = "create",
	    .resource = "pods", .subresource = "exec", .api_group = "",
	    .namespace = "yb-dev-yugabyte-db", .name = "yb-master-0" },
	{ .line = 28, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:**************************:c"
		"d-serviceaccount",
	    .verb = "create", .resource = "pods", .subresource = "exec",
	    .api_group = "", .namespace = "**************************",
	    .name = "vcms-artisan-678ddf7455-jk7cc" },
	{ .line = 29, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:patch-operator:controller-manager",
	    .verb = "impersonate", .resource = "userextras",
	    .subresource = "authentication.kubernetes.io/pod-uid",
	    .api_group = "authentication.k8s.io",
	    .name = "d35c3f41-fd65-4d28-a99d-f7bf8a4fe493" },
	{ .line = 30, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:gke-connect:connect-agent-sa",
	    .verb = "impersonate", .resource = "users", .api_group = "",
	    .name = "xxx@xxx.it", .repaired = 1,
	    .note = "damaged: the opening quote before the user is "
		"missing; read anyway" },
	{ .line = 31, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-oidc-proxy:kube-oidc-proxy",
	    .verb = "impersonate", .resource = "userextras",
	    .subresource = "remote-client-ip",
	    .api_group = "authentication.k8s.io",
	    .name = "10.251.176.235:50924" },
	{ .line = 32, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:karmada-cluster:karmada-impe"
		"rsonator",
	    .verb = "impersonate", .resource = "groups", .api_group = "",
	    .name = "system:serviceaccounts" },
	{ .line = 33, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "test-developer@<my domain>", .verb = "create",
	    .resource = "selfsubjectaccessreviews",
	    .api_group = "authorization.k8s.io" },
	{ .line = 34, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "arn:aws:iam::557470950***:user/some@workemail.com",
	    .verb = "list", .resource = "nodes", .api_group = "" },
	{ .line = 35, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "arn:aws:sts::123456:assumed-role/terraform/botocor"
		"e-session-123456",
	    .verb = "list", .resource = "pods", .api_group = "" },
	{ .line = 36, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:node:k3d-cluster-worker-0", .verb = "list",
	    .resource = "secrets", .api_group = "",
	    .namespace = "longhorn-system",
	    .name = "longhorn-service-account-token-wgkxm",
	    .reason = "no relationship found between node "
		"\"k3d-cluster-worker-0\" and this object",
	    .time = "2024-05-05T16:10:07.813209Z" },
	{ .line = 37, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:node:192.168.2.228", .verb = "list",
	    .resource = "secrets", .api_group = "", .namespace = "default",
	    .reason = "No Object name found" },
	{ .line = 38, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:node:inode52", .verb = "get",
	    .resource = "persistentvolumeclaims", .api_group = "",
	    .namespace = "default",
	    .name = "e4828bb68416f60b01841aa22c181316-pvc",
	    .reason = "no relationship found between node 'inode52' and "
		"this object",
	    .time = "2024-10-28T04:51:25.570609Z" },
	{ .line = 39, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:node:xxxx", .verb = "get", .resource = "secrets",
	    .api_group = "", .namespace = "yyyy",
	    .reason = "no relationship found between node \"xxxx\" and "
		"this object\xe3\x80\x82",
	    .repaired = 1,
	    .note = "damaged: the closing quote after the user is "
		"missing; read anyway" },
	{ .line = 40, .found = 0,
	    .why = "k9s screen capture: one denial wrapped over lines "
		"40-43 mid-word (\"is forbi\" / \"dden\"); this line "
		"has no \"cannot\"" },
	{ .line = 41, .found = 0,
	    .why = "k9s wrap, part 2: the API group \"vpc.scaleway. is "
		"cut at the box edge, so the scope is not on this "
		"line; a one-line parser cannot rejoin it" },
	{ .line = 42, .found = 0,
	    .why = "k9s wrap, part 3: only the end of the group and the "
		"scope" },
	{ .line = 43, .found = 0,
	    .why = "k9s wrap, part 4: only a field name" },
	{ .line = 44, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:openshift-ovn-kubernetes:ovn"
		"-kubernetes-node",
	    .verb = "patch", .resource = "nodes", .api_group = "",
	    .name = "..." },
	{ .line = 45, .found = 1, .form = KS_DENIAL_RBAC,
	    .user = "system:serviceaccount:kube-system:vsphere-csi-controller",
	    .verb = "patch", .resource = "persistentvolumes", .api_group = "",
	    .repaired = 1,
	    .note = "a quotation cut before \"User\": the full 1.11 form "
		"after the name is specific enough to read it" },
	{ .line = 46, .found = 1, .form = KS_DENIAL_LEGACY,
	    .user = "system:serviceaccount:default:default", .verb = "list",
	    .resource = "pods", .time = "2024-04-18T04:56:17.489683Z" },
	{ .line = 47, .found = 1, .form = KS_DENIAL_LEGACY,
	    .user = "system:serviceaccount:default:default", .verb = "list",
	    .resource = "nodes", .time = "2024-12-12T21:30:29.408142Z" },
	{ .line = 48, .found = 1, .form = KS_DENIAL_LEGACY,
	    .user = "system:serviceaccount:sebgoa:default", .verb = "create",
	    .resource = "pods", .subresource = "exec", .namespace = "sebgoa",
	    .name = "onetwothree-bar-00002-2sd5z",
	    .time = "2018-12-07T23:21:45.000000Z" },
	{ .line = 49, .found = 1, .form = KS_DENIAL_LEGACY,
	    .user = "system:anonymous", .verb = "get", .resource = "services",
	    .subresource = "proxy", .namespace = "kube-system",
	    .name = "kibana-logging" },
	{ .line = 50, .found = 1, .form = KS_DENIAL_LEGACY,
	    .user = "system:node:127.0.0.1", .verb = "get",
	    .resource = "configmaps", .namespace = "kube-system",
	    .name = "kube-dns", .reason = "no path found to object",
	    .time = "2024-07-31T16:28:41.789256Z" },
	{ .line = 51, .found = 1, .form = KS_DENIAL_LEGACY,
	    .user = "system:node:openshift-node-2.company.com", .verb = "get",
	    .resource = "secrets", .namespace = "trident",
	    .name = "trident-chap-solidfire-10-90-33-180-openshift",
	    .reason = "no path found to object User "
		"\"system:node:openshift-node-2.company.com\" "
		"cannot get secrets in project \"trident\"",
	    .note = "two denials of one request; the first is returned "
		"and the second stays in its reason" },
	{ .line = 52, .found = 1, .form = KS_DENIAL_LEGACY, .user = "clark",
	    .verb = "get", .resource = "nodes" },
	{ .line = 53, .found = 1, .form = KS_DENIAL_LEGACY, .user = "admin",
	    .verb = "impersonate", .resource = "users" },
	{ .line = 54, .found = 1, .form = KS_DENIAL_PATH,
	    .user = "system:anonymous", .verb = "get", .path = "/" },
	{ .line = 55, .found = 0,
	    .why = "OpenShift Origin 0.5 (2015) policy text "
		"(\"system:anonymous cannot get on namespaces with "
		"name ... in default\"): no quoted user and no scope "
		"wording; unsupported" },
	{ .line = 56, .found = 1, .form = KS_DENIAL_KUBELET,
	    .user = "kubernetes", .verb = "create", .resource = "nodes",
	    .subresource = "proxy" },
};

/* Parse a heap copy of exactly len bytes, so that ASan sees any overread. */
static int
parse_exact(const char *line, size_t len, int year, struct ks_denial *d)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, line, len);
	rc = ks_denial_parse(copy, len, year, d);
	free(copy);
	return rc;
}

/* Compare one field; print and count a difference. */
static int
same(const char *label, const char *field, const char *want, const char *got)
{
	if (want == NULL && got == NULL)
		return 0;
	if (want != NULL && got != NULL && strcmp(want, got) == 0)
		return 0;
	print_error("%s: %s: want %s%s%s, got %s%s%s\n", label, field,
	    want ? "\"" : "", want ? want : "NULL", want ? "\"" : "",
	    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
	return 1;
}

/*
 * Cut the line at every length (a denial is found exactly when the cut is
 * at or past its end) and start it at every offset (anything but a crash
 * is fine).
 */
static int
cuts(const char *line, size_t len, const struct ks_denial *full,
    const char *label)
{
	struct ks_denial d;
	size_t k;
	int rc;

	for (k = 0; k < len; k++) {
		rc = parse_exact(line, k, YEAR, &d);
		ks_denial_clear(&d);
		if (rc != (k >= full->end)) {
			print_error("%s: cut at %zu of %zu (end %zu): rc %d\n",
			    label, k, len, full->end, rc);
			return 1;
		}
	}
	for (k = 1; k <= len; k++) {
		rc = parse_exact(line + k, len - k, YEAR, &d);
		ks_denial_clear(&d);
		if (rc < 0)
			return 1;
	}
	return 0;
}

/* Compare the fields of a found denial with w. */
static int
fields(const struct want *w, const struct ks_denial *d, size_t len,
    const char *label)
{
	char buf[KS_TIME_BUFSZ];
	int bad = 0;

	bad += same(label, "user", w->user, d->user);
	bad += same(label, "verb", w->verb, d->verb);
	bad += same(label, "resource", w->resource, d->resource);
	bad += same(label, "subresource", w->subresource, d->subresource);
	bad += same(label, "api_group", w->api_group, d->api_group);
	bad += same(label, "namespace", w->namespace, d->namespace);
	bad += same(label, "name", w->name, d->name);
	bad += same(label, "path", w->path, d->path);
	bad += same(label, "reason", w->reason, d->reason);
	bad += same(label, "time", w->time, d->time_us == KS_TIME_NONE ? NULL :
	    ks_time_format(d->time_us, buf));
	bad += same(label, "form", ks_denial_form_name(w->form),
	    ks_denial_form_name(d->form));
	if (d->repaired != w->repaired) {
		print_error("%s: repaired: want %d\n", label, w->repaired);
		bad++;
	}
	if (w->end != 0 && (d->start != (size_t)w->start ||
	    d->end != (w->end < 0 ? len : (size_t)w->end))) {
		print_error("%s: span [%zu, %zu)\n", label, d->start, d->end);
		bad++;
	}
	if (d->start >= d->end || d->end > len) {
		print_error("%s: bad span [%zu, %zu)\n", label, d->start,
		    d->end);
		bad++;
	}
	return bad;
}

/* Check one line against w; return the number of differences. */
static int
check(const struct want *w, const char *line, size_t len, const char *label)
{
	struct ks_denial d;
	int rc, bad = 0;

	rc = parse_exact(line, len, w->year ? w->year : YEAR, &d);
	if (rc != w->found) {
		print_error("%s: want %s, got rc %d\n", label,
		    w->found ? "a denial" : "no denial", rc);
		ks_denial_clear(&d);
		return 1;
	}
	if (rc == 1) {
		bad += fields(w, &d, len, label);
		bad += cuts(line, len, &d, label);
	}
	ks_denial_clear(&d);
	return bad;
}

static void
test_hand(void **state)
{
	char label[32];
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(hand) / sizeof(hand[0]); i++) {
		snprintf(label, sizeof(label), "hand[%zu]", i);
		bad += check(&hand[i], hand[i].text, strlen(hand[i].text),
		    label);
	}
	assert_true(sizeof(hand) / sizeof(hand[0]) >= 25);
	assert_int_equal(bad, 0);
}

static void
test_realdata(void **state)
{
	FILE *fp = fopen(REALDATA, "r");
	char *line = NULL, label[32];
	size_t cap = 0, n = 0, found = 0, i;
	ssize_t len;
	int bad = 0;

	(void)state;
	if (fp == NULL) {
		print_message("skipped: %s is absent (the real-data sample "
		    "lives beside the repository in CI)\n", REALDATA);
		skip();
	}
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		assert_int_equal(real[i].line, (int)i + 1);
		assert_true(real[i].found || real[i].why != NULL);
		assert_true(!real[i].repaired || real[i].note != NULL);
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (n >= sizeof(real) / sizeof(real[0])) {
			n++;
			continue;
		}
		snprintf(label, sizeof(label), "realdata line %zu", n + 1);
		bad += check(&real[n], line, (size_t)len, label);
		found += real[n].found;
		n++;
	}
	free(line);
	fclose(fp);
	print_message("realdata: %zu lines, %zu denials, %zu not\n", n, found,
	    n - found);
	assert_int_equal(n, sizeof(real) / sizeof(real[0]));
	assert_int_equal(bad, 0);
}

/* Parse s[0..len) and expect rc; return the denial for more checks. */
static void
expect(const char *s, size_t len, int want, struct ks_denial *d)
{
	int rc = parse_exact(s, len, YEAR, d);

	if (rc != want)
		print_error("rc %d for \"%.*s\"\n", rc,
		    (int)(len < 80 ? len : 80), s);
	assert_int_equal(rc, want);
}

static void
test_nul_bytes(void **state)
{
	static const char before[] = "abc\0def pods is forbidden: User \"u\" "
	    "cannot list resource \"pods\" in API group \"\" at the cluster "
	    "scope";
	static const char inuser[] = "User \"a\0b\" cannot list resource "
	    "\"pods\" in API group \"\" at the cluster scope";
	static const char inreason[] = "User \"u\" cannot list resource "
	    "\"pods\" in API group \"\" at the cluster scope: no\0pe";
	static const char kubelet[] = "Forbidden (user=a\0b, verb=get, "
	    "resource=nodes, subresource=proxy)";
	char zeros[4096] = { 0 };
	struct ks_denial d;

	(void)state;
	expect(before, sizeof(before) - 1, 1, &d);
	assert_string_equal(d.user, "u");
	assert_int_equal(d.start, 8);
	ks_denial_clear(&d);
	expect(inuser, sizeof(inuser) - 1, 0, &d);
	expect(inreason, sizeof(inreason) - 1, 1, &d);
	assert_string_equal(d.reason, "no");
	ks_denial_clear(&d);
	expect(kubelet, sizeof(kubelet) - 1, 0, &d);
	expect(zeros, sizeof(zeros), 0, &d);
}

static void
test_bad_utf8(void **state)
{
	static const char raw[] = "User \"\xff\xc0\x80ok\" cannot list "
	    "resource \"pods\" in API group \"\" at the cluster scope: "
	    "cut \xe3\x80";
	static const char esc[] = "User \"\\xffok\\u00e9\" cannot list "
	    "resource \"pods\" in API group \"\" at the cluster scope";
	struct ks_denial d;

	(void)state;
	expect(raw, sizeof(raw) - 1, 1, &d);
	assert_string_equal(d.user, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdok");
	assert_string_equal(d.reason, "cut \xef\xbf\xbd\xef\xbf\xbd");
	ks_denial_clear(&d);
	expect(esc, sizeof(esc) - 1, 1, &d);
	assert_string_equal(d.user, "\xef\xbf\xbdok\xc3\xa9");
	ks_denial_clear(&d);
}

/* A BIG-byte line: fill repeated, then tail; parse it, timed. */
static int
big(const char *fill, const char *tail, struct ks_denial *d)
{
	size_t f = strlen(fill), t = strlen(tail), n = 0;
	char *s = malloc(BIG + t);
	clock_t c0 = clock();
	int rc;

	assert_non_null(s);
	while (n + f <= BIG) {
		memcpy(s + n, fill, f);
		n += f;
	}
	memcpy(s + n, tail, t);
	rc = ks_denial_parse(s, n + t, YEAR, d);
	free(s);
	/* A quadratic scan would take hours; a linear one, milliseconds. */
	assert_true((clock() - c0) / CLOCKS_PER_SEC < 60);
	return rc;
}

static void
test_huge_lines(void **state)
{
	static const char denial[] = "User \"u\" cannot list resource "
	    "\"pods\" in API group \"\" at the cluster scope";
	struct ks_denial d;
	char *s;
	size_t n;

	(void)state;
	assert_int_equal(big("x ", denial, &d), 1);
	assert_string_equal(d.user, "u");
	assert_int_equal(d.start, BIG);
	ks_denial_clear(&d);
	assert_int_equal(big("cannot ", "", &d), 0);
	assert_int_equal(big("User \"", "", &d), 0);
	assert_int_equal(big("\\", "\" cannot get resource \"pods\" in API "
	    "group \"\" at the cluster scope", &d), 0);
	assert_int_equal(big("\\\"x", "\" cannot get resource \"pods\" in API "
	    "group \"\" at the cluster scope", &d), 0);
	assert_int_equal(big("\"ts\":", "", &d), 0);
	assert_int_equal(big("Forbidden (user=", "", &d), 0);
	assert_int_equal(big("x\" cannot get path \"/\" ", "", &d), 0);

	/* A denial whose reason runs on for 10 MB is cut, UTF-8 intact. */
	n = sizeof(denial) - 1;
	assert_non_null(s = malloc(n + 2 + BIG));
	memcpy(s, denial, n);
	memcpy(s + n, ": ", 2);
	for (size_t i = 0; i < BIG; i += 2)
		memcpy(s + n + 2 + i, "\xc3\xa9", 2);
	assert_int_equal(ks_denial_parse(s, n + 2 + BIG, YEAR, &d), 1);
	assert_true(strlen(d.reason) <= KS_DENIAL_MAX_REASON);
	assert_true(strlen(d.reason) >= KS_DENIAL_MAX_REASON - 1);
	assert_int_equal(strlen(d.reason) % 2, 0);
	ks_denial_clear(&d);
	free(s);
}

static void
test_cut_quotes(void **state)
{
	static const char *lines[] = {
		"User \"",
		"User \\\"",
		"pods is forbidden: User \"",
		"User \"abc cannot list resource \"pods",
		"User \"u\" cannot get resource \"pods\" in API group \"",
		"User \"u\" cannot get path \"/x",
		"User \"u\" cannot \"get\" \"pods\" with name \"x",
		("User \\\"u\\\" cannot get resource \\\"pods\\\" in API group "
		    "\\\"\\\" in the namespace \\\"ns"),
		"User \"a\\",
		"User \"\\u00",
		"\"",
		"\\\"",
		"\" cannot ",
		" cannot ",
	};
	struct ks_denial d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		expect(lines[i], strlen(lines[i]), 0, &d);
}

/* A new copy of s escaped as the inside of a JSON string. */
static char *
jsonesc(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/*
 * The same denial inside 0 to 4 levels of JSON strings: levels up to 3 are
 * read (with the escaped quote in the user name), level 4 is not.
 */
static void
test_levels(void **state)
{
	char *s = strdup("pods \"p\\\"q\" is forbidden: User \"we\\\"ird\" "
	    "cannot get resource \"pods\" in API group \"\" in the namespace "
	    "\"n\": node \"x\" said \\\"no\\\""), *t;
	struct ks_denial d;

	(void)state;
	for (int level = 0; level <= 4; level++) {
		assert_non_null(s);
		expect(s, strlen(s), level <= 3, &d);
		if (level <= 3) {
			assert_string_equal(d.user, "we\"ird");
			assert_string_equal(d.name, "p\"q");
			assert_string_equal(d.namespace, "n");
			assert_string_equal(d.reason,
			    "node \"x\" said \\\"no\\\"");
			assert_int_equal(d.start, 0);
		}
		ks_denial_clear(&d);
		t = jsonesc(s);
		free(s);
		s = t;
	}
	free(s);
}

static void
test_unescape(void **state)
{
	static const struct {
		const char *in;
		int times;
		size_t max;
		const char *out;
	} c[] = {
		{ "a\\\"b", 1, 64, "a\"b" },
		{ "\\\\\\\\", 2, 64, "\\" },
		{ "\\u0000 \\x00 \\000", 1, 64, "\\u0000 \\x00 \\000" },
		{ "\\ud800!", 1, 64, "\xef\xbf\xbd!" },
		{ "\\ud83d\\ude00", 1, 64, "\xf0\x9f\x98\x80" },
		{ "\\101\\x41\\u0041\\U00000041\\/", 1, 64, "AAAA/" },
		{ "\\q \\u12", 1, 64, "\\q \\u12" },
		{ "\\", 1, 64, "\\" },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9", 0, 5, "\xc3\xa9\xc3\xa9" },
		{ "\xed\xa0\x80\xf4\x90\x80\x80", 0, 64,
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\\t\\n", 1, 64, "\t\n" },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s = ks_denial_unescape(c[i].in, strlen(c[i].in), c[i].times,
		    c[i].max);
		assert_non_null(s);
		assert_string_equal(s, c[i].out);
		free(s);
	}
}

/* Lines and the time they carry (NULL: KS_TIME_NONE). */
static const struct {
	const char *line;
	int year;
	const char *want;
} stamps[] = {
	{ "2024-03-05T10:11:12Z x", YEAR, "2024-03-05T10:11:12.000000Z" },
	{ "  [2024-03-05 10:11:12.5-01:30] x", YEAR,
	    "2024-03-05T11:41:12.500000Z" },
	{ "E0305 10:11:12.000001 1 x.go:1] m", 2023,
	    "2023-03-05T10:11:12.000001Z" },
	{ "W0305 10:11:12.000001", YEAR, "2024-03-05T10:11:12.000001Z" },
	{ "X0305 10:11:12.000001 1 x", YEAR, NULL },
	{ "E1305 10:11:12.000001 1 x", YEAR, NULL },
	{ "E0229 10:11:12.000001 1 x", 2023, NULL },
	{ "E0229 10:11:12.000001 1 x", 2024, "2024-02-29T10:11:12.000001Z" },
	{ "2018/12/07 23:21:45 msg", YEAR, "2018-12-07T23:21:45.000000Z" },
	{ "{\"ts\":1.7176762057e9}", YEAR, "2024-06-06T12:16:45.700000Z" },
	{ "{\"level\":\"info\", \"ts\" : 1717676205}", YEAR,
	    "2024-06-06T12:16:45.000000Z" },
	{ "{\"ts\":1717676205771}", YEAR, "2024-06-06T12:16:45.771000Z" },
	{ "{\"ts\":1717676205771123}", YEAR,
	    "2024-06-06T12:16:45.771123Z" },
	{ "{\"ts\":1717676205771123456}", YEAR,
	    "2024-06-06T12:16:45.771123Z" },
	{ "{\"ts\":-1.5}", YEAR, "1969-12-31T23:59:58.500000Z" },
	{ "{\"msg\":\"x\",\"time\":\"2024-03-05T10:11:12+00:00\"}", YEAR,
	    "2024-03-05T10:11:12.000000Z" },
	{ "{\"@timestamp\":\"2024-03-05T10:11:12.000Z\"}", YEAR,
	    "2024-03-05T10:11:12.000000Z" },
	{ "{\"msg\":\"\\\"ts\\\":1\"}", YEAR, NULL },
	{ "level=info ts=2019-09-17T10:52:34.848535733Z", YEAR,
	    "2019-09-17T10:52:34.848535Z" },
	{ "hosts=1 x", YEAR, NULL },
	{ "19:21:12.369 INFO x", YEAR, NULL },
	{ "{\"ts\":\"garbage\"}", YEAR, NULL },
	{ "{\"ts\":1e999}", YEAR, NULL },
	{ "{\"ts\":1x}", YEAR, NULL },
	{ "", YEAR, NULL },
};

static void
test_line_time(void **state)
{
	char buf[KS_TIME_BUFSZ], *copy;
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
		size_t n = strlen(stamps[i].line);
		assert_non_null(copy = malloc(n ? n : 1));
		memcpy(copy, stamps[i].line, n);
		t = ks_denial_line_time(copy, n, stamps[i].year);
		free(copy);
		if (stamps[i].want == NULL) {
			if (t != KS_TIME_NONE)
				print_error("%s: got %s\n", stamps[i].line,
				    ks_time_format(t, buf));
			assert_true(t == KS_TIME_NONE);
		} else {
			assert_true(t != KS_TIME_NONE);
			assert_string_equal(ks_time_format(t, buf),
			    stamps[i].want);
		}
	}
}

static void
test_clear(void **state)
{
	struct ks_denial d;

	(void)state;
	ks_denial_clear(NULL);
	assert_int_equal(ks_denial_parse(NULL, 0, YEAR, &d), 0);
	assert_int_equal(ks_denial_parse("x", 0, YEAR, &d), 0);
	expect("User \"u\" cannot get nodes at the cluster scope", 46, 1, &d);
	ks_denial_clear(&d);
	ks_denial_clear(&d);
	assert_null(d.user);
	assert_string_equal(ks_denial_form_name(KS_DENIAL_KUBELET), "kubelet");
	assert_string_equal(ks_denial_form_name(99), "none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand),
		cmocka_unit_test(test_realdata),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_huge_lines),
		cmocka_unit_test(test_cut_quotes),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_line_time),
		cmocka_unit_test(test_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
