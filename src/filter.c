#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "timeutil.h"

struct ks_filter ks_filter = { .since_us = KS_TIME_NONE,
    .until_us = KS_TIME_NONE };

int
ks_filter_option(int key, const char *arg)
{
	struct ks_filter *f = &ks_filter;

	switch (key) {
	case KS_FOPT_ACTOR: f->actor = arg; return 1;
	case KS_FOPT_VERB: f->verb = arg; return 1;
	case KS_FOPT_RESOURCE: f->resource = arg; return 1;
	case KS_FOPT_GROUP: f->group = arg; return 1;
	case KS_FOPT_NAMESPACE: f->namespace = arg; return 1;
	case KS_FOPT_SINCE: f->since = arg; return 1;
	case KS_FOPT_UNTIL: f->until = arg; return 1;
	case KS_FOPT_DECISION:
		if (strcmp(arg, "allow") != 0 && strcmp(arg, "forbid") != 0) {
			ks_cmd_error("--decision takes allow or forbid, not %s",
			    arg);
			return -1;
		}
		f->decision = arg;
		return 1;
	}
	return 0;
}

int
ks_filter_time(const char *s, int64_t latest_us, int64_t *us)
{
	char *end, buf[40];
	double n;
	int64_t unit;

	if (ks_time_parse(s, strlen(s), us) == 0)
		return 0;
	if (strlen(s) == 10) {		/* a date: its midnight, UTC */
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		return ks_time_parse(buf, strlen(buf), us);
	}
	n = strtod(s[0] == '-' ? s + 1 : s, &end);
	if (end == s || n < 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': unit = 1000000; break;
	case 'm': unit = 60000000; break;
	case 'h': unit = 3600000000LL; break;
	case 'd': unit = 86400000000LL; break;
	default: return -1;
	}
	if (latest_us == KS_TIME_NONE)
		return -1;
	*us = latest_us - (int64_t)(n * (double)unit);
	return 0;
}

/* The time of the last event in the evidence, for relative times. */
static int64_t
latest(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t t = KS_TIME_NONE;

	if (sqlite3_prepare_v2(db, "SELECT max(t) FROM (SELECT max(received_us)"
	    " AS t FROM audit_events UNION ALL SELECT max(time_us)"
	    " FROM log_denials)", -1, &st, NULL) != SQLITE_OK)
		return t;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

int
ks_filter_resolve(sqlite3 *db, struct ks_err *err)
{
	struct ks_filter *f = &ks_filter;
	char *slash, *dot;
	int64_t last = KS_TIME_NONE;

	if (f->resource != NULL) {
		snprintf(f->buf, sizeof(f->buf), "%s", f->resource);
		if ((slash = strchr(f->buf, '/')) != NULL) {
			*slash = '\0';
			f->subresource = slash + 1;
		}
		if ((dot = strchr(f->buf, '.')) != NULL) {
			*dot = '\0';
			if (f->group == NULL)
				f->group = dot + 1;
		}
		f->resource = f->buf;
	}
	if ((f->since && f->since[0] != '2') || (f->until && f->until[0] != '2'))
		last = latest(db);
	if (f->since && ks_filter_time(f->since, last, &f->since_us) < 0)
		return ks_err_set(err, "--since: not a time: %s (RFC 3339, a "
		    "date, or -2h, -30m, -1d)", f->since);
	if (f->until && ks_filter_time(f->until, last, &f->until_us) < 0)
		return ks_err_set(err, "--until: not a time: %s", f->until);
	return 0;
}

static void
add(char *sql, size_t sz, const char *cond)
{
	size_t n = strlen(sql);

	snprintf(sql + n, sz - n, " AND %s", cond);
}

void
ks_filter_sql(char *sql, size_t sz, const char *time_col, int no_decision)
{
	struct ks_filter *f = &ks_filter;
	char c[128];

	if (f->actor != NULL)
		add(sql, sz, strpbrk(f->actor, "*?[") ? "actor GLOB ?101" :
		    "actor = ?101");
	if (f->verb != NULL)
		add(sql, sz, "verb = ?102");
	if (f->resource != NULL)
		add(sql, sz, "resource = ?103");
	if (f->subresource != NULL)
		add(sql, sz, "subresource = ?104");
	if (f->group != NULL)
		add(sql, sz, "coalesce(api_group, '') = ?105");
	if (f->namespace != NULL)
		add(sql, sz, "namespace = ?106");
	if (f->since_us != KS_TIME_NONE) {
		snprintf(c, sizeof(c), "%s >= ?107", time_col);
		add(sql, sz, c);
	}
	if (f->until_us != KS_TIME_NONE) {
		snprintf(c, sizeof(c), "%s <= ?108", time_col);
		add(sql, sz, c);
	}
	if (f->decision != NULL && !no_decision)
		add(sql, sz, strcmp(f->decision, "forbid") == 0 ?
		    "code = 403" : "coalesce(code, 0) != 403");
}

void
ks_filter_bind(sqlite3_stmt *st)
{
	struct ks_filter *f = &ks_filter;

	if (f->actor)
		sqlite3_bind_text(st, 101, f->actor, -1, SQLITE_STATIC);
	if (f->verb)
		sqlite3_bind_text(st, 102, f->verb, -1, SQLITE_STATIC);
	if (f->resource)
		sqlite3_bind_text(st, 103, f->resource, -1, SQLITE_STATIC);
	if (f->subresource)
		sqlite3_bind_text(st, 104, f->subresource, -1, SQLITE_STATIC);
	if (f->group)
		sqlite3_bind_text(st, 105, f->group, -1, SQLITE_STATIC);
	if (f->namespace)
		sqlite3_bind_text(st, 106, f->namespace, -1, SQLITE_STATIC);
	if (f->since_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 107, f->since_us);
	if (f->until_us != KS_TIME_NONE)
		sqlite3_bind_int64(st, 108, f->until_us);
}
