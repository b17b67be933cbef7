/*
 * Shared by remediate.c (the plan) and remediate-fix.c (one change, and
 * the requests it judges) only: the pieces of module remediate.
 */
#ifndef KS_REMEDIATE_INT_H
#define KS_REMEDIATE_INT_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "rbac/rbac.h"
#include "rbac/rbacat.h"
#include "rbac/rbacdb.h"
#include "rbac/remediate.h"
#include "store/filter.h"
#include "util/timeutil.h"

/* --- remediate-memo.c: what a plan reads once and asks many times --- */

/* The columns that make a denial group (the names of its JSON keys). */
#define KS_REMEDIATE_KEYS	8
extern const char *const ks_remediate_group_keys[KS_REMEDIATE_KEYS];

/* --- remediate-groups.c: the denial groups --- */

/* The columns of a denial group as SQL groups the denials view. */
#define KS_REMEDIATE_COLS	17

/*
 * The denial groups that filter (resolved) selects, grouped as `denied`
 * groups them, in the order of actor, namespace, API group, resource,
 * subresource and verb: into s (s->v, s->n, their text s's); -1 with err.
 */
int	ks_remediate_groups(sqlite3 *db, const struct ks_filter *filter,
	    struct ks_remediate_store *s, struct ks_err *err);
/* Free s's groups (s->v). */
void	ks_remediate_groups_free(struct ks_remediate_store *s);

/* --- remediate-groups.c and remediate-fold.c: the groups in the making
   (the audit log's refusals folded into them: remediate-fold.c) --- */

/* An auditID folded: its 16-byte key (a UUID's, audit-key.h), or its
   text. */
struct ks_remediate_akey {
	uint8_t	 k[16];
	char	*text;		/* (owned) when not a key */
	int	 set, blob;
};

/*
 * One group in the making: the columns of the SQL's rows, as text, and
 * what the fold and the sort keep of it, where the plan's group goes once
 * made.  Made with SQLite's allocator, whose blocks come from huge pages
 * in a query process (store/sqlmem.h): tens of thousands of groups, each
 * fresh 4 KiB page of them a fault, and every byte of them zeroed by the
 * system first (kept small: 472 bytes, not 720).
 */
struct ks_grp {
	union {
		struct ks_remediate_group pub;	/* the plan's, made of col
						   last (first: the plan frees
						   it as a grp) */
		struct {	/* before pub is made: the fold and the sort
				   (what each folded request touches first,
				   on as few cache lines as can be) */
			long long n;		/* its requests */
			int64_t	 t0, t1;	/* first and last time */
			struct ks_remediate_akey ex[2];	/* the least and
						   greatest auditID */
			int	 timed;
			int	 have[2];
			int64_t	 ids[2];	/* the strings of col 12 and
						   14 folded last
						   (read_requests) */
			const char *best[2];	/* and the greatest of their
						   text (borrowed from its
						   text cache) */
			int64_t	 gid;		/* rollup_groups(id); 0: a
						   log's */
			uint32_t rank[7];	/* of col 0 to 5 and 15 among
						   the groups' texts (0:
						   NULL), for the sort
						   (remediate-groups.c) */
			uint64_t key[2];	/* the sort's first six
						   ranks, packed */
		};
	};
	char	*col[KS_REMEDIATE_COLS];
	unsigned owned;			/* bit c: col[c] is the group's own
					   copy (else interned, or in tbuf
					   or abuf) */
	int	 made;			/* pub is made (no ex to free) */
	char	 tbuf[2][28];		/* the text of col 8 and 9 */
	char	 abuf[2][37];		/* and of col 10 and 11 */
};

/* The groups found so far: an array, and (gid, path) -> index. */
struct ks_fold {
	struct ks_grp	**v;
	size_t		  n, cap;
	json_t		 *index;	/* of the groups with a path */
	size_t		 *by_gid;	/* gid -> 1 + index, the group
					   without a path (0: none yet) */
	size_t		  ngid;
	int		  odd;	/* a time SQL would print otherwise */
	struct ks_remediate_intern *in;	/* the shared columns' */
};

