/*
 * Resource names resolved as kubectl resolves them (see resname.h for the
 * rules), from the resource_names view (sql/002-resource-kinds.sql).
 */
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "store/resname.h"

/* The matches of one name, best first (the ORDER BY is the priority). */
static const char lookup_sql[] =
    "SELECT api_group, resource, coalesce(kind, ''), form, origin"
    " FROM resource_names WHERE name = ?1"
    " AND (?2 IS NULL OR api_group = ?2)"
    " ORDER BY form = 'short', CASE origin WHEN 'builtin' THEN 0"
    " WHEN 'crd' THEN 1 ELSE 2 END, api_group != '', api_group, resource";

/* The rank of a match: matches of the best rank win, the rest lose. */
struct rank {
	int	 short_name;	/* matched a short name */
	int	 origin;	/* 0 builtin, 1 crd, 2 table */
	int	 noncore;	/* a built-in outside the core group */
};

static int
rank_eq(const struct rank *a, const struct rank *b)
{
	return a->short_name == b->short_name && a->origin == b->origin &&
	    a->noncore == b->noncore;
}

const char *
ks_resname_how_str(enum ks_resname_how how)
{
	static const char *const s[] = { "builtin", "crd", "table",
	    "qualified", "assumed", "url", "ambiguous" };

	return (unsigned)how < sizeof(s) / sizeof(s[0]) ? s[how] : "?";
}

char *
ks_resname_str(const struct ks_resname *r, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s%s%s%s%s", r->resource, r->api_group[0] ? "." :
	    "", r->api_group, r->subresource[0] ? "/" : "", r->subresource);
	return buf;
}

/* "resource.group", or "resource" for the core group, into buf. */
static void
cand_name(char *buf, size_t sz, const char *group, const char *resource)
{
	snprintf(buf, sz, "%s%s%s", resource, *group ? "." : "", group);
}

/* Add a candidate once; candidates stay sorted. */
static void
add_cand(struct ks_resname *out, const char *group, const char *resource)
{
	char c[KS_RESNAME_CANDSZ];
	size_t i;

	cand_name(c, sizeof(c), group, resource);
	for (i = 0; i < out->ncand; i++)
		if (strcmp(out->cand[i], c) == 0)
			return;
	out->ncand_total++;
	if (out->ncand == KS_RESNAME_MAXCAND)
		return;
	for (i = out->ncand; i > 0 && strcmp(out->cand[i - 1], c) > 0; i--)
		memcpy(out->cand[i], out->cand[i - 1], sizeof(out->cand[i]));
	snprintf(out->cand[i], sizeof(out->cand[i]), "%s", c);
	out->ncand++;
}

