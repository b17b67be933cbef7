/*
 * The request mix of the simulated cluster (gen-cluster.c): weighted
 * templates for the background traffic, periodic sources (leases, leader
 * election) and the eks-cninodes scenario.  Only the request stream depends
 * on the seed.
 */
#include <stdlib.h>

#include "gen-audit.h"

/* Template "who" values above the fixed identities pick one of a kind. */
enum { W_NODE = 100, W_AWSNODE, W_KPROXY, W_COREDNS };

/* Name sources for templates. */
enum {
	NM_NONE,	/* a collection: list, watch, create */
	NM_FIXED,	/* tmpl.name */
	NM_NODE,	/* any node */
	NM_SELF,	/* the sender's node */
	NM_POD,		/* any pod (its namespace) */
	NM_PODNS,	/* a pod in tmpl.ns */
	NM_PODSELF,	/* a pod on the sender's node */
	NM_EVENT,	/* an event about a pod on the sender's node */
	NM_TOKEN,	/* the service account of a pod on the sender's node */
	NM_CSR		/* a certificate signing request */
};

struct tmpl {
	unsigned short	 w;		/* weight in the mix (1: rare, 0.02%) */
	unsigned char	 who;		/* I_* or W_* */
	unsigned char	 verb;
	unsigned char	 res;		/* R_* (R_NONE: tmpl.name is a path) */
	unsigned char	 nm;		/* NM_* */
	unsigned char	 ro;		/* enum robj */
	unsigned char	 fail;		/* enum fail, with failpct percent */
	unsigned char	 failpct;
	const char	*ns;
	const char	*name;
	const char	*sub;
	const char	*query;
	const char	*reason;	/* overrides the identity's */
};

#define T(...)	{ __VA_ARGS__ }
#define LIST0	"?limit=500\\u0026resourceVersion=0"
#define TMO	"?timeout=10s"

