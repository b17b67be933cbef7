/*
 * GKE's Kubernetes audit entries in Cloud Logging name a request by the
 * AuditLog's methodName and resourceName instead of verb and objectRef:
 *
 *   methodName    io.k8s.core.v1.pods.create
 *                 io.k8s.core.v1.pods.exec.create          (a subresource)
 *                 io.k8s.authorization.rbac.v1.clusterroles.update
 *                 io.k8s.get                               (no resource)
 *   resourceName  core/v1/namespaces/NS/pods/NAME/status
 *                 rbac.authorization.k8s.io/v1/clusterroles/NAME
 *
 * The group in a methodName is the API group's DNS name reversed
 * ("authorization.rbac" under io.k8s is rbac.authorization.k8s.io,
 * aws.k8s.vpcresources is vpcresources.k8s.aws), "core" is the core group,
 * and the groups that predate the k8s.io suffix (apps, batch, autoscaling,
 * policy, extensions) stand alone.  The resourceName spells the group
 * exactly and is preferred for it; the methodName says the verb, resource
 * and subresource; namespace and name come from the resourceName (a
 * Namespace is its own namespace, as in Kubernetes' request info).
 * AuditLog's status is a gRPC code, mapped back to the HTTP code.
 */
#ifndef KS_GKE_H
#define KS_GKE_H

#include <stddef.h>

#define KS_GKE_BUFSZ	4096

/*
 * A request read from a methodName and a resourceName.  Every string is
 * NULL when unknown and otherwise points into buf; api_group is "" for the
 * core group.  path is set for a non-resource request.
 */
struct ks_gke_call {
	const char	*verb, *api_group, *api_version;
	const char	*resource, *subresource, *namespace, *name, *path;
	char		 buf[KS_GKE_BUFSZ];	/* owned storage */
	size_t		 used;
};

/* Read method and rname (either may be NULL) into *c. */
void	ks_gke_call(const char *method, const char *rname,
	    struct ks_gke_call *c);

/* The HTTP status code for a gRPC status code; 0 when there is none. */
int	ks_gke_http_code(long grpc);

/* The gRPC code's name ("PERMISSION_DENIED"), or NULL. */
const char *ks_gke_code_name(long grpc);

#endif
