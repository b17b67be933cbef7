/*
 * Kubernetes objects of a snapshot (Secret values hashed), the snapshot
 * itself, and the kinds of resources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "store/store.h"
#include "store/store-int.h"
#include "store/db.h"
#include "util/fault.h"
#include "util/jutil.h"
#include "util/timeutil.h"

/* The snapshot of the current top-level input, made on first use. */
static int
snapshot(struct ks_member *m, struct ks_err *err)
{
	struct ks_import *imp = ks_import_of(m);
	sqlite3_stmt *s;

	if (imp->snapshot_id == 0) {
		s = imp->store->st[S_SNAP_ADD];
		sqlite3_bind_int64(s, 1, imp->origin_source ?
		    imp->origin_source : m->source_id);
		bind_text(s, 2, imp->origin);
		/* A folder's own snapshot, not that of an archive in it. */
		sqlite3_bind_int(s, 3, !(imp->origin_folder &&
		    imp->origin_source == 0));
		if (ks_store_run(imp->store, s, err) < 0)
			return -1;
		imp->snapshot_id = sqlite3_last_insert_rowid(imp->db);
	}
	return 0;
}

/*
 * The snapshot was taken after the newest time its objects carry: their
 * creationTimestamp and their managedFields times (file times are not
 * evidence of it).  Raise taken_at to the object's newest, with its origin.
 */
static int
snapshot_time(struct ks_member *m, json_t *meta, int64_t created,
    struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_SNAP_TIME];
	json_t *mf = json_object_get(meta, "managedFields"), *f;
	const char *origin = "creationTimestamp", *t;
	int64_t best = created, us;
	size_t i;

	json_array_foreach(mf, i, f) {
		t = ks_json_str(f, "time");
		if (t != NULL && ks_time_parse(t, strlen(t), &us) == 0 &&
		    (best == KS_TIME_NONE || us > best)) {
			best = us;
			origin = "managedFields";
		}
	}
	if (best == KS_TIME_NONE)
		return 0;
	sqlite3_bind_int64(s, 1, best);
	sqlite3_bind_int64(s, 2, ks_import_of(m)->snapshot_id);
	sqlite3_bind_text(s, 3, origin, -1, SQLITE_STATIC);
	return ks_store_run(st, s, err);
}

int
ks_store_snapshot_resume(struct ks_import *imp, struct ks_err *err)
{
	sqlite3_stmt *s = imp->store->st[S_SNAP_OPEN];
	int rc;

	bind_text(s, 1, imp->origin);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		imp->snapshot_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_db_error(imp->db, err, NULL);
	return 0;
}

int
ks_store_snapshot_close(struct ks_import *imp, struct ks_err *err)
{
	sqlite3_stmt *s = imp->store->st[S_SNAP_CLOSE];

	if (imp->snapshot_id == 0)
		return 0;
	sqlite3_bind_int64(s, 1, imp->snapshot_id);
	return ks_store_run(imp->store, s, err);
}

/* Replace map[k], a string, by its hash. */
static void
hash_entry(json_t *map, const char *k)
{
	json_t *v = json_object_get(map, k);
	uint8_t h[SHA256_DIGEST_SIZE];
	char hex[65], text[80];

	if (!json_is_string(v))
		return;
	ks_store_digest(json_string_value(v), json_string_length(v), h);
	ks_sha256_hex(h, hex);
	snprintf(text, sizeof(text), "sha256:%s", hex);
	json_object_set_new(map, k, json_string(text));
}

/* Replace each value of obj[key] (an object of strings) by its hash. */
static void
hash_values(json_t *obj, const char *key)
{
	json_t *map = json_object_get(obj, key), *v;
	const char *k;
	void *tmp;

	if (!json_is_object(map))
		return;
	json_object_foreach_safe(map, tmp, k, v)
		hash_entry(map, k);
}

/* Split "group/version" (or "version" for the core group). */
static void
split_api_version(const char *av, char *group, size_t gsz, const char **ver)
{
	const char *slash = av != NULL ? strrchr(av, '/') : NULL;

	*ver = av;
	group[0] = '\0';
	if (slash != NULL) {
		snprintf(group, gsz, "%.*s", (int)(slash - av), av);
		*ver = slash + 1;
	}
}