static const struct tmpl tmpls[] = {
	/* kubelets */
	T(.w = 400, .who = W_NODE, .verb = V_PATCH, .res = R_PODS, .nm = NM_PODSELF, .sub = "status", .ro = RO_POD_STATUS),
	T(.w = 300, .who = W_NODE, .verb = V_GET, .res = R_PODS, .nm = NM_PODSELF),
	T(.w = 200, .who = W_NODE, .verb = V_CREATE, .res = R_EVENTS, .nm = NM_EVENT),
	T(.w = 140, .who = W_NODE, .verb = V_CREATE, .res = R_SERVICEACCOUNTS, .nm = NM_TOKEN, .sub = "token", .ro = RO_TOKEN),
	T(.w = 100, .who = W_NODE, .verb = V_GET, .res = R_NODES, .nm = NM_SELF, .query = "?resourceVersion=0\\u0026timeout=10s"),
	T(.w = 40, .who = W_NODE, .verb = V_PATCH, .res = R_NODES, .nm = NM_SELF, .sub = "status", .ro = RO_NODE_STATUS),
	T(.w = 40, .who = W_NODE, .verb = V_GET, .res = R_CSINODES, .nm = NM_SELF),
	T(.w = 50, .who = W_NODE, .verb = V_GET, .res = R_CONFIGMAPS, .nm = NM_FIXED, .ns = "kube-system", .name = "kube-proxy"),
	T(.w = 20, .who = W_NODE, .verb = V_WATCH, .res = R_CONFIGMAPS, .ns = "kube-system"),
	T(.w = 20, .who = W_NODE, .verb = V_WATCH, .res = R_SERVICES),
	T(.w = 10, .who = W_NODE, .verb = V_WATCH, .res = R_PODS),
	/* add-ons running as pods */
	T(.w = 80, .who = W_AWSNODE, .verb = V_GET, .res = R_NODES, .nm = NM_SELF),
	T(.w = 80, .who = W_AWSNODE, .verb = V_GET, .res = R_CNINODES, .nm = NM_SELF),
	T(.w = 50, .who = W_AWSNODE, .verb = V_LIST, .res = R_PODS, .query = LIST0),
	T(.w = 20, .who = W_AWSNODE, .verb = V_GET, .res = R_ENICONFIGS, .nm = NM_FIXED, .name = "us-east-1a", .fail = F_404, .failpct = 100),
	T(.w = 20, .who = W_KPROXY, .verb = V_WATCH, .res = R_EPSLICES),
	T(.w = 10, .who = W_KPROXY, .verb = V_WATCH, .res = R_SERVICES),
	T(.w = 20, .who = W_KPROXY, .verb = V_GET, .res = R_NODES, .nm = NM_SELF),
	T(.w = 20, .who = W_COREDNS, .verb = V_WATCH, .res = R_EPSLICES),
	T(.w = 10, .who = W_COREDNS, .verb = V_WATCH, .res = R_SERVICES),
	T(.w = 10, .who = W_COREDNS, .verb = V_WATCH, .res = R_NAMESPACES),
	T(.w = 60, .who = I_EBS, .verb = V_GET, .res = R_LEASES, .nm = NM_FIXED, .ns = "kube-system", .name = "ebs-csi-aws-com", .query = TMO,
	  .reason = RB("ebs-csi-leases-rolebinding", "kube-system", "ebs-csi-leases-role", "ServiceAccount", "ebs-csi-controller-sa/kube-system")),
	T(.w = 60, .who = I_EBS, .verb = V_UPDATE, .res = R_LEASES, .nm = NM_FIXED, .ns = "kube-system", .name = "ebs-csi-aws-com", .query = TMO,
	  .reason = RB("ebs-csi-leases-rolebinding", "kube-system", "ebs-csi-leases-role", "ServiceAccount", "ebs-csi-controller-sa/kube-system")),
	T(.w = 20, .who = I_EBS, .verb = V_LIST, .res = R_VOLATTACH, .query = LIST0),
	T(.w = 10, .who = I_EBS, .verb = V_WATCH, .res = R_PVS),
	T(.w = 40, .who = I_CWAGENT, .verb = V_GET, .res = R_CONFIGMAPS, .nm = NM_FIXED, .ns = "amazon-cloudwatch", .name = "cwagent-clusterleader"),
	T(.w = 30, .who = I_CWAGENT, .verb = V_UPDATE, .res = R_CONFIGMAPS, .nm = NM_FIXED, .ns = "amazon-cloudwatch", .name = "cwagent-clusterleader", .fail = F_409, .failpct = 10),
	T(.w = 30, .who = I_CWAGENT, .verb = V_LIST, .res = R_PODS, .query = LIST0),
	T(.w = 10, .who = I_CWAGENT, .verb = V_LIST, .res = R_NODES, .query = LIST0),
	T(.w = 30, .who = I_ARGOCD, .verb = V_GET, .res = R_DEPLOYMENTS, .nm = NM_FIXED, .ns = "shop", .name = "web"),
	T(.w = 20, .who = I_ARGOCD, .verb = V_LIST, .res = R_SERVICES, .ns = "shop", .query = "?limit=500"),
	T(.w = 10, .who = I_ARGOCD, .verb = V_WATCH, .res = R_DEPLOYMENTS),
	/* control plane */
	T(.w = 30, .who = I_KCM_SI, .verb = V_WATCH, .res = R_PODS),
	T(.w = 20, .who = I_KCM_SI, .verb = V_WATCH, .res = R_NODES),
	T(.w = 10, .who = I_KCM_SI, .verb = V_WATCH, .res = R_REPLICASETS),
	T(.w = 10, .who = I_KCM_SI, .verb = V_WATCH, .res = R_EPSLICES),
	T(.w = 10, .who = I_KCM_SI, .verb = V_LIST, .res = R_CONFIGMAPS, .query = LIST0),
	T(.w = 80, .who = I_EPS_CTRL, .verb = V_UPDATE, .res = R_EPSLICES, .nm = NM_FIXED, .ns = "shop", .name = "web-x7k2p"),
	T(.w = 40, .who = I_EPS_CTRL, .verb = V_UPDATE, .res = R_EPSLICES, .nm = NM_FIXED, .ns = "kube-system", .name = "kube-dns-m4qzr", .fail = F_409, .failpct = 5),
	T(.w = 50, .who = I_RS_CTRL, .verb = V_UPDATE, .res = R_REPLICASETS, .nm = NM_FIXED, .ns = "shop", .name = "web-6d4cf56db6", .sub = "status"),
	T(.w = 30, .who = I_DEPLOY_CTRL, .verb = V_UPDATE, .res = R_DEPLOYMENTS, .nm = NM_FIXED, .ns = "shop", .name = "web", .sub = "status"),
	T(.w = 20, .who = I_DEPLOY_CTRL, .verb = V_CREATE, .res = R_EVENTS2, .nm = NM_EVENT),
	T(.w = 30, .who = I_DS_CTRL, .verb = V_UPDATE, .res = R_DAEMONSETS, .nm = NM_FIXED, .ns = "kube-system", .name = "aws-node", .sub = "status"),
	T(.w = 30, .who = I_GC, .verb = V_GET, .res = R_NONE, .name = "/api"),
	T(.w = 30, .who = I_GC, .verb = V_GET, .res = R_NONE, .name = "/apis"),
	T(.w = 30, .who = I_NODE_CTRL, .verb = V_GET, .res = R_NODES, .nm = NM_NODE),
	T(.w = 30, .who = I_SCHED, .verb = V_CREATE, .res = R_PODS, .nm = NM_POD, .sub = "binding", .ro = RO_BINDING),
	T(.w = 10, .who = I_SCHED, .verb = V_WATCH, .res = R_PODS),
	T(.w = 10, .who = I_SCHED, .verb = V_WATCH, .res = R_NODES),
	T(.w = 50, .who = I_APISERVER, .verb = V_GET, .res = R_ENDPOINTS, .nm = NM_FIXED, .ns = "default", .name = "kubernetes"),
	T(.w = 50, .who = I_APISERVER, .verb = V_GET, .res = R_EPSLICES, .nm = NM_FIXED, .ns = "default", .name = "kubernetes"),
	T(.w = 20, .who = I_APISERVER, .verb = V_LIST, .res = R_LEASES, .ns = "kube-system", .query = "?labelSelector=apiserver.kubernetes.io%2Fidentity%3Dkube-apiserver"),
	/* EKS-managed controllers */
	T(.w = 60, .who = I_VPCRC, .verb = V_GET, .res = R_CNINODES, .nm = NM_NODE),
	T(.w = 10, .who = I_VPCRC, .verb = V_LIST, .res = R_CNINODES, .query = LIST0),
	T(.w = 10, .who = I_VPCRC, .verb = V_WATCH, .res = R_CNINODES),
	T(.w = 40, .who = I_VPCRC, .verb = V_GET, .res = R_NODES, .nm = NM_NODE),
	T(.w = 10, .who = I_VPCRC, .verb = V_LIST, .res = R_NODES, .query = LIST0),
	T(.w = 10, .who = I_VPCRC, .verb = V_WATCH, .res = R_PODS),
	T(.w = 20, .who = I_VPCRC, .verb = V_GET, .res = R_PODS, .nm = NM_PODNS, .ns = "shop"),
	T(.w = 10, .who = I_VPCRC, .verb = V_LIST, .res = R_SGPS, .query = LIST0),
	T(.w = 20, .who = I_VPCRC, .verb = V_GET, .res = R_CONFIGMAPS, .nm = NM_FIXED, .ns = "kube-system", .name = "amazon-vpc-cni", .reason = R_VPCRC_NS),
	T(.w = 20, .who = I_ADDON, .verb = V_GET, .res = R_DEPLOYMENTS, .nm = NM_FIXED, .ns = "kube-system", .name = "coredns", .query = TMO),
	T(.w = 20, .who = I_ADDON, .verb = V_GET, .res = R_DAEMONSETS, .nm = NM_FIXED, .ns = "kube-system", .name = "aws-node", .query = TMO),
	T(.w = 10, .who = I_ADDON, .verb = V_GET, .res = R_DAEMONSETS, .nm = NM_FIXED, .ns = "kube-system", .name = "kube-proxy", .query = TMO),
	T(.w = 20, .who = I_CERT, .verb = V_WATCH, .res = R_CSRS),
	T(.w = 20, .who = I_CERT, .verb = V_GET, .res = R_CSRS, .nm = NM_CSR),
	T(.w = 50, .who = I_CCM, .verb = V_GET, .res = R_NODES, .nm = NM_NODE),
	T(.w = 20, .who = I_CCM, .verb = V_LIST, .res = R_SERVICES, .query = LIST0),
	T(.w = 50, .who = I_METRICS, .verb = V_GET, .res = R_NONE, .name = "/metrics"),
	/* load-balancer health checks and an internet scanner */
	T(.w = 150, .who = I_ANON_ELB, .verb = V_GET, .res = R_NONE, .name = "/healthz"),
	T(.w = 100, .who = I_ANON_ELB, .verb = V_GET, .res = R_NONE, .name = "/readyz"),
	T(.w = 80, .who = I_ANON_ELB, .verb = V_GET, .res = R_NONE, .name = "/livez"),
	T(.w = 20, .who = I_ANON_SCAN, .verb = V_GET, .res = R_NONE, .name = "/version"),
	T(.w = 1, .who = I_ANON_SCAN, .verb = V_GET, .res = R_NONE, .name = "/api", .fail = F_403, .failpct = 100),
	T(.w = 1, .who = I_ANON_SCAN, .verb = V_LIST, .res = R_NAMESPACES, .fail = F_403, .failpct = 100),
	/* humans */
	T(.w = 3, .who = I_ADMIN, .verb = V_LIST, .res = R_PODS, .ns = "shop", .query = "?limit=500"),
	T(.w = 2, .who = I_ADMIN, .verb = V_GET, .res = R_PODS, .nm = NM_PODNS, .ns = "shop"),
	T(.w = 2, .who = I_ADMIN, .verb = V_GET, .res = R_PODS, .nm = NM_PODNS, .ns = "shop", .sub = "log", .query = "?tailLines=100"),
	T(.w = 1, .who = I_ADMIN, .verb = V_CREATE, .res = R_PODS, .nm = NM_PODNS, .ns = "shop", .sub = "exec", .query = "?command=sh\\u0026stdin=true\\u0026stdout=true\\u0026tty=true"),
	T(.w = 2, .who = I_ADMIN, .verb = V_LIST, .res = R_DEPLOYMENTS, .ns = "shop", .query = "?limit=500"),
	T(.w = 1, .who = I_ADMIN, .verb = V_PATCH, .res = R_DEPLOYMENTS, .nm = NM_FIXED, .ns = "shop", .name = "web", .query = "?fieldManager=kubectl-rollout", .ro = RO_RESTART),
	T(.w = 1, .who = I_ADMIN, .verb = V_LIST, .res = R_NODES, .query = "?limit=500"),
	T(.w = 1, .who = I_ADMIN, .verb = V_GET, .res = R_NONE, .name = "/openapi/v2"),
	T(.w = 2, .who = I_ALICE, .verb = V_LIST, .res = R_PODS, .ns = "shop", .query = "?limit=500"),
	T(.w = 1, .who = I_ALICE, .verb = V_GET, .res = R_PODS, .nm = NM_PODNS, .ns = "shop", .sub = "log", .query = "?follow=true"),
	T(.w = 1, .who = I_ALICE, .verb = V_GET, .res = R_SECRETS, .nm = NM_FIXED, .ns = "shop", .name = "postgres-credentials", .fail = F_403, .failpct = 100),
	T(.w = 1, .who = I_TERRAFORM, .verb = V_GET, .res = R_CONFIGMAPS, .nm = NM_FIXED, .ns = "kube-system", .name = "aws-auth"),
	T(.w = 1, .who = I_TERRAFORM, .verb = V_GET, .res = R_NAMESPACES, .nm = NM_FIXED, .name = "shop"),
};

