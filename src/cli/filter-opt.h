/*
 * The filter options of the query commands (--actor, --verb, --resource,
 * --group, --namespace, --since, --until, --decision): their table
 * entries and their parsing into a struct ks_filter (store/filter.h),
 * which the commands hand to the functions that build SQL.  Does not
 * print: a malformed value comes back in a struct ks_err.
 */
#ifndef KS_FILTER_OPT_H
#define KS_FILTER_OPT_H

#include "out/out.h"
#include "store/filter.h"
#include "util/err.h"

/* Option keys (>= 512) and the option table entries, for commands. */
enum {
	KS_FOPT_ACTOR = 512, KS_FOPT_VERB, KS_FOPT_RESOURCE, KS_FOPT_GROUP,
	KS_FOPT_NAMESPACE, KS_FOPT_SINCE, KS_FOPT_UNTIL, KS_FOPT_DECISION
};
#define KS_FILTER_OPTS \
	{ "actor", KS_FOPT_ACTOR, "NAME", \
	    "only this actor (exact, or a glob); repeat to OR" }, \
	{ "verb", KS_FOPT_VERB, "VERB", "only this verb; repeat to OR" }, \
	{ "resource", KS_FOPT_RESOURCE, "RES", \
	    "only this resource: pods (and its subresources), pods/exec, " \
	    "cninodes.vpcresources.k8s.aws" }, \
	{ "group", KS_FOPT_GROUP, "GROUP", "only this API group ('' = core)" }, \
	{ "namespace", KS_FOPT_NAMESPACE, "NS", \
	    "only this namespace ('' = cluster scope)" }, \
	{ "since", KS_FOPT_SINCE, "TIME", \
	    "from TIME: RFC 3339, a date, or -2h/-30m/-1d before the last " \
	    "event" }, \
	{ "until", KS_FOPT_UNTIL, "TIME", "up to TIME, inclusive (same forms)" }, \
	{ "decision", KS_FOPT_DECISION, "D", "the authorizer's decision: " \
	    "allow or forbid" }

/*
 * Take one filter option into f (arg is borrowed and must outlive f):
 * 1 if key was one, 0 if not, -1 with err when the value is malformed.
 */
int	ks_filter_option(struct ks_filter *f, int key, const char *arg,
	    struct ks_err *err);

/*
 * A time the counting commands print (KS_SQL_TIME's text, through
 * ks_filter_utc) as a cell written into buf (64 bytes); NULL when has
 * is 0 or SQL's text is NULL.
 */
struct ks_cell	ks_filter_time_cell(sqlite3 *db, int64_t t, int has,
		    char *buf);

#endif