/* A new group, zeroed; NULL when out of memory. */
struct ks_grp *ks_remediate_grp_new(void);
/* Free group g (NULL: nothing). */
void	ks_remediate_grp_free(struct ks_grp *g);
/* Column col of g from s: interned (in) when many groups share it, else
   the group's own copy. */
void	ks_remediate_grp_set(struct ks_remediate_intern *in, struct ks_grp *g,
	    int col, const unsigned char *s);
/* Make room for one more group in f; -1 when out of memory. */
int	ks_remediate_fold_room(struct ks_fold *f);

/*
 * The audit log's groups of refusals (remediate-fold.c), into f (its
 * index made): each read once in the order they are stored, folded per
 * rollup group and path, with their text (SQL's columns 0-16, origin
 * audit); those that hold none dropped.  1 when a time would print
 * otherwise than SQL prints it (then SQL must group them), -1 on an
 * SQLite error or out of memory.
 */
int	ks_remediate_fold_audit(sqlite3 *db, struct ks_fold *f);

/*
 * The text of strings(id), each read once (ks_remediate_text_init; its
 * fields are its own): ks_remediate_text_get returns it (borrowed while t
 * lives), or NULL when there is none or on an error (then *err is 1).
 */
struct ks_remediate_text {
	sqlite3_stmt	*st;
	struct slot	*slots;
	size_t		 n, cap;
};
int	ks_remediate_text_init(struct ks_remediate_text *t, sqlite3 *db);
const char *ks_remediate_text_get(struct ks_remediate_text *t, int64_t id,
	    int *err);
void	ks_remediate_text_free(struct ks_remediate_text *t);

/*
 * Strings kept once each (ks_remediate_intern: the same text, the same
 * pointer, valid until ks_remediate_intern_free; NULL for NULL or when
 * out of memory), and their JSON strings made once
 * (ks_remediate_intern_json: a new reference; null for NULL).  Start
 * zeroed.
 */
struct ks_remediate_intern {
	struct ks_remediate_atom *v;
	size_t		 n, cap;
};
const char *ks_remediate_intern(struct ks_remediate_intern *t,
	    const char *s);
json_t	*ks_remediate_intern_json(struct ks_remediate_intern *t,
	    const char *s);
void	ks_remediate_intern_free(struct ks_remediate_intern *t);

/* A plan's groups and everything they point to. */
struct ks_remediate_store {
	struct ks_remediate_group **v;	/* (ks_remediate_groups_free) */
	size_t			 n;
	struct ks_remediate_intern in;		/* shared columns, classes,
						   reasons */
	json_t			*parsed;	/* groups' text -> JSON */
};

/* Append g to l; -1 when out of memory. */
int	ks_remediate_list_add(struct ks_remediate_list *l,
	    struct ks_remediate_group *g);

/* One plan's lookups (ks_remediate_memo_init; the fields are its own). */
struct ks_remediate_memo {
	sqlite3			*db;
	const struct ks_filter	*filter;	/* the plan's (borrowed) */
	json_t			*classes;	/* actor -> identity class */
	json_t			*resources;	/* group and resource -> index in
						   facts (-1: not found) */
	struct ks_resource_facts *facts;
	size_t			 nfacts, capfacts;
	json_t			*named;		/* group key -> [[name, count]]:
						   the refusals replay reads when
						   names matter; NULL until then */
	json_t			*known_keys;	/* ks_remediate_known_keys, or
						   NULL: look every group up */
	json_t			*refusals;	/* actor -> ks_remediate_refusals */
	sqlite3_stmt		*refusals_st;	/* ks_remediate_refusals' */
	sqlite3_stmt		*known_st;	/* known issues of a group */
	sqlite3_stmt		*class_st;	/* an actor's identity class */
	const char		*last_actor;	/* ks_remediate_identity's last
						   answer: its actor (borrowed
						   from the plan's groups), */
	char			 last_class[64];	/* class */
	int			 last_component;	/* and answer */
};

