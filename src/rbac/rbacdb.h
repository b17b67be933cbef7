/*
 * The RBAC state of the evidence, loaded from the database for the
 * evaluator (rbac.h), and facts about resources from the snapshots.
 */
#ifndef KS_RBACDB_H
#define KS_RBACDB_H

#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"
#include "rbac/rbac.h"

/*
 * The RBAC objects of snapshot_id, or (snapshot_id 0) of every snapshot
 * overlaid oldest first, so that the latest copy of each object wins: the
 * state as of the latest evidence (objects deleted later are not known to
 * be gone).  *nobjects counts the objects loaded.  A new ks_rbac, the
 * caller's to free; NULL with err.
 */
struct ks_rbac *ks_rbacdb_load(sqlite3 *db, int64_t snapshot_id,
	    long *nobjects, struct ks_err *err);

/*
 * 0 when snapshot_id is 0 (every snapshot) or names a snapshot; -1 with
 * err (saying how to list them) when it names none or cannot be read.
 */
int	ks_rbacdb_snapshot_check(sqlite3 *db, int64_t snapshot_id,
	    struct ks_err *err);

/* What the snapshots say about a resource. */
struct ks_resource_facts {
	int	 known;		/* 1 built in or a CRD was found */
	int	 builtin;	/* a built-in resource (resource_kinds) */
	int	 established;	/* the CRD's Established condition is True */
	int	 namespaced;	/* -1 unknown */
	char	 served[128];	/* served versions, comma-separated */
	char	 crd[256];	/* the CRD's name, or "" */
};

/* Look up group/resource; 0, or -1 with err. */
int	ks_rbacdb_resource(sqlite3 *db, const char *group, const char *resource,
	    struct ks_resource_facts *f, struct ks_err *err);

#endif
