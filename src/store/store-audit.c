/*
 * Audit events into audit_rows (and their bytes into the compressed
 * blocks of raw_block, raw-write.c), unique by their bytes; the
 * rollup counted as they arrive.
 */
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "store/store.h"
#include "store/store-int.h"
#include "store/db.h"
#include "store/audit-key.h"
#include "util/fault.h"
#include "store/rollup.h"

#define ROLLUP_EVERY	65536	/* events between flushes of the rollup */

/*
 * Is text i of ks_audit_texts (audit.h) stored once, in strings?  The
 * users, groups, source IPs, user agent and the authorizer's reason: few
 * values, long, on every event.
 */
static int
in_dict(int i)
{
	return i == 4 || i == 5 || i == 6 || i == 7 || i == 8 || i == 9 ||
	    i == 18;
}

/*
 * 1 when the user or the impersonated user is system:anonymous or the
 * groups name system:unauthenticated (anonymous requests), else NULL:
 * what the anonymous-allowed detection's partial index reads, since an
 * index cannot look users and groups up in strings.  A superset (the text
 * holds the name), the rule itself checks exactly.
 */
static void
bind_unauthenticated(sqlite3_stmt *s, const struct ks_audit_row *r,
    const char *groups)
{
	static const char anon[] = "system:anonymous";

	if ((groups != NULL && strstr(groups, "system:unauthenticated")) ||
	    (r->username != NULL && strcmp(r->username, anon) == 0) ||
	    (r->impersonated_user != NULL &&
	    strcmp(r->impersonated_user, anon) == 0))
		sqlite3_bind_int(s, 32, 1);
	else
		sqlite3_bind_null(s, 32);
}

/* Bind the columns of r (parameters 3 to 25, and 32).  0 or -1. */
static int
bind_row(struct ks_store *st, sqlite3_stmt *s, const struct ks_audit_row *r,
    const struct ks_audit_json *a, const int *len, struct ks_err *err)
{
	const char *v[KS_AUDIT_NTEXT];
	int64_t id;

	ks_audit_texts(r, a, v);
	for (int i = 0; i < KS_AUDIT_NTEXT; i++) {
		int param = i < 17 ? 3 + i : 4 + i;
		if (i == 0)	/* audit_id */
			ks_audit_key_bind(s, param, v[i], len ? len[i] : -1,
			    st->akey);
		else if (i == 16)	/* request_uri */
			ks_store_bind_uri(s, param, r);
		else if (i == 1)
			ks_store_bind_code(s, param, v[i], KS_CODE_STAGE);
		else if (i == 2)
			ks_store_bind_code(s, param, v[i], KS_CODE_LEVEL);
		else if (i == 17)
			ks_store_bind_code(s, param, v[i], KS_CODE_DECISION);
		else if (v[i] == NULL)
			sqlite3_bind_null(s, param);
		else if (!in_dict(i))
			sqlite3_bind_text(s, param, v[i], len ? len[i] : -1,
			    SQLITE_STATIC);
		else if (ks_dict_id(st->dict, v[i], len ? len[i] : -1, &id,
		    err) < 0)
			return -1;
		else
			sqlite3_bind_int64(s, param, id);
	}
	if (r->code != 0)
		sqlite3_bind_int(s, 20, r->code);
	else
		sqlite3_bind_null(s, 20);
	bind_time(s, 23, r->received_us);
	/* stage_delta: the stage time from the received time (both parsed
	   RFC 3339, years 0-9999: no overflow), or itself without one. */
	bind_time(s, 24, r->stage_us == KS_TIME_NONE || r->received_us ==
	    KS_TIME_NONE ? r->stage_us : r->stage_us - r->received_us);
	sqlite3_bind_int(s, 25, r->partial);
	bind_unauthenticated(s, r, v[5]);
	return 0;
}

/*
 * What views read from an event's JSON besides the columns, taken at import
 * so that they read no raw bytes: the response's message of a refused
 * request, and the object sent by a write let through.
 */
struct extras {
	char		*message;	/* code >= 400 */
	char		*request_object; /* create, update, patch */
};

