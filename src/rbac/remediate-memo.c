/*
 * What a plan reads from the database once and then asks many times (its
 * changes and groups): actors' identity classes, the facts of resources,
 * the refused requests' names for the replay, and the statements asked
 * again and again, prepared once (declared in remediate-int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/filter.h"
#include "util/jutil.h"
#include "rbac/rbacdb.h"
#include "rbac/remediate-int.h"

void
ks_remediate_memo_init(struct ks_remediate_memo *m, sqlite3 *db,
    const struct ks_filter *filter)
{
	memset(m, 0, sizeof(*m));
	m->db = db;
	m->filter = filter;
	m->classes = json_object();
	m->resources = json_object();
	m->refusals = json_object();
}

void
ks_remediate_memo_free(struct ks_remediate_memo *m)
{
	json_decref(m->classes);
	json_decref(m->resources);
	json_decref(m->refusals);
	json_decref(m->named);
	json_decref(m->known_keys);
	free(m->facts);
	sqlite3_finalize(m->refusals_st);
	sqlite3_finalize(m->known_st);
	sqlite3_finalize(m->class_st);
}

/*
 * A key of the eight columns that make a denial group (those of
 * ks_remediate_group_keys), NULL told from every string: a new string,
 * the caller's, or NULL when out of memory.
 */
static char *
group_key(const char *const v[KS_REMEDIATE_KEYS])
{
	size_t n = 1;
	char *k, *p;

	for (int i = 0; i < KS_REMEDIATE_KEYS; i++)
		n += (v[i] ? strlen(v[i]) : 0) + 2;
	if ((k = p = malloc(n)) == NULL)
		return NULL;
	for (int i = 0; i < KS_REMEDIATE_KEYS; i++) {
		*p++ = v[i] ? '\x02' : '\x01';
		if (v[i] != NULL) {
			size_t l = strlen(v[i]);
			memcpy(p, v[i], l);
			p += l;
		}
		*p++ = '\x1f';
	}
	*p = '\0';
	return k;
}

const char *const ks_remediate_group_keys[KS_REMEDIATE_KEYS] = { "actor",
    "verb", "api_group", "resource", "subresource", "namespace", "path",
    "refused_by" };

/*
 * The refused requests that replay reads when names matter, grouped by
 * group and name: a refused request's name read from its event, its path
 * only for a request of no resource (the columns of denials, without
 * reading anything else of the event).
 */
static const char named_sql[] = "SELECT actor, verb, api_group, resource,"
    " subresource, namespace, path, refused_by, name, count(*) FROM ("
    "SELECT g.actor, g.verb, g.api_group, g.resource, g.subresource,"
    " g.namespace, (SELECT e.name FROM audit_events e WHERE e.id = r.id)"
    " AS name, r.time, g.decision,"
    " CASE g.decision WHEN 'allow' THEN 'admission' ELSE 'authorizer' END"
    " AS refused_by, CASE WHEN g.resource IS NULL THEN (SELECT"
    " e.request_uri FROM audit_events e WHERE e.id = r.id) END AS path"
    " FROM denial_requests r JOIN rollup_groups g ON g.id = r.gid"
    " UNION ALL SELECT actor, verb, api_group, resource, subresource,"
    " namespace, name, time, 'forbid', 'log', path"
    " FROM log_denials_only) WHERE 1";