#define NTMPLS	(sizeof(tmpls) / sizeof(tmpls[0]))

static const char *const csrs[] = {
	"csr-8q2zt", "csr-b4vxn", "csr-kd7m5", "csr-w9c2h"
};

static const char *const apiserver_leases[] = {
	"apiserver-a6z2xgqf3kxh7ywtkbqbtcwm2y",
	"apiserver-7nmrwzq4d3b6vfe5h2kspjxl3a"
};
static uint32_t cumw[NTMPLS];	/* cumulative weights */
static uint32_t totalw;

/* Periodic sources: leases and, in the scenario, the denied patches. */
enum {
	P_NODE_LEASE, P_KCM_LEASE, P_SCHED_LEASE, P_VPCRC_LEASE, P_APISERVER,
	P_CR_GET, P_CR_UPDATE, P_CRD_GET, P_CNINODE_PATCH
};

struct periodic {
	int64_t	next;		/* next firing (µs), INT64_MAX: never */
	int64_t	period;		/* 0: fires once */
	int64_t	jitter;		/* each period varies by up to +-jitter */
	int	kind;		/* P_* */
	int	idx;		/* node or apiserver index */
};

#define MAXPER	32
static struct periodic per[MAXPER];
static int nper;

static struct scen_info scen;
static enum scenario scen_sc;
static uint64_t rvcounter = 4013300;	/* resourceVersion, grows with writes */

