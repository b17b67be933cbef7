/*
 * What changed between two snapshots, object by object and field by field:
 * the object_diff view (sql/010-diff.sql) names the objects added, removed
 * and changed; for a changed one the two bodies are compared here, and
 * each field that differs is one change with its JSON-pointer path
 * (RFC 6901) and its old and new value as compact JSON.  Secret values
 * are stored as "sha256:<hex>", so a changed secret shows as a hash change.
 * Arrays are compared index by index, except /rules and /subjects (a
 * role's rules, a binding's subjects), which are sets: an element one side
 * lacks is one change, at its index on the side that has it.
 */
#ifndef KS_OBJDIFF_H
#define KS_OBJDIFF_H

#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

/* What to compare; the strings are borrowed. */
struct ks_objdiff_query {
	int64_t		 a, b;		/* the snapshots, a before b */
	const char	*kind;		/* only this kind (any case); NULL = all */
	const char	*namespace;	/* only this namespace; NULL = all */
	int		 all;		/* keep the metadata noise too */
};

/*
 * One change.  For an object added or removed, path, old and new are NULL;
 * for a field, old is NULL when the field was added and new when it was
 * removed.  Valid during the callback only.
 */
struct ks_objdiff_change {
	const char	*kind, *namespace, *name;
	const char	*change;	/* "added", "removed" or "changed" */
	const char	*path, *old, *new;
};

typedef int (*ks_objdiff_fn)(const struct ks_objdiff_change *, void *arg);

/*
 * The two latest snapshots by id into *a and *b (a the older): 0, or -1
 * with err when there are fewer than two.
 */
int	ks_objdiff_latest(sqlite3 *db, int64_t *a, int64_t *b,
	    struct ks_err *err);

/* Whether snapshot id exists: 1, 0, or -1 with err. */
int	ks_objdiff_snapshot_exists(sqlite3 *db, int64_t id, struct ks_err *err);

/*
 * Call fn for each change between q->a and q->b, Roles, ClusterRoles and
 * their bindings first, then by kind, namespace and name.  Unless q->all,
 * these fields are left out, and an object whose only changes they are is
 * not changed: metadata.resourceVersion, metadata.generation,
 * metadata.managedFields, the last-applied-configuration annotation, and
 * the heartbeats status.conditions[*].lastHeartbeatTime and lastProbeTime.
 * A non-zero return of fn stops the walk and is returned; else 0, or -1
 * with err.
 */
int	ks_objdiff_run(sqlite3 *db, const struct ks_objdiff_query *q,
	    ks_objdiff_fn fn, void *arg, struct ks_err *err);

#endif
