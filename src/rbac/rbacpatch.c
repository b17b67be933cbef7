/*
 * JSON merge patch (RFC 7386), strategic merge patch as it applies to the
 * four RBAC kinds, and JSON patch (RFC 6902).  See rbacpatch.h.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbacpatch.h"

/*
 * RFC 7386 section 2, on a target we own (steals *target's reference;
 * target may be NULL).  strategic: honour `$patch: replace|delete` in
 * maps, drop other `$` directives when in_meta, refuse them elsewhere.
 * Returns the new value (a new reference), or NULL with err.  *deleted is
 * set when a `$patch: delete` removes the whole value.
 */
static json_t *
merge(json_t *target, const json_t *patch, int strategic, int in_meta,
    int *deleted, struct ks_err *err)
{
	const char *key, *dir;
	json_t *v, *out;

	*deleted = 0;
	if (!json_is_object(patch)) {
		json_decref(target);
		return json_deep_copy(patch);
	}
	dir = strategic ? json_string_value(json_object_get(patch, "$patch")) :
	    NULL;
	if (dir != NULL && strcmp(dir, "delete") == 0) {
		json_decref(target);
		*deleted = 1;
		return json_null();
	}
	if (dir != NULL && strcmp(dir, "replace") == 0) {
		json_decref(target);
		target = json_object();
	} else if (dir != NULL) {
		json_decref(target);
		ks_err_set(err, "strategic merge: $patch: %s is not supported",
		    dir);
		return NULL;
	}
	if (!json_is_object(target)) {
		json_decref(target);
		target = json_object();
	}
	json_object_foreach((json_t *)patch, key, v) {
		int gone;
		if (strategic && key[0] == '$') {
			if (strcmp(key, "$patch") == 0 || in_meta)
				continue;
			json_decref(target);
			ks_err_set(err, "strategic merge: the directive %s is "
			    "not supported outside metadata", key);
			return NULL;
		}
		if (json_is_null(v)) {
			json_object_del(target, key);
			continue;
		}
		out = merge(json_incref(json_object_get(target, key)), v,
		    strategic, in_meta || strcmp(key, "metadata") == 0, &gone,
		    err);
		if (out == NULL) {
			json_decref(target);
			return NULL;
		}
		if (gone) {
			json_decref(out);
			json_object_del(target, key);
		} else
			json_object_set_new(target, key, out);
	}
	return target;
}

/* Merge into a copy of target. */
static json_t *
merge_copy(const json_t *target, const json_t *patch, int strategic,
    struct ks_err *err)
{
	int gone;
	json_t *out;

	out = merge(json_deep_copy(target), patch, strategic, 0, &gone, err);
	if (out != NULL && gone) {
		json_decref(out);
		ks_err_set(err, "the patch deletes the whole object");
		return NULL;
	}
	return out;
}

json_t *
ks_rbac_merge_patch(const json_t *target, const json_t *patch,
    struct ks_err *err)
{
	return merge_copy(target, patch, 0, err);
}

json_t *
ks_rbac_strategic_patch(const json_t *target, const json_t *patch,
    struct ks_err *err)
{
	if (!json_is_object(patch)) {
		ks_err_set(err, "a strategic merge patch is an object");
		return NULL;
	}
	return merge_copy(target, patch, 1, err);
}

/* --- RFC 6902 --- */

/*
 * The next reference token of the RFC 6901 pointer *p, unescaped
 * (~1 is '/', ~0 is '~') into tok (size sz); advances *p.  0, or -1.
 */
static int
token(const char **p, char *tok, size_t sz)
{
	size_t n = 0;
	const char *s = *p;

	if (*s != '/')
		return -1;
	for (s++; *s != '\0' && *s != '/'; s++) {
		char c = *s;
		if (c == '~') {
			if (s[1] != '0' && s[1] != '1')
				return -1;
			c = *++s == '0' ? '~' : '/';
		}
		if (n + 1 >= sz)
			return -1;
		tok[n++] = c;
	}
	tok[n] = '\0';
	*p = s;
	return 0;
}

/* An array index token: digits without a leading zero; -1 if not. */
static long
index_of(const char *tok)
{
	char *end;
	long i;

	if (tok[0] < '0' || tok[0] > '9' || (tok[0] == '0' && tok[1] != '\0'))
		return -1;
	i = strtol(tok, &end, 10);
	return *end == '\0' ? i : -1;
}

/*
 * Walk doc to the container of pointer path's last token, which goes
 * into last.  Returns the container (borrowed), or NULL when the path
 * does not exist; *whole is set for the empty pointer (the document).
 */
static json_t *
parent_of(json_t *doc, const char *path, char *last, size_t sz, int *whole)
{
	const char *p = path;
	json_t *cur = doc;
	char tok[1024];

	*whole = *path == '\0';
	if (*whole)
		return doc;
	for (;;) {
		if (token(&p, tok, sizeof(tok)) < 0)
			return NULL;
		if (*p == '\0') {
			if (strlen(tok) >= sz)
				return NULL;
			strcpy(last, tok);
			return cur;
		}
		if (json_is_object(cur))
			cur = json_object_get(cur, tok);
		else if (json_is_array(cur) && index_of(tok) >= 0)
			cur = json_array_get(cur, (size_t)index_of(tok));
		else
			return NULL;
		if (cur == NULL)
			return NULL;
	}
}

