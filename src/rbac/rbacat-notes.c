/*
 * What a rebuild of the RBAC at a time says beside the objects
 * (rbacat.h): the objects of unknown state, and warnings about the
 * evidence it was rebuilt from.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbacat-int.h"
#include "util/timeutil.h"

/* An entry of at->unknown. */
void
ks_rbac_at_unknown_add(struct ks_rbac_at *at, const char *kind, const char *ns,
    const char *name, const struct ks_rbac_write *w, const char *reason)
{
	char t[KS_TIME_BUFSZ];

	json_array_append_new(at->unknown, json_pack("{s:s,s:s?,s:s?,s:s,"
	    "s:s?,s:s?,s:s?,s:s?}", "kind", kind, "namespace", ns, "name", name,
	    "reason", reason, "audit_id", w ? w->audit_id : NULL, "time",
	    w ? ks_time_format(w->time, t) : NULL, "actor", w ? w->actor : NULL,
	    "verb", w ? w->verb : NULL));
}

/* Say when the log does not cover the time between the base and T. */
static void
coverage(const struct ks_rbac_hist *h, struct ks_rbac_at *at)
{
	char a[KS_TIME_BUFSZ], b[KS_TIME_BUFSZ], msg[512];
	int64_t lo = at->snapshot_id ? at->snapshot_at : at->at, hi = at->at;

	if (lo > hi) {
		int64_t x = lo;
		lo = hi;
		hi = x;
	}
	if (at->snapshot_id == 0) {
		json_array_append_new(at->warnings, json_string("no snapshot "
		    "has a time: only objects whose whole state the log holds "
		    "are known"));
		/* Any binding the log never wrote could exist: a refusal is
		   never certain. */
		ks_rbac_at_unknown_add(at, "ClusterRoleBinding", NULL, NULL, NULL, "no "
		    "snapshot has a time: the objects the log never wrote are "
		    "unknown");
	}
	if (h->log_first == KS_TIME_NONE) {
		if (lo != hi)
			json_array_append_new(at->warnings, json_string("the "
			    "evidence holds no audit log: the state is the "
			    "snapshot's, assuming no RBAC write since"));
	} else if (h->log_first > lo || h->log_last < hi) {
		snprintf(msg, sizeof(msg), "the audit log covers %s to ",
		    ks_time_format(h->log_first, a));
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s; "
		    "RBAC writes between the snapshot and the time asked "
		    "outside it are not in the evidence (none assumed)",
		    ks_time_format(h->log_last, b));
		json_array_append_new(at->warnings, json_string(msg));
	}
	if (h->raw_error)
		json_array_append_new(at->warnings, json_string("the raw audit "
		    "events cannot be read from this database: every RBAC write "
		    "is taken as recorded without its body"));
	else if (h->nwrites > 0 && h->with_body == 0)
		json_array_append_new(at->warnings, json_string("no RBAC write "
		    "of the log has a body (audit level Metadata, or imported "
		    "with --no-raw): only deletes and creates after the time "
		    "asked rebuild an object"));
	if (h->untimed > 0) {
		snprintf(msg, sizeof(msg), "%ld RBAC write(s) in the log have "
		    "no time and were not used", h->untimed);
		json_array_append_new(at->warnings, json_string(msg));
	}
}

/* Writes the log holds without a name that may have made an object. */
static void
unnamed(const struct ks_rbac_hist *h, struct ks_rbac_at *at)
{
	for (size_t i = 0; i < h->nwrites; i++) {
		const struct ks_rbac_write *w = &h->writes[i];
		if (w->name == NULL && w->time <= at->at && !w->dry_run &&
		    (w->code == 0 || (w->code >= 200 && w->code < 300)) &&
		    strcmp(w->verb, "deletecollection") != 0)
			ks_rbac_at_unknown_add(at, w->kind, w->namespace, NULL, w,
			    "the log holds a write of it without its name or "
			    "body (audit level Metadata)");
	}
}

void
ks_rbac_at_notes(const struct ks_rbac_hist *h, struct ks_rbac_at *at)
{
	unnamed(h, at);
	coverage(h, at);
}
