#include <stdio.h>
#include <string.h>

#include "formats/cloudwatch.h"

/* The EKS control-plane streams, audit first (it shares a prefix). */
static const struct {
	const char		*prefix;
	enum ks_cw_stream	 kind;
} streams[] = {
	{ "kube-apiserver-audit-", KS_CW_AUDIT },
	{ "kube-apiserver-", KS_CW_CONTROL_PLANE },
	{ "authenticator-", KS_CW_CONTROL_PLANE },
	{ "kube-controller-manager-", KS_CW_CONTROL_PLANE },
	{ "cloud-controller-manager-", KS_CW_CONTROL_PLANE },
	{ "kube-scheduler-", KS_CW_CONTROL_PLANE },
};

#define NSTREAMS	(sizeof(streams) / sizeof(streams[0]))

enum ks_cw_stream
ks_cw_stream_kind(const char *stream)
{
	if (stream == NULL)
		return KS_CW_OTHER;
	for (size_t i = 0; i < NSTREAMS; i++)
		if (strncmp(stream, streams[i].prefix,
		    strlen(streams[i].prefix)) == 0)
			return streams[i].kind;
	return KS_CW_OTHER;
}

const char *
ks_cw_stream_in_path(const char *path, char *buf, size_t size)
{
	const char *p = path, *end;

	while (*p != '\0') {
		end = p + strcspn(p, "/!");
		for (size_t i = 0; i < NSTREAMS; i++) {
			size_t n = strlen(streams[i].prefix);
			if ((size_t)(end - p) > n &&
			    strncmp(p, streams[i].prefix, n) == 0) {
				snprintf(buf, size, "%.*s", (int)(end - p), p);
				return buf;
			}
		}
		p = *end != '\0' ? end + 1 : end;
	}
	return NULL;
}

/* A message that is a JSON object with the keys of an audit event. */
static int
looks_audit(const char *msg, size_t len)
{
	size_t i = 0, n;

	while (i < len && (msg[i] == ' ' || msg[i] == '\t'))
		i++;
	if (i >= len || msg[i] != '{')
		return 0;
	n = len - i < 1024 ? len - i : 1024;
	return memmem(msg + i, n, "\"auditID\"", 9) != NULL ||
	    memmem(msg + i, n, "\"audit.k8s.io/", 14) != NULL;
}

int
ks_cw_event(struct ks_member *m, const struct ks_cw_event *ev, int year,
    struct ks_cloud_tally *t, struct ks_err *err)
{
	switch (ks_cw_stream_kind(ev->stream)) {
	case KS_CW_AUDIT:
		return ks_cloud_audit_text(m, ev->msg, ev->len, ev->line,
		    ev->time_us, t, err);
	case KS_CW_CONTROL_PLANE:
		return ks_cloud_scan(m, ev->msg, ev->len, ev->line,
		    ev->time_us, year, t, err);
	case KS_CW_OTHER:
		break;
	}
	if (looks_audit(ev->msg, ev->len))
		return ks_cloud_audit_text(m, ev->msg, ev->len, ev->line,
		    ev->time_us, t, err);
	t->other_logs++;
	return ks_cloud_scan(m, ev->msg, ev->len, ev->line, ev->time_us, year,
	    t, err);
}