static void
set_winner(struct ks_resname *out, sqlite3_stmt *st, const struct rank *rk)
{
	static const enum ks_resname_how how[] = { KS_RESNAME_BUILTIN,
	    KS_RESNAME_CRD, KS_RESNAME_TABLE };

	snprintf(out->api_group, sizeof(out->api_group), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	snprintf(out->resource, sizeof(out->resource), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	snprintf(out->kind, sizeof(out->kind), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	snprintf(out->matched, sizeof(out->matched), "%s",
	    (const char *)sqlite3_column_text(st, 3));
	out->how = how[rk->origin];
}

/*
 * Look name up (in group, if not NULL).  Returns 1 found (out filled, the
 * losers in out->cand), 0 none, -1 with err (SQLite, or ambiguous: then
 * out->cand holds the tied candidates).
 */
static int
lookup(sqlite3 *db, const char *name, const char *group,
    struct ks_resname *out, struct ks_err *err)
{
	struct ks_resname tied;
	struct rank best = { 0, 0, 0 }, rk;
	sqlite3_stmt *st;
	int rc, n = 0;

	memset(&tied, 0, sizeof(tied));
	if (sqlite3_prepare_v2(db, lookup_sql, -1, &st, NULL) != SQLITE_OK)
		return ks_err_set(err, "resource names: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (group != NULL)
		sqlite3_bind_text(st, 2, group, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		const char *r = (const char *)sqlite3_column_text(st, 1);
		const char *origin = (const char *)sqlite3_column_text(st, 4);
		if (g == NULL || r == NULL || origin == NULL)
			continue;
		rk.short_name = strcmp((const char *)sqlite3_column_text(st,
		    3), "short") == 0;
		rk.origin = strcmp(origin, "builtin") == 0 ? 0 :
		    strcmp(origin, "crd") == 0 ? 1 : 2;
		rk.noncore = rk.origin == 0 && *g != '\0';
		if (n == 0) {
			best = rk;
			set_winner(out, st, &rk);
		} else if (best.short_name != rk.short_name)
			break;	/* a full name matched: no short names */
		n++;
		if (rank_eq(&best, &rk))
			add_cand(&tied, g, r);
		else if (!(strcmp(g, out->api_group) == 0 &&
		    strcmp(r, out->resource) == 0))
			add_cand(out, g, r);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ks_err_set(err, "resource names: %s", sqlite3_errmsg(db));
	if (tied.ncand_total > 1) {
		memcpy(out->cand, tied.cand, sizeof(out->cand));
		out->ncand = tied.ncand;
		out->ncand_total = tied.ncand_total;
		out->how = KS_RESNAME_AMBIGUOUS;
		return -1;
	}
	return n > 0;
}

/* Does the database have the resource_names view? */
static int
have_names(sqlite3 *db)
{
	sqlite3_stmt *st;
	int have;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type ="
	    " 'view' AND name = 'resource_names'", -1, &st, NULL) != SQLITE_OK)
		return 0;
	have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return have;
}

/* Is s a Kubernetes API version: v1, v2beta1, v1alpha3? */
static int
is_version(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 2 || s[0] != 'v' || !isdigit((unsigned char)s[1]))
		return 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i < n && n - i > 5 && strncmp(s + i, "alpha", 5) == 0)
		i += 5;
	else if (i < n && n - i > 4 && strncmp(s + i, "beta", 4) == 0)
		i += 4;
	else
		return i == n;
	if (!isdigit((unsigned char)s[i]))
		return 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i == n;
}

/* The error message of an ambiguous name. */
static int
ambiguous(const char *name, const struct ks_resname *out, struct ks_err *err)
{
	char list[sizeof(err->msg)] = "";
	size_t len = 0;

	for (size_t i = 0; i < out->ncand && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", out->cand[i]);
	return ks_err_set(err, "resource \"%s\" is ambiguous: %s%s; name the "
	    "group (RESOURCE.GROUP)", name, list, out->ncand_total >
	    out->ncand ? ", ..." : "");
}

/*
 * A name with a group: NAME.VERSION.GROUP (when the middle part is a
 * version and that reading is known) or NAME.GROUP.
 */
static int
qualified(sqlite3 *db, char *name, char *group, struct ks_resname *out,
    struct ks_err *err)
{
	char *dot = strchr(group, '.');
	const char *tries[2];
	int ntries = 0, rc;

	if (dot != NULL && is_version(group, (size_t)(dot - group)))
		tries[ntries++] = dot + 1;
	tries[ntries++] = group;
	for (int i = 0; i < ntries; i++) {
		if ((rc = lookup(db, name, tries[i], out, err)) < 0)
			return out->how == KS_RESNAME_AMBIGUOUS ?
			    ambiguous(name, out, err) : -1;
		if (rc > 0) {
			out->how = KS_RESNAME_QUALIFIED;
			return 0;
		}
	}
	out->how = KS_RESNAME_ASSUMED;
	snprintf(out->api_group, sizeof(out->api_group), "%s", tries[0]);
	snprintf(out->resource, sizeof(out->resource), "%s", name);
	return 0;
}

int
ks_resname_resolve(sqlite3 *db, const char *arg, struct ks_resname *out,
    struct ks_err *err)
{
	char buf[KS_RESNAME_GROUPSZ + 2 * KS_RESNAME_NAMESZ], *slash, *dot;
	size_t i, n = strlen(arg);
	int rc;

	memset(out, 0, sizeof(*out));
	if (arg[0] == '/') {
		out->how = KS_RESNAME_URL;
		return 0;
	}
	if (n == 0 || n >= sizeof(buf))
		return ks_err_set(err, "resource name %s", n ? "too long" :
		    "empty");
	for (i = 0; i <= n; i++)
		buf[i] = (char)tolower((unsigned char)arg[i]);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		snprintf(out->subresource, sizeof(out->subresource), "%s",
		    slash);
	}
	if (buf[0] == '\0' || strlen(buf) >= KS_RESNAME_GROUPSZ)
		return ks_err_set(err, "resource name \"%s\": no resource "
		    "before the '/'", arg);
	dot = strchr(buf, '.');
	if (dot != NULL)
		*dot++ = '\0';
	if (buf[0] == '\0')
		return ks_err_set(err, "resource name \"%s\": no resource "
		    "before the '.'", arg);
	if (strlen(buf) >= sizeof(out->resource))
		return ks_err_set(err, "resource name too long");
	if (strcmp(buf, "*") == 0 || (dot != NULL && !have_names(db))) {
		out->how = KS_RESNAME_QUALIFIED;
		snprintf(out->resource, sizeof(out->resource), "%s", buf);
		snprintf(out->api_group, sizeof(out->api_group), "%s",
		    dot ? dot : "");
		return 0;
	}
	if (dot != NULL)
		return qualified(db, buf, dot, out, err);
	if (!have_names(db))
		return ks_err_set(err, "this database predates resource-name "
		    "resolution: import into it with this kubesift, or write "
		    "%s.GROUP", buf);
	if ((rc = lookup(db, buf, NULL, out, err)) < 0)
		return out->how == KS_RESNAME_AMBIGUOUS ?
		    ambiguous(buf, out, err) : -1;
	if (rc == 0) {
		out->how = KS_RESNAME_ASSUMED;
		snprintf(out->resource, sizeof(out->resource), "%s", buf);
	}
	assert(out->resource[0] != '\0');
	return 0;
}
