/*
 * Shared by the pieces of module unused only: unused.c (the grants and
 * their use), unused-req.c (the allowed requests, grouped, in one pass,
 * that unused-scan.c reads and unused-group.c groups) and unused-tighten.c
 * (the tightened roles and their replay).
 */
#ifndef KS_UNUSED_INT_H
#define KS_UNUSED_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "rbac/rbac.h"
#include "util/err.h"

/* One group of allowed requests, kept in memory for the replays. */
struct ks_unused_group {
	struct ks_rbac_request req;	/* every string and groups owned */
	long long	 count;		/* requests in the group */
	int64_t		 first_us, last_us; /* their times; KS_TIME_NONE:
					   none has one */
};

/* One (binding, subject, rule): a grant, and what of it was used. */
struct ks_unused_use {
	const struct ks_rbac_binding *binding;	/* borrowed from rbac */
	size_t		 subject;	/* index into binding->subjects */
	size_t		 rule;		/* index into binding->role->rules */
	int		 selected;	/* passes --actor and --namespace */
	long long	 requests;	/* allowed requests it matched */
	int64_t		 first_us, last_us; /* the first and last of them;
					   KS_TIME_NONE: none (or no time) */
	json_t		*used;		/* owned: "R\tGROUP\tRES[/SUB]" or
					   "U\tPATH" -> {verb: count} */
};

/* The grants of one run. */
struct ks_unused {
	sqlite3		*db;
	struct ks_rbac	*rbac;		/* owned */
	struct ks_rbac_binding *const *b; /* borrowed from rbac */
	size_t		 nb;
	size_t		*base;		/* per binding: its first use, or
					   SIZE_MAX (role unresolved) */
	struct ks_unused_use *uses;	/* owned, nuses of them */
	size_t		 nuses;
	int64_t		 since_us, until_us; /* KS_TIME_NONE: open */
	long long	 requests;	/* allowed requests of the window */
	struct ks_unused_group *reqs;	/* owned: the requests, grouped */
	size_t		 nreqs, capreqs;
	int64_t		 row_first_us;	/* the times of the row being
					   loaded (ks_unused_load only) */
	int64_t		 row_last_us;
	const char	**only;		/* owned array of borrowed names: read
					   only these users' requests (as
					   actor or impersonator); NULL: all */
	size_t		 nonly;
	void		(*progress)(void *); /* now and then while reading;
					   may be NULL */
	void		*progress_arg;
};

/* One group of the window's final stages, as ks_unused_scan gives it
   (strings borrowed for the call). */
struct ks_unused_row {
	const char	*actor, *groups, *verb, *api_group, *resource;
	const char	*subresource, *namespace, *name, *path;
	const char	*impersonator, *impersonator_groups;
	int		 allowed;	/* the authorizer allowed them */
	long long	 n;		/* requests: distinct auditIDs */
	int64_t		 lo, hi;	/* first and last time; KS_TIME_NONE */
};
typedef int	(*ks_unused_row_fn)(const struct ks_unused_row *r, void *arg);

/*
 * Group the final stage of each request of u's window (ResponseComplete,
 * Panic or none; with a verb; allowed, or impersonated) by actor, groups,
 * verb, API group, resource, subresource, namespace, name (names: kept
 * for the resources of "|configmaps|leases|", or every one when
 * all_names; never for a create or deletecollection of a collection),
 * path (a non-resource request's URI without its query), allowed,
 * impersonator and its groups; hand each group to fn in the order of
 * those columns (actor and impersonator by string id), until fn returns
 * nonzero.  With u->only, the groups of those users' requests alone (as
 * actor, or impersonator), through the actor and impersonator indexes.
 * 0, fn's nonzero return, or -1 with err.  unused-scan.c.
 */
int	ks_unused_scan(struct ks_unused *u, const char *names, int all_names,
	    ks_unused_row_fn fn, void *arg, struct ks_err *err);

/*
 * The groups themselves (unused-group.c), filled by ks_unused_scan a row
 * at a time: a row of its statement holds actor_id, the groups' id, verb,
 * api_group, resource, subresource, namespace, name, path, allowed, the
 * impersonator's id and its groups' id, the request's key (auditID, or
 * the row's own), received_us and the row's id.  The same row twice is
 * one key twice: counted once.  _add 0 or -1 (out of memory); _emit as
 * ks_unused_scan.
 */
struct ks_unused_groups;
struct ks_unused_groups *ks_unused_groups_new(sqlite3 *db);
int	ks_unused_groups_add(struct ks_unused_groups *s, sqlite3_stmt *st);
int	ks_unused_groups_emit(struct ks_unused_groups *s, ks_unused_row_fn fn,
	    void *arg, struct ks_err *err);
void	ks_unused_groups_free(struct ks_unused_groups *s);

/* Called for each group of allowed requests; nonzero stops the walk. */
typedef int	(*ks_unused_req_fn)(const struct ks_rbac_request *req,
	    long long count, void *arg);

/*
 * Read every allowed request of the window into u->reqs, grouped by
 * actor, groups, verb, API group, resource, subresource, namespace, name
 * (only for resources that rules with resourceNames name) and path (one
 * pass over the final stages of audit_events: ks_unused_scan), with the
 * impersonation each impersonated request needed of its impersonator.
 * 0, or -1 with err.  ks_unused_unload() frees them.
 */
int	ks_unused_load(struct ks_unused *u, struct ks_err *err);
void	ks_unused_unload(struct ks_unused *u);

/* Hand each group of u->reqs to fn, until it returns nonzero.  The
   request is borrowed for the call. */
void	ks_unused_requests(const struct ks_unused *u, ks_unused_req_fn fn,
	    void *arg);

/*
 * The span of the audit log in the window, as the object of "span" in
 * ks_unused_plan() (requests from u->requests); NULL with err.
 */
json_t	*ks_unused_span(const struct ks_unused *u, struct ks_err *err);

/* Does binding b take part in judging req (scope)? */
int	ks_unused_in_scope(const struct ks_rbac_binding *b,
	    const struct ks_rbac_request *req);

/* The keys of the object set, sorted, as a new JSON array. */
json_t	*ks_unused_sorted_keys(const json_t *set);

/* The tightened roles (ks_unused_plan's "tightened"); NULL with err. */
json_t	*ks_unused_tighten(struct ks_unused *u, struct ks_err *err);

#endif
