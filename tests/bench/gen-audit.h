/*
 * gen-audit: a reproducible generator of Kubernetes audit logs, for
 * benchmarks and test fixtures.  This header is shared by its parts:
 *
 *	gen-audit.c	options, the event clock, CloudWatch wrappers, summary
 *	gen-cluster.c	the simulated cluster: nodes, pods, identities
 *	gen-workload.c	the request mix, periodic sources and the eks-cninodes
 *			scenario
 *	gen-event.c	one audit.k8s.io/v1 Event as one line of JSON
 *	gen-util.c	buffers, the PRNG, RFC 3339 parsing
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -O2 -o build/gen-audit tests/bench/gen-*.c
 *
 * Only integer arithmetic is used on anything that reaches the output, and
 * the PRNG is our own, so the same arguments give the same bytes anywhere.
 */
#ifndef GEN_AUDIT_H
#define GEN_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define US_PER_S	INT64_C(1000000)

/*
 * An append-only byte buffer.  Appends do not check the capacity: the caller
 * calls buf_reserve() once with an upper bound before writing a record.
 */
struct buf {
	char	*p;		/* bytes, not NUL-terminated */
	size_t	 len;		/* bytes in use */
	size_t	 cap;		/* bytes allocated */
};

void	buf_reserve(struct buf *, size_t more);
void	buf_u64(struct buf *, uint64_t);
void	buf_u64_pad(struct buf *, uint64_t, int width);
void	buf_hex(struct buf *, uint64_t, int digits);
void	buf_time(struct buf *, int64_t us, int fracdigits);
void	buf_escape(struct buf *, const char *s, size_t n);

