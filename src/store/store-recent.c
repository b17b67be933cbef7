/*
 * The events this import stored lately, as fingerprints of their time and
 * auditID: what answers the duplicates' probe (store-audit.c) without a
 * query when an event cannot have been stored before.
 *
 * At a member's start the floor is the latest time the table holds
 * (within the import's transaction: no other connection adds rows until
 * it ends, and a rollback ends the member).  A row with a time above the
 * floor was then stored by this member, and its fingerprint is in the
 * table of counts below, unless it was pushed out of the ring (the last
 * RECENT_N rows): above both floors (the table's and the latest time
 * pushed out) and with no count, no row has the event's time and auditID,
 * so none holds its bytes nor closes its request.  Fingerprints that
 * collide only send the event to the query.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store-int.h"

#define RECENT_N	32768		/* rows remembered */
#define RECENT_SLOTS	(1u << 19)	/* counts: 1 in 16 taken at most */

struct ks_recent {
	int64_t		 floor;		/* the table's latest time; or above */
	int		 any;		/* floor holds a time */
	uint32_t	 at, n;		/* the ring's next place, and use */
	struct {
		int64_t	 t;
		uint32_t slot;
	}		 ring[RECENT_N];
	uint16_t	 count[RECENT_SLOTS];
};

/* The slot of time t and auditID id (NULL: none; up to its first NUL). */
static uint32_t
slot_of(int64_t t, const char *id)
{
	uint64_t h = (uint64_t)t * 0x9e3779b97f4a7c15u;

	if (id != NULL)
		for (const unsigned char *p = (const unsigned char *)id; *p;
		    p++)
			h = (h ^ *p) * 0x100000001b3u;
	else
		h ^= 0x5bd1e995u;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 29;
	return (uint32_t)h & (RECENT_SLOTS - 1);
}

void
ks_recent_free(struct ks_store *st)
{
	free(st->recent);
	st->recent = NULL;
}

void
ks_recent_start(struct ks_store *st)
{
	static const char q[] = "SELECT received_us FROM audit_rows"
	    " INDEXED BY audit_events_timeline WHERE received_us IS NOT NULL"
	    " ORDER BY received_us DESC LIMIT 1";
	struct ks_recent *r = st->recent;
	sqlite3_stmt *s;
	int rc;

	if (r == NULL && (r = st->recent = malloc(sizeof(*r))) == NULL)
		return;
	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK) {
		ks_recent_free(st);	/* every event queried */
		return;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->floor = sqlite3_column_int64(s, 0);
		r->any = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ks_recent_free(st);
}

int
ks_recent_absent(struct ks_store *st, int64_t t, const char *audit_id)
{
	struct ks_recent *r = st->recent;

	return r != NULL && t != KS_TIME_NONE && (!r->any || t > r->floor) &&
	    r->count[slot_of(t, audit_id)] == 0;
}

void
ks_recent_add(struct ks_store *st, int64_t t, const char *audit_id)
{
	struct ks_recent *r = st->recent;
	uint32_t slot;

	if (r == NULL || t == KS_TIME_NONE)
		return;
	if (r->n == RECENT_N) {	/* the oldest pushed out: a floor */
		r->count[r->ring[r->at].slot]--;
		if (!r->any || r->ring[r->at].t > r->floor)
			r->floor = r->ring[r->at].t;
		r->any = 1;
	} else
		r->n++;
	slot = slot_of(t, audit_id);
	r->count[slot]++;
	r->ring[r->at].t = t;
	r->ring[r->at].slot = slot;
	r->at = (r->at + 1) % RECENT_N;
}
