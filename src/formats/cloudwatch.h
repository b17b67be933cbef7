/*
 * CloudWatch Logs events, whatever carried them (filter-log-events output,
 * subscription envelopes, S3 export lines, Logs Insights results): each is
 * a log stream, a time and a message, and goes where its stream says.
 *
 * EKS writes its control-plane logs to the log group
 * /aws/eks/CLUSTER/cluster, one stream per component and instance:
 * kube-apiserver-audit-* streams hold audit events (one JSON event per
 * message); kube-apiserver-*, authenticator-*, kube-controller-manager-*,
 * cloud-controller-manager-* and kube-scheduler-* hold plain log lines,
 * scanned for RBAC denials.  A message of an unknown stream (or of no
 * known stream, as in an export without stream names) that is a JSON
 * object with audit keys is read as an audit event; any other is scanned
 * for denials and counted as another stream's.
 */
#ifndef KS_CLOUDWATCH_H
#define KS_CLOUDWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "formats/cloud.h"

enum ks_cw_stream {
	KS_CW_OTHER,		/* unknown, or no stream name */
	KS_CW_AUDIT,		/* kube-apiserver-audit-* */
	KS_CW_CONTROL_PLANE	/* the other EKS control-plane streams */
};

/* Which kind of stream a name (which may be NULL) is. */
enum ks_cw_stream ks_cw_stream_kind(const char *stream);

/*
 * The EKS stream named by an element of path (an S3 export object is
 * stored under .../STREAM/000000.gz), copied into buf; NULL when none.
 */
const char *ks_cw_stream_in_path(const char *path, char *buf, size_t size);

/* One log event; every pointer is borrowed for the call. */
struct ks_cw_event {
	const char	*stream;	/* its log stream, or NULL */
	int64_t		 time_us;	/* its timestamp, or KS_TIME_NONE */
	const char	*msg;		/* the message, not NUL-terminated */
	size_t		 len;
	uint64_t	 line;		/* where it is in the member */
};

/*
 * Store one event where its stream says (above).  Returns 0, or -1 when
 * the import must stop.
 */
int	ks_cw_event(struct ks_member *m, const struct ks_cw_event *ev,
	    int year, struct ks_cloud_tally *t, struct ks_err *err);

#endif
