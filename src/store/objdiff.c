/*
 * Two snapshots compared (objdiff.h): the objects from the object_diff
 * view, the fields of a changed object by a walk over both bodies.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "input/input.h"
#include "store/db.h"
#include "store/objdiff.h"
#include "store/store-int.h"

/* The metadata noise, as fnmatch(3) patterns over JSON pointers. */
static const char *const noise[] = {
	"/metadata/resourceVersion",
	"/metadata/generation",
	"/metadata/managedFields",
	"/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
	"/status/conditions/*/lastHeartbeatTime",
	"/status/conditions/*/lastProbeTime",
	NULL
};

/* One walk over two bodies. */
struct walk {
	const struct ks_objdiff_query *q;
	struct ks_objdiff_change *c;	/* kind, namespace, name filled */
	ks_objdiff_fn	 fn;
	void		*arg;
	int		 rc;		/* fn's, or -1 out of memory */
	int		 n;		/* fields reported */
};

static int
is_noise(const char *path)
{
	const char *const *p;

	for (p = noise; *p != NULL; p++)
		if (fnmatch(*p, path, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

/* path + "/" + key escaped (~ as ~0, / as ~1); NULL when out of memory. */
static char *
child_path(const char *path, const char *key)
{
	size_t n = strlen(path), k = strlen(key), i;
	char *s = malloc(n + 2 * k + 2), *d;

	if (s == NULL)
		return NULL;
	memcpy(s, path, n);
	d = s + n;
	*d++ = '/';
	for (i = 0; i < k; i++) {
		if (key[i] == '~' || key[i] == '/') {
			*d++ = '~';
			*d++ = key[i] == '~' ? '0' : '1';
		} else
			*d++ = key[i];
	}
	*d = '\0';
	return s;
}

static char *
compact(const json_t *j)
{
	return j == NULL ? NULL : json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_SORT_KEYS);
}

/* Report one field that differs. */
static void
field(struct walk *w, const char *path, const json_t *old, const json_t *new)
{
	char *o = compact(old), *n = compact(new);

	if ((old != NULL && o == NULL) || (new != NULL && n == NULL))
		w->rc = -1;
	else {
		w->c->path = path;
		w->c->old = o;
		w->c->new = n;
		w->rc = w->fn(w->c, w->arg);
		w->n++;
	}
	free(o);
	free(n);
}

/* The keys of old, then those of new that old lacks; NULL out of memory. */
static json_t *
union_keys(json_t *old, json_t *new)
{
	json_t *keys = json_array(), *v;
	const char *key;

	json_object_foreach(old, key, v)
		if (json_array_append_new(keys, json_string(key)) < 0)
			goto fail;
	json_object_foreach(new, key, v)
		if (json_object_get(old, key) == NULL &&
		    json_array_append_new(keys, json_string(key)) < 0)
			goto fail;
	return keys;
fail:
	json_decref(keys);
	return NULL;
}

/* Whether a holds an element equal to v. */
static int
has_equal(const json_t *a, const json_t *v)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (json_equal(json_array_get(a, i), v))
			return 1;
	return 0;
}

/*
 * A role's rules and a binding's subjects are sets: each element of one
 * side that the other lacks is a field, at its index on its own side.
 */
static void
walk_set(struct walk *w, const char *path, json_t *old, json_t *new)
{
	json_t *side[2] = { old, new };
	size_t i;
	int s;
	char idx[32], *p;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < json_array_size(side[s]) && w->rc == 0; i++) {
			json_t *v = json_array_get(side[s], i);

			if (has_equal(side[!s], v))
				continue;
			snprintf(idx, sizeof(idx), "%zu", i);
			if ((p = child_path(path, idx)) == NULL) {
				w->rc = -1;
				return;
			}
			field(w, p, s == 0 ? v : NULL, s == 0 ? NULL : v);
			free(p);
		}
	}
}

/*
 * Compare two values at path (either may be NULL: absent): equal scalars
 * say nothing, two objects or two arrays are compared member by member,
 * anything else is one field.
 */
static void
walk_value(struct walk *w, const char *path, json_t *old, json_t *new)
{
	json_t *keys = NULL;
	size_t i, n = 0;
	char idx[32], *p;
	const char *key = idx;

	if (!w->q->all && is_noise(path))
		return;
	if (json_is_object(old) && json_is_object(new)) {
		if ((keys = union_keys(old, new)) == NULL) {
			w->rc = -1;
			return;
		}
		n = json_array_size(keys);
	} else if (json_is_array(old) && json_is_array(new) &&
	    (strcmp(path, "/rules") == 0 || strcmp(path, "/subjects") == 0)) {
		walk_set(w, path, old, new);
		return;
	} else if (json_is_array(old) && json_is_array(new)) {
		n = json_array_size(old) > json_array_size(new) ?
		    json_array_size(old) : json_array_size(new);
	} else {
		if (old == NULL || new == NULL || !json_equal(old, new))
			field(w, path, old, new);
		return;
	}
	for (i = 0; i < n && w->rc == 0; i++) {
		if (keys != NULL)
			key = json_string_value(json_array_get(keys, i));
		else
			snprintf(idx, sizeof(idx), "%zu", i);
		if ((p = child_path(path, key)) == NULL) {
			w->rc = -1;
			break;
		}
		walk_value(w, p, keys ? json_object_get(old, key) :
		    json_array_get(old, i), keys ? json_object_get(new, key) :
		    json_array_get(new, i));
		free(p);
	}
	json_decref(keys);
}

