/*
 * The RBAC evidence over time, loaded for rbacat.c: every snapshot's
 * Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, and every
 * write of those kinds in the audit log with the bodies its audit level
 * recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbacat-int.h"
#include "util/jutil.h"
#include "util/timeutil.h"

static const char *const kinds[][2] = {
	{ "Role", "roles" }, { "ClusterRole", "clusterroles" },
	{ "RoleBinding", "rolebindings" },
	{ "ClusterRoleBinding", "clusterrolebindings" },
};

const char *
ks_rbac_at_kind(const char *s)
{
	for (size_t i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, kinds[i][0]) == 0 || strcmp(s, kinds[i][1]) == 0)
			return kinds[i][0];
	return NULL;
}

json_t *
ks_rbac_write_body(const struct ks_rbac_write *w)
{
	json_t *b = NULL;
	const char *kind;

	if (strcmp(w->verb, "patch") == 0)
		b = w->response;
	else if (strcmp(w->verb, "create") == 0 ||
	    strcmp(w->verb, "update") == 0)
		b = json_is_object(w->response) ? w->response : w->request;
	if (!json_is_object(b))
		return NULL;
	/* A failure answers with a Status, not the object. */
	kind = ks_json_str(b, "kind");
	return kind != NULL && strcmp(kind, "Status") == 0 ? NULL : b;
}

static char *
dup(const unsigned char *s)
{
	return s == NULL ? NULL : strdup((const char *)s);
}

/* A body, without the "@type" Cloud Logging adds; a new reference. */
static json_t *
body(json_t *v)
{
	if (!json_is_object(v) && !json_is_array(v))
		return NULL;
	v = json_deep_copy(v);
	if (json_is_object(v))
		json_object_del(v, "@type");
	return v;
}

/*
 * requestObject and responseObject of a raw event, in whichever shape it
 * was stored: a native event, a CloudWatch record around one (message), a
 * GKE entry (protoPayload.request/response), an AKS record
 * (properties.log, a string or an object).
 */
static void
bodies(json_t *ev, struct ks_rbac_write *w, int depth)
{
	json_t *pp = ks_json_obj(ev, "protoPayload"), *inner = NULL;
	const char *s;

	if (!json_is_object(ev) || depth > 3)
		return;
	if (json_object_get(ev, "auditID") || json_object_get(ev,
	    "requestObject") || json_object_get(ev, "responseObject")) {
		w->request = body(json_object_get(ev, "requestObject"));
		w->response = body(json_object_get(ev, "responseObject"));
		return;
	}
	if (pp != NULL) {
		w->request = body(json_object_get(pp, "request"));
		w->response = body(json_object_get(pp, "response"));
		return;
	}
	if ((s = ks_json_str(ev, "message")) != NULL)
		inner = json_loads(s, 0, NULL);
	else if ((s = ks_json_str2(ev, "properties", "log")) != NULL)
		inner = json_loads(s, 0, NULL);
	else if (ks_json_obj(ev, "properties") != NULL)
		inner = json_incref(ks_json_obj(ks_json_obj(ev, "properties"),
		    "log"));
	bodies(inner, w, depth + 1);
	json_decref(inner);
}

static void
write_clear(struct ks_rbac_write *w)
{
	free(w->audit_id);
	free(w->actor);
	free(w->verb);
	free(w->namespace);
	free(w->name);
	json_decref(w->request);
	json_decref(w->response);
}

/* The URI's query has parameter name (name=...). */
static int
has_param(const char *uri, const char *name)
{
	const char *q = uri ? strchr(uri, '?') : NULL;
	size_t n = strlen(name);

	for (; q != NULL; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, name, n) == 0 && q[1 + n] == '=')
			return 1;
	return 0;
}

/* One stage of an event into w (the first stage of its request, or a
   later one folded in: the final code, bodies where missing). */
static void
fold(struct ks_rbac_write *w, sqlite3_stmt *st)
{
	struct ks_rbac_write b = { 0 };
	const char *raw = (const char *)sqlite3_column_text(st, 10);
	const char *uri = (const char *)sqlite3_column_text(st, 9);
	json_t *ev = raw ? json_loads(raw, 0, NULL) : NULL;

	if (sqlite3_column_type(st, 7) != SQLITE_NULL &&
	    sqlite3_column_int(st, 7) > w->code)
		w->code = sqlite3_column_int(st, 7);
	w->dry_run |= has_param(uri, "dryRun");
	w->apply |= has_param(uri, "force");
	w->selector |= has_param(uri, "labelSelector") ||
	    has_param(uri, "fieldSelector");
	bodies(ev, &b, 0);
	json_decref(ev);
	if (w->request == NULL)
		w->request = json_incref(b.request);
	if (w->response == NULL)
		w->response = json_incref(b.response);
	json_decref(b.request);
	json_decref(b.response);
}