/* Start m for db and filter (borrowed while m lives); free with
   ks_remediate_memo_free. */
void	ks_remediate_memo_init(struct ks_remediate_memo *m, sqlite3 *db,
	    const struct ks_filter *filter);
void	ks_remediate_memo_free(struct ks_remediate_memo *m);

/*
 * The refusals of denial group g (those m's filter selects) that patched
 * allows: the replay of the group against a changed RBAC.  names: does a
 * rule of patched name objects (else no refused request's name changes
 * the answer, and the group is judged once, without reading its
 * refusals); when it does, the refusals' names are read once per plan.
 */
long	ks_remediate_replay(struct ks_remediate_memo *m,
	    struct ks_rbac *patched, int names,
	    const struct ks_remediate_group *g);

/*
 * The facts of group/resource (ks_rbacdb_resource), each read once per
 * plan: borrowed until the next call; NULL when they cannot be read.
 */
const struct ks_resource_facts *ks_remediate_resource(
	    struct ks_remediate_memo *m, const char *group,
	    const char *resource);

/* One proposed change in the making: the denials of one actor in one scope. */
struct ks_remediate_fix {
	const char	*actor;		/* borrowed from the first group */
	const char	*namespace;	/* NULL: cluster scope */
	const char	*class;		/* "component" or "person" */
	char		 reason[1024];	/* why it gets a change */
	struct ks_remediate_list groups;	/* the denial groups */
	json_t		*rules;		/* merged rules (array, owned) */
	struct ks_remediate_memo *memo;	/* the plan's (borrowed) */
};

/*
 * The patterns of the known issues (known_issues: actor, api_group and
 * resource, GLOB patterns, and verbs, an array, or null when it is not
 * one), so that a change looks up in known_issue_matches only the groups
 * that may match one, whatever the server's version: an array of [actor,
 * api_group, resource, verbs]; NULL when it cannot be read (then every
 * group is looked up).
 */
json_t	*ks_remediate_known_keys(sqlite3 *db);

/* The known issues the denials of f match (known_issue_matches), each
   once: a new array (remediate-known.c). */
json_t	*ks_remediate_known(struct ks_remediate_fix *f);

/*
 * A denial group as the request the authorizer judged (borrowed strings;
 * groups, of maxgroups entries, receives the group's groups).
 */
void	ks_remediate_request(const struct ks_remediate_group *group,
	    struct ks_rbac_request *req, const char **groups,
	    size_t maxgroups);

/*
 * Build the change object for f, its denials (those filter selects)
 * replayed against the changed RBAC; NULL when out of memory.
 */
json_t	*ks_remediate_change(struct ks_rbac *rbac,
	    struct ks_remediate_fix *f);

/*
 * Is actor a component (its identity class, from identity_classes, one
 * of control-plane, controller, node, service-account, cloud-provider)?
 * 1 yes, 0 no (a person: human, anonymous, unknown); cls (size sz)
 * receives the identity class.
 */
int	ks_remediate_identity(struct ks_remediate_memo *m, const char *actor,
	    char *cls, size_t sz);

/*
 * The actors of high or critical findings of the detections view
 * (sql/011-detections.sql), each with the rule of its most severe, then
 * earliest, finding: a new object actor -> rule, read once per plan.  It
 * is empty when there is none or the view is missing (a database not yet
 * upgraded); NULL only when out of memory.
 */
json_t	*ks_remediate_suspects(sqlite3 *db);

/* The rule suspects names actor by, or NULL; borrowed from suspects. */
const char *ks_remediate_detection(const json_t *suspects,
	    const char *actor);

/*
 * The refusals of actor in the whole evidence (the denials view, every
 * filter ignored: whether a component's refusals repeat is a fact of the
 * evidence, not of the window looked at), counted up to 2 from the audit
 * log and up to 2 from plain logs (so 1 is exact, more is "more than
 * one"), read once per actor; -1 on an SQLite error.
 */
