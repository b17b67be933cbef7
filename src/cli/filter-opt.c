/*
 * The filter options into a struct ks_filter: repeated options collect
 * up to KS_FILTER_MAXV values, --since, --until and --decision once.
 */
#include <string.h>

#include "cli/filter-opt.h"

static int
push(struct ks_filter_list *l, const char *opt, const char *arg,
    struct ks_err *err)
{
	if (l->n == KS_FILTER_MAXV)
		return ks_err_set(err, "--%s: at most %d values", opt,
		    KS_FILTER_MAXV);
	l->v[l->n++] = arg;
	return 1;
}

/* A second --since or --until would silently replace the first. */
static int
once(const char **slot, const char *opt, const char *arg,
    struct ks_err *err)
{
	if (*slot != NULL)
		return ks_err_set(err, "--%s given twice (%s, %s)", opt, *slot,
		    arg);
	*slot = arg;
	return 1;
}

int
ks_filter_option(struct ks_filter *f, int key, const char *arg,
    struct ks_err *err)
{
	switch (key) {
	case KS_FOPT_ACTOR:
		return push(&f->actor, "actor", arg, err);
	case KS_FOPT_VERB:
		return push(&f->verb, "verb", arg, err);
	case KS_FOPT_RESOURCE:
		return push(&f->resource, "resource", arg, err);
	case KS_FOPT_GROUP:
		return push(&f->group, "group", arg, err);
	case KS_FOPT_NAMESPACE:
		return push(&f->namespace, "namespace", arg, err);
	case KS_FOPT_SINCE:
		return once(&f->since, "since", arg, err);
	case KS_FOPT_UNTIL:
		return once(&f->until, "until", arg, err);
	case KS_FOPT_DECISION:
		if (strcmp(arg, "allow") != 0 && strcmp(arg, "forbid") != 0)
			return ks_err_set(err, "--decision takes allow or "
			    "forbid, not %s", arg);
		return once(&f->decision, "decision", arg, err);
	}
	return 0;
}

struct ks_cell
ks_filter_time_cell(sqlite3 *db, int64_t t, int has, char *buf)
{
	int n = has ? ks_filter_utc(db, t, buf, 64) : -1;
	struct ks_cell c = ks_cell_text(n >= 0 ? buf : NULL);

	c.len = n >= 0 ? (size_t)n : 0;
	return c;
}
