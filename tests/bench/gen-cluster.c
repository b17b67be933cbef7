/*
 * The simulated cluster: an EKS 1.29 cluster with six nodes, its control
 * plane, add-ons, a small application and a few humans.  The identities,
 * pods and names are fixed (they do not depend on --seed), so that the
 * snapshot in fixtures/eks-1.29/ describes the same cluster.  Everything is
 * built once by cl_init() and lives until exit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "gen-audit.h"

#define ACCOUNT	"123456789012"

const struct res cl_resources[] = {
	[R_PODS] =		{ "", "v1", "pods", 1 },
	[R_NODES] =		{ "", "v1", "nodes", 0 },
	[R_LEASES] =		{ "coordination.k8s.io", "v1", "leases", 1 },
	[R_CONFIGMAPS] =	{ "", "v1", "configmaps", 1 },
	[R_EVENTS] =		{ "", "v1", "events", 1 },
	[R_EVENTS2] =		{ "events.k8s.io", "v1", "events", 1 },
	[R_SECRETS] =		{ "", "v1", "secrets", 1 },
	[R_SERVICES] =		{ "", "v1", "services", 1 },
	[R_ENDPOINTS] =		{ "", "v1", "endpoints", 1 },
	[R_EPSLICES] =		{ "discovery.k8s.io", "v1", "endpointslices", 1 },
	[R_DEPLOYMENTS] =	{ "apps", "v1", "deployments", 1 },
	[R_REPLICASETS] =	{ "apps", "v1", "replicasets", 1 },
	[R_DAEMONSETS] =	{ "apps", "v1", "daemonsets", 1 },
	[R_SERVICEACCOUNTS] =	{ "", "v1", "serviceaccounts", 1 },
	[R_NAMESPACES] =	{ "", "v1", "namespaces", 0 },
	[R_CNINODES] =		{ "vpcresources.k8s.aws", "v1alpha1", "cninodes", 0 },
	[R_ENICONFIGS] =	{ "crd.k8s.amazonaws.com", "v1alpha1", "eniconfigs", 0 },
	[R_SGPS] =		{ "vpcresources.k8s.aws", "v1beta1", "securitygrouppolicies", 1 },
	[R_CSRS] =		{ "certificates.k8s.io", "v1", "certificatesigningrequests", 0 },
	[R_CLUSTERROLES] =	{ "rbac.authorization.k8s.io", "v1", "clusterroles", 0 },
	[R_CSINODES] =		{ "storage.k8s.io", "v1", "csinodes", 0 },
	[R_VOLATTACH] =		{ "storage.k8s.io", "v1", "volumeattachments", 0 },
	[R_PVS] =		{ "", "v1", "persistentvolumes", 0 },
	[R_CRDS] =		{ "apiextensions.k8s.io", "v1", "customresourcedefinitions", 0 },
};

const struct nodedef cl_nodes[NNODES] = {
	{ "ip-10-0-1-23.ec2.internal", "10.0.1.23", "i-0a7c3e5f1b2d49e01" },
	{ "ip-10-0-1-87.ec2.internal", "10.0.1.87", "i-03f9d1c7a5e2b6c42" },
	{ "ip-10-0-2-14.ec2.internal", "10.0.2.14", "i-0c5e8a2f7d1b39a63" },
	{ "ip-10-0-2-201.ec2.internal", "10.0.2.201", "i-07b2d4f6a8c1e3f54" },
	{ "ip-10-0-3-45.ec2.internal", "10.0.3.45", "i-0e1a3c5b7d9f2e4a5" },
	{ "ip-10-0-3-162.ec2.internal", "10.0.3.162", "i-05d7f9b1c3e5a7c96" },
};

/* Pods: namespace, name prefix, service account, replicas (6: one a node). */
struct poddef {
	const char *ns, *prefix, *sa;
	int n;
	int kind;		/* 0 replicaset hash + suffix, 1 suffix, 2 ordinal */
};

