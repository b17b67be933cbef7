/*
 * The report's unused dangerous grants (report-unused.h): the span of the
 * log in one sentence, then the grants as a table, read from the plan's
 * JSON by SQL so that the document's formatter prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/report-unused.h"
#include "util/jutil.h"

#define E(k)	"json_extract(value, '$." #k "')"
/* "Kind ns/name" of an entry's subject, binding or role. */
#define WHO(k)	E(k ## _kind) " || ' ' || coalesce(" E(k ## _namespace) \
	" || '/', '') || " E(k)

/* The dangerous grants never used, in the plan's order, at most MAX. */
static const char rows_sql[] = "SELECT " E(subject_kind) " || ' ' ||"
    " coalesce(" E(subject_namespace) " || '/', '') || " E(subject)
    " AS subject, " WHO(binding) " AS binding, " WHO(role) " AS role, "
    E(rule_text) " AS rule, " E(dangerous_reason) " AS danger"
    " FROM json_each(?1) WHERE " E(dangerous) " AND NOT " E(used)
    " ORDER BY key LIMIT ?2";

/* "3.2 days", "5.0 hours", "12 minutes" or "40 seconds" for secs. */
static const char *
length(double secs, char *buf, size_t sz)
{
	if (secs >= 2 * 86400)
		snprintf(buf, sz, "%.1f days", secs / 86400);
	else if (secs >= 2 * 3600)
		snprintf(buf, sz, "%.1f hours", secs / 3600);
	else if (secs >= 120)
		snprintf(buf, sz, "%.0f minutes", secs / 60);
	else
		snprintf(buf, sz, "%.0f seconds", secs);
	return buf;
}

/* The span of the log, "A to B (L, events on N days, R allowed
   requests)", into buf; without R when the span does not say (a span
   under a day: no request was read). */
static const char *
span_words(const json_t *span, char *buf, size_t sz)
{
	char len[64], requests[64] = "";
	long long days = json_integer_value(json_object_get(span, "days"));
	const json_t *r = json_object_get(span, "requests");

	if (r != NULL)
		snprintf(requests, sizeof(requests), ", %lld allowed requests",
		    (long long)json_integer_value(r));
	snprintf(buf, sz, "%s to %s (%s, events on %lld day%s%s)",
	    ks_json_str(span, "from"), ks_json_str(span, "to"),
	    length(json_number_value(json_object_get(span, "seconds")), len,
	    sizeof(len)), days, days == 1 ? "" : "s", requests);
	return buf;
}

/* The dangerous entries of entries never used. */
static size_t
count(const json_t *entries)
{
	const json_t *e;
	size_t i, n = 0;

	json_array_foreach(entries, i, e)
		n += json_is_true(json_object_get(e, "dangerous")) &&
		    !json_is_true(json_object_get(e, "used"));
	return n;
}

/* The table of the first KS_REPORT_UNUSED_MAX of them.  0, or -1. */
static int
table(struct ks_doc *d, sqlite3 *db, const json_t *entries,
    struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	char *text = json_dumps(entries, JSON_COMPACT);
	int rc;

	if (text == NULL)
		return ks_err_set(err, "out of memory");
	if (sqlite3_prepare_v2(db, rows_sql, -1, &st, NULL) != SQLITE_OK) {
		free(text);
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, KS_REPORT_UNUSED_MAX);
	rc = ks_doc_table(d, st, err);
	sqlite3_finalize(st);
	free(text);
	return rc;
}

int
ks_report_unused(struct ks_doc *d, sqlite3 *db, const json_t *plan,
    struct ks_err *err)
{
	const json_t *span = json_object_get(plan, "span");
	const json_t *entries = json_object_get(plan, "entries");
	const char *strength = ks_json_str(span, "strength");
	char line[1024], words[512];
	size_t n = count(entries);
	int rc;

	ks_doc_heading(d, 2, "Unused dangerous grants");
	if (strength == NULL || strcmp(strength, "none") == 0) {
		ks_doc_para(d, "Not judged: the audit log holds no event in the "
		    "window, so nothing can be seen used.");
		return 0;
	}
	if (strcmp(strength, "weak") == 0) {
		snprintf(line, sizeof(line), "Not judged: the audit log covers "
		    "%s, less than a day, too short to call a grant unused "
		    "(kubesift unused lists them, as weak evidence).",
		    span_words(span, words, sizeof(words)));
		ks_doc_para(d, line);
		return 0;
	}
	snprintf(line, sizeof(line), "%zu grant%s of the RBAC %s dangerous "
	    "and never used by an allowed request of the audit log, which "
	    "covers %s: evidence %s (%s).  Each may go or be narrowed: "
	    "kubesift unused -o yaml proposes the tightened roles, replayed.",
	    n, n == 1 ? "" : "s", n == 1 ? "is" : "are", span_words(span,
	    words, sizeof(words)), strength, strcmp(strength, "strong") == 0 ?
	    "30 days of log or more, counting only days with events" :
	    "less than 30 days of log, counting only days with events: a "
	    "monthly or rarer use may look unused");
	ks_doc_para(d, line);
	if (n == 0)
		return 0;
	rc = table(d, db, entries, err);
	if (rc == 0 && n > KS_REPORT_UNUSED_MAX) {
		snprintf(line, sizeof(line), "... and %zu more: kubesift unused "
		    "lists every one.", n - (size_t)KS_REPORT_UNUSED_MAX);
		ks_doc_para(d, line);
	}
	return rc;
}
