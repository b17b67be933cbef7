#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store/rollup.h"
#include "store/db.h"
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
	snprintf(key, sizeof(key), "%s\037%s\037%s\037%s\037%s\037%s\037%lld",
	    k(actor), k(row->verb), k(row->api_group), k(row->resource),
	    k(row->subresource), k(row->namespace), (long long)minute);
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

int
ks_rollup_flush(struct ks_rollup *r, sqlite3 *db, struct ks_err *err)
{
	static const char q[] = "INSERT INTO activity_minute(key, actor, verb,"
	    " api_group, resource, subresource, namespace, minute, allowed,"
	    " denied, first_us, last_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11, ?12) ON CONFLICT(key) DO UPDATE SET"
	    " allowed = allowed + excluded.allowed,"
	    " denied = denied + excluded.denied,"
	    " first_us = min(first_us, excluded.first_us),"
	    " last_us = max(last_us, excluded.last_us)";
	sqlite3_stmt *st;
	const char *key;
	json_t *v;
	char buf[2048], *f[7], *p;
	int rc = 0;

	if (r == NULL || json_object_size(r->pending) == 0)
		return 0;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	json_object_foreach(r->pending, key, v) {
		snprintf(buf, sizeof(buf), "%s", key);
		p = buf;
		for (int i = 0; i < 7; i++)
			f[i] = strsep(&p, "\037");
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		for (int i = 0; i < 6; i++)
			bind_field(st, i + 2, f[i] ? f[i] : "\001");
		sqlite3_bind_int64(st, 8, f[6] ? strtoll(f[6], NULL, 10) : 0);
		for (int i = 0; i < 4; i++)
			sqlite3_bind_int64(st, 9 + i, json_integer_value(
			    json_array_get(v, (size_t)i)));
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = ks_db_error(db, err, NULL);
			break;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	json_object_clear(r->pending);
	return rc;
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
	    " GROUP BY concat_key";
	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	return 0;
}