static const struct poddef poddefs[] = {
	{ "kube-system", "coredns-54d6f577c6-", "coredns", 2, 1 },
	{ "kube-system", "aws-node-", "aws-node", NNODES, 1 },
	{ "kube-system", "kube-proxy-", "kube-proxy", NNODES, 1 },
	{ "kube-system", "ebs-csi-controller-6c9b7d5f8d-", "ebs-csi-controller-sa", 2, 1 },
	{ "kube-system", "ebs-csi-node-", "ebs-csi-node-sa", NNODES, 1 },
	{ "amazon-cloudwatch", "cloudwatch-agent-", "cloudwatch-agent", NNODES, 1 },
	{ "argocd", "argocd-application-controller-", "argocd-application-controller", 1, 2 },
	{ "argocd", "argocd-server-7d9f6c8b5d-", "argocd-server", 1, 1 },
	{ "argocd", "argocd-repo-server-5c8d7f9b64-", "argocd-repo-server", 1, 1 },
	{ "shop", "web-6d4cf56db6-", "default", 4, 1 },
	{ "shop", "cart-5f7b9c8d7c-", "cart", 2, 1 },
	{ "shop", "postgres-", "default", 1, 2 },
	{ "shop", "redis-7c6b5d4f9b-", "default", 1, 1 },
};

struct pod cl_pods[MAXPODS];
int cl_npods;
int cl_nodepods[NNODES][16];
int cl_nnodepods[NNODES];

struct ident cl_idents[I_COUNT];
struct ident cl_tenants[NTENANTS];
const char *cl_tenant_ns[NTENANT_NS];

#define R_KCM	CRB("system:kube-controller-manager", \
	"system:kube-controller-manager", "User", "system:kube-controller-manager")
#define R_VPCRC	CRB("vpc-resource-controller-rolebinding", \
	"vpc-resource-controller-role", "User", "eks:vpc-resource-controller")
#define R_DISCOVERY CRB("system:discovery", "system:discovery", "Group", \
	"system:authenticated")
#define R_PUBLIC CRB("system:public-info-viewer", "system:public-info-viewer", \
	"Group", "system:unauthenticated")

/*
 * Strings built at start-up live until exit in a static arena, so nothing
 * is allocated (or reported by LeakSanitizer) for them.
 */
static char arena[4 << 20];
static size_t arenalen;

static char *
keep(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
keep(const char *fmt, ...)
{
	char *s = arena + arenalen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof(arena) - arenalen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(arena) - arenalen)
		abort();
	arenalen += (size_t)n + 1;
	return s;
}

/* Render the constant part of an identity once. */
static void
mkident(int i, const char *user, const char *uid, const char *groups,
    const char *extra, const char *ip, const char *ua, const char *reason,
    int node)
{
	struct ident *id = &cl_idents[i];

	id->json = keep("\"user\":{\"username\":\"%s\"%s%s%s,\"groups\":%s%s%s},"
	    "\"sourceIPs\":[\"%s\"],\"userAgent\":\"%s\"",
	    user, uid ? ",\"uid\":\"" : "", uid ? uid : "", uid ? "\"" : "",
	    groups, extra ? ",\"extra\":" : "", extra ? extra : "", ip, ua);
	id->jsonlen = strlen(id->json);
	id->user = user;
	id->reason = reason;
	id->node = node;
}

static void
fmt_uuid(struct rng *r, char *out)
{
	uint64_t a = rng_next(r), b = rng_next(r);

	snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx",
	    (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
	    (unsigned)a & 0xfff, 0x8000 | ((unsigned)(b >> 48) & 0x3fff),
	    (unsigned long long)(b & 0xffffffffffffULL));
}

/* Pods get names as the apiserver generates them, from a fixed seed. */
static void
init_pods(struct rng *r)
{
	static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
	size_t i;
	int j, k;

	for (i = 0; i < sizeof(poddefs) / sizeof(poddefs[0]); i++) {
		const struct poddef *d = &poddefs[i];

		for (j = 0; j < d->n; j++) {
			struct pod *p = &cl_pods[cl_npods];
			char suf[6];

			for (k = 0; k < 5; k++)
				suf[k] = alpha[rng_below(r, sizeof(alpha) - 1)];
			suf[5] = '\0';
			p->ns = d->ns;
			if (d->kind == 2)
				snprintf(p->name, sizeof(p->name), "%s%d",
				    d->prefix, j);
			else
				snprintf(p->name, sizeof(p->name), "%s%s",
				    d->prefix, suf);
			fmt_uuid(r, p->uid);
			p->sa = d->sa;
			p->node = d->n == NNODES ? j : (cl_npods * 5) % NNODES;
			p->nodename = cl_nodes[p->node].name;
			cl_nodepods[p->node][cl_nnodepods[p->node]++] = cl_npods;
			cl_npods++;
		}
	}
}