/* The value at path (borrowed), or NULL. */
static json_t *
get(json_t *doc, const char *path)
{
	char last[1024];
	int whole;
	json_t *c = parent_of(doc, path, last, sizeof(last), &whole);

	if (c == NULL || whole)
		return c;
	if (json_is_object(c))
		return json_object_get(c, last);
	if (json_is_array(c) && index_of(last) >= 0)
		return json_array_get(c, (size_t)index_of(last));
	return NULL;
}

/* Remove the value at path; 0 or -1. */
static int
op_remove(json_t *doc, const char *path)
{
	char last[1024];
	int whole;
	json_t *c = parent_of(doc, path, last, sizeof(last), &whole);

	if (c == NULL || whole)
		return -1;
	if (json_is_object(c))
		return json_object_del(c, last);
	if (json_is_array(c) && index_of(last) >= 0)
		return json_array_remove(c, (size_t)index_of(last));
	return -1;
}

/* Add v (stolen) at path; 0 or -1.  The whole document is replaced in
   place: *doc changes. */
static int
op_add(json_t **doc, const char *path, json_t *v)
{
	char last[1024];
	int whole;
	json_t *c = parent_of(*doc, path, last, sizeof(last), &whole);
	long i;

	if (c == NULL || v == NULL) {
		json_decref(v);
		return -1;
	}
	if (whole) {
		json_decref(*doc);
		*doc = v;
		return 0;
	}
	if (json_is_object(c))
		return json_object_set_new(c, last, v);
	if (json_is_array(c) && strcmp(last, "-") == 0)
		return json_array_append_new(c, v);
	if (json_is_array(c) && (i = index_of(last)) >= 0 &&
	    (size_t)i <= json_array_size(c))
		return json_array_insert_new(c, (size_t)i, v);
	json_decref(v);
	return -1;
}

/* One operation on *doc; 0, or -1 with err. */
static int
apply_op(json_t **doc, const json_t *op, struct ks_err *err)
{
	const char *name = json_string_value(json_object_get(op, "op"));
	const char *path = json_string_value(json_object_get(op, "path"));
	const char *from = json_string_value(json_object_get(op, "from"));
	json_t *value = json_object_get(op, "value"), *v;

	if (name == NULL || path == NULL)
		return ks_err_set(err, "json patch: an operation without op "
		    "or path");
	if (strcmp(name, "test") == 0)
		return value && (v = get(*doc, path)) && json_equal(v, value) ?
		    0 : ks_err_set(err, "json patch: test %s failed", path);
	if (strcmp(name, "remove") == 0 || strcmp(name, "replace") == 0) {
		if (get(*doc, path) == NULL || (*path && op_remove(*doc,
		    path) < 0))
			return ks_err_set(err, "json patch: %s: no %s", name,
			    path);
		if (strcmp(name, "remove") == 0)
			return 0;
	}
	if (strcmp(name, "add") == 0 || strcmp(name, "replace") == 0) {
		if (value == NULL || op_add(doc, path, json_deep_copy(value)) < 0)
			return ks_err_set(err, "json patch: %s %s failed", name,
			    path);
		return 0;
	}
	if (strcmp(name, "move") == 0 || strcmp(name, "copy") == 0) {
		if (from == NULL || (v = get(*doc, from)) == NULL)
			return ks_err_set(err, "json patch: %s: no %s", name,
			    from ? from : "from");
		/* A value cannot be moved into itself. */
		if (strcmp(name, "move") == 0 && strncmp(path, from,
		    strlen(from)) == 0 && path[strlen(from)] == '/')
			return ks_err_set(err, "json patch: move %s into "
			    "itself", from);
		v = json_deep_copy(v);
		if (strcmp(name, "move") == 0 && op_remove(*doc, from) < 0) {
			json_decref(v);
			return ks_err_set(err, "json patch: move: no %s", from);
		}
		if (op_add(doc, path, v) < 0)	/* v is taken either way */
			return ks_err_set(err, "json patch: %s %s failed", name,
			    path);
		return 0;
	}
	return ks_err_set(err, "json patch: unknown op %s", name);
}

json_t *
ks_rbac_json_patch(const json_t *target, const json_t *patch,
    struct ks_err *err)
{
	json_t *doc, *op;
	size_t i;

	if (!json_is_array(patch)) {
		ks_err_set(err, "a json patch is an array");
		return NULL;
	}
	if ((doc = json_deep_copy(target)) == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	json_array_foreach(patch, i, op)
		if (apply_op(&doc, op, err) < 0) {
			json_decref(doc);
			return NULL;
		}
	return doc;
}