static void
add_periodic(int kind, int idx, int64_t first, int64_t period, int64_t jitter)
{
	if (nper == MAXPER)
		abort();
	per[nper].next = first;
	per[nper].period = period;
	per[nper].jitter = jitter;
	per[nper].kind = kind;
	per[nper].idx = idx;
	nper++;
}

/* Audit lines per 1000 s that the periodic sources add to --rate. */
static int64_t
periodic_milli(enum scenario sc)
{
	int64_t milli = 0;
	int i;

	for (i = 0; i < nper; i++) {
		int reqs = per[i].kind == P_KCM_LEASE ||
		    per[i].kind == P_SCHED_LEASE ||
		    per[i].kind == P_VPCRC_LEASE ? 2 : 1;

		milli += reqs * 1250 * US_PER_S / per[i].period;
	}
	/* The denied patches run for about four fifths of the log. */
	if (sc == SC_EKS_CNINODES)
		milli += NNODES * 1250 * US_PER_S / (5 * US_PER_S) * 4 / 5;
	return milli;
}

/*
 * Set up the cluster for a log of nevents lines, starting at start, with
 * background traffic at rate_milli lines per 1000 s.  The scenario's change
 * comes a fifth of the way into the expected span, and the denials a few
 * seconds to two minutes after it.
 */