/* Read named_sql's rows into m->named: key -> [[name, count], ...]. */
static int
read_named(struct ks_remediate_memo *m)
{
	char sql[8192];
	const char *v[KS_REMEDIATE_KEYS];
	sqlite3_stmt *st;
	json_t *rows;
	char *k;
	int rc;

	snprintf(sql, sizeof(sql), "%s", named_sql);
	if (ks_filter_sql(m->filter, sql, sizeof(sql), "time", "decision") <
	    0)
		return -1;
	strncat(sql, " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
	    sizeof(sql) - strlen(sql) - 1);
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	ks_filter_bind(m->filter, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < KS_REMEDIATE_KEYS; i++)
			v[i] = (const char *)sqlite3_column_text(st, i);
		if ((k = group_key(v)) == NULL)
			break;
		if ((rows = json_object_get(m->named, k)) == NULL)
			json_object_set_new(m->named, k, rows = json_array());
		free(k);
		json_array_append_new(rows, json_pack("[s?,I]",
		    (const char *)sqlite3_column_text(st, 8),
		    (json_int_t)sqlite3_column_int64(st, 9)));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

long
ks_remediate_replay(struct ks_remediate_memo *m, struct ks_rbac *patched,
    int names, const struct ks_remediate_group *g)
{
	struct ks_rbac_request req;
	const char *gv[64], *v[KS_REMEDIATE_KEYS];
	json_t *rows, *r;
	long allowed = 0;
	size_t i;
	char *k;

	ks_remediate_request(g, &req, gv, 64);
	if (!names)	/* no name changes the answer: all of g or none */
		return ks_rbac_allows(patched, &req, NULL) == 1 ?
		    (long)g->count : 0;
	if (m->named == NULL) {
		m->named = json_object();
		if (read_named(m) < 0) {
			json_object_clear(m->named);
			return 0;
		}
	}
	v[0] = g->actor;
	v[1] = g->verb;
	v[2] = g->api_group;
	v[3] = g->resource;
	v[4] = g->subresource;
	v[5] = g->namespace;
	v[6] = g->path;
	v[7] = g->refused_by;
	if ((k = group_key(v)) == NULL)
		return 0;
	rows = json_object_get(m->named, k);
	free(k);
	json_array_foreach(rows, i, r) {
		req.name = json_string_value(json_array_get(r, 0));
		if (ks_rbac_allows(patched, &req, NULL) == 1)
			allowed += (long)json_integer_value(json_array_get(r, 1));
	}
	return allowed;
}

/* s into buf of sz bytes (sz > 0), cut short as snprintf would (once a
   group: snprintf's parse of "%s" costs more than the copy). */
static void
copy(char *buf, size_t sz, const char *s)
{
	size_t n = strlen(s);

	if (n >= sz)
		n = sz - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

int
ks_remediate_identity(struct ks_remediate_memo *m, const char *actor,
    char *cls, size_t sz)
{
	static const char q[] = "SELECT class FROM identity_classes WHERE ?1"
	    " GLOB pattern ORDER BY priority LIMIT 1";
	/* The identity classes that are components; every other one is a
	   person. */
	static const char *const component_classes[] = { "control-plane",
	    "controller", "node", "service-account", "cloud-provider" };
	const char *known;
	int component = 0;

	/* (The groups come by actor: most ask what the last one asked.) */
	if (actor != NULL && m->last_actor != NULL && (actor ==
	    m->last_actor || strcmp(actor, m->last_actor) == 0)) {
		copy(cls, sz, m->last_class);
		return m->last_component;
	}
	known = actor ? ks_json_str(m->classes, actor) : NULL;
	snprintf(cls, sz, "%s", known ? known : "unknown");
	if (actor != NULL && known == NULL && (m->class_st != NULL ||
	    sqlite3_prepare_v2(m->db, q, -1, &m->class_st, NULL) ==
	    SQLITE_OK)) {
		sqlite3_bind_text(m->class_st, 1, actor, -1, SQLITE_STATIC);
		if (sqlite3_step(m->class_st) == SQLITE_ROW &&
		    sqlite3_column_text(m->class_st, 0))
			snprintf(cls, sz, "%s", (const char *)
			    sqlite3_column_text(m->class_st, 0));
		sqlite3_reset(m->class_st);
		sqlite3_clear_bindings(m->class_st);
		json_object_set_new(m->classes, actor, json_string(cls));
	}
	for (size_t i = 0; i < sizeof(component_classes) /
	    sizeof(component_classes[0]); i++)
		component |= strcmp(cls, component_classes[i]) == 0;
	if (actor != NULL) {
		m->last_actor = actor;
		snprintf(m->last_class, sizeof(m->last_class), "%s", cls);
		m->last_component = component;
	}
	return component;
}

long long
ks_remediate_refusals(struct ks_remediate_memo *m, const char *actor)
{
	/* The rows of denials, counted without reading them: its audit
	   rows are denial_requests' (one per refused request, with its
	   group), the rest log_denials_only's; each count stops at 2. */
	static const char q[] = "SELECT (SELECT count(*) FROM (SELECT 1 FROM"
	    " denial_requests r JOIN rollup_groups g ON g.id = r.gid"
	    " WHERE g.actor = ?1 LIMIT 2)) + (SELECT count(*) FROM (SELECT 1"
	    " FROM log_denials_only WHERE actor = ?1 LIMIT 2))";
	json_t *known = actor ? json_object_get(m->refusals, actor) : NULL;
	long long n = -1;

	if (known != NULL)
		return json_integer_value(known);
	if (actor == NULL || (m->refusals_st == NULL &&
	    sqlite3_prepare_v2(m->db, q, -1, &m->refusals_st, NULL) !=
	    SQLITE_OK))
		return -1;
	sqlite3_bind_text(m->refusals_st, 1, actor, -1, SQLITE_STATIC);
	if (sqlite3_step(m->refusals_st) == SQLITE_ROW)
		n = sqlite3_column_int64(m->refusals_st, 0);
	sqlite3_reset(m->refusals_st);
	sqlite3_clear_bindings(m->refusals_st);
	if (n >= 0)
		json_object_set_new(m->refusals, actor, json_integer(n));
	return n;
}

/* Keep the refusals of the run of groups v[0..n) (one actor's) when
   one of them is a single refusal (the only groups that ask). */
static void
refusals_run(struct ks_remediate_memo *m, struct ks_remediate_group **v,
    size_t n)
{
	long long audit = 0, log = 0;
	int asks = 0;

	for (size_t i = 0; i < n; i++) {
		asks |= v[i]->count == 1;
		if (v[i]->origin != NULL && strcmp(v[i]->origin, "log") == 0)
			log += v[i]->count;
		else
			audit += v[i]->count;
	}
	if (asks)
		json_object_set_new(m->refusals, v[0]->actor, json_integer(
		    (audit < 2 ? audit : 2) + (log < 2 ? log : 2)));
}

void
ks_remediate_refusals_fill(struct ks_remediate_memo *m,
    struct ks_remediate_group **v, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		for (j = i + 1; j < n && v[j]->actor == v[i]->actor; j++)
			continue;
		if (v[i]->actor != NULL)
			refusals_run(m, v + i, j - i);
		i = j;
	}
}

const struct ks_resource_facts *
ks_remediate_resource(struct ks_remediate_memo *m, const char *group,
    const char *resource)
{
	const char *v[KS_REMEDIATE_KEYS] = { group, resource };
	struct ks_resource_facts rf, *grown;
	struct ks_err err;
	json_t *at;
	char *k;

	if ((k = group_key(v)) == NULL)
		return NULL;
	if ((at = json_object_get(m->resources, k)) != NULL) {
		free(k);
		return json_integer_value(at) < 0 ? NULL :
		    &m->facts[json_integer_value(at)];
	}
	if (ks_rbacdb_resource(m->db, group, resource, &rf, &err) < 0) {
		json_object_set_new(m->resources, k, json_integer(-1));
		free(k);
		return NULL;
	}
	if (m->nfacts == m->capfacts) {
		size_t cap = m->capfacts ? m->capfacts * 2 : 16;
		if ((grown = realloc(m->facts, cap * sizeof(*grown))) == NULL) {
			free(k);
			return NULL;
		}
		m->facts = grown;
		m->capfacts = cap;
	}
	m->facts[m->nfacts] = rf;
	json_object_set_new(m->resources, k, json_integer((json_int_t)
	    m->nfacts));
	free(k);
	return &m->facts[m->nfacts++];
}