/* The name of a create from its body, when the log has no name. */
static void
name_from_body(struct ks_rbac_write *w)
{
	json_t *b = ks_rbac_write_body(w);
	const char *n = ks_json_str2(b, "metadata", "name");

	if (w->name == NULL && n != NULL && *n != '\0')
		w->name = strdup(n);
}

/* The RBAC writes; %s is the raw event's column, or NULL when the raw
   events cannot be read. */
static const char writes_sql[] =
    "SELECT e.received_us, e.audit_id,"
    " coalesce(e.impersonated_user, e.username), e.verb, e.resource,"
    " e.namespace, e.name, e.code, e.source_id, e.request_uri, %s,"
    " e.line"
    " FROM audit_events e"
    " WHERE e.api_group = 'rbac.authorization.k8s.io'"
    " AND e.resource IN ('roles', 'clusterroles', 'rolebindings',"
    " 'clusterrolebindings') AND e.subresource IS NULL"
    " AND e.verb IN ('create', 'update', 'patch', 'delete',"
    " 'deletecollection')"
    " ORDER BY e.received_us, coalesce(e.audit_id, 'row:' || e.id), e.id";

/* Is the row another stage of the request w (same auditID and time)? */
static int
same_request(const struct ks_rbac_write *w, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 1);

	return w->audit_id != NULL && id != NULL &&
	    strcmp(w->audit_id, id) == 0 &&
	    w->time == sqlite3_column_int64(st, 0);
}

/* Start a write from the row; 0, or -1 when out of memory. */
static int
start(struct ks_rbac_write *w, sqlite3_stmt *st)
{
	memset(w, 0, sizeof(*w));
	w->time = sqlite3_column_int64(st, 0);
	w->audit_id = dup(sqlite3_column_text(st, 1));
	w->actor = dup(sqlite3_column_text(st, 2));
	w->verb = dup(sqlite3_column_text(st, 3));
	w->kind = ks_rbac_at_kind((const char *)sqlite3_column_text(st, 4));
	w->namespace = dup(sqlite3_column_text(st, 5));
	w->name = dup(sqlite3_column_text(st, 6));
	if (w->name != NULL && *w->name == '\0') {
		free(w->name);
		w->name = NULL;
	}
	w->source_id = sqlite3_column_int64(st, 8);
	w->line = sqlite3_column_int64(st, 11);
	return w->verb == NULL || w->kind == NULL ? -1 : 0;
}

/*
 * Prepare writes_sql with (raw 1) or without the raw events, which come
 * out of their compressed blocks through ks_raw() (store/rawfn.h).
 */
static int
prepare(sqlite3 *db, sqlite3_stmt **st, int raw)
{
	char sql[sizeof(writes_sql) + 128];

	snprintf(sql, sizeof(sql), writes_sql, raw ?
	    "ks_raw(e.raw_block, e.raw_off, e.raw_len, e.audit_key,"
	    " e.received_us, e.stage_us)" : "NULL");
	return sqlite3_prepare_v2(db, sql, -1, st, NULL);
}

static int
load_writes(sqlite3 *db, struct ks_rbac_hist *h, struct ks_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (prepare(db, &st, 1) != SQLITE_OK) {
		/* No raw events to read (a store that keeps them otherwise):
		   every write is taken as recorded without its body. */
		h->raw_error = 1;
		if (prepare(db, &st, 0) != SQLITE_OK)
			return ks_err_set(err, "%s", sqlite3_errmsg(db));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ks_rbac_write *w;
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			h->untimed++;
			continue;
		}
		if (h->nwrites > 0 && same_request(&h->writes[h->nwrites - 1],
		    st)) {
			fold(&h->writes[h->nwrites - 1], st);
			continue;
		}
		if (h->nwrites == cap) {
			cap = cap ? cap * 2 : 64;
			w = realloc(h->writes, cap * sizeof(*w));
			if (w == NULL)
				break;
			h->writes = w;
		}
		w = &h->writes[h->nwrites];
		if (start(w, st) < 0) {
			write_clear(w);
			continue;
		}
		h->nwrites++;
		fold(w, st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ks_err_set(err, "%s", rc == SQLITE_ROW ? "out of memory" :
		    sqlite3_errmsg(db));
	for (size_t i = 0; i < h->nwrites; i++) {
		name_from_body(&h->writes[i]);
		h->with_body += h->writes[i].request != NULL ||
		    h->writes[i].response != NULL;
	}
	return 0;
}

static int
load_snaps(sqlite3 *db, struct ks_rbac_hist *h, struct ks_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, taken_at FROM snapshots"
	    " ORDER BY taken_at IS NULL, taken_at, id", -1, &st, NULL) !=
	    SQLITE_OK)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ks_rbac_snap *s = realloc(h->snaps, (h->nsnaps + 1) *
		    sizeof(*s));
		if (s == NULL)
			break;
		h->snaps = s;
		s[h->nsnaps].id = sqlite3_column_int64(st, 0);
		s[h->nsnaps++].taken_at = sqlite3_column_type(st, 1) ==
		    SQLITE_NULL ? KS_TIME_NONE : sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ks_err_set(err, "%s", sqlite3_errmsg(db));
}

