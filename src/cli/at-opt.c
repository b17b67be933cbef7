/*
 * --at TIME, shared by who-can and can.
 */
#include <stdio.h>
#include <string.h>

#include "cli/at-opt.h"
#include "out/textesc.h"
#include "store/filter.h"
#include "util/jutil.h"
#include "util/timeutil.h"

struct ks_rbac_at *
ks_at_opt_build(sqlite3 *db, int quiet, const char *cmd, const char *arg,
    int *usage, struct ks_err *err)
{
	struct ks_rbac_hist *h;
	struct ks_rbac_at *at;
	char t[KS_TIME_BUFSZ], s[KS_TIME_BUFSZ];
	int64_t us;
	json_t *w;
	size_t i;

	*usage = 0;
	if (ks_filter_when(db, arg, &us) < 0) {
		*usage = 1;
		ks_err_set(err, "--at: not a time: %s (RFC 3339, a date, or "
		    "-2h, -30m, -1d before the last event)", arg);
		return NULL;
	}
	if ((h = ks_rbac_hist_load(db, err)) == NULL ||
	    (at = ks_rbac_at_build(h, us, err)) == NULL) {
		ks_rbac_hist_free(h);
		return NULL;
	}
	ks_rbac_hist_free(h);
	if (quiet)
		return at;
	if (at->snapshot_id != 0)
		fprintf(stderr, "kubesift: %s: RBAC at %s: snapshot %lld (taken "
		    "at %s) and %ld write(s) of the audit log\n", cmd,
		    ks_time_format(us, t), (long long)at->snapshot_id,
		    ks_time_format(at->snapshot_at, s), at->applied);
	json_array_foreach(at->warnings, i, w)
		fprintf(stderr, "kubesift: %s: warning: %s\n", cmd,
		    json_string_value(w));
	return at;
}

/* Evidence text on stderr, escaped; "?" for none. */
static void
put(const json_t *u, const char *key, const char *none)
{
	const char *s = ks_json_str(u, key);

	if (s == NULL)
		s = none;
	ks_textesc_fputs(stderr, s, strlen(s), 0);
}

void
ks_at_opt_unknown(int quiet, const char *cmd, const json_t *unknown)
{
	json_t *u;
	size_t i;

	if (quiet || json_array_size(unknown) == 0)
		return;
	fprintf(stderr, "kubesift: %s: the state of %zu object(s) at that "
	    "time is unknown, and could change the answer:\n", cmd,
	    json_array_size(unknown));
	json_array_foreach(unknown, i, u) {
		fprintf(stderr, "  %s ", ks_json_str(u, "kind"));
		if (ks_json_str(u, "namespace") != NULL) {
			put(u, "namespace", "");
			fputc('/', stderr);
		}
		put(u, "name", "(name not in the log)");
		fputs(": ", stderr);
		put(u, "reason", "?");
		if (ks_json_str(u, "verb") != NULL) {
			fprintf(stderr, " (%s by ", ks_json_str(u, "verb"));
			put(u, "actor", "?");
			fprintf(stderr, " at %s, audit ID ", ks_json_str(u,
			    "time"));
			put(u, "audit_id", "?");
			fputc(')', stderr);
		}
		fputc('\n', stderr);
	}
}