void
wl_init(enum scenario sc, int64_t start, uint64_t nevents, int64_t rate_milli)
{
	int64_t span_us, total;
	size_t i;
	int n;

	cl_init();
	scen_sc = sc;
	for (i = 0; i < NTMPLS; i++) {
		totalw += tmpls[i].w;
		cumw[i] = totalw;
	}
	for (n = 0; n < NNODES; n++)
		add_periodic(P_NODE_LEASE, n, start + 1700000 * n + 311,
		    10 * US_PER_S, 150000);
	add_periodic(P_KCM_LEASE, 0, start + 420113, 2 * US_PER_S, 30000);
	add_periodic(P_SCHED_LEASE, 0, start + 1210877, 2 * US_PER_S, 30000);
	add_periodic(P_VPCRC_LEASE, 0, start + 905311, 5 * US_PER_S, 30000);
	add_periodic(P_APISERVER, 0, start + 3100457, 10 * US_PER_S, 5000);
	add_periodic(P_APISERVER, 1, start + 8200913, 10 * US_PER_S, 5000);
	if (sc != SC_EKS_CNINODES)
		return;

	total = rate_milli + periodic_milli(sc);
	span_us = (int64_t)(nevents * 1000 / (uint64_t)total) * US_PER_S +
	    (int64_t)(nevents * 1000 % (uint64_t)total) * US_PER_S / total;

	int64_t change = start + span_us / 5 + 217489;
	int64_t delay = span_us / 30;

	if (delay < 5 * US_PER_S)
		delay = 5 * US_PER_S;
	if (delay > 120 * US_PER_S)
		delay = 120 * US_PER_S;
	scen.change_at = change;
	scen.first_patch = change + delay + 734211;
	scen.change_what = "update clusterroles/vpc-resource-controller-role "
	    "by eks:addon-manager";
	add_periodic(P_CR_GET, 0, change - 183117, 0, 0);
	add_periodic(P_CR_UPDATE, 0, change, 0, 0);
	add_periodic(P_CRD_GET, 0, change + 61042, 0, 0);
	for (n = 0; n < NNODES; n++)
		add_periodic(P_CNINODE_PATCH, n,
		    scen.first_patch + (5 * US_PER_S / NNODES) * n,
		    5 * US_PER_S, US_PER_S);
}