long long	ks_remediate_refusals(struct ks_remediate_memo *m,
	    const char *actor);

/*
 * The same, kept in m for the actors of v[0..n) that have a group of one
 * refusal, from the groups' counts: v is every denial group of the
 * evidence (no filter), those of one actor together, their actors
 * interned (one text, one pointer).  The audit log's refusals of an
 * actor are its groups' of origin audit, the plain logs' those of origin
 * log (the rows of log_denials_only).
 */
void	ks_remediate_refusals_fill(struct ks_remediate_memo *m,
	    struct ks_remediate_group **v, size_t n);

/* Was actor named exactly with --actor? */
int	ks_remediate_named(const struct ks_filter *f, const char *actor);

/*
 * Why the permission denial group g asks for is dangerous (a sentence in
 * buf, of size sz, returned), or NULL when it is not.
 */
const char *ks_remediate_dangerous(const struct ks_remediate_group *g,
	    char *buf, size_t sz);

/* --- remediate-cause.c: was it a gap at the time of the denials, and
   which RBAC write made it one --- */

/* How far before the first denial a write is looked for, in us. */
#define KS_CAUSE_WINDOW		(24LL * 3600 * 1000000)

/*
 * The cause of the denials of group g (a denial group of remediate.h:
 * actor, verb, api_group, resource, subresource, namespace, path, groups,
 * first_seen): the last RBAC write in the KS_CAUSE_WINDOW before its
 * first denial such that the RBAC just before the write allowed the
 * request and the RBAC just after it did not, with no object of unknown
 * state that could allow it.  A new object {audit_id, time, actor, verb,
 * kind, namespace, name, seconds_before, allowed_by, rule}, or NULL when
 * there is none (or out of memory).
 */
json_t	*ks_remediate_cause(struct ks_rbac_hist *h,
	    const struct ks_remediate_group *g);

/*
 * Set "cause" on a change of the plan (remediate.h) from the first of its
 * evidence groups that has one.  When none has, "possible_cause" from the
 * first that has one of those: the last write in the window after which
 * the RBAC refused the request, to an object whose state just before it
 * is unknown and could have allowed the request (the cause's fields but
 * allowed_by and rule, and unknown_because); else nothing.
 */
void	ks_remediate_cause_set(struct ks_rbac_hist *h, json_t *change,
	    const struct ks_remediate_list *evidence);

/*
 * Was group g, which the snapshot's RBAC allows, a gap at the time of its
 * denials and still one: did the RBAC as it stood at its first and at its
 * last denial, and at the end of the evidence (ks_rbac_hist_now; rebuilt,
 * with no object of unknown state that could allow it), refuse it?  1
 * yes, 0 no or unknown (a snapshot without a time, an imported fix, is
 * never placed before anything).  When it was a gap at the time and RBAC
 * allows it since, 0, and g gets gap_at_time true and fixed_by (the write
 * that made RBAC allow it, as the cause's fields, or null).  *hist is loaded from db on first use
 * (the caller frees it; it stays NULL when it cannot be loaded).
 */
int	ks_remediate_gap_then(sqlite3 *db, struct ks_rbac_hist **hist,
	    struct ks_remediate_group *g);

/*
 * When one of groups (marked "gap_at_time" by the plan) is a gap that the
 * snapshots do not show: the RBAC at the end of the evidence, to fix
 * against.  A new struct (ks_rbac_at_free), or NULL.
 */
struct ks_rbac_at *ks_remediate_rbac_then(const struct ks_rbac_hist *h,
	    const struct ks_remediate_list *groups);

/* Warn on change (its "warnings") about the objects whose state in then
   is unknown and could allow its evidence's requests. */
void	ks_remediate_then_warn(struct ks_rbac_at *then, json_t *change,
	    const struct ks_remediate_list *evidence);

#endif
