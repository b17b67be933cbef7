/*
 * The filters shared by the query commands (--actor, --verb, --resource,
 * --group, --namespace, --since, --until, --decision), turned into a SQL
 * WHERE clause whose values are bound parameters, never pasted into SQL.
 */
#ifndef KS_FILTER_H
#define KS_FILTER_H

#include <stdint.h>

#include <sqlite3.h>

#include "cmd.h"

struct ks_filter {
	const char	*actor;		/* exact, or a GLOB with * ? [ */
	const char	*verb;
	const char	*resource;	/* "cninodes", "pods/exec" */
	const char	*subresource;	/* from "pods/exec" */
	const char	*group;		/* API group; from "cninodes.GROUP" too */
	const char	*namespace;
	const char	*since, *until;	/* as given */
	int64_t		 since_us, until_us;	/* KS_TIME_NONE = open */
	const char	*decision;	/* allow or forbid */
	char		 buf[512];	/* storage for the split resource */
};

/* Option keys (>= 512) and the option table entries, for commands. */
enum {
	KS_FOPT_ACTOR = 512, KS_FOPT_VERB, KS_FOPT_RESOURCE, KS_FOPT_GROUP,
	KS_FOPT_NAMESPACE, KS_FOPT_SINCE, KS_FOPT_UNTIL, KS_FOPT_DECISION
};
#define KS_FILTER_OPTS \
	{ "actor", KS_FOPT_ACTOR, "NAME", "only this actor (exact, or a glob)" }, \
	{ "verb", KS_FOPT_VERB, "VERB", "only this verb" }, \
	{ "resource", KS_FOPT_RESOURCE, "RES", \
	    "only this resource: pods, pods/exec, cninodes.vpcresources.k8s.aws" }, \
	{ "group", KS_FOPT_GROUP, "GROUP", "only this API group ('' = core)" }, \
	{ "namespace", KS_FOPT_NAMESPACE, "NS", "only this namespace" }, \
	{ "since", KS_FOPT_SINCE, "TIME", \
	    "from TIME: RFC 3339, or -2h/-30m/-1d before the last event" }, \
	{ "until", KS_FOPT_UNTIL, "TIME", "up to TIME (same forms)" }, \
	{ "decision", KS_FOPT_DECISION, "D", "allow or forbid (denied)" }

/* The command's filter (one command runs per process). */
extern struct ks_filter ks_filter;

/* Take one filter option; 1 if key was one, 0 if not, -1 if malformed. */
int	ks_filter_option(int key, const char *arg);

/*
 * Resolve --resource and relative times against db.  Returns 0, or -1 with
 * err.  Call once, before ks_filter_sql.
 */
int	ks_filter_resolve(sqlite3 *db, struct ks_err *err);

/*
 * Append " AND ..." conditions to sql (size sz) over the columns actor,
 * verb, api_group, resource, subresource, namespace and time_col, as
 * parameters ?101.. that ks_filter_bind binds.  With no_decision, ignore
 * --decision (for views where every row is a denial).
 */
void	ks_filter_sql(char *sql, size_t sz, const char *time_col,
	    int no_decision);
void	ks_filter_bind(sqlite3_stmt *st);

/* Parse a time as --since/--until take it; relative to latest_us. */
int	ks_filter_time(const char *s, int64_t latest_us, int64_t *us);

#endif