void
wl_scen_info(struct scen_info *si)
{
	*si = scen;
}

/* Mean audit lines per background request, in thousandths. */
int64_t
wl_lines_per_req_milli(void)
{
	uint64_t extra = 0;
	size_t i;

	for (i = 0; i < NTMPLS; i++)
		if (tmpls[i].verb == V_WATCH ||
		    (tmpls[i].sub && strcmp(tmpls[i].sub, "exec") == 0))
			extra += tmpls[i].w;
	return 1000 + 250 + (int64_t)(extra * 1000 / totalw);
}

int64_t
wl_next_periodic(void)
{
	int64_t t = INT64_MAX;
	int i;

	for (i = 0; i < nper; i++)
		if (per[i].next < t)
			t = per[i].next;
	return t;
}

/* Latency, stages and identifiers common to every request. */
static void
finish(struct rng *r, struct req *q)
{
	static const int64_t lat[][2] = {
		[V_GET] = { 600, 6000 },	[V_LIST] = { 3000, 60000 },
		[V_WATCH] = { 300, 2000 },	[V_CREATE] = { 2000, 25000 },
		[V_UPDATE] = { 1500, 15000 },	[V_PATCH] = { 1500, 15000 },
		[V_DELETE] = { 3000, 30000 },
	};

	q->aid[0] = rng_next(r);
	q->aid[1] = rng_next(r);
	q->received = rng_below(r, 4) == 0;
	q->apiserver = (unsigned char)rng_below(r, 2);
	if (q->code == 0)
		q->code = q->verb == V_CREATE ? 201 : 200;
	if (q->fail == F_403)
		q->t_done = q->t_recv + rng_range(r, 200, 1500);
	else
		q->t_done = q->t_recv + rng_range(r, lat[q->verb][0],
		    lat[q->verb][1]);
	q->t_start = 0;
	if (q->verb == V_WATCH) {
		q->timeout = (unsigned short)rng_range(r, 300, 599);
		q->rv = rvcounter - rng_below(r, 5000);
		q->t_start = q->t_done;
		q->t_done = q->t_recv + q->timeout * US_PER_S +
		    rng_range(r, 100, 3000);
	} else if (q->sub && strcmp(q->sub, "exec") == 0) {
		q->code = 101;
		q->t_start = q->t_done;
		q->t_done = q->t_recv + rng_range(r, 5, 180) * US_PER_S;
	}
	if (q->verb >= V_CREATE && q->fail == F_NONE)
		rvcounter += 1 + rng_below(r, 3);
}

