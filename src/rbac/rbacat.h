/*
 * RBAC at time T: the Roles, ClusterRoles, RoleBindings and
 * ClusterRoleBindings as they stood at a moment, rebuilt from a snapshot
 * and the audit log's writes of those four kinds (rbacat-history.c loads
 * them, rbacat.c rebuilds).
 *
 * The base is the snapshot taken last at or before T (taken_at), else the
 * first one after T.  Each object is then rebuilt alone, from its writes
 * in the log (create, update, patch, delete, deletecollection; refused,
 * failed and dry-run writes change nothing):
 *
 *  - from the last write at or before T that holds its whole state (a
 *    delete; a create or update with its body; a patch with its
 *    responseObject), then the later writes up to T applied in order
 *    (patches as JSON patch when an array, else as strategic merge,
 *    rbacpatch.h);
 *  - else, when the first write after T is a create that succeeded, it did
 *    not exist at T;
 *  - else from the snapshot's copy, if the snapshot holds no write made
 *    after T (a write is held when it was made before taken_at, or its
 *    responseObject's resourceVersion is not newer than the copy's; the
 *    two are compared as numbers, etcd revisions, when both are); writes
 *    it does not hold are applied; one it may hold is applied only when
 *    applying it twice changes nothing (a body, a merge patch, a delete).
 *
 * Anything else is unknown: a write recorded at Metadata level (no body),
 * one whose outcome is not in the log, a server-side apply (the URI has
 * force=) without its response, a patch that does not apply.  The unknown
 * objects are listed, never guessed.
 */
#ifndef KS_RBACAT_H
#define KS_RBACAT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "rbac/rbac.h"
#include "util/err.h"

/* One write of an RBAC object, as the audit log holds it (owned). */
struct ks_rbac_write {
	int64_t		 time;		/* requestReceivedTimestamp, us */
	char		*audit_id;	/* NULL when the event has none */
	char		*actor;		/* the identity the authorizer judged */
	char		*verb;		/* create update patch delete
					   deletecollection */
	const char	*kind;		/* static: Role, ClusterRole, ... */
	char		*namespace;	/* NULL: cluster scope */
	char		*name;		/* NULL: not in the log (a create at
					   Metadata level, deletecollection) */
	int		 code;		/* final HTTP code; 0 = not in the log */
	int		 dry_run;	/* dryRun in the URI: changed nothing */
	int		 apply;		/* server-side apply (force= in URI) */
	int		 selector;	/* deletecollection with a selector */
	json_t		*request;	/* requestObject, or NULL */
	json_t		*response;	/* responseObject, or NULL */
	int64_t		 source_id, line; /* where the event is */
};

/* The RBAC evidence, loaded once for any number of moments. */
struct ks_rbac_hist;

/* Load every snapshot's RBAC objects and every RBAC write of the log.  A
   new history, the caller's (ks_rbac_hist_free accepts NULL); NULL with
   err. */
struct ks_rbac_hist *ks_rbac_hist_load(sqlite3 *db, struct ks_err *err);
void	ks_rbac_hist_free(struct ks_rbac_hist *);

/* The writes, in time order (borrowed from the history). */
const struct ks_rbac_write *ks_rbac_hist_writes(const struct ks_rbac_hist *,
	    size_t *n);

/* The latest moment of the evidence (the end of the log, or the newest
   snapshot's taken_at), or KS_TIME_NONE when a snapshot has no time (it
   cannot be placed: an imported fix, say) or there is nothing. */
int64_t	ks_rbac_hist_now(const struct ks_rbac_hist *);

/* The RBAC at one moment. */
struct ks_rbac_at {
	struct ks_rbac	*rbac;		/* the known objects (owned) */
	int64_t		 at;		/* T, us */
	int64_t		 snapshot_id;	/* the base; 0 = none */
	int64_t		 snapshot_at;	/* its taken_at */
	long		 applied;	/* writes applied to the base */
	json_t		*unknown;	/* array of {kind, namespace, name,
					   reason, audit_id, time, actor,
					   verb}: the objects whose state at
					   T the evidence does not hold */
	json_t		*warnings;	/* array of sentences */
};

/*
 * The RBAC at at_us.  A new struct, the caller's (ks_rbac_at_free accepts
 * NULL); NULL with err when out of memory or no snapshot has a time and
 * the log holds no write.
 */
struct ks_rbac_at *ks_rbac_at_build(const struct ks_rbac_hist *,
	    int64_t at_us, struct ks_err *err);
void	ks_rbac_at_free(struct ks_rbac_at *);

/*
 * The RBAC at at_us, built once and kept by the history (the last few
 * moments asked): borrowed until ks_rbac_hist_free.  NULL as
 * ks_rbac_at_build.
 */
struct ks_rbac_at *ks_rbac_hist_at(struct ks_rbac_hist *, int64_t at_us,
	    struct ks_err *err);

/*
 * The unknown objects that could change the answer for req: bindings in
 * req's scope (ClusterRoleBindings; RoleBindings of req's namespace), and
 * roles such a binding names (a ClusterRole also when a binding in scope
 * names an aggregated ClusterRole, which could take it in).  With
 * any_actor every binding in scope counts, else only those whose subjects
 * apply to req's user and groups.  A new array of entries of at->unknown.
 */
json_t	*ks_rbac_at_unknown_for(struct ks_rbac_at *,
	    const struct ks_rbac_request *req, int any_actor);

#endif
