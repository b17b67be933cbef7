/*
 * An audit event as the columns of audit_events.  Every reader of audit
 * evidence (native files, CloudWatch, Cloud Logging, Azure Monitor) fills
 * one of these, so a request lands in the same columns whatever carried it.
 */
#ifndef KS_AUDIT_H
#define KS_AUDIT_H

#include <stdint.h>

#include <jansson.h>

/* Strings and json_t are borrowed from the event they were read from. */
struct ks_audit_row {
	const char	*audit_id, *stage, *level, *verb;
	const char	*username;
	json_t		*user_groups;		/* array or NULL */
	const char	*impersonated_user;
	json_t		*impersonated_groups;	/* array or NULL */
	json_t		*source_ips;		/* array or NULL */
	const char	*user_agent;
	const char	*resource, *subresource, *api_group, *api_version;
	const char	*namespace, *name;
	const char	*request_uri;
	int		 code;			/* 0 = none */
	const char	*decision, *authz_reason;
	int64_t		 received_us, stage_us;	/* KS_TIME_NONE = none */
	int		 partial;		/* fields recovered from a cut record */
	/*
	 * What the store keeps beside the columns (a refused request's
	 * message, a write's object), as the event read holds them, so that
	 * the store need not read the raw bytes again.  extras: 1 when the
	 * reader filled these (else the store reads them from the bytes).
	 * message: responseStatus.message, else protoPayload.status.message
	 * (a string; NULL for none).  requestObject (a Cloud Logging entry's
 * protoPayload.request): request_object, or its
	 * JSON text as read (request_object_text, _len); both NULL for none.
	 */
	int		 extras;
	const char	*message;
	json_t		*request_object;
	const char	*request_object_text;
	size_t		 request_object_len;
};

/*
 * Fill the extras of row (above) from ev, the event its raw bytes hold
 * (the native event, or a Cloud Logging entry).
 */
void	ks_audit_extras(json_t *ev, struct ks_audit_row *row);

/*
 * Fill row from a Kubernetes audit Event (audit.k8s.io v1 or v1beta1, with
 * or without apiVersion/kind).  Returns 0, or -1 with *why (a static string)
 * when ev is not an audit event.
 */
int	ks_audit_from_json(json_t *ev, struct ks_audit_row *row,
	    const char **why);

/* The arrays of a row as JSON text, as jansson prints them compact. */
struct ks_audit_json {
	const char	*user_groups, *impersonated_groups, *source_ips;
};

/*
 * The text columns of a row (audit_events' parameters 3 to 19, then 21 and
 * 22; 20 is the code), borrowed from row and arrays; and their lengths
 * (-1 for NULL), measured by the reader so the writer need not.
 */
#define KS_AUDIT_NTEXT	19
void	ks_audit_texts(const struct ks_audit_row *row,
	    const struct ks_audit_json *arrays, const char *v[KS_AUDIT_NTEXT]);
void	ks_audit_measure(const struct ks_audit_row *row,
	    const struct ks_audit_json *arrays, int len[KS_AUDIT_NTEXT]);

/*
 * Fill row and js from the bytes of one audit event, without jansson, when
 * the reader is sure to give what ks_audit_from_json would.  The strings
 * are written into out, which must hold KS_AUDIT_SCAN_OUT(len) bytes; the
 * row's json_t fields stay NULL.  Returns the bytes of out used, or -1
 * when unsure (the bytes may still be a good event: parse them with
 * jansson then).  It is also unsure of an event nested deeper than
 * max_depth (0: no limit of the caller's), or with a top-level "items"
 * array (which jscan.h would split).
 */
#define KS_AUDIT_SCAN_OUT(len)	(2 * (len) + 64)
long	ks_audit_scan(const char *p, size_t len, int max_depth, char *out,
	    size_t outsz, struct ks_audit_row *row, struct ks_audit_json *js);

#endif