static const struct pod *
pod_on(struct rng *r, int node)
{
	return &cl_pods[cl_nodepods[node][rng_below(r, (uint32_t)cl_nnodepods[node])]];
}

static const struct pod *
pod_in(struct rng *r, const char *ns)
{
	const struct pod *p;

	do
		p = &cl_pods[rng_below(r, (uint32_t)cl_npods)];
	while (strcmp(p->ns, ns) != 0);
	return p;
}

/*
 * The denials scenario: a tenant's service account refused in its own
 * namespace (many actors, many namespaces, one request in four).
 */
static void
tenant_denial(struct rng *r, int64_t t, struct req *q)
{
	static const int res[] = { R_PODS, R_SECRETS, R_CONFIGMAPS,
	    R_DEPLOYMENTS, R_SERVICES };
	static const int verbs[] = { V_GET, V_LIST, V_CREATE, V_DELETE,
	    V_PATCH };
	int who = (int)rng_below(r, NTENANTS);

	memset(q, 0, sizeof(*q));
	q->t_recv = t;
	q->who = &cl_tenants[who];
	q->verb = (unsigned char)verbs[rng_below(r, 5)];
	q->res = &cl_resources[res[rng_below(r, 5)]];
	q->ns = cl_tenant_ns[who % NTENANT_NS];
	if (q->verb != V_LIST && q->verb != V_CREATE)
		q->name = "app-config";
	q->fail = F_403;
	finish(r, q);
}