/*
 * Does the object of this write matter?  Not that of a subresource (a
 * status, a token request, a binding: not the object itself) but
 * ephemeralcontainers (the pod, with the container added), nor of
 * leases and events, written every few seconds by every node and
 * controller; those stay in the raw bytes alone.
 */
static int
wants_object(const struct ks_audit_row *row)
{
	static const char *const verbs[] = { "create", "update", "patch" };
	int write = 0;

	/* (Cloud Logging's refusals have no code, only the decision.) */
	if (row->verb == NULL || row->code >= 400 || (row->decision != NULL &&
	    strcmp(row->decision, "forbid") == 0) || (row->subresource != NULL
	    && strcmp(row->subresource, "ephemeralcontainers") != 0)
	    || (row->resource != NULL && (strcmp(row->resource, "leases") == 0
	    || strcmp(row->resource, "events") == 0)))
		return 0;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		write |= strcmp(row->verb, verbs[i]) == 0;
	return write;
}

/*
 * A Secret's values never leave the raw bytes: the object kept beside the
 * row (read by views, kept even with --no-raw) has each value of data and
 * stringData replaced by its length, and no last-applied-configuration
 * (kubectl copies the whole Secret, values and all, into it).
 */
static void
redact_secret(json_t *obj)
{
	static const char *const maps[] = { "data", "stringData" };
	const char *key;
	json_t *m, *v;

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		m = json_object_get(obj, maps[i]);
		json_object_foreach(m, key, v) {
			char what[64];
			snprintf(what, sizeof(what), "(redacted: %zu bytes)",
			    json_is_string(v) ? json_string_length(v) : 0);
			json_object_set_new(m, key, json_string(what));
		}
	}
	json_object_del(json_object_get(json_object_get(obj, "metadata"),
	    "annotations"), "kubectl.kubernetes.io/last-applied-configuration");
	/* A JSON patch: the values of its operations, whatever the path. */
	for (size_t i = 0; json_is_array(obj) && i < json_array_size(obj); i++)
		if (json_object_get(json_array_get(obj, i), "value") != NULL)
			json_object_set_new(json_array_get(obj, i), "value",
			    json_string("(redacted)"));
}

/* The object sent, compact JSON, a Secret's values hidden; NULL for none. */
static char *
object_json(const struct ks_audit_row *row, json_t *obj)
{
	json_t *copy = NULL;
	char *s;

	if (obj == NULL)
		return NULL;
	if (strcmp(row->resource ? row->resource : "", "secrets") == 0) {
		/* The reader's tree stays as read. */
		if ((obj = copy = json_deep_copy(obj)) == NULL)
			return NULL;
		redact_secret(obj);
	}
	s = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(copy);
	return s;
}

/* Fill x from the event's JSON (a new string each, or NULL). */
static void
extras_of(const struct ks_audit_row *row, const char *raw, size_t rawlen,
    struct extras *x)
{
	int msg = row->code >= 400 && memmem(raw, rawlen, "\"message\"", 9);
	/* (Cloud Logging names the object protoPayload.request.) */
	int obj = wants_object(row) && (memmem(raw, rawlen,
	    "\"requestObject\"", 15) || memmem(raw, rawlen, "\"request\"", 9));
	struct ks_audit_row r;
	json_t *ev = NULL, *o;

	x->message = x->request_object = NULL;
	if (!msg && !obj)
		return;
	r = *row;
	/* Read by the reader, or else read here from the raw bytes. */
	if (!r.extras) {
		if ((ev = json_loadb(raw, rawlen, JSON_ALLOW_NUL, NULL)) ==
		    NULL)
			return;
		ks_audit_extras(ev, &r);
	}
	if (msg && r.message != NULL)
		x->message = strdup(r.message);
	if (obj && r.request_object != NULL)
		x->request_object = object_json(&r, r.request_object);
	else if (obj && r.request_object_text != NULL && (o = json_loadb(
	    r.request_object_text, r.request_object_len, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, NULL)) != NULL) {
		x->request_object = object_json(&r, o);
		json_decref(o);
	}
	json_decref(ev);
}

/*
 * Bind where the raw bytes will be (parameters 27 to 29; NULL unless they
 * are kept) and the extras (30, 31; owned by the caller).
 */
