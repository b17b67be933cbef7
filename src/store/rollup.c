#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rollup.h"
#include "store/rollup-ids.h"
#include "store/db.h"
#include "store/sql-assets.h"
#include "util/timeutil.h"

/* An add that found no memory leaves the entry out of the table. */
#define HASH_NONFATAL_OOM	1
#define uthash_nonfatal_oom(e)	((e)->lost = 1)
#include <uthash.h>

/*
 * Counts by key (allowed, denied, first_us, last_us) in a hash table
 * (uthash, as in dict.c): the pending counts are kept between flushes,
 * so that counting an event allocates nothing but a new key.  A key is
 * bytes (struct key), hh.keylen long.
 */
struct pending {
	UT_hash_handle	 hh;
	int64_t		 v[4];
	int64_t		 gid;		/* a group's id (flush) */
	int		 lost;		/* not added: out of memory */
	char		 key[];
};

/*
 * A key being made: fields one after another, each a byte (0: NULL,
 * 1: text) and, for a text, its length (a size_t) and its bytes; a
 * minute as the 8 bytes of an int64_t.  Any text, of any length and with
 * any bytes, stays apart from every other: there is no separator.
 */
struct key {
	char		*p;
	size_t		 len, cap;
	int		 failed;	/* out of memory */
	char		 buf[512];
};

struct tally {
	struct pending	*head;		/* uthash's table */
	size_t		 n;
};

struct ks_rollup {
	struct tally	 pending;	/* group and minute */
	struct ks_gids	*ids;		/* the groups' ids met (rollup-ids.h) */
};