static const struct pod *
findpod(const char *prefix, int nth)
{
	int i;

	for (i = 0; i < cl_npods; i++)
		if (strncmp(cl_pods[i].name, prefix, strlen(prefix)) == 0 &&
		    nth-- == 0)
			return &cl_pods[i];
	abort();
}

static char *
sa_groups(const char *ns)
{
	return keep("[\"system:serviceaccounts\",\"system:serviceaccounts:%s\","
	    "\"system:authenticated\"]", ns);
}

static char *
pod_extra(const struct pod *p)
{
	return keep("{\"authentication.kubernetes.io/pod-name\":[\"%s\"],"
	    "\"authentication.kubernetes.io/pod-uid\":[\"%s\"]}", p->name, p->uid);
}

static char *
iam_extra(const char *akid, const char *role, const char *session,
    const char *roleid)
{
	return keep("{\"accessKeyId\":[\"%s\"],"
	    "\"arn\":[\"arn:aws:sts::" ACCOUNT ":assumed-role/%s/%s\"],"
	    "\"canonicalArn\":[\"arn:aws:iam::" ACCOUNT ":role/%s\"],"
	    "\"principalId\":[\"%s:%s\"],\"sessionName\":[\"%s\"]}",
	    akid, role, session, role, roleid, session, session);
}

#define G_AUTH		"[\"system:authenticated\"]"
#define G_MASTERS	"[\"system:masters\",\"system:authenticated\"]"
#define UA_K8S(c, s)	c "/v1.29.3 (linux/amd64) kubernetes/c6bd4b6/" s
#define UA_KUBECTL	"kubectl/v1.29.2 (darwin/arm64) kubernetes/4b8e819"
#define NODEROLE	"eksctl-demo-nodegroup-ng-1-NodeInstanceRole-7GkD2mQz4XhP"

/* A stable UUID for a name (service accounts keep their uid). */
static char *
name_uuid(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct rng r;
	char *out = keep("%36s", "");

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	rng_seed(&r, h);
	fmt_uuid(&r, out);
	return out;
}

static void
sa_ident(int i, const char *ns, const char *sa, const struct pod *p,
    const char *ip, const char *ua, const char *reason, int node)
{
	char *user = keep("system:serviceaccount:%s:%s", ns, sa);

	mkident(i, user, name_uuid(user), sa_groups(ns),
	    p ? pod_extra(p) : NULL, ip, ua, reason, node);
}

/*
 * The denials scenario's tenants: NTENANTS service accounts spread over
 * NTENANT_NS namespaces, each rendered once like the fixed identities.
 */
static void
init_tenants(void)
{
	for (int n = 0; n < NTENANT_NS; n++)
		cl_tenant_ns[n] = keep("tenant-%03d", n);
	for (int i = 0; i < NTENANTS; i++) {
		const char *ns = cl_tenant_ns[i % NTENANT_NS];
		char *user = keep("system:serviceaccount:%s:app-%d", ns,
		    i / NTENANT_NS);

		mkident(I_TENANT, user, name_uuid(user), sa_groups(ns), NULL,
		    keep("10.1.%d.%d", i / 250, i % 250 + 2),
		    "app/v1.0 (linux/amd64) kubernetes/$Format", "", -1);
		cl_tenants[i] = cl_idents[I_TENANT];
	}
}

static void
kcm_ident(int i, const char *ctrl)
{
	char *user = keep("system:serviceaccount:kube-system:%s", ctrl);

	mkident(i, user, name_uuid(user), sa_groups("kube-system"), NULL,
	    "127.0.0.1",
	    keep(UA_K8S("kube-controller-manager", "system:serviceaccount:kube-system:%s"), ctrl),
	    keep(CRB("system:controller:%s", "system:controller:%s",
	    "ServiceAccount", "%s/kube-system"), ctrl, ctrl, ctrl), -1);
}