static int
load_objs(sqlite3 *db, struct ks_rbac_hist *h, struct ks_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT snapshot_id, kind, namespace, name,"
	    " body FROM objects WHERE kind IN ('Role', 'ClusterRole',"
	    " 'RoleBinding', 'ClusterRoleBinding') AND name IS NOT NULL"
	    " ORDER BY snapshot_id, id", -1, &st, NULL) != SQLITE_OK)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *b = json_loads((const char *)sqlite3_column_text(st, 4),
		    0, NULL);
		struct ks_rbac_obj *o;
		if (b == NULL)
			continue;	/* a malformed object grants nothing */
		if (h->nobjs == cap) {
			cap = cap ? cap * 2 : 256;
			if ((o = realloc(h->objs, cap * sizeof(*o))) == NULL) {
				json_decref(b);
				break;
			}
			h->objs = o;
		}
		o = &h->objs[h->nobjs++];
		o->snapshot_id = sqlite3_column_int64(st, 0);
		o->kind = ks_rbac_at_kind((const char *)sqlite3_column_text(st,
		    1));
		o->namespace = o->kind && strstr(o->kind, "Cluster") == o->kind ?
		    NULL : dup(sqlite3_column_text(st, 2));
		o->name = dup(sqlite3_column_text(st, 3));
		o->body = b;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ks_err_set(err, "%s", rc == SQLITE_ROW ?
	    "out of memory" : sqlite3_errmsg(db));
}

/* The span of the audit log (every event, not only RBAC writes). */
static void
load_span(sqlite3 *db, struct ks_rbac_hist *h)
{
	sqlite3_stmt *st;

	h->log_first = h->log_last = KS_TIME_NONE;
	/* Two subqueries: min and max together would read the whole index;
	   each the end of audit_events_timeline, which holds only the timed
	   events (so the query must say it wants only those). */
	if (sqlite3_prepare_v2(db, "SELECT (SELECT min(received_us) FROM"
	    " audit_events WHERE received_us IS NOT NULL), (SELECT"
	    " max(received_us) FROM audit_events WHERE received_us IS NOT"
	    " NULL)", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) !=
	    SQLITE_NULL) {
		h->log_first = sqlite3_column_int64(st, 0);
		h->log_last = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

struct ks_rbac_hist *
ks_rbac_hist_load(sqlite3 *db, struct ks_err *err)
{
	struct ks_rbac_hist *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	if (load_snaps(db, h, err) < 0 || load_objs(db, h, err) < 0 ||
	    load_writes(db, h, err) < 0) {
		ks_rbac_hist_free(h);
		return NULL;
	}
	load_span(db, h);
	return h;
}

void
ks_rbac_hist_free(struct ks_rbac_hist *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nobjs; i++) {
		free(h->objs[i].namespace);
		free(h->objs[i].name);
		json_decref(h->objs[i].body);
	}
	for (size_t i = 0; i < h->nwrites; i++)
		write_clear(&h->writes[i]);
	for (size_t i = 0; i < KS_RBACAT_MEMO; i++)
		ks_rbac_at_free(h->memo[i]);
	free(h->objs);
	free(h->writes);
	free(h->snaps);
	free(h);
}

struct ks_rbac_at *
ks_rbac_hist_at(struct ks_rbac_hist *h, int64_t t, struct ks_err *err)
{
	struct ks_rbac_at *at;

	for (size_t i = 0; i < KS_RBACAT_MEMO; i++)
		if (h->memo[i] != NULL && h->memo[i]->at == t)
			return h->memo[i];
	if ((at = ks_rbac_at_build(h, t, err)) == NULL)
		return NULL;
	ks_rbac_at_free(h->memo[h->next]);
	h->memo[h->next] = at;
	h->next = (h->next + 1) % KS_RBACAT_MEMO;
	return at;
}

const struct ks_rbac_write *
ks_rbac_hist_writes(const struct ks_rbac_hist *h, size_t *n)
{
	*n = h->nwrites;
	return h->writes;
}

int64_t
ks_rbac_hist_now(const struct ks_rbac_hist *h)
{
	int64_t now = h->log_last;

	for (size_t i = 0; i < h->nsnaps; i++) {
		if (h->snaps[i].taken_at == KS_TIME_NONE)
			return KS_TIME_NONE;
		if (h->snaps[i].taken_at > now)
			now = h->snaps[i].taken_at;
	}
	return now;
}