static int
bind_raw(struct ks_store *st, sqlite3_stmt *s, const struct ks_audit_row *row,
    size_t rawlen, const struct extras *x, struct ks_err *err)
{
	int64_t block, off;

	if (st->lim.keep_raw) {
		if (ks_rawbuf_place(st->raw, st->db, &block, &off, err) < 0)
			return -1;
		sqlite3_bind_int64(s, 27, block);
		sqlite3_bind_int64(s, 28, off);
		sqlite3_bind_int64(s, 29, (sqlite3_int64)rawlen);
	} else {
		for (int i = 27; i <= 29; i++)
			sqlite3_bind_null(s, i);
	}
	ks_store_bind_message(s, 30, row, x->message);
	bind_text(s, 31, x->request_object);
	return 0;
}

/*
 * What the row of this event says that its raw bytes repeat: its auditID
 * as bound (len: the texts' lengths, or NULL), its times.
 */
static const struct ks_raw_known *
known_of(const struct ks_audit_row *row, const int *len,
    struct ks_raw_known *k)
{
	k->id = row->audit_id;
	k->idlen = row->audit_id == NULL ? 0 : len != NULL && len[0] >= 0 ?
	    (size_t)len[0] : strlen(row->audit_id);
	k->received_us = row->received_us;
	k->stage_us = row->stage_us;
	return k;
}

/*
 * Does a row found by the probe hold the bytes raw?  A match of the whole
 * SHA-256 does; one of its first 8 bytes (what a row keeps when its bytes
 * are kept) when the bytes are the same: a duplicate is never decided on
 * 64 bits alone, so no record crafted to share them is dropped.
 */
static int
same_event(struct ks_store *st, sqlite3_stmt *s, const char *raw,
    size_t rawlen, struct ks_err *err)
{
	struct ks_raw_known k;
	const char *p;

	switch (sqlite3_column_int(s, 0)) {
	case 2:
		return 1;
	case 1:
		break;
	default:
		return 0;
	}
	if (raw == NULL || sqlite3_column_type(s, 2) == SQLITE_NULL ||
	    sqlite3_column_int64(s, 4) != (sqlite3_int64)rawlen)
		return 0;
	ks_raw_known_columns(&k, s, 5);
	if (ks_rawbuf_bytes(st->raw, st->db, sqlite3_column_int64(s, 2),
	    sqlite3_column_int64(s, 3), (int64_t)rawlen, &k, &p, err) < 0)
		return -1;
	return memcmp(p, raw, rawlen) == 0;
}

/*
 * Is an event with this time (KS_TIME_NONE: none), auditID, SHA-256 and
 * bytes (raw: NULL when not at hand) stored already?  Equal bytes make
 * equal times and auditIDs, so the timeline's index finds the few rows
 * that may hold the same bytes (the stages of one request, most often),
 * and their hashes, in the table, tell them apart: no index of its own.
 * *closed is 1 when one of those rows is a whole final stage: the request
 * was closed already, as when a second copy of the log is read (the rollup
 * counts a request once, as request_outcomes does; it holds the requests
 * with an auditID and a time only).  Returns 1, 0, or -1 with err set.
 */
static int
probe(struct ks_store *st, int64_t received_us, const char *audit_id,
    const uint8_t *hash, const char *raw, size_t rawlen, int *closed,
    struct ks_err *err)
{
	int timed = received_us != KS_TIME_NONE;
	sqlite3_stmt *s = st->st[timed ? S_AUDIT_SEEN : S_AUDIT_SEEN_UNTIMED];
	int rc, seen = 0, same;

	*closed = 0;
	if (ks_recent_absent(st, received_us, audit_id))
		return 0;	/* no row of its time and auditID */
	if (timed) {
		sqlite3_bind_int64(s, 1, received_us);
		ks_audit_key_bind(s, 3, audit_id, -1, st->akey);
	}
	sqlite3_bind_blob(s, 2, hash, SHA256_DIGEST_SIZE, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!seen && (same = same_event(st, s, raw, rawlen, err)) != 0) {
			if (same < 0) {
				sqlite3_reset(s);
				return -1;
			}
			seen = 1;
		}
		if (timed && audit_id != NULL && sqlite3_column_int(s, 1))
			*closed = 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ks_db_error(st->db, err, NULL);
	return seen;
}

