/*
 * Shared by rbacat-history.c (loading) and rbacat.c (rebuilding) only: the
 * history's insides.
 */
#ifndef KS_RBACAT_INT_H
#define KS_RBACAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rbac/rbacat.h"

#define KS_RBACAT_MEMO	4	/* moments a history keeps built */

/* A snapshot with a time. */
struct ks_rbac_snap {
	int64_t		 id;
	int64_t		 taken_at;	/* KS_TIME_NONE: unknown */
};

/* One RBAC object of one snapshot (owned). */
struct ks_rbac_obj {
	int64_t		 snapshot_id;
	const char	*kind;		/* static */
	char		*namespace;	/* NULL: cluster scope */
	char		*name;
	json_t		*body;
};

struct ks_rbac_hist {
	struct ks_rbac_snap *snaps;	/* by taken_at, then id */
	size_t		 nsnaps;
	struct ks_rbac_obj *objs;	/* by snapshot, then reading order */
	size_t		 nobjs;
	struct ks_rbac_write *writes;	/* by time, then reading order */
	size_t		 nwrites;
	int64_t		 log_first, log_last; /* the audit log's span;
					   KS_TIME_NONE when empty */
	long		 untimed;	/* RBAC writes without a time */
	size_t		 with_body;	/* writes with a request or response */
	int		 raw_error;	/* the raw events could not be read */
	struct ks_rbac_at *memo[KS_RBACAT_MEMO]; /* ks_rbac_hist_at's */
	size_t		 next;		/* the memo slot to fill next */
};

/* "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding" for a kind
   or a resource name (roles, ...), or NULL. */
const char *ks_rbac_at_kind(const char *kind_or_resource);

/* The write's body as applied: response, else request for create and
   update; NULL when neither (borrowed). */
json_t	*ks_rbac_write_body(const struct ks_rbac_write *);

/* An entry of at->unknown (rbacat-notes.c); w may be NULL. */
void	ks_rbac_at_unknown_add(struct ks_rbac_at *at, const char *kind,
	    const char *ns, const char *name, const struct ks_rbac_write *w,
	    const char *reason);

/* The unknown objects the log names without a name, and the warnings
   about the evidence (rbacat-notes.c). */
void	ks_rbac_at_notes(const struct ks_rbac_hist *h, struct ks_rbac_at *at);

#endif
