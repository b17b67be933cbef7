/*
 * The allowed requests of the window, read (unused-int.h, ks_unused_scan):
 * the table in the order it is stored, a narrow window through the time
 * index, or some users' requests through the actor and impersonator
 * indexes; each row grouped by unused-group.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbac/unused-int.h"
#include "util/timeutil.h"

/*
 * The rows of the window to group (the columns ks_unused_groups_add
 * reads): the final stage of each request (ResponseComplete or Panic, or
 * no stage), with a verb, allowed or impersonated.  ?1 ?2 the window
 * (NULL: open); ?3, ?4 the resources whose names are kept (see
 * unused-req.c); ?5 (scan_actor_sql) a user's string id.  A narrow window
 * is read through the time index (scan_indexed_sql), else the table in
 * order (scan_sql).
 */
#define SCAN_COLUMNS \
    "SELECT actor_id, CASE WHEN impersonated_user_id IS NOT NULL" \
    " THEN impersonated_groups_id ELSE user_groups_id END, verb, api_group," \
    " resource, subresource, namespace," \
    " CASE WHEN verb IN ('create', 'deletecollection') AND subresource IS" \
    " NULL THEN NULL WHEN ?3 OR instr(?4, '|' || resource || '|') > 0" \
    " THEN name END," \
    " CASE WHEN resource IS NULL THEN CASE WHEN instr(request_uri, '?') > 0" \
    " THEN substr(request_uri, 1, instr(request_uri, '?') - 1)" \
    " ELSE request_uri END END," \
    " CASE WHEN decision IN ('allow', 'forbid') THEN decision" \
    " WHEN code = 403 THEN 'forbid' ELSE 'allow' END = 'allow'," \
    " CASE WHEN impersonated_user_id IS NOT NULL THEN user_id END," \
    " CASE WHEN impersonated_user_id IS NOT NULL THEN user_groups_id END," \
    " coalesce(audit_key, 'row:' || id), received_us, id FROM audit_rows"
#define SCAN_FINAL \
    " AND coalesce(stage, 'ResponseComplete') IN ('ResponseComplete'," \
    " 'Panic') AND verb IS NOT NULL" \
    " AND (impersonated_user_id IS NOT NULL OR CASE WHEN decision IN" \
    " ('allow', 'forbid') THEN decision WHEN code = 403 THEN 'forbid'" \
    " ELSE 'allow' END = 'allow')"
static const char scan_sql[] = SCAN_COLUMNS
    " WHERE (?1 IS NULL OR received_us >= ?1)"
    " AND (?2 IS NULL OR received_us <= ?2)" SCAN_FINAL;
static const char scan_actor_sql[] = SCAN_COLUMNS
    " WHERE (actor_id = ?5 OR (impersonated_user_id IS NOT NULL"
    " AND user_id = ?5))"
    " AND (?1 IS NULL OR received_us >= ?1)"
    " AND (?2 IS NULL OR received_us <= ?2)" SCAN_FINAL;
static const char scan_indexed_sql[] = SCAN_COLUMNS
    " INDEXED BY audit_events_timeline WHERE received_us IS NOT NULL"
    " AND received_us >= coalesce(?1, -9223372036854775807 - 1)"
    " AND received_us <= coalesce(?2, 9223372036854775807)" SCAN_FINAL;

#define PROGRESS_EVERY	1024	/* rows between progress calls */

/*
 * Is the window narrow enough to read through the time index (its rows
 * fetched one by one) rather than the table in order?  Told from the
 * per-minute counts kept at import: under an eighth of the requests.
 */
