#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store/rollup.h"
#include "store/db.h"
#include "store/sql-assets.h"
#include "util/timeutil.h"

/* Pending counts: key -> [allowed, denied, first_us, last_us]. */
struct ks_rollup {
	json_t	*pending;
};

struct ks_rollup *
ks_rollup_new(void)
{
	struct ks_rollup *r = calloc(1, sizeof(*r));

	if (r != NULL && (r->pending = json_object()) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
ks_rollup_free(struct ks_rollup *r)
{
	if (r == NULL)
		return;
	json_decref(r->pending);
	free(r);
}

void
ks_rollup_clear(struct ks_rollup *r)
{
	json_object_clear(r->pending);
}

/* A NULL becomes \001 in keys, so that NULL and "" stay apart. */
static const char *
k(const char *s)
{
	return s != NULL ? s : "\001";
}

/* The authorizer's decision, as request_outcomes gives it. */
static const char *
decision_of(const struct ks_audit_row *row)
{
	if (row->decision && (strcmp(row->decision, "allow") == 0 ||
	    strcmp(row->decision, "forbid") == 0))
		return row->decision;
	return row->code == 403 ? "forbid" : "allow";
}

void
ks_rollup_add(struct ks_rollup *r, const struct ks_audit_row *row)
{
	const char *actor = row->impersonated_user ? row->impersonated_user :
	    row->username;
	char key[2048];
	int64_t minute;
	json_t *v;
	int denied;

	if (r == NULL || row->received_us == KS_TIME_NONE || (row->stage &&
	    strcmp(row->stage, "ResponseComplete") != 0 &&
	    strcmp(row->stage, "Panic") != 0))
		return;
	minute = row->received_us / 60000000 * 60000000;
	if (row->received_us < 0 && row->received_us % 60000000 != 0)
		minute -= 60000000;
	snprintf(key, sizeof(key),
	    "%s\037%s\037%s\037%s\037%s\037%s\037%s\037%lld",
	    k(actor), k(row->verb), k(row->api_group), k(row->resource),
	    k(row->subresource), k(row->namespace), decision_of(row),
	    (long long)minute);
	denied = row->code == 403 || (row->decision &&
	    strcmp(row->decision, "forbid") == 0);
	if ((v = json_object_get(r->pending, key)) == NULL) {
		v = json_pack("[iiII]", 0, 0, (json_int_t)row->received_us,
		    (json_int_t)row->received_us);
		if (v == NULL || json_object_set_new(r->pending, key, v) < 0)
			return;
	}
	json_array_set_new(v, denied, json_integer(json_integer_value(
	    json_array_get(v, denied)) + 1));
	if (row->received_us < json_integer_value(json_array_get(v, 2)))
		json_array_set_new(v, 2, json_integer(row->received_us));
	if (row->received_us > json_integer_value(json_array_get(v, 3)))
		json_array_set_new(v, 3, json_integer(row->received_us));
}

/* Bind field i of the key (NUL-separated copy), \001 as NULL. */
static void
bind_field(sqlite3_stmt *st, int i, const char *f)
{
	if (strcmp(f, "\001") == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, f, -1, SQLITE_TRANSIENT);
}

/* The upserts of one pending count, into the four request rollups. */
static const char *const upserts[] = {
	"INSERT INTO activity_minute(key, actor, verb, api_group, resource,"
	" subresource, namespace, minute, allowed, denied, first_us, last_us)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?10, ?11, ?12, ?13)"
	" ON CONFLICT(key) DO UPDATE SET allowed = allowed + excluded.allowed,"
	" denied = denied + excluded.denied,"
	" first_us = min(first_us, excluded.first_us),"
	" last_us = max(last_us, excluded.last_us)",
	"INSERT INTO request_minute(minute, key, actor, verb, api_group,"
	" resource, subresource, namespace, decision, allowed, denied,"
	" first_us, last_us) VALUES(?9, ?14, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10,"
	" ?11, ?12, ?13) ON CONFLICT(minute, key) DO UPDATE SET"
	" allowed = allowed + excluded.allowed,"
	" denied = denied + excluded.denied,"
	" first_us = min(first_us, excluded.first_us),"
	" last_us = max(last_us, excluded.last_us)",
	"INSERT INTO request_total(key, actor, verb, api_group, resource,"
	" subresource, namespace, decision, allowed, denied, first_us, last_us)"
	" VALUES(?14, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10, ?11, ?12, ?13)"
	" ON CONFLICT(key) DO UPDATE SET allowed = allowed + excluded.allowed,"
	" denied = denied + excluded.denied,"
	" first_us = min(first_us, excluded.first_us),"
	" last_us = max(last_us, excluded.last_us)",
	"INSERT INTO request_minute_all(minute, decision, allowed, denied,"
	" first_us, last_us) VALUES(?9, ?8, ?10, ?11, ?12, ?13)"
	" ON CONFLICT(minute, decision) DO UPDATE SET"
	" allowed = allowed + excluded.allowed,"
	" denied = denied + excluded.denied,"
	" first_us = min(first_us, excluded.first_us),"
	" last_us = max(last_us, excluded.last_us)",
};
#define NUPSERTS	(sizeof(upserts) / sizeof(upserts[0]))

/*
 * Bind one pending count: ?1 the activity key (no decision), ?2..?7 the
 * columns, ?8 the decision, ?9 the minute, ?10..?13 the counts and
 * times, ?14 the request key (with the decision).
 */
static void
bind_pending(sqlite3_stmt *st, const char *key, json_t *v)
{
	char buf[2048], akey[2048], rkey[2048], *f[8], *p;

	snprintf(buf, sizeof(buf), "%s", key);
	p = buf;
	for (int i = 0; i < 8; i++)
		if ((f[i] = strsep(&p, "\037")) == NULL)
			f[i] = "\001";
	snprintf(akey, sizeof(akey), "%s\037%s\037%s\037%s\037%s\037%s\037%s",
	    f[0], f[1], f[2], f[3], f[4], f[5], f[7]);
	snprintf(rkey, sizeof(rkey), "%s\037%s\037%s\037%s\037%s\037%s\037%s",
	    f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
	sqlite3_bind_text(st, 1, akey, -1, SQLITE_TRANSIENT);
	for (int i = 0; i < 6; i++)
		bind_field(st, i + 2, f[i]);
	sqlite3_bind_text(st, 8, f[6], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, strtoll(f[7], NULL, 10));
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(st, 10 + i, json_integer_value(
		    json_array_get(v, (size_t)i)));
	sqlite3_bind_text(st, 14, rkey, -1, SQLITE_TRANSIENT);
}

/* The rollups' SQL (sql/016-rollups.sql): the denials folded in. */
static int
update_denials(sqlite3 *db, struct ks_err *err)
{
	for (const struct ks_sql_asset *a = ks_sql_assets; a->name; a++)
		if (strcmp(a->name, "016-rollups.sql") == 0)
			return ks_db_exec(db, a->text, err);
	return ks_err_set(err, "016-rollups.sql: not built in");
}

int
ks_rollup_flush(struct ks_rollup *r, sqlite3 *db, struct ks_err *err)
{
	sqlite3_stmt *st[NUPSERTS] = { NULL };
	const char *key;
	json_t *v;
	int rc = 0;

	if (r != NULL && json_object_size(r->pending) > 0) {
		for (size_t i = 0; i < NUPSERTS && rc == 0; i++)
			if (sqlite3_prepare_v2(db, upserts[i], -1, &st[i],
			    NULL) != SQLITE_OK)
				rc = ks_db_error(db, err, NULL);
		json_object_foreach(r->pending, key, v) {
			for (size_t i = 0; i < NUPSERTS && rc == 0; i++) {
				bind_pending(st[i], key, v);
				if (sqlite3_step(st[i]) != SQLITE_DONE)
					rc = ks_db_error(db, err, NULL);
				sqlite3_reset(st[i]);
			}
			if (rc != 0)
				break;
		}
		for (size_t i = 0; i < NUPSERTS; i++)
			sqlite3_finalize(st[i]);
		json_object_clear(r->pending);
	}
	return rc == 0 ? update_denials(db, err) : rc;
}

int
ks_rollup_rebuild(sqlite3 *db, struct ks_err *err)
{
	static const char q[] = "DELETE FROM activity_minute;"
	    " INSERT INTO activity_minute(key, actor, verb, api_group, resource,"
	    " subresource, namespace, minute, allowed, denied, first_us, last_us)"
	    " SELECT concat_key, actor, verb, api_group, resource, subresource,"
	    " namespace, minute, sum(NOT refused), sum(refused),"
	    " min(received_us), max(received_us) FROM (SELECT"
	    " coalesce(impersonated_user, username) AS actor, verb, api_group,"
	    " resource, subresource, namespace, received_us,"
	    " (received_us / 60000000 - (received_us < 0 AND received_us %"
	    " 60000000 != 0)) * 60000000 AS minute,"
	    " (coalesce(code = 403, 0) OR coalesce(decision = 'forbid', 0))"
	    " AS refused,"
	    " coalesce(coalesce(impersonated_user, username), char(1)) ||"
	    " char(31) || coalesce(verb, char(1)) || char(31) ||"
	    " coalesce(api_group, char(1)) || char(31) || coalesce(resource,"
	    " char(1)) || char(31) || coalesce(subresource, char(1)) ||"
	    " char(31) || coalesce(namespace, char(1)) || char(31) ||"
	    " ((received_us / 60000000 - (received_us < 0 AND received_us %"
	    " 60000000 != 0)) * 60000000) AS concat_key"
	    " FROM audit_events e WHERE received_us IS NOT NULL AND"
	    " coalesce(stage, 'ResponseComplete') IN ('ResponseComplete',"
	    " 'Panic') AND NOT EXISTS (SELECT 1 FROM audit_events d WHERE"
	    " d.received_us IS e.received_us AND d.audit_id = e.audit_id AND"
	    " d.id < e.id AND coalesce(d.stage,"
	    " 'ResponseComplete') IN ('ResponseComplete', 'Panic')))"
	    " GROUP BY concat_key;"
	    " DELETE FROM request_minute; DELETE FROM request_total;"
	    " DELETE FROM request_minute_all;"
	    " DELETE FROM denial_requests; DELETE FROM denial_minute;"
	    " DELETE FROM denial_total; DELETE FROM rollup_marks";
	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	return update_denials(db, err);
}