struct ks_rollup *
ks_rollup_new(void)
{
	struct ks_rollup *r = calloc(1, sizeof(struct ks_rollup));

	if (r != NULL && (r->ids = ks_gids_new()) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

static void
tally_clear(struct tally *t)
{
	struct pending *p, *tmp;

	HASH_ITER(hh, t->head, p, tmp) {
		HASH_DEL(t->head, p);
		free(p);
	}
	t->head = NULL;
	t->n = 0;
}

void
ks_rollup_forget(struct ks_rollup *r)
{
	if (r != NULL)
		ks_gids_forget(r->ids);
}

void
ks_rollup_clear(struct ks_rollup *r)
{
	if (r != NULL)
		tally_clear(&r->pending);
	ks_rollup_forget(r);	/* the groups added were rolled back */
}

void
ks_rollup_free(struct ks_rollup *r)
{
	if (r == NULL)
		return;
	tally_clear(&r->pending);
	ks_gids_free(r->ids);
	free(r);
}

static void
key_init(struct key *k)
{
	k->p = k->buf;
	k->len = 0;
	k->cap = sizeof(k->buf);
	k->failed = 0;
}

static void
key_fini(struct key *k)
{
	if (k->p != k->buf)
		free(k->p);
}

static void
key_put(struct key *k, const void *b, size_t n)
{
	char *q;

	if (k->failed)
		return;
	if (k->len + n > k->cap) {
		size_t cap = (k->len + n) * 2;
		if ((q = malloc(cap)) == NULL) {
			k->failed = 1;
			return;
		}
		memcpy(q, k->p, k->len);
		key_fini(k);
		k->p = q;
		k->cap = cap;
	}
	memcpy(k->p + k->len, b, n);
	k->len += n;
}

/* A text field (NULL stays NULL, apart from ""). */
static void
key_text(struct key *k, const char *s)
{
	char tag = s != NULL;
	size_t n = s != NULL ? strlen(s) : 0;

	key_put(k, &tag, 1);
	if (s != NULL) {
		key_put(k, &n, sizeof(n));
		key_put(k, s, n);
	}
}

/*
 * The field of key (len bytes) at *at: its text (not NUL-terminated) and
 * length *n, NULL for a NULL; *at moves past it.
 */
static const char *
key_field(const char *key, size_t len, size_t *at, size_t *n)
{
	const char *s;

	*n = 0;
	if (*at >= len || key[(*at)++] == 0)
		return NULL;
	memcpy(n, key + *at, sizeof(*n));
	s = key + *at + sizeof(*n);
	*at += sizeof(*n) + *n;
	return s;
}

/*
 * key's counts, new (zero, times at us, gid -1) if it had none; NULL if
 * out of memory.
 */
static struct pending *
tally_of(struct tally *t, const char *key, size_t len, int64_t us)
{
	struct pending *p;

	HASH_FIND(hh, t->head, key, len, p);
	if (p != NULL)
		return p;
	if ((p = malloc(sizeof(*p) + len)) == NULL)
		return NULL;
	memcpy(p->key, key, len);
	p->v[0] = p->v[1] = 0;
	p->v[2] = p->v[3] = us;
	p->gid = -1;
	p->lost = 0;
	HASH_ADD(hh, t->head, key[0], len, p);
	if (p->lost) {
		free(p);
		return NULL;
	}
	t->n++;
	return p;
}

/* Add counts v to p's. */
static void
add_counts(struct pending *p, const int64_t *v)
{
	p->v[0] += v[0];
	p->v[1] += v[1];
	if (v[2] < p->v[2])
		p->v[2] = v[2];
	if (v[3] > p->v[3])
		p->v[3] = v[3];
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
	struct key key;
	int64_t minute;
	struct pending *p;
	int denied;

	if (r == NULL || row->received_us == KS_TIME_NONE || (row->stage &&
	    strcmp(row->stage, "ResponseComplete") != 0 &&
	    strcmp(row->stage, "Panic") != 0))
		return;
	minute = row->received_us / 60000000 * 60000000;
	if (row->received_us < 0 && row->received_us % 60000000 != 0)
		minute -= 60000000;
	/* The group's seven fields, then the minute. */
	key_init(&key);
	key_text(&key, actor);
	key_text(&key, row->verb);
	key_text(&key, row->api_group);
	key_text(&key, row->resource);
	key_text(&key, row->subresource);
	key_text(&key, row->namespace);
	key_text(&key, decision_of(row));
	key_put(&key, &minute, sizeof(minute));
	denied = row->code == 403 || (row->decision &&
	    strcmp(row->decision, "forbid") == 0);
	p = key.failed ? NULL : tally_of(&r->pending, key.p, key.len,
	    row->received_us);
	key_fini(&key);
	if (p == NULL)
		return;
	p->v[denied]++;
	if (row->received_us < p->v[2])
		p->v[2] = row->received_us;
	if (row->received_us > p->v[3])
		p->v[3] = row->received_us;
}

/* Bind parameter i to a field of a key (f NULL: NULL). */
static void
bind_field(sqlite3_stmt *st, int i, const char *f, size_t n)
{
	if (f == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, f, (int)n, SQLITE_TRANSIENT);
}

/*
 * The statements of a flush (the groups' ids: rollup-ids.c): the upserts
 * into the three request rollups (?1 the group's id, ?2 the minute,
 * ?3..?6 the counts and times, ?7 the decision).
 */
enum { Q_MINUTE, Q_TOTAL, Q_ALL, Q_ACTOR, Q_ACTOR_ADD, NQ };
static const char *const flush_sql[NQ] = {
	"INSERT INTO request_minute(minute, gid, allowed, denied, first_us,"
	" last_us) VALUES(?2, ?1, ?3, ?4, ?5, ?6)"
	" ON CONFLICT(minute, gid) DO UPDATE SET"
	" allowed = allowed + excluded.allowed,"
	" denied = denied + excluded.denied,"
	" first_us = min(first_us, excluded.first_us),"
	" last_us = max(last_us, excluded.last_us)",
	"INSERT INTO request_total(gid, allowed, denied, first_us, last_us)"
	" VALUES(?1, ?3, ?4, ?5, ?6)"
	" ON CONFLICT(gid) DO UPDATE SET allowed = allowed + excluded.allowed,"
	" denied = denied + excluded.denied,"
	" first_us = min(first_us, excluded.first_us),"
	" last_us = max(last_us, excluded.last_us)",
	"INSERT INTO request_minute_all(minute, decision, allowed, denied,"
	" first_us, last_us) VALUES(?2, ?7, ?3, ?4, ?5, ?6)"
	" ON CONFLICT(minute, decision) DO UPDATE SET"
	" allowed = allowed + excluded.allowed,"
	" denied = denied + excluded.denied,"
	" first_us = min(first_us, excluded.first_us),"
	" last_us = max(last_us, excluded.last_us)",
	"UPDATE request_actor SET allowed = allowed + ?3,"
	" denied = denied + ?4, first_us = min(first_us, ?5),"
	" last_us = max(last_us, ?6) WHERE actor IS ?1 AND decision = ?2",
	"INSERT INTO request_actor(actor, decision, allowed, denied, first_us,"
	" last_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
};

/*
 * One flush: its statements, and the pending counts summed per group
 * (key: the group's fields; gid its id) and per minute and decision, each
 * written once.
 */
struct flush {
	sqlite3		*db;
	sqlite3_stmt	*st[NQ];
	struct ks_gids	*ids;		/* the ids known before the flush */
	struct tally	 groups, all, actors;
};

/* Bind ?3..?6 to counts v and run st to its end; 0, or -1 with err. */
static int
step_counts(sqlite3 *db, sqlite3_stmt *st, const int64_t *v,
    struct ks_err *err)
{
	int rc;

	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(st, 3 + i, v[i]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : ks_db_error(db, err, NULL);
}

/* The id of the group gkey (its seven fields, glen bytes), added when new. */
static int64_t
group_id(struct flush *fl, const char *gkey, size_t glen, struct ks_err *err)
{
	struct ks_gid_fields g;
	size_t at = 0;

	for (int i = 0; i < 7; i++)
		g.f[i] = key_field(gkey, glen, &at, &g.n[i]);
	return ks_gids_id(fl->ids, gkey, glen, &g, err);
}

/* The decision of a group's key (its seventh field), as text. */
static void
key_decision(const char *gkey, size_t glen, char *w, size_t sz)
{
	size_t at = 0, n = 0;
	const char *f = NULL;

	for (int i = 0; i < 7; i++)
		f = key_field(gkey, glen, &at, &n);
	snprintf(w, sz, "%.*s", f != NULL ? (int)n : 0, f != NULL ? f : "");
}

/*
 * One pending count (key: the group's fields and the minute, len bytes)
 * written to request_minute, and added to its group's and to its
 * minute's and decision's (key: the minute, then the decision's text).
 */
static int
write_pending(struct flush *fl, const char *key, size_t len,
    const int64_t *v, struct ks_err *err)
{
	char akey[sizeof(int64_t) + 16];
	size_t glen = len - sizeof(int64_t);
	struct pending *g, *a;
	int64_t minute;

	if (len < sizeof(int64_t))
		return ks_err_set(err, "rollup: a key without a minute");
	memcpy(&minute, key + glen, sizeof(minute));
	memcpy(akey, &minute, sizeof(minute));
	key_decision(key, glen, akey + sizeof(minute), 16);
	if ((g = tally_of(&fl->groups, key, glen, v[2])) == NULL)
		return ks_err_set(err, "out of memory");
	if (g->gid < 0 && (g->gid = group_id(fl, key, glen, err)) < 0)
		return -1;
	add_counts(g, v);
	sqlite3_bind_int64(fl->st[Q_MINUTE], 1, g->gid);
	sqlite3_bind_int64(fl->st[Q_MINUTE], 2, minute);
	if ((a = tally_of(&fl->all, akey, sizeof(minute) +
	    strlen(akey + sizeof(minute)), v[2])) == NULL)
		return ks_err_set(err, "out of memory");
	add_counts(a, v);
	return step_counts(fl->db, fl->st[Q_MINUTE], v, err);
}

/*
 * A group's counts (gkey: its fields, glen bytes) added to its actor's
 * and decision's, in fl->actors (key: the actor's field, the decision's).
 */
static int
add_actor(struct flush *fl, const char *gkey, size_t glen,
    const int64_t *v, struct ks_err *err)
{
	char decision[16];
	size_t at = 0, n;
	struct pending *a = NULL;
	struct key akey;

	key_field(gkey, glen, &at, &n);
	key_decision(gkey, glen, decision, sizeof(decision));
	key_init(&akey);
	key_put(&akey, gkey, at);
	key_text(&akey, decision);
	if (!akey.failed)
		a = tally_of(&fl->actors, akey.p, akey.len, v[2]);
	key_fini(&akey);
	if (a == NULL)
		return ks_err_set(err, "out of memory");
	add_counts(a, v);
	return 0;
}

/* The sums of a flush per actor and decision to request_actor. */
static int
write_actors(struct flush *fl, struct ks_err *err)
{
	int rc = 0;

	for (struct pending *a = fl->actors.head; a != NULL && rc == 0;
	    a = a->hh.next) {
		size_t at = 0, n, dn;
		const char *actor = key_field(a->key, a->hh.keylen, &at, &n);
		const char *dec = key_field(a->key, a->hh.keylen, &at, &dn);

		for (int q = Q_ACTOR; q <= Q_ACTOR_ADD; q++) {
			bind_field(fl->st[q], 1, actor, n);
			bind_field(fl->st[q], 2, dec, dn);
		}
		rc = step_counts(fl->db, fl->st[Q_ACTOR], a->v, err);
		if (rc == 0 && sqlite3_changes(fl->db) == 0)
			rc = step_counts(fl->db, fl->st[Q_ACTOR_ADD], a->v,
			    err);
	}
	return rc;
}

/* The sums of a flush to request_total, request_minute_all and
 * request_actor. */
static int
write_sums(struct flush *fl, struct ks_err *err)
{
	int rc = 0;

	for (struct pending *g = fl->groups.head; g != NULL && rc == 0;
	    g = g->hh.next) {
		sqlite3_bind_int64(fl->st[Q_TOTAL], 1, g->gid);
		if ((rc = step_counts(fl->db, fl->st[Q_TOTAL], g->v, err)) ==
		    0)
			rc = add_actor(fl, g->key, g->hh.keylen, g->v, err);
	}
	for (struct pending *a = fl->all.head; a != NULL && rc == 0;
	    a = a->hh.next) {
		int64_t minute;

		memcpy(&minute, a->key, sizeof(minute));
		sqlite3_bind_int64(fl->st[Q_ALL], 2, minute);
		sqlite3_bind_text(fl->st[Q_ALL], 7, a->key + sizeof(minute),
		    (int)(a->hh.keylen - sizeof(minute)), SQLITE_TRANSIENT);
		rc = step_counts(fl->db, fl->st[Q_ALL], a->v, err);
	}
	return rc == 0 ? write_actors(fl, err) : rc;
}

/*
 * The rollups' SQL (sql/016-rollups.sql) from "Bringing the rollups up to
 * date" on (the tables and views before it are made with the schema):
 * the denials folded in, and the requests counted if they are not yet.
 */
static int
update_denials(sqlite3 *db, struct ks_err *err)
{
	const char *from;

	for (const struct ks_sql_asset *a = ks_sql_assets; a->name; a++)
		if (strcmp(a->name, "016-rollups.sql") == 0 && (from =
		    strstr(a->text, "\n-- Bringing the rollups up to date."))
		    != NULL)
			return ks_db_exec(db, from, err);
	return ks_err_set(err, "016-rollups.sql: not built in");
}

int
ks_rollup_flush(struct ks_rollup *r, sqlite3 *db, struct ks_err *err)
{
	struct flush fl = { .db = db };
	int rc = 0;

	if (r != NULL && r->pending.n > 0) {
		fl.ids = r->ids;
		rc = ks_gids_begin(r->ids, db, err);
		for (size_t i = 0; i < NQ && rc == 0; i++)
			if (sqlite3_prepare_v2(db, flush_sql[i], -1, &fl.st[i],
			    NULL) != SQLITE_OK)
				rc = ks_db_error(db, err, NULL);
		for (struct pending *p = r->pending.head; p != NULL &&
		    rc == 0; p = p->hh.next)
			rc = write_pending(&fl, p->key, p->hh.keylen, p->v,
			    err);
		if (rc == 0)
			rc = write_sums(&fl, err);
		for (size_t i = 0; i < NQ; i++)
			sqlite3_finalize(fl.st[i]);
		ks_gids_end(r->ids);
		tally_clear(&fl.groups);
		tally_clear(&fl.all);
		tally_clear(&fl.actors);
		tally_clear(&r->pending);
	}
	return rc == 0 ? update_denials(db, err) : rc;
}

int
ks_rollup_rebuild(struct ks_rollup *r, sqlite3 *db, struct ks_err *err)
{
	static const char q[] = "DELETE FROM request_minute;"
	    " DELETE FROM request_total; DELETE FROM request_minute_all;"
	    " DELETE FROM denial_requests; DELETE FROM denial_minute;"
	    " DELETE FROM denial_total; DELETE FROM rollup_groups;"
	    " DELETE FROM request_actor;"
	    " DELETE FROM rollup_marks";

	ks_rollup_forget(r);	/* every group is gone */
	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	return update_denials(db, err);
}

/*
 * What the saved detections are of, as rows of rollup_marks: the last id
 * of each table the detections view reads that an import adds to, and
 * the whole of identity_classes as text (a class edited by hand changes
 * it, so the view is read until the next import or upgrade saves it
 * again).  A deletion (ks_rollup_rebuild) drops the marks.
 */
#define STAMP \
    "SELECT 'detections' AS name, coalesce(max(id), 0) AS upto" \
    " FROM audit_rows UNION ALL" \
    " SELECT 'detections.objects', coalesce(max(id), 0) FROM objects" \
    " UNION ALL SELECT 'detections.snapshots', coalesce(max(id), 0)" \
    " FROM snapshots UNION ALL" \
    " SELECT 'detections.logs', coalesce(max(id), 0) FROM log_denials" \
    " UNION ALL SELECT 'detections.classes', 'classes:' ||" \
    " coalesce(group_concat(quote(pattern) || ',' || quote(class) || ','" \
    " || quote(priority), ';'), '') FROM (SELECT pattern, class, priority" \
    " FROM identity_classes ORDER BY pattern, class, priority)"
#define STAMP_N	5

/* The detections' view sorts rows that grow with the evidence (burst_window,
   sql/012) in as much memory as the page cache may hold (ks_db_cache_size):
   2 MiB here, not an import's 16 (peak 48 -> 57 MiB from 0.5M to 2M). */
#define DETECT_CACHE	(-2048)

int
ks_rollup_save_detections(sqlite3 *db, struct ks_err *err)
{
	static const char q[] = "BEGIN IMMEDIATE;"
	    " DELETE FROM rollup_marks WHERE name GLOB 'detections*';"
	    " DELETE FROM detections_saved;"
	    " INSERT INTO detections_saved SELECT rule, severity, actor,"
	    " first_seen, last_seen, count, namespace, object, verb, api_group,"
	    " resource, subresource, audit_ids, summary, first_seen_utc,"
	    " last_seen_utc FROM detections;"
	    " INSERT INTO rollup_marks " STAMP ";"
	    " COMMIT";
	long long was;
	int cached = ks_db_cache_size(db, DETECT_CACHE, &was) == 0, rc = 0;

	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK) {
		rc = ks_db_error(db, err, NULL);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	if (cached)
		ks_db_cache_size(db, was, &was);
	return rc;
}

const char *
ks_rollup_detections(sqlite3 *db)
{
	sqlite3_stmt *st;
	int saved = 0;

	/* A database made before detections_saved has no such marks. */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM (" STAMP ") s"
	    " JOIN rollup_marks m ON m.name = s.name AND m.upto = s.upto", -1,
	    &st, NULL) != SQLITE_OK)
		return "detections";
	saved = sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int(st, 0) == STAMP_N;
	sqlite3_finalize(st);
	return saved ? "detections_saved" : "detections";
}