static int
narrow(sqlite3 *db, int64_t since, int64_t until)
{
	sqlite3_stmt *st;
	int yes = 0;

	if (since == KS_TIME_NONE && until == KS_TIME_NONE)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT total(CASE WHEN (?1 IS NULL OR"
	    " minute + 60000000 > ?1) AND (?2 IS NULL OR minute <= ?2)"
	    " THEN allowed + denied END) * 8 < total(allowed + denied)"
	    " FROM request_minute_all", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (since != KS_TIME_NONE)
		sqlite3_bind_int64(st, 1, since);
	if (until != KS_TIME_NONE)
		sqlite3_bind_int64(st, 2, until);
	if (sqlite3_step(st) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return yes;
}

/* Every row of st into s (a row of a user read twice, as actor and as
   impersonator, is one key twice: counted once).  0 or -1 with err. */
static int
read_rows(struct ks_unused *u, struct ks_unused_groups *s, sqlite3_stmt *st,
    struct ks_err *err)
{
	unsigned long rows = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ks_unused_groups_add(s, st) < 0) {
			ks_err_set(err, "out of memory");
			return -1;
		}
		if (++rows % PROGRESS_EVERY == 0 && u->progress != NULL)
			u->progress(u->progress_arg);
	}
	if (rc != SQLITE_DONE)
		ks_err_set(err, "%s", sqlite3_errmsg(u->db));
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The statement that reads the window: the table in order, or (a narrow
   window) the time index, or (u->only) one user's requests at a time. */
static sqlite3_stmt *
prepare(struct ks_unused *u, struct ks_err *err)
{
	sqlite3_stmt *st = NULL;

	if (u->only != NULL) {
		if (sqlite3_prepare_v2(u->db, scan_actor_sql, -1, &st, NULL) ==
		    SQLITE_OK)
			return st;
	} else if (narrow(u->db, u->since_us, u->until_us) &&
	    sqlite3_prepare_v2(u->db, scan_indexed_sql, -1, &st, NULL) ==
	    SQLITE_OK)
		return st;
	else if (sqlite3_prepare_v2(u->db, scan_sql, -1, &st, NULL) ==
	    SQLITE_OK)
		return st;
	ks_err_set(err, "%s", sqlite3_errmsg(u->db));
	return NULL;
}

/* Read u->only's users one by one (a name never seen has no id). */
static int
read_users(struct ks_unused *u, struct ks_unused_groups *s, sqlite3_stmt *st,
    struct ks_err *err)
{
	sqlite3_stmt *id;
	int rc = 0;

	if (sqlite3_prepare_v2(u->db, "SELECT id FROM strings WHERE value ="
	    " ?1", -1, &id, NULL) != SQLITE_OK) {
		ks_err_set(err, "%s", sqlite3_errmsg(u->db));
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < u->nonly; i++) {
		sqlite3_bind_text(id, 1, u->only[i], -1, SQLITE_STATIC);
		if (sqlite3_step(id) == SQLITE_ROW) {
			sqlite3_bind_int64(st, 5, sqlite3_column_int64(id, 0));
			rc = read_rows(u, s, st, err);
			sqlite3_reset(st);
		}
		sqlite3_reset(id);
	}
	sqlite3_finalize(id);
	return rc;
}

int
ks_unused_scan(struct ks_unused *u, const char *names, int all_names,
    ks_unused_row_fn fn, void *arg, struct ks_err *err)
{
	struct ks_unused_groups *s;
	sqlite3_stmt *st;
	int rc;

	if ((s = ks_unused_groups_new(u->db)) == NULL) {
		ks_err_set(err, "out of memory");
		return -1;
	}
	if ((st = prepare(u, err)) == NULL) {
		ks_unused_groups_free(s);
		return -1;
	}
	if (u->since_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 1, u->since_us);
	if (u->until_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 2, u->until_us);
	sqlite3_bind_int(st, 3, all_names);
	sqlite3_bind_text(st, 4, names, -1, SQLITE_STATIC);
	rc = u->only != NULL ? read_users(u, s, st, err) :
	    read_rows(u, s, st, err);
	sqlite3_finalize(st);
	if (rc == 0)
		rc = ks_unused_groups_emit(s, fn, arg, err);
	if (rc < 0 && !err->msg[0])
		ks_err_set(err, "out of memory");
	ks_unused_groups_free(s);
	return rc;
}