/* A background request at time t, drawn from the weighted mix. */
void
wl_background(struct rng *r, int64_t t, struct req *q)
{
	uint32_t x;

	if (scen_sc == SC_DENIALS && rng_below(r, 4) == 0) {
		tenant_denial(r, t, q);
		return;
	}
	x = rng_below(r, totalw);
	size_t lo = 0, hi = NTMPLS - 1;
	const struct tmpl *tp;
	int who, node;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cumw[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	tp = &tmpls[lo];
	memset(q, 0, sizeof(*q));
	who = tp->who;
	if (who == W_NODE)
		who = I_NODE0 + (int)rng_below(r, NNODES);
	else if (who == W_AWSNODE)
		who = I_AWSNODE0 + (int)rng_below(r, NNODES);
	else if (who == W_KPROXY)
		who = I_KPROXY0 + (int)rng_below(r, NNODES);
	else if (who == W_COREDNS)
		who = I_COREDNS0 + (int)rng_below(r, 2);
	q->who = &cl_idents[who];
	node = q->who->node >= 0 ? q->who->node : (int)rng_below(r, NNODES);
	q->t_recv = t;
	q->verb = tp->verb;
	q->res = tp->res == R_NONE ? NULL : &cl_resources[tp->res];
	q->path = tp->res == R_NONE ? tp->name : NULL;
	q->ns = tp->ns;
	q->sub = tp->sub;
	q->query = tp->query;
	q->reason = tp->reason;
	q->ro = tp->ro;
	if (tp->failpct && rng_below(r, 100) < tp->failpct)
		q->fail = tp->fail;
	switch (tp->nm) {
	case NM_FIXED:
		q->name = tp->name;
		break;
	case NM_NODE:
		q->name = cl_nodes[rng_below(r, NNODES)].name;
		break;
	case NM_SELF:
		q->name = cl_nodes[node].name;
		break;
	case NM_POD:
		q->pod = &cl_pods[rng_below(r, (uint32_t)cl_npods)];
		q->name = q->pod->name;
		q->ns = q->pod->ns;
		break;
	case NM_PODNS:
		q->pod = pod_in(r, tp->ns);
		q->name = q->pod->name;
		break;
	case NM_PODSELF:
	case NM_EVENT:
	case NM_TOKEN:
		q->pod = pod_on(r, node);
		q->ns = q->pod->ns;
		q->name = tp->nm == NM_TOKEN ? q->pod->sa : q->pod->name;
		if (tp->nm == NM_EVENT)
			q->namesuf = (uint64_t)t * 1000 + rng_below(r, 1000);
		break;
	case NM_CSR:
		q->name = csrs[rng_below(r, sizeof(csrs) / sizeof(csrs[0]))];
		break;
	}
	finish(r, q);
}

/* A request of a periodic source, with the fields a template would give. */
static void
preq(struct req *q, int64_t t, int who, int verb, int res, const char *ns,
    const char *name, const char *query, const char *reason)
{
	memset(q, 0, sizeof(*q));
	q->t_recv = t;
	q->who = &cl_idents[who];
	q->verb = (unsigned char)verb;
	q->res = &cl_resources[res];
	q->ns = ns;
	q->name = name;
	q->query = query;
	q->reason = reason;
}

/* Leader election: a GET of the lease, then an UPDATE once it returns. */
static void
leader(struct rng *r, int64_t t, int who, const char *name,
    const char *reason, struct req *out, int *nout)
{
	preq(&out[0], t, who, V_GET, R_LEASES, "kube-system", name,
	    "?timeout=5s", reason);
	finish(r, &out[0]);
	preq(&out[1], out[0].t_done + rng_range(r, 200, 900), who, V_UPDATE,
	    R_LEASES, "kube-system", name, "?timeout=5s", reason);
	if (rng_below(r, 1000) < 5)
		out[1].fail = F_409;
	finish(r, &out[1]);
	*nout = 2;
}

/*
 * Fire the earliest periodic source: one or two requests into out[] (room
 * for two), their count into *nout.
 */
void
wl_periodic(struct rng *r, struct req *out, int *nout)
{
	struct periodic *p = &per[0];
	int64_t t;
	int i;

	for (i = 1; i < nper; i++)
		if (per[i].next < p->next)
			p = &per[i];
	t = p->next;
	*nout = 1;
	switch (p->kind) {
	case P_NODE_LEASE:
		preq(out, t, I_NODE0 + p->idx, V_UPDATE, R_LEASES,
		    "kube-node-lease", cl_nodes[p->idx].name, "?timeout=10s", NULL);
		out->ro = RO_LEASE;
		out->rv = rvcounter;
		finish(r, out);
		break;
	case P_KCM_LEASE:
		leader(r, t, I_KCM_LE, "kube-controller-manager", NULL, out, nout);
		break;
	case P_SCHED_LEASE:
		leader(r, t, I_SCHED_LE, "kube-scheduler", NULL, out, nout);
		break;
	case P_VPCRC_LEASE:
		leader(r, t, I_VPCRC, "cp-vpc-resource-controller", R_VPCRC_NS,
		    out, nout);
		break;
	case P_APISERVER:
		preq(out, t, I_APISERVER, V_UPDATE, R_LEASES, "kube-system",
		    apiserver_leases[p->idx], NULL, NULL);
		finish(r, out);
		out->apiserver = (unsigned char)p->idx;
		break;
	case P_CR_GET:
	case P_CR_UPDATE:
		preq(out, t, I_ADDON, p->kind == P_CR_GET ? V_GET : V_UPDATE,
		    R_CLUSTERROLES, NULL, "vpc-resource-controller-role",
		    "?timeout=10s", NULL);
		if (p->kind == P_CR_UPDATE)
			out->ro = RO_CLUSTERROLE;
		finish(r, out);
		break;
	case P_CRD_GET:
		preq(out, t, I_ADDON, V_GET, R_CRDS, NULL,
		    "cninodes.vpcresources.k8s.aws", "?timeout=10s", NULL);
		finish(r, out);
		break;
	case P_CNINODE_PATCH:
		preq(out, t, I_VPCRC, V_PATCH, R_CNINODES, NULL,
		    cl_nodes[p->idx].name, NULL, NULL);
		out->fail = F_403;
		out->scenario = 1;
		finish(r, out);
		break;
	}
	if (p->period)
		p->next += p->period + rng_range(r, -p->jitter, p->jitter);
	else
		p->next = INT64_MAX;
}
