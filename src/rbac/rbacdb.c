#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "util/jutil.h"
#include "rbac/rbacdb.h"

/*
 * When snapshot s was taken, for ordering: its taken_at, or, when that is
 * unknown (no object carried a time), that of the newest snapshot imported
 * before it, so that it comes after them (a fix imported back last wins).
 */
#define SNAP_AT(S) " coalesce(" S ".taken_at, (SELECT max(p.taken_at)" \
	" FROM snapshots p WHERE p.id < " S ".id), 0)"

int
ks_rbacdb_snapshot_check(sqlite3 *db, int64_t snapshot_id, struct ks_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (snapshot_id == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM snapshots WHERE id = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, snapshot_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return ks_err_set(err, "--snapshot %lld: no such snapshot (kubesift "
	    "sql 'SELECT id, origin FROM snapshots')",
	    (long long)snapshot_id);
}

struct ks_rbac *
ks_rbacdb_load(sqlite3 *db, int64_t snapshot_id, long *nobjects,
    struct ks_err *err)
{
	static const char q[] = "SELECT o.kind, o.body FROM objects o"
	    " JOIN snapshots s ON s.id = o.snapshot_id"
	    " WHERE o.kind IN ('Role', 'ClusterRole', 'RoleBinding',"
	    " 'ClusterRoleBinding') AND (?1 = 0 OR o.snapshot_id = ?1)"
	    " ORDER BY" SNAP_AT("s") ", s.id, o.id";
	struct ks_rbac *rbac = ks_rbac_new();
	sqlite3_stmt *st = NULL;
	struct ks_err skip;
	int rc;

	*nobjects = 0;
	if (ks_rbacdb_snapshot_check(db, snapshot_id, err) < 0) {
		ks_rbac_free(rbac);
		return NULL;
	}
	if (rbac == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_bind_int64(st, 1, snapshot_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *obj = json_loads((const char *)sqlite3_column_text(st,
		    1), 0, NULL);
		/* A malformed object grants nothing; the others still load. */
		if (obj != NULL && ks_rbac_add_kind(rbac, obj,
		    (const char *)sqlite3_column_text(st, 0), &skip) == 0)
			(*nobjects)++;
		json_decref(obj);
	}
	if (rc != SQLITE_DONE) {
		ks_err_set(err, "%s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_finalize(st);
	if (ks_rbac_resolve(rbac, err) < 0) {
		ks_rbac_free(rbac);
		return NULL;
	}
	return rbac;
fail:
	sqlite3_finalize(st);
	ks_rbac_free(rbac);
	return NULL;
}

/* The CRD's facts from its JSON body. */
static void
crd_facts(const char *body, struct ks_resource_facts *f)
{
	json_t *crd = json_loads(body, 0, NULL), *spec, *v, *c;
	const char *scope, *name;
	size_t i;

	if (crd == NULL)
		return;
	spec = json_object_get(crd, "spec");
	f->known = 1;
	scope = ks_json_str(spec, "scope");
	f->namespaced = scope != NULL ? strcmp(scope, "Namespaced") == 0 : -1;
	name = ks_json_str2(crd, "metadata", "name");
	snprintf(f->crd, sizeof(f->crd), "%s", name ? name : "?");
	json_array_foreach(json_object_get(spec, "versions"), i, v) {
		const char *ver = ks_json_str(v, "name");
		if (!json_is_true(json_object_get(v, "served")))
			continue;
		snprintf(f->served + strlen(f->served), sizeof(f->served) -
		    strlen(f->served), "%s%s", f->served[0] ? "," : "",
		    ver ? ver : "?");
	}
	json_array_foreach(json_object_get(json_object_get(crd, "status"),
	    "conditions"), i, c) {
		const char *t = ks_json_str(c, "type");
		const char *st = ks_json_str(c, "status");
		if (t && st && strcmp(t, "Established") == 0)
			f->established = strcmp(st, "True") == 0;
	}
	json_decref(crd);
}

int
ks_rbacdb_resource(sqlite3 *db, const char *group, const char *resource,
    struct ks_resource_facts *f, struct ks_err *err)
{
	/* Kubernetes' own groups: core, "apps", "batch", "*.k8s.io". */
	static const char builtin[] = "SELECT namespaced FROM resource_kinds"
	    " WHERE api_group = ?1 AND resource = ?2 AND (api_group NOT LIKE"
	    " '%.%' OR api_group LIKE '%.k8s.io')";
	static const char crd[] = "SELECT o.body FROM objects o"
	    " JOIN snapshots s ON s.id = o.snapshot_id"
	    " WHERE o.kind = 'CustomResourceDefinition'"
	    " AND json_extract(o.body, '$.spec.group') = ?1"
	    " AND json_extract(o.body, '$.spec.names.plural') = ?2"
	    " ORDER BY" SNAP_AT("s") " DESC, s.id DESC LIMIT 1";
	sqlite3_stmt *st = NULL;

	memset(f, 0, sizeof(*f));
	f->namespaced = -1;
	if (sqlite3_prepare_v2(db, builtin, -1, &st, NULL) != SQLITE_OK)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, group ? group : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, resource, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->known = f->builtin = f->established = 1;
		f->namespaced = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	if (f->builtin)
		return 0;
	if (sqlite3_prepare_v2(db, crd, -1, &st, NULL) != SQLITE_OK)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, group ? group : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, resource, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		crd_facts((const char *)sqlite3_column_text(st, 0), f);
	sqlite3_finalize(st);
	return 0;
}