static void
init_idents(void)
{
	const struct pod *p;
	int i;

	mkident(I_KCM_LE, "system:kube-controller-manager", NULL, G_AUTH, NULL,
	    "127.0.0.1", UA_K8S("kube-controller-manager", "leader-election"),
	    R_KCM, -1);
	mkident(I_KCM_SI, "system:kube-controller-manager", NULL, G_AUTH, NULL,
	    "127.0.0.1", UA_K8S("kube-controller-manager", "shared-informers"),
	    R_KCM, -1);
	kcm_ident(I_RS_CTRL, "replicaset-controller");
	kcm_ident(I_DEPLOY_CTRL, "deployment-controller");
	kcm_ident(I_EPS_CTRL, "endpointslice-controller");
	kcm_ident(I_GC, "generic-garbage-collector");
	kcm_ident(I_DS_CTRL, "daemon-set-controller");
	kcm_ident(I_NODE_CTRL, "node-controller");
	cl_idents[I_GC].reason = R_DISCOVERY;
	mkident(I_SCHED, "system:kube-scheduler", NULL, G_AUTH, NULL,
	    "127.0.0.1", UA_K8S("kube-scheduler", "scheduler"),
	    CRB("system:kube-scheduler", "system:kube-scheduler", "User",
	    "system:kube-scheduler"), -1);
	mkident(I_SCHED_LE, "system:kube-scheduler", NULL, G_AUTH, NULL,
	    "127.0.0.1", UA_K8S("kube-scheduler", "leader-election"),
	    cl_idents[I_SCHED].reason, -1);
	mkident(I_APISERVER, "system:apiserver",
	    "1e4b9a8c-5d2f-4b7e-9c31-0f6a2d8e7b54",
	    "[\"system:authenticated\",\"system:masters\"]", NULL, "::1",
	    "kube-apiserver/v1.29.3 (linux/amd64) kubernetes/c6bd4b6", "", -1);
	for (i = 0; i < 2; i++) {
		p = findpod("coredns-", i);
		sa_ident(I_COREDNS0 + i, "kube-system", "coredns", p,
		    i ? "10.0.3.74" : "10.0.1.112",
		    "coredns/v1.11.1-eksbuild.4 (linux/amd64) kubernetes/$Format",
		    CRB("system:coredns", "system:coredns", "ServiceAccount",
		    "coredns/kube-system"), -1);
	}
	sa_ident(I_EBS, "kube-system", "ebs-csi-controller-sa",
	    findpod("ebs-csi-controller-", 0), "10.0.3.140",
	    "csi-attacher/v4.5.0 (linux/amd64) kubernetes/$Format",
	    CRB("ebs-csi-attacher-binding", "ebs-external-attacher-role",
	    "ServiceAccount", "ebs-csi-controller-sa/kube-system"), -1);
	sa_ident(I_CWAGENT, "amazon-cloudwatch", "cloudwatch-agent",
	    findpod("cloudwatch-agent-", 0), "10.0.1.205",
	    "cloudwatch-agent/v0.0.0 (linux/amd64) kubernetes/$Format",
	    CRB("cloudwatch-agent-role-binding", "cloudwatch-agent-role",
	    "ServiceAccount", "cloudwatch-agent/amazon-cloudwatch"), -1);
	sa_ident(I_ARGOCD, "argocd", "argocd-application-controller",
	    findpod("argocd-application-controller-", 0), "10.0.2.57",
	    "argocd-application-controller/v2.10.4 (linux/amd64) kubernetes/$Format",
	    CRB("argocd-application-controller",
	    "argocd-application-controller", "ServiceAccount",
	    "argocd-application-controller/argocd"), -1);
	mkident(I_VPCRC, "eks:vpc-resource-controller", NULL, G_AUTH, NULL,
	    "172.16.52.113",
	    "amazon-vpc-resource-controller-k8s/v1.5.0", R_VPCRC, -1);
	mkident(I_ADDON, "eks:addon-manager",
	    "aws-iam-authenticator:" ACCOUNT ":AROAR3EXAMPLEADDONMGR", G_AUTH,
	    iam_extra("ASIAR3EXAMPLEADDON01",
	    "AWSWesleyClusterManagerLambda-Add-AddonManagerRole-1QXW9ZJ5T6E0",
	    "1709632512874310211", "AROAR3EXAMPLEADDONMGR"),
	    "35.163.244.48", "eks-addon-manager/v0.0.0 (linux/amd64) kubernetes/$Format",
	    CRB("eks:addon-manager", "eks:addon-manager", "User",
	    "eks:addon-manager"), -1);
	mkident(I_CERT, "eks:certificate-controller", NULL, G_AUTH, NULL,
	    "172.16.52.113",
	    "eks-certificates-controller/v0.0.0 (linux/amd64) kubernetes/$Format",
	    CRB("eks:certificate-controller", "eks:certificate-controller",
	    "User", "eks:certificate-controller"), -1);
	mkident(I_CCM, "eks:cloud-controller-manager", NULL, G_AUTH, NULL,
	    "172.16.52.113",
	    "aws-cloud-controller-manager/v1.29.1 (linux/amd64) kubernetes/$Format",
	    CRB("eks:cloud-controller-manager", "eks:cloud-controller-manager",
	    "User", "eks:cloud-controller-manager"), -1);
	mkident(I_METRICS, "eks:k8s-metrics", NULL, G_AUTH, NULL,
	    "172.16.52.113", "Go-http-client/2.0",
	    CRB("eks:k8s-metrics", "eks:k8s-metrics", "User",
	    "eks:k8s-metrics"), -1);
	mkident(I_ANON_ELB, "system:anonymous", NULL,
	    "[\"system:unauthenticated\"]", NULL, "10.0.0.19",
	    "ELB-HealthChecker/2.0", R_PUBLIC, -1);
	mkident(I_ANON_SCAN, "system:anonymous", NULL,
	    "[\"system:unauthenticated\"]", NULL, "198.51.100.77",
	    "Mozilla/5.0 zgrab/0.x", R_PUBLIC, -1);
	mkident(I_ADMIN, "kubernetes-admin",
	    "aws-iam-authenticator:" ACCOUNT ":AROAR3EXAMPLEADMINROL", G_MASTERS,
	    iam_extra("ASIAR3EXAMPLEADMIN01", "Admin", "maria",
	    "AROAR3EXAMPLEADMINROL"), "203.0.113.24", UA_KUBECTL, "", -1);
	mkident(I_ALICE, "alice",
	    "aws-iam-authenticator:" ACCOUNT ":AIDAR3EXAMPLEALICE001",
	    "[\"eks-developers\",\"system:authenticated\"]",
	    "{\"accessKeyId\":[\"AKIAR3EXAMPLEALICE01\"],"
	    "\"arn\":[\"arn:aws:iam::" ACCOUNT ":user/alice\"],"
	    "\"canonicalArn\":[\"arn:aws:iam::" ACCOUNT ":user/alice\"],"
	    "\"principalId\":[\"AIDAR3EXAMPLEALICE001\"],\"sessionName\":[\"\"]}",
	    "203.0.113.58", "kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9",
	    CRB("eks-developers-view", "view", "Group", "eks-developers"), -1);
	mkident(I_TERRAFORM, "arn:aws:sts::" ACCOUNT ":assumed-role/terraform/"
	    "botocore-session-1709632800",
	    "aws-iam-authenticator:" ACCOUNT ":AROAR3EXAMPLETERRAFRM", G_MASTERS,
	    iam_extra("ASIAR3EXAMPLETFORM01", "terraform",
	    "botocore-session-1709632800", "AROAR3EXAMPLETERRAFRM"),
	    "198.51.100.12", "HashiCorp/1.0 Terraform/1.7.4", "", -1);
	for (i = 0; i < NNODES; i++) {
		mkident(I_NODE0 + i, keep("system:node:%s", cl_nodes[i].name),
		    "aws-iam-authenticator:" ACCOUNT ":AROAR3EXAMPLENODEROLE",
		    "[\"system:bootstrappers\",\"system:nodes\","
		    "\"system:authenticated\"]",
		    iam_extra(keep("ASIAR3EXAMPLENODE%03d", i + 1), NODEROLE,
		    cl_nodes[i].instance, "AROAR3EXAMPLENODEROLE"),
		    cl_nodes[i].ip,
		    "kubelet/v1.29.3 (linux/amd64) kubernetes/ae9a62a", "", i);
		sa_ident(I_AWSNODE0 + i, "kube-system", "aws-node",
		    findpod("aws-node-", i), cl_nodes[i].ip,
		    "aws-node/v1.18.1-eksbuild.3 (linux/amd64) kubernetes/$Format",
		    CRB("aws-node", "aws-node", "ServiceAccount",
		    "aws-node/kube-system"), i);
		sa_ident(I_KPROXY0 + i, "kube-system", "kube-proxy",
		    findpod("kube-proxy-", i), cl_nodes[i].ip,
		    "kube-proxy/v1.29.1 (linux/amd64) kubernetes/$Format",
		    CRB("eks:kube-proxy", "system:node-proxier",
		    "ServiceAccount", "kube-proxy/kube-system"), i);
	}
}

/* Build the pods and identities; call once before anything else. */
void
cl_init(void)
{
	struct rng fixed;

	rng_seed(&fixed, 0x6b75626573696674ULL);	/* "kubesift" */
	init_pods(&fixed);
	init_idents();
	init_tenants();
}