int
ks_store_audit_seen(struct ks_store *st, int64_t received_us,
    const char *audit_id, const uint8_t *hash, const char *raw,
    size_t rawlen, struct ks_err *err)
{
	int closed;

	return probe(st, received_us, audit_id, hash, raw, rawlen, &closed,
	    err);
}

int
ks_store_audit_parsed(struct ks_member *m, const struct ks_audit_row *row,
    const struct ks_audit_json *arrays, const int *len, const uint8_t *hash,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_AUDIT];
	struct ks_raw_known k;
	sqlite3_int64 id;
	struct extras x;
	int seen = 0, closed, rc;

	ks_store_note_base(st);
	if ((seen = probe(st, row->received_us, row->audit_id, hash, raw,
	    rawlen, &closed, err)) < 0)
		return -1;
	if (!seen) {
		sqlite3_bind_int64(s, 1, m->source_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
		if (bind_row(st, s, row, arrays, len, err) < 0)
			return -1;
		/* 8 bytes when the bytes are kept (they prove the rest). */
		sqlite3_bind_blob(s, 26, hash, st->lim.keep_raw ?
		    KS_HASH_KEPT : SHA256_DIGEST_SIZE, SQLITE_STATIC);
		extras_of(row, raw, rawlen, &x);
		rc = bind_raw(st, s, row, rawlen, &x, err);
		if (rc == 0)
			rc = ks_store_run_bound(st, s, err);
		sqlite3_bind_null(s, 30);
		sqlite3_bind_null(s, 31);
		free(x.message);
		free(x.request_object);
		if (rc < 0)
			return -1;
	}
	m->tally.records++;
	ks_fault(KS_FAULT_RECORD);
	if (seen || sqlite3_changes(st->db) == 0) {
		m->tally.duplicates++;	/* byte-identical to one we have */
		return 0;
	}
	id = sqlite3_last_insert_rowid(st->db);
	ks_recent_add(st, row->received_us, row->audit_id);
	if (st->lim.keep_raw && ks_rawbuf_add(st->raw, st->db, id, raw, rawlen,
	    known_of(row, len, &k), hash, err) < 0)
		return -1;
	/* A final stage of a request closed before (by a whole record) is
	   counted already; a record cut short, when its source is done. */
	if (!row->partial && (!closed || (row->stage != NULL &&
	    strcmp(row->stage, "ResponseComplete") != 0 &&
	    strcmp(row->stage, "Panic") != 0)))
		ks_rollup_add(ks_import_of(m)->rollup, row);
	if (ks_store_cut_note(st, row, err) < 0)
		return -1;
	m->tally.imported++;
	/*
	 * Now and then: the rollup's counts go to the file (bounded memory),
	 * and the file towards the disk.
	 */
	if (m->tally.imported % ROLLUP_EVERY == 0) {
		if (ks_rollup_flush(ks_import_of(m)->rollup, st->db, err) < 0)
			return -1;
		ks_store_writeback(st);
	}
	return ks_store_count_added(st, err);
}

int
ks_store_audit(struct ks_member *m, const struct ks_audit_row *row,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	uint8_t h[SHA256_DIGEST_SIZE];
	char *owned[3];
	struct ks_audit_json a;
	int rc;

	ks_store_digest(raw, rawlen, h);
	owned[0] = row->user_groups ? json_dumps(row->user_groups,
	    JSON_COMPACT) : NULL;
	owned[1] = row->impersonated_groups ?
	    json_dumps(row->impersonated_groups, JSON_COMPACT) : NULL;
	owned[2] = row->source_ips ? json_dumps(row->source_ips,
	    JSON_COMPACT) : NULL;
	a = (struct ks_audit_json){ owned[0], owned[1], owned[2] };
	rc = ks_store_audit_parsed(m, row, &a, NULL, h, raw, rawlen, line,
	    err);
	for (int i = 0; i < 3; i++)
		free(owned[i]);
	return rc;
}

