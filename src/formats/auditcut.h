/*
 * Audit events that a cloud cut short.  CloudWatch Logs cuts a long EKS
 * audit message and ends it with "[Truncated...]"; Azure Monitor cuts
 * properties.log at 16 KiB; other exports cut at their own limits.  What is
 * left is not JSON, but its start still says who did what.  The recovery
 * here is a tolerant scanner over that text: it follows the nesting of the
 * top-level object and reads the fields it knows (auditID, stage, level,
 * verb, requestURI, userAgent, sourceIPs, user, impersonatedUser,
 * objectRef, responseStatus.code and .message, the authorization
 * annotations, the two timestamps) wherever they are, and stops where the
 * text stops.  A value cut by the end of the text is not read.  Keys of
 * nested objects (a requestObject's "name", say) are never mistaken for
 * the event's own.
 */
#ifndef KS_AUDITCUT_H
#define KS_AUDITCUT_H

#include <stddef.h>

#include <jansson.h>

#include "formats/audit.h"

#define KS_AUDITCUT_MARK	"[Truncated...]"	/* CloudWatch's */

enum {
	KS_AUDITCUT_STRINGS = 20,	/* string fields read */
	KS_AUDITCUT_ARRAYS = 3		/* groups, impersonated groups, IPs */
};

/*
 * A recovered event.  row's strings and arrays are owned by this struct
 * and released by ks_auditcut_clear().
 */
struct ks_auditcut {
	struct ks_audit_row row;	/* row.partial is 1 */
	char	*str[KS_AUDITCUT_STRINGS];
	json_t	*arr[KS_AUDITCUT_ARRAYS];
};

/*
 * Read text[0..len) as the start of an audit event (a trailing
 * KS_AUDITCUT_MARK is ignored).  Returns 1 with *c filled when it is one
 * (a JSON object, left open, with an auditID, verb or requestURI, and no
 * kind other than "Event"), 0 when it is not (*c then owns nothing; text
 * whose object is closed was not cut, and is not for recovery), -1 when
 * memory ran out.
 */
int	ks_auditcut_recover(const char *text, size_t len,
	    struct ks_auditcut *c);

/* Free what c owns (c may be NULL) and zero it. */
void	ks_auditcut_clear(struct ks_auditcut *c);

/* 1 when text ends with KS_AUDITCUT_MARK (blanks after it allowed). */
int	ks_auditcut_marked(const char *text, size_t len);

#endif