static inline void
buf_put(struct buf *b, const char *s, size_t n)
{
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void
buf_str(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

#define BUF_LIT(b, lit)	buf_put((b), (lit), sizeof(lit) - 1)

/* xoshiro256** seeded through splitmix64; never rand(). */
struct rng {
	uint64_t s[4];
};

uint64_t	splitmix64(uint64_t *state);
void		rng_seed(struct rng *, uint64_t seed);
uint64_t	rng_next(struct rng *);

/* A uniform integer in [0, n), n < 2^32. */
static inline uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* A uniform integer in [lo, hi]. */
static inline int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

int	time_parse(const char *s, int64_t *us);

enum verb { V_GET, V_LIST, V_WATCH, V_CREATE, V_UPDATE, V_PATCH, V_DELETE };
enum stage { ST_RECEIVED, ST_STARTED, ST_COMPLETE };

/* How a request ended: success, or one of the usual failures. */
enum fail { F_NONE, F_403, F_404, F_409 };

/* The request object logged at level Request (none: level Metadata). */
enum robj {
	RO_NONE,
	RO_POD_STATUS,		/* kubelet strategic-merge patch of conditions */
	RO_NODE_STATUS,		/* kubelet heartbeat patch of node conditions */
	RO_TOKEN,		/* TokenRequest bound to a pod */
	RO_LEASE,		/* a Lease with a fresh renewTime */
	RO_RESTART,		/* kubectl rollout restart patch */
	RO_BINDING,		/* scheduler pods/binding */
	RO_CLUSTERROLE		/* the scenario's ClusterRole (RequestResponse) */
};

/* A resource type as the apiserver names it. */
struct res {
	const char *group;	/* "" for the core group */
	const char *version;
	const char *name;	/* plural resource name */
	int	    namespaced;
};

struct pod {
	const char *ns;
	char	    name[64];
	char	    uid[40];
	const char *sa;		/* service account name */
	const char *nodename;	/* the node it runs on */
	int	    node;	/* index into the node table */
};

/*
 * Who sent a request: everything about the sender that does not change from
 * request to request is rendered once, at start-up, into json.
 */
struct ident {
	const char *user;	/* username, as in error messages */
	char	   *json;	/* "user":{...},"sourceIPs":[...],"userAgent":"..." */
	size_t	    jsonlen;
	const char *reason;	/* authorization.k8s.io/reason when allowed (escaped) */
	int	    node;	/* the node this identity runs on, or -1 */
};

/*
 * One request, as the generator decided it.  Everything the event formatter
 * needs is here; strings are borrowed from the workload's tables, which live
 * until exit.
 */
struct req {
	int64_t		 t_recv;	/* requestReceivedTimestamp (µs) */
	int64_t		 t_start;	/* ResponseStarted (watches only) */
	int64_t		 t_done;	/* ResponseComplete */
	uint64_t	 aid[2];	/* auditID bits */
	uint64_t	 rv;		/* resourceVersion a watch starts from */
	uint64_t	 namesuf;	/* != 0: name + "." + 16 hex (events) */
	const struct ident *who;
	const struct res *res;		/* NULL for a non-resource request */
	const struct pod *pod;		/* the pod a request object talks of */
	const char	*ns;		/* namespace, or NULL */
	const char	*name;		/* object name, or NULL */
	const char	*sub;		/* subresource, or NULL */
	const char	*path;		/* non-resource URL path */
	const char	*query;		/* "?..." appended to requestURI, or NULL */
	const char	*reason;	/* allow reason override, or NULL */
	unsigned short	 timeout;	/* watch timeoutSeconds */
	short		 code;		/* HTTP status when it succeeds */
	unsigned char	 verb;		/* enum verb */
	unsigned char	 fail;		/* enum fail */
	unsigned char	 ro;		/* enum robj */
	unsigned char	 received;	/* a RequestReceived stage is logged */
	unsigned char	 apiserver;	/* which apiserver (log stream) */
	unsigned char	 scenario;	/* counted in the scenario summary */
};

/* gen-cluster.c: the fixed cluster, the same whatever the seed. */
#define NNODES	6
#define MAXPODS	64

/* Resources, in the order of cl_resources[]. */
enum {
	R_PODS, R_NODES, R_LEASES, R_CONFIGMAPS, R_EVENTS, R_EVENTS2, R_SECRETS,
	R_SERVICES, R_ENDPOINTS, R_EPSLICES, R_DEPLOYMENTS, R_REPLICASETS,
	R_DAEMONSETS, R_SERVICEACCOUNTS, R_NAMESPACES, R_CNINODES, R_ENICONFIGS,
	R_SGPS, R_CSRS, R_CLUSTERROLES, R_CSINODES, R_VOLATTACH, R_PVS, R_CRDS,
	R_NONE
};

/* Fixed identities; the per-node ones follow them in cl_idents[]. */
enum {
	I_KCM_LE, I_KCM_SI, I_RS_CTRL, I_DEPLOY_CTRL, I_EPS_CTRL, I_GC, I_DS_CTRL,
	I_NODE_CTRL, I_SCHED, I_SCHED_LE, I_APISERVER, I_COREDNS0, I_COREDNS1,
	I_EBS, I_CWAGENT, I_ARGOCD, I_VPCRC, I_ADDON, I_CERT, I_CCM, I_METRICS,
	I_ANON_ELB, I_ANON_SCAN, I_ADMIN, I_ALICE, I_TERRAFORM,
	I_TENANT,	/* scratch: the denials scenario's tenants (cl_tenants) */
	I_NFIXED,
	I_NODE0 = I_NFIXED,
	I_AWSNODE0 = I_NODE0 + NNODES,
	I_KPROXY0 = I_AWSNODE0 + NNODES,
	I_COUNT = I_KPROXY0 + NNODES
};

struct nodedef {
	const char *name, *ip, *instance;
};

/* authorization.k8s.io/reason strings, already escaped for JSON. */
#define Q	"\\\""		/* an escaped quote inside a JSON string */
#define CRB(b, r, k, s)	"RBAC: allowed by ClusterRoleBinding " Q b Q \
	" of ClusterRole " Q r Q " to " k " " Q s Q
#define RB(b, ns, r, k, s) "RBAC: allowed by RoleBinding " Q b "/" ns Q \
	" of Role " Q r Q " to " k " " Q s Q
#define R_VPCRC_NS RB("eks-vpc-resource-controller-rolebinding", "kube-system", \
	"eks-vpc-resource-controller-role", "User", "eks:vpc-resource-controller")

extern const struct res		cl_resources[];
extern const struct nodedef	cl_nodes[NNODES];
extern struct pod		cl_pods[MAXPODS];
extern int			cl_npods;
extern int			cl_nodepods[NNODES][16];	/* pods on a node */
extern int			cl_nnodepods[NNODES];
extern struct ident		cl_idents[I_COUNT];
#define NTENANTS	2000
#define NTENANT_NS	400
extern struct ident		cl_tenants[NTENANTS];
extern const char		*cl_tenant_ns[NTENANT_NS];

void	cl_init(void);

/* gen-event.c */
extern const char *const verb_names[];
void	ev_format(struct buf *, const struct req *, enum stage);

/* gen-workload.c */
enum scenario { SC_PLAIN, SC_EKS_CNINODES, SC_DENIALS };

struct scen_info {
	int64_t	change_at;	/* the ClusterRole update (requestReceived) */
	int64_t	first_patch;	/* when the controller starts patching */
	const char *change_what;
};

void	wl_init(enum scenario, int64_t start, uint64_t nevents,
	    int64_t rate_milli);
int64_t	wl_lines_per_req_milli(void);
int64_t	wl_next_periodic(void);
void	wl_background(struct rng *, int64_t t, struct req *);
void	wl_periodic(struct rng *, struct req *out, int *nout);
void	wl_scen_info(struct scen_info *);

#endif