/*
 * A Secret's annotations are shown as hashes, as its data are stored:
 * kubectl's last-applied-configuration, for one, holds the data in clear.
 */
static void
hash_annotations(json_t *obj)
{
	json_t *ann = json_object_get(json_object_get(obj, "metadata"),
	    "annotations"), *v;
	const char *k;
	uint8_t h[32];
	char hex[65], text[80];

	json_object_foreach(ann, k, v) {
		if (!json_is_string(v))
			continue;
		ks_store_digest(json_string_value(v), json_string_length(v), h);
		ks_sha256_hex(h, hex);
		snprintf(text, sizeof(text), "sha256:%s", hex);
		json_object_set_new(ann, k, json_string(text));
	}
}

/* The fields of one changed object; -1 with err when a body is not JSON. */
static int
changed(struct walk *w, const char *old_body, const char *new_body,
    struct ks_err *err)
{
	json_t *old = json_loads(old_body, JSON_DECODE_ANY, NULL);
	json_t *new = json_loads(new_body, JSON_DECODE_ANY, NULL);

	w->rc = 0;
	w->n = 0;
	if (old == NULL || new == NULL)
		w->rc = -1;
	else {
		if (w->c->kind != NULL && strcmp(w->c->kind, "Secret") == 0) {
			hash_annotations(old);
			hash_annotations(new);
		}
		walk_value(w, "", old, new);
	}
	json_decref(old);
	json_decref(new);
	if (w->rc == -1)
		ks_err_set(err, "%s %s: cannot compare the bodies", w->c->kind,
		    w->c->name ? w->c->name : "");
	return w->rc;
}

static const char diff_sql[] =
    "SELECT kind, namespace, name, change, old_body, new_body"
    " FROM object_diff WHERE snapshot_a = ?1 AND snapshot_b = ?2"
    " AND (?3 IS NULL OR kind = ?3 COLLATE NOCASE)"
    " AND (?4 IS NULL OR namespace = ?4)"
    " ORDER BY coalesce(kind, '') NOT IN ('ClusterRole', 'Role',"
    " 'ClusterRoleBinding', 'RoleBinding'), kind, namespace, name";

/* One row of object_diff: the object, or its fields. */
static int
one_object(struct walk *w, sqlite3_stmt *st, struct ks_err *err)
{
	struct ks_objdiff_change *c = w->c;

	memset(c, 0, sizeof(*c));
	c->kind = (const char *)sqlite3_column_text(st, 0);
	c->namespace = (const char *)sqlite3_column_text(st, 1);
	c->name = (const char *)sqlite3_column_text(st, 2);
	c->change = (const char *)sqlite3_column_text(st, 3);
	if (strcmp(c->change, "changed") != 0)
		return w->fn(c, w->arg);
	return changed(w, (const char *)sqlite3_column_text(st, 4),
	    (const char *)sqlite3_column_text(st, 5), err);
}

int
ks_objdiff_run(sqlite3 *db, const struct ks_objdiff_query *q,
    ks_objdiff_fn fn, void *arg, struct ks_err *err)
{
	struct ks_objdiff_change c;
	struct walk w = { q, &c, fn, arg, 0, 0 };
	sqlite3_stmt *st;
	int rc = 0, s;

	if (ks_db_prepare(db, diff_sql, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, q->a);
	sqlite3_bind_int64(st, 2, q->b);
	if (q->kind != NULL)
		sqlite3_bind_text(st, 3, q->kind, -1, SQLITE_STATIC);
	if (q->namespace != NULL)
		sqlite3_bind_text(st, 4, q->namespace, -1, SQLITE_STATIC);
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW)
		rc = one_object(&w, st, err);
	if (rc == 0 && s != SQLITE_DONE)
		rc = ks_err_set(err, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int
ks_objdiff_latest(sqlite3 *db, int64_t *a, int64_t *b, struct ks_err *err)
{
	sqlite3_stmt *st;
	int n = 0;

	if (ks_db_prepare(db, "SELECT id FROM snapshots ORDER BY id DESC"
	    " LIMIT 2", &st, err) < 0)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		*(n++ == 0 ? b : a) = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n < 2)
		return ks_err_set(err, "diff needs two snapshots, the "
		    "database holds %d", n);
	return 0;
}

int
ks_objdiff_snapshot_exists(sqlite3 *db, int64_t id, struct ks_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (ks_db_prepare(db, "SELECT 1 FROM snapshots WHERE id = ?", &st,
	    err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	return rc == SQLITE_ROW;
}
