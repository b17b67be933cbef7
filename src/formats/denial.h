/*
 * The plain-log RBAC denial parser: find the text of one refused request in
 * one line of a controller or pod log, and take it apart.
 *
 * A pure module: no I/O, no globals, nothing printed.  The line is bytes, not
 * a C string; it may hold NUL bytes and invalid UTF-8, and is never read past
 * its length.  Every string the parser fills in is a new, NUL-terminated,
 * valid UTF-8 string owned by the struct (invalid bytes become U+FFFD) and
 * released by ks_denial_clear().
 *
 * Forms recognised, anywhere in the line (klog, logfmt, zap or
 * controller-runtime JSON, `Error from server (Forbidden):`, Status JSON,
 * with quotes plain, `\"` or `\\\"`):
 *
 *   KS_DENIAL_RBAC      [R[.G] ["NAME"] is forbidden: ]User "U" cannot VERB
 *                       resource "R[/S]" in API group "G" (at the cluster
 *                       scope|in the namespace "N")[: REASON]   (1.11 and up)
 *   KS_DENIAL_PATH      [forbidden: ]User "U" cannot VERB path "P"[.][: REASON]
 *   KS_DENIAL_LEGACY    User "U" cannot VERB R[.G][/S] (at the cluster
 *                       scope|in the namespace "N")[.][: REASON]  (1.6-1.10)
 *   KS_DENIAL_OPENSHIFT OpenShift 3: User "U" cannot VERB R in project "N",
 *                       cannot list all R in the cluster, cannot "VERB" "R"
 *                       with name "X" in project "N", cannot "VERB" on "URL"
 *   KS_DENIAL_KUBELET   Forbidden (user=U, verb=V, [namespace=N, ]resource=R,
 *                       subresource=S)   (the kubelet and kube-rbac-proxy)
 *
 * Damaged text, as pasted by people, is read when what is left cannot be
 * anything else, and marked `repaired`: a user with its opening or closing
 * quote missing (`User system:x" cannot`), or a 1.11 denial whose "User"
 * was cut off (`> "system:x" cannot patch resource "nodes" in API group ""
 * at the cluster scope`).  Only the first denial of a line is returned; its
 * reason runs to the end of the enclosing string (or line), so a second one
 * stays inside that reason.
 */
#ifndef KS_DENIAL_H
#define KS_DENIAL_H

#include <stddef.h>
#include <stdint.h>

/* Which wording the denial used (see above). */
enum ks_denial_form {
	KS_DENIAL_NONE = 0,
	KS_DENIAL_RBAC,		/* `resource "R" in API group "G"` */
	KS_DENIAL_PATH,		/* `path "/P"`, a non-resource URL */
	KS_DENIAL_LEGACY,	/* `cannot VERB R[.G][/S] ...` */
	KS_DENIAL_OPENSHIFT,	/* `in project "N"` and kin */
	KS_DENIAL_KUBELET	/* `Forbidden (user=U, ...)` */
};

/*
 * One denial.  api_group is "" for the core group and NULL when the form
 * does not say (PATH, OPENSHIFT, KUBELET, and LEGACY without a dot);
 * namespace is NULL at cluster scope.
 */
struct ks_denial {
	char	*user;		/* "eks:vpc-resource-controller"; "" ok */
	char	*verb;		/* "patch" */
	char	*resource;	/* "cninodes"; NULL for a path */
	char	*subresource;	/* "log" for "pods/log", else NULL */
	char	*api_group;	/* "vpcresources.k8s.aws", "", NULL */
	char	*namespace;	/* `in the namespace`, `in project` */
	char	*name;		/* `<res> "NAME" is forbidden`, or NULL */
	char	*path;		/* "/healthz" for a path, else NULL */
	char	*reason;	/* after the scope's ": ", or NULL; at
				   most KS_DENIAL_MAX_REASON bytes */
	int64_t	 time_us;	/* the line's own time, or KS_TIME_NONE */
	int	 form;		/* enum ks_denial_form */
	int	 repaired;	/* 1: damaged text (a quote or "User"
				   missing) was read anyway */
	size_t	 start;		/* line[start..end) is the denial, from */
	size_t	 end;		/*   "X is forbidden:" to the scope */
};

#define KS_DENIAL_MAX_FIELD	4096	/* longer values are not read */
#define KS_DENIAL_MAX_REASON	4096	/* reasons are cut here */
#define KS_DENIAL_MAX_TRIES	256	/* "cannot "s tried per line */

/*
 * Find the first denial in line[0..len).  Return 1 and fill *d, whose
 * strings the caller frees with ks_denial_clear(); 0 when the line holds
 * none; -1 with errno set to ENOMEM when memory ran out.  On 0 and -1 *d is
 * zeroed and owns nothing.  year_hint is the year given to klog timestamps,
 * which carry none.  Only the first KS_DENIAL_MAX_TRIES occurrences of
 * "cannot " (and of "Forbidden (user=") are examined, which bounds the
 * work on hostile lines.
 */
int	ks_denial_parse(const char *line, size_t len, int year_hint,
	    struct ks_denial *d);

/* Free the strings of d (which may be NULL) and zero it. */
void	ks_denial_clear(struct ks_denial *d);

/* "rbac", "path", "legacy", "openshift", "kubelet", or "none". */
const char *ks_denial_form_name(int form);

/*
 * The line's own time in microseconds, or KS_TIME_NONE.  At the start of the
 * line (after blanks and one '['): an RFC 3339 time with a zone, a klog
 * header `E0727 18:09:24.847396` (also after "ERROR: logging before
 * flag.Parse: "; in year_hint) or a Go log time `2018/12/07 23:21:45`; both
 * of the last carry no zone and are read as UTC.  Else the first JSON field
 * "ts", "time", "timestamp" or "@timestamp", or logfmt ts=, time= or
 * timestamp=, holding RFC 3339 or an epoch number: seconds, or milli-, micro-
 * or nanoseconds when its integer part has more than 11, 14 or 17 digits.
 */
int64_t	ks_denial_line_time(const char *line, size_t len, int year_hint);

/* --- used by denial.c, exposed for tests --- */

/*
 * The first kubelet-form denial (KS_DENIAL_KUBELET) in line[0..len), with
 * ks_denial_parse's return values and ownership; time_us is left 0
 * (denial-kubelet.c).
 */
int	ks_denial_kubelet(const char *line, size_t len, struct ks_denial *d);

/*
 * s[0..n) with its backslash escapes (the union of JSON's and Go's %q) undone
 * `times` times, as a new NUL-terminated string of at most max bytes, cut at
 * a character boundary; each invalid UTF-8 byte becomes U+FFFD (as Go's
 * encoding/json does) and an escape that would give a NUL is kept as it is.
 * The caller frees it; NULL when out of memory (denial-text.c).
 */
char	*ks_denial_unescape(const char *s, size_t n, int times, size_t max);

#endif
