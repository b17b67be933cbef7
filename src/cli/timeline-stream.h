/*
 * kubesift timeline without --bucket or --around: every row in time order,
 * streamed.  The requests come in time order from timeline_requests
 * (sql/018-timeline-stream.sql), the other rows from timeline_other; the
 * two are merged here, and the requests' messages and every time's RFC
 * 3339 text are written here, as the timeline view has them.  A helper of
 * the timeline command that knows nothing of the command table.
 */
#ifndef KS_TIMELINE_STREAM_H
#define KS_TIMELINE_STREAM_H

#include <sqlite3.h>

#include "out/out.h"
#include "store/filter.h"
#include "util/err.h"

/*
 * Write to out the timeline's rows (Timesketch's fields when timesketch)
 * that satisfy cond, SQL conditions on the timeline's columns, each
 * starting with " AND " (the filter's, bound by ks_filter_bind, and
 * "kind = ?2" bound to kind when kind is not NULL), ordered by time,
 * kind, source, line and message.  0, or -1 with err.
 */
int	ks_timeline_stream(sqlite3 *db, struct ks_out *out,
	    const struct ks_filter *f, const char *kind, const char *cond,
	    int timesketch, struct ks_err *err);

#endif
