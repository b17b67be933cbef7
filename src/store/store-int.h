/*
 * Inside the store (store*.c only): the prepared statements, the indexes
 * set aside during a large load, and the helpers every writer uses.
 */
#ifndef KS_STORE_INT_H
#define KS_STORE_INT_H

#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "formats/audit.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "input/limits.h"
#include "store/raw.h"
#include "store/dict.h"

struct ks_rollup;
struct ks_recent;

/* A sorted set of integers (store-cut.c). */
struct ks_i64set {
	int64_t		*v;
	size_t		 n, cap;
};

enum {
	S_SOURCE_ADD, S_SOURCE_DONE, S_SOURCE_FIND, S_SOURCE_ORIG, S_REJECT, S_AUDIT,
	S_OBJECT, S_OBJECT_KINDS, S_SNAP_ADD, S_SNAP_TIME, S_SNAP_OPEN, S_SNAP_CLOSE,
	S_SNAP_VERSION, S_KIND_OF, S_KIND_ANY, S_KIND_CRD, S_LOG_DENIAL,
	S_CLUSTER_EVENT, S_AUDIT_SEEN, S_AUDIT_SEEN_UNTIMED, S_AUDIT_BASE,
	S_CUT_ANY, S_CUT_PEERS,
	S_COUNT
};

struct deferred {
	char		**sql;		/* CREATE INDEX of each dropped index */
	int		 n;
	int		 active;	/* dropped until the member is done */
	int		 lists, whole;	/* those with IN lists, the others */
	int64_t		 base;		/* rows before this member; -1 unknown */
	uint64_t	 added;		/* events this member added */
};

struct held_lock {
	off_t		 at;		/* the byte locked */
	int		 done;		/* its input is done: unlock at commit */
};

struct ks_store {
	sqlite3		*db;		/* borrowed */
	struct ks_limits lim;		/* a copy: workers, keep_raw */
	sqlite3_stmt	*st[S_COUNT];
	struct deferred	 defer;
	struct ks_rawbuf *raw;		/* the block of raw events being filled */
	struct ks_dict	*dict;		/* the strings stored once (dict.h) */
	struct ks_recent *recent;	/* the events stored lately (below) */
	struct ks_rollup *rollup;	/* the import's, borrowed (store-cut.c) */
	int		 cut_any;	/* a cut record stored? -1: ask (store-cut.c) */
	struct ks_i64set cut_minutes;	/* the minutes to count again */
	uint8_t		 akey[16];	/* the auditID's key bound (audit-key.h) */
	int		 fd;		/* the database, for writeback(); -2 unopened */
	int		 lock_fd;	/* the database, for store-lock.c; -2 too */
	/* Transactions (store.c). */
	int		 batching;	/* members may share a transaction */
	int		 in_member;	/* a member's savepoint is open */
	int64_t		 batch_since;	/* when the transaction began */
	/* Locks of inputs (store-lock.c), let go after the commit. */
	struct held_lock *held;
	int		 nheld;
};

/* Step a write statement once and reset it; ks_store_run clears bindings. */
int	ks_store_run_bound(struct ks_store *st, sqlite3_stmt *s,
	    struct ks_err *err);
int	ks_store_run(struct ks_store *st, sqlite3_stmt *s, struct ks_err *err);

/* The SHA-256 of n bytes at p. */
void	ks_store_digest(const char *p, size_t n, uint8_t out[32]);

/* store-lock.c: let go of the locks of inputs done (after a commit). */
void	ks_store_locks_release(struct ks_store *st);

/* store-defer.c: the indexes set aside during a large load. */
void	ks_store_defer_reset(struct ks_store *st);
void	ks_store_note_base(struct ks_store *st);
int	ks_store_count_added(struct ks_store *st, struct ks_err *err);
int	ks_store_build_deferred(struct ks_store *st, struct ks_err *err);
void	ks_store_writeback(struct ks_store *st);

/*
 * store-compact.c: bind r's request URI to parameter param of s as
 * audit_events.uri_tail: what follows the path the other columns make
 * (a blob, maybe empty), or the whole URI (text) when it does not start
 * with that path; NULL for none.  Borrowed from r until the step.
 */
void	ks_store_bind_uri(sqlite3_stmt *s, int param,
	    const struct ks_audit_row *r);

/*
 * store-compact.c: bind message, the response's message of refused event
 * r, to parameter param of s as audit_events.message_tail: what follows
 * the refusal the columns make (a blob), or the whole message (text) when
 * it does not start with it; NULL for none.  Borrowed until the step.
 */
void	ks_store_bind_message(sqlite3_stmt *s, int param,
	    const struct ks_audit_row *r, const char *message);

/*
 * Bind an event's stage, level or decision (which: KS_CODE_*) to
 * parameter param of s as stage_code, level_code or decision_code: the
 * number of a known value, else the text itself; NULL for none.  v is
 * borrowed until the step.
 */
enum { KS_CODE_STAGE, KS_CODE_LEVEL, KS_CODE_DECISION };
void	ks_store_bind_code(sqlite3_stmt *s, int param, const char *v,
	    int which);

/*
 * store-cut.c: records a cloud cut short, counted as request_outcomes
 * counts them.  note, for each stored audit event, notes the minutes it
 * may change; recount counts them again (when a source is done): 0, or
 * -1 with err.  free lets go of the notes.
 */
void	ks_store_cut_free(struct ks_store *st);
int	ks_store_cut_note(struct ks_store *st, const struct ks_audit_row *row,
	    struct ks_err *err);
int	ks_store_cut_recount(struct ks_store *st, struct ks_rollup *rollup,
	    struct ks_err *err);

/*
 * store-recent.c: the events this member stored lately.  start, at a
 * member's start (ks_store_note_base), notes the table's latest time;
 * add notes an event stored; absent is 1 when no stored event can have
 * time t and auditID id (NULL: none), 0 when one may (the probe's query
 * says).  Out of memory or on an error, every event is queried.
 */
void	ks_recent_start(struct ks_store *st);
int	ks_recent_absent(struct ks_store *st, int64_t t, const char *id);
void	ks_recent_add(struct ks_store *st, int64_t t, const char *id);
void	ks_recent_free(struct ks_store *st);

/* store-split.c: note the auditIDs split over times (timeline_split). */
int	ks_store_note_splits(struct ks_store *st, struct ks_err *err);

static inline void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static inline void
bind_time(sqlite3_stmt *s, int i, int64_t us)
{
	if (us != KS_TIME_NONE)
		sqlite3_bind_int64(s, i, us);
	else
		sqlite3_bind_null(s, i);
}


#endif
