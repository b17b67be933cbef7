/*
 * kubesift timeline --around TIME: what happened near a moment (changes
 * that often explain the start or end of errors, and the first and last
 * denial of each denial group), as rows of a formatter.  A helper of the
 * timeline command that knows nothing of the command table: it does not
 * print, the command does.
 */
#ifndef KS_TIMELINE_AROUND_H
#define KS_TIMELINE_AROUND_H

#include <stdint.h>

#include <sqlite3.h>

#include "out/out.h"
#include "store/filter.h"
#include "util/err.h"

/* ks_timeline_around's return for filters that do not fit the query. */
#define KS_AROUND_TOO_MANY	(-2)

/*
 * Write to out the rows of db within window_us on each side of at_us
 * (Timesketch's fields when timesketch), selected by the resolved filter
 * f.  0; -1 with err when the query fails; KS_AROUND_TOO_MANY with err
 * when the filters do not fit (a usage error).
 */
int	ks_timeline_around(sqlite3 *db, struct ks_out *out,
	    const struct ks_filter *f, int timesketch, int64_t at_us,
	    int64_t window_us, struct ks_err *err);

#endif