static int64_t
created_us(json_t *meta)
{
	const char *t = ks_json_str(meta, "creationTimestamp");
	int64_t us;

	if (t == NULL || ks_time_parse(t, strlen(t), &us) < 0)
		return KS_TIME_NONE;
	return us;
}

int
ks_store_object(struct ks_member *m, json_t *obj, const char *kind,
    const char *api_version, uint64_t line, uint64_t item, struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_OBJECT];
	json_t *meta = ks_json_obj(obj, "metadata");
	const char *av = ks_json_str(obj, "apiVersion"), *ver;
	uint8_t h[SHA256_DIGEST_SIZE];
	char group[256], *body;
	int rc;

	if (ks_json_str(obj, "kind") != NULL)
		kind = ks_json_str(obj, "kind");
	if (av == NULL)
		av = api_version;
	if (kind != NULL && strcmp(kind, "Secret") == 0) {
		hash_values(obj, "data");
		hash_values(obj, "stringData");
		/* kubectl apply copies the whole Secret, values and all. */
		hash_entry(json_object_get(meta, "annotations"),
		    "kubectl.kubernetes.io/last-applied-configuration");
	}
	if (snapshot(m, err) < 0)
		return -1;
	if ((body = json_dumps(obj, JSON_COMPACT)) == NULL)
		return ks_err_set(err, "out of memory");
	ks_store_digest(body, strlen(body), h);
	split_api_version(av, group, sizeof(group), &ver);
	sqlite3_bind_int64(s, 1, ks_import_of(m)->snapshot_id);
	sqlite3_bind_int64(s, 2, m->source_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)line);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)item);
	bind_text(s, 5, av != NULL ? group : NULL);
	bind_text(s, 6, ver);
	bind_text(s, 7, kind);
	bind_text(s, 8, ks_json_str(meta, "namespace"));
	bind_text(s, 9, ks_json_str(meta, "name"));
	bind_text(s, 10, ks_json_str(meta, "uid"));
	bind_text(s, 11, ks_json_str(meta, "resourceVersion"));
	bind_time(s, 12, created_us(meta));
	sqlite3_bind_blob(s, 13, h, sizeof(h), SQLITE_STATIC);
	sqlite3_bind_text(s, 14, body, -1, SQLITE_STATIC);
	rc = ks_store_run(st, s, err);
	free(body);
	if (rc < 0)
		return -1;
	m->tally.records++;
	ks_fault(KS_FAULT_RECORD);
	if (sqlite3_changes(st->db) == 0)
		m->tally.duplicates++;
	else
		m->tally.imported++;
	if (snapshot_time(m, meta, created_us(meta), err) < 0)
		return -1;
	return 0;
}

int
ks_store_object_kinds(struct ks_member *m, const char *kind,
    const char *api_version, struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_OBJECT_KINDS];
	char group[256];
	const char *ver;

	split_api_version(api_version, group, sizeof(group), &ver);
	bind_text(s, 1, kind);
	bind_text(s, 2, ver);
	bind_text(s, 3, api_version != NULL ? group : NULL);
	sqlite3_bind_int64(s, 4, m->source_id);
	return ks_store_run(st, s, err);
}

int
ks_store_server_version(struct ks_member *m, const char *version,
    struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_SNAP_VERSION];

	if (snapshot(m, err) < 0)
		return -1;
	bind_text(s, 1, version);
	sqlite3_bind_int64(s, 2, ks_import_of(m)->snapshot_id);
	return ks_store_run(st, s, err);
}

/* Step a one-text-column query; copy the answer into kind. */
static int
one_text(struct ks_store *st, sqlite3_stmt *s, char *kind, size_t kindsz)
{
	int found = 0;

	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_text(s, 0) != NULL) {
		snprintf(kind, kindsz, "%s", sqlite3_column_text(s, 0));
		found = 1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	(void)st;
	return found;
}

int
ks_store_kind_of(struct ks_store *st, const char *group,
    const char *resource, char *kind, size_t kindsz)
{
	sqlite3_stmt *s;

	if (group != NULL) {
		s = st->st[S_KIND_OF];
		bind_text(s, 1, group);
		bind_text(s, 2, resource);
	} else {
		s = st->st[S_KIND_ANY];
		bind_text(s, 1, resource);
	}
	if (one_text(st, s, kind, kindsz))
		return 1;
	s = st->st[S_KIND_CRD];
	bind_text(s, 1, resource);
	bind_text(s, 2, group);
	return one_text(st, s, kind, kindsz);
}

