/*
 * Writing to the database: sources, records, rejects, snapshots.  Prepared
 * statements are made once per import.  Record writers count into the
 * member's tally so that records = imported + duplicates + rejected.
 */
#ifndef KS_STORE_H
#define KS_STORE_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "formats/audit.h"
#include "formats/member.h"
#include "store/import.h"

struct ks_store;

/* lim is copied: its workers and keep_raw (input/limits.h) are read. */
struct ks_store *ks_store_new(sqlite3 *db, const struct ks_limits *lim,
	    struct ks_err *err);
void	ks_store_free(struct ks_store *st);	/* accepts NULL */

/*
 * A member's writes go between ks_store_begin and ks_store_commit (or
 * ks_store_rollback, which takes back that member alone).  Members share
 * a transaction, committed about once a second; ks_store_finish commits it
 * (at the end of an import, and before waiting for another import).
 * ks_store_batch(st, 0) commits each member as it is done instead.
 * ks_store_free rolls back what was not finished.
 */
int	ks_store_begin(struct ks_store *st, struct ks_err *err);
int	ks_store_commit(struct ks_store *st, struct ks_err *err);
void	ks_store_rollback(struct ks_store *st);
int	ks_store_finish(struct ks_store *st, struct ks_err *err);
void	ks_store_batch(struct ks_store *st, int on);

/*
 * Fill m's limits and sink: its records go to imp's store, through the
 * writers below.  The caller sets the rest (in, path, name, ...).
 */
void	ks_store_member(struct ks_import *imp, struct ks_member *m);

/* A new sources row (not complete yet); *id is its id. */
int	ks_store_source_add(struct ks_import *imp, int64_t parent_id,
	    const char *path, const char *member, int64_t mtime_us,
	    const char *sha256, int64_t *id, struct ks_err *err);

/* The final facts of a source; marks it complete. */
struct ks_source_facts {
	const char	*format;	/* static */
	int		 bid;
	uint64_t	 size;
	const char	*sha256;	/* NULL when unknown */
	struct ks_tally	 tally;
	uint64_t	 empty_members;	/* an archive's members of no byte */
	int64_t		 copy_of;	/* same bytes as this source; 0 none */
};
int	ks_store_source_done(struct ks_store *st, int64_t id,
	    const struct ks_source_facts *f, struct ks_err *err);

/*
 * Look for a top-level source with this SHA-256 and path (any path when
 * any_path is set).  Returns 1 with *id and *complete filled, 0 when there
 * is none, -1 on error.
 */
int	ks_store_source_find(struct ks_store *st, const char *sha256,
	    const char *path, int any_path, int64_t *id, int *complete,
	    struct ks_err *err);

/*
 * The first complete top-level source read from bytes of this SHA-256 (not
 * itself a copy): *id, or 0 when there is none.  Returns 0 or -1.
 */
int	ks_store_source_original(struct ks_store *st, const char *sha256,
	    int64_t *id, struct ks_err *err);

/*
 * Hold the lock of the input with this SHA-256 (hex) while it is looked up
 * and imported, until it is done and committed; wait while another import
 * holds it (store-lock.c).
 */
int	ks_store_lock_input(struct ks_import *imp, const char *sha,
	    struct ks_err *err);
void	ks_store_input_done(struct ks_import *imp, const char *sha);

/* Delete a source, its members and everything they imported. */
int	ks_store_source_delete(struct ks_store *st, int64_t id,
	    struct ks_err *err);

/*
 * A rejected record: reason is shown to users; the first KS_EXCERPT bytes
 * of excerpt are kept, invalid UTF-8 escaped.
 */
#define KS_EXCERPT	256
int	ks_store_reject(struct ks_member *m, uint64_t line, const char *reason,
	    const char *excerpt, size_t len, struct ks_err *err);

/*
 * An audit event; raw is its bytes as read (valid UTF-8 JSON).  Events are
 * unique by (received_us, SHA-256 of raw): row must come from raw alone,
 * so that byte-identical events are the duplicates.
 */
int	ks_store_audit(struct ks_member *m, const struct ks_audit_row *row,
	    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err);

/*
 * ks_store_audit for an event parsed already: the row's json_t fields are
 * not used, arrays holds them as JSON text, len (may be NULL) the lengths
 * of its text columns from ks_audit_measure (formats/audit.h), hash the
 * SHA-256 (32 bytes) of raw.
 */
int	ks_store_audit_parsed(struct ks_member *m,
	    const struct ks_audit_row *row, const struct ks_audit_json *arrays,
	    const int *len, const uint8_t *hash, const char *raw,
	    size_t rawlen, uint64_t line, struct ks_err *err);

/*
 * Is an event with this received time (KS_TIME_NONE: none), auditID (NULL:
 * none), SHA-256 (32 bytes) of its bytes, and bytes (raw, rawlen; NULL:
 * not at hand, then a row keeping 8 bytes of its hash is not the same)
 * stored already?  1, 0, or -1 (err set).
 */
int	ks_store_audit_seen(struct ks_store *st, int64_t received_us,
	    const char *audit_id, const uint8_t *hash, const char *raw,
	    size_t rawlen, struct ks_err *err);

/*
 * A Kubernetes object of the current snapshot.  kind and api_version are
 * used when obj has none (inferred from a List or a file name; may be NULL).
 * obj is borrowed, but Secret values in it are replaced by their hashes.
 */
int	ks_store_object(struct ks_member *m, json_t *obj, const char *kind,
	    const char *api_version, uint64_t line, uint64_t item,
	    struct ks_err *err);

/* Give objects of this source that have no kind yet the kind given. */
int	ks_store_object_kinds(struct ks_member *m, const char *kind,
	    const char *api_version, struct ks_err *err);

/*
 * A denial found in a log line (denial.h); text is the whole line.  Lines
 * are deduplicated per source and line number only, so the same message
 * logged twice counts twice.
 */
struct ks_denial;
int	ks_store_log_denial(struct ks_member *m, const struct ks_denial *d,
	    const char *text, size_t len, uint64_t line, struct ks_err *err);

/* A cloud provider's operation on the cluster; raw is the record. */
int	ks_store_cluster_event(struct ks_member *m,
	    const struct ks_cluster_event *ev, const char *raw, size_t rawlen,
	    uint64_t line, struct ks_err *err);

/*
 * The snapshot of a folder is open (complete = 0) while the folder is read.
 * ks_store_snapshot_resume makes the open snapshot of imp->origin, if an
 * import cut short left one, the current snapshot; ks_store_snapshot_close
 * marks the current one complete.  Both return 0 or -1.
 */
int	ks_store_snapshot_resume(struct ks_import *imp, struct ks_err *err);
int	ks_store_snapshot_close(struct ks_import *imp, struct ks_err *err);

/* The server version of the current snapshot. */
int	ks_store_server_version(struct ks_member *m, const char *version,
	    struct ks_err *err);

/* Look up the kind of resource in group (resource_kinds, CRDs). */
int	ks_store_kind_of(struct ks_store *st, const char *group,
	    const char *resource, char *kind, size_t kindsz);

#endif
