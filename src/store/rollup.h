/*
 * The request rollups: requests per group (actor, verb, api_group,
 * resource, subresource, namespace and decision: rollup_groups) and
 * minute, counted as events are stored and written to request_minute,
 * request_total and request_minute_all with the member's transaction
 * (sql/016-rollups.sql, which also folds the denials in at each flush).
 * They answer "what did each identity do, when" (activity, identities,
 * actors, summary, timeline --bucket) without scanning every event.
 * A request counts once, by its final stage (ResponseComplete, Panic, or a
 * record without stages); requests still running when the log ended, and
 * byte-identical duplicates, are not counted.
 */
#ifndef KS_ROLLUP_H
#define KS_ROLLUP_H

#include <sqlite3.h>

#include "formats/audit.h"
#include "util/err.h"

struct ks_rollup;

struct ks_rollup *ks_rollup_new(void);
void	ks_rollup_free(struct ks_rollup *r);		/* accepts NULL */

/* Count one stored event (others than final stages are ignored). */
void	ks_rollup_add(struct ks_rollup *r, const struct ks_audit_row *row);

/* Add the counts to the rollups and start afresh.  0 or -1. */
int	ks_rollup_flush(struct ks_rollup *r, sqlite3 *db, struct ks_err *err);

/*
 * Discard the counts and forget the groups' ids (the member's transaction
 * was rolled back).
 */
void	ks_rollup_clear(struct ks_rollup *r);

/*
 * Forget the groups' ids kept across flushes (a transaction was rolled
 * back: ids added in it may name other groups later).  Accepts NULL.
 */
void	ks_rollup_forget(struct ks_rollup *r);

/* Recompute the rollups from audit_events (after a deletion); r: NULL or
 * the import's, whose groups' ids are forgotten. */
int	ks_rollup_rebuild(struct ks_rollup *r, sqlite3 *db,
	    struct ks_err *err);

/*
 * Save the detections view's rows (detections_saved, sql/016-rollups.sql)
 * with their marks, in one transaction: at the end of an import, once its
 * indexes are built.  0, or -1 with err (nothing saved: detect then
 * reads the view, which says what fails, if anything).
 */
int	ks_rollup_save_detections(sqlite3 *db, struct ks_err *err);

/*
 * What kubesift detect reads: "detections_saved" when the rows saved are
 * those of this database, else "detections" (the view).
 */
const char *ks_rollup_detections(sqlite3 *db);

#endif
