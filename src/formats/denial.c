/*
 * The plain-log RBAC denial parser (see denial.h for the forms).
 *
 * Every Kubernetes denial message says ` cannot `, so the scan starts from
 * each occurrence of "cannot " and reads the user before it and the verb,
 * resource and scope after it.  The quotes around the user tell how deeply
 * the text is escaped: `"` in a plain line (level 0), `\"` inside one JSON or
 * Go string (level 1), `\\\"` inside two (level 2).  At level L a quote
 * delimiter is 2^L - 1 backslashes and a quote, and a run of k backslashes
 * before a quote means
 *
 *   - a delimiter when (k + 1) / 2^L is a whole odd number,
 *   - an escaped quote inside the value when it is a whole even number,
 *   - the end of an enclosing string (a shallower level) otherwise.
 *
 * Values are then unescaped L + 1 times (L JSON levels, then Go's %q).
 * Every scan is bounded (KS_DENIAL_MAX_FIELD, KS_DENIAL_MAX_TRIES), so a
 * hostile 10 MB line costs a few passes over its bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "formats/denial.h"
#include "util/timeutil.h"

#define MAXLEVEL	3	/* a denial inside three levels of strings */
#define MAXTOKEN	256	/* a verb, a legacy resource, a damaged user */
#define MAXRAWREASON	(8 * KS_DENIAL_MAX_REASON)

enum { Q_OUTER, Q_DELIM, Q_LITERAL };

/* The line and the escaping level of the denial being read. */
struct scan {
	const char	*s;		/* the line, not NUL-terminated */
	size_t		 len;
	int		 level;		/* escaping depth of the denial text */
	size_t		 qlen;		/* bytes in a quote delimiter: 2^level */
};

/* Raw bytes s[b..e) of one field, before unescaping. */
struct span {
	size_t		 b, e;
	int		 set;
};

/* What one attempt found, as spans into the line. */
struct found {
	int		 form;		/* enum ks_denial_form */
	int		 repaired;	/* a quote or "User" was missing */
	int		 bare;		/* no "User" before the name */
	int		 reason_quoted;	/* reason is one quoted string */
	struct span	 user, verb, res, group, ns, name, path, reason;
	size_t		 start, end;
};

/* Is c an ASCII letter or digit?  (No locale, no sign trouble.) */
static int
alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* May c be part of an unquoted token (a verb, "pods/exec", a user)? */
static int
tokenc(int c)
{
	return c != ' ' && c != '"' && c != '\\' && (unsigned char)c >= 0x20 &&
	    c != 0x7f;
}

/* Does the line hold the literal lit at i? */
static int
has(const struct scan *sc, size_t i, const char *lit)
{
	size_t n = strlen(lit);

	return i <= sc->len && sc->len - i >= n &&
	    memcmp(sc->s + i, lit, n) == 0;
}

/* Set the level from x = k + 1 for a run of k backslashes before a quote. */
static int
set_level(struct scan *sc, size_t x, int exact)
{
	int l = 0;

	while (x % 2 == 0 && l <= MAXLEVEL) {
		x /= 2;
		l++;
	}
	if (l > MAXLEVEL || (exact && x != 1))
		return -1;
	sc->level = l;
	sc->qlen = (size_t)1 << l;
	return 0;
}

/* Count the backslashes just before s[q], looking no further back than lo. */
static size_t
run_before(const struct scan *sc, size_t lo, size_t q)
{
	size_t k = 0;

	while (q - k > lo && sc->s[q - k - 1] == '\\' &&
	    k < KS_DENIAL_MAX_FIELD)
		k++;
	return k;
}

/* Classify the quote at s[q]; see the comment at the top of the file. */
static int
quote_kind(const struct scan *sc, size_t lo, size_t q, size_t *k)
{
	*k = run_before(sc, lo, q);
	if ((*k + 1) % sc->qlen != 0)
		return Q_OUTER;
	return ((*k + 1) / sc->qlen) % 2 ? Q_DELIM : Q_LITERAL;
}

/* Is there an opening quote delimiter at s[i]? */
static int
opening_at(const struct scan *sc, size_t i)
{
	size_t j;

	if (i >= sc->len || sc->len - i < sc->qlen ||
	    (i > 0 && sc->s[i - 1] == '\\'))
		return 0;
	for (j = 0; j + 1 < sc->qlen; j++)
		if (sc->s[i + j] != '\\')
			return 0;
	return sc->s[i + sc->qlen - 1] == '"';
}

/*
 * Read the quoted value opening at s[i] into *v; *next is just past its
 * closing delimiter.  Fails on the end of an enclosing string, a NUL byte,
 * the end of the line, or a value longer than KS_DENIAL_MAX_FIELD.
 */
static int
qstring(const struct scan *sc, size_t i, struct span *v, size_t *next)
{
	size_t p, k;

	if (!opening_at(sc, i))
		return 0;
	v->b = i + sc->qlen;
	for (p = v->b; p < sc->len && p - v->b <= KS_DENIAL_MAX_FIELD; p++) {
		if (sc->s[p] == '\0')
			return 0;
		if (sc->s[p] != '"')
			continue;
		switch (quote_kind(sc, v->b, p, &k)) {
		case Q_DELIM:
			v->e = p - (sc->qlen - 1);
			v->set = 1;
			*next = p + 1;
			return 1;
		case Q_OUTER:
			return 0;
		}
	}
	return 0;
}

/*
 * Read backwards the quoted value whose closing quote is s[q] into *v;
 * *open is where its opening delimiter starts.
 */
static int
qstring_back(const struct scan *sc, size_t q, struct span *v, size_t *open)
{
	size_t p, k, lo;

	if (quote_kind(sc, 0, q, &k) != Q_DELIM)
		return 0;
	v->e = q - (sc->qlen - 1);
	lo = v->e > KS_DENIAL_MAX_FIELD ? v->e - KS_DENIAL_MAX_FIELD : 0;
	for (p = v->e; p > lo; p--) {
		if (sc->s[p - 1] == '\0')
			return 0;
		if (sc->s[p - 1] != '"')
			continue;
		switch (quote_kind(sc, 0, p - 1, &k)) {
		case Q_LITERAL:
			p -= k;
			continue;
		case Q_DELIM:
			if (k != sc->qlen - 1)
				return 0;
			v->b = p;
			v->set = 1;
			*open = p - 1 - k;
			return 1;
		default:
			return 0;
		}
	}
	return 0;
}

/* Read an unquoted token at s[i] into *v; *end is the byte after it. */
static int
token(const struct scan *sc, size_t i, struct span *v, size_t *end)
{
	size_t p = i;

	while (p < sc->len && tokenc(sc->s[p]) && p - i < MAXTOKEN)
		p++;
	if (p == i || p - i >= MAXTOKEN)
		return 0;
	v->b = i;
	v->e = p;
	v->set = 1;
	*end = p;
	return 1;
}

/* Where does the token that ends just before s[e] start?  (e if none.) */
static size_t
token_back(const struct scan *sc, size_t e)
{
	size_t p = e;

	while (p > 0 && e - p < MAXTOKEN && tokenc(sc->s[p - 1]))
		p--;
	return p;
}

/* Does "User " end just before s[i], as a word of its own? */
static int
user_before(const struct scan *sc, size_t i)
{
	return i >= 5 && memcmp(sc->s + i - 5, "User ", 5) == 0 &&
	    (i == 5 || !alnum(sc->s[i - 6]));
}

/*
 * Damaged text, `User system:x" cannot`: the user's opening quote is
 * missing.  q is the closing quote; the level is already set.
 */
static int
user_unopened(const struct scan *sc, size_t q, struct found *f)
{
	size_t e = q - (sc->qlen - 1), t = token_back(sc, e);

	if (t == e || !user_before(sc, t))
		return 0;
	f->user = (struct span){ t, e, 1 };
	f->start = t - 5;
	f->repaired = 1;
	return 1;
}

/*
 * Damaged text, `User "system:x cannot`: the closing quote is missing.  sp
 * is the space before "cannot".
 */
static int
user_unclosed(struct scan *sc, size_t sp, struct found *f)
{
	size_t t = token_back(sc, sp), k;

	if (t == sp || t == 0 || sc->s[t - 1] != '"')
		return 0;
	k = run_before(sc, 0, t - 1);
	if (set_level(sc, k + 1, 1) < 0 || !user_before(sc, t - 1 - k))
		return 0;
	f->user = (struct span){ t, sp, 1 };
	f->start = t - 1 - k - 5;
	f->repaired = 1;
	return 1;
}

/*
 * Read the user before the "cannot " at s[c] (s[c - 1] is a space): set the
 * level, f->user and f->start; mark damaged text in f->repaired and a name
 * with no "User" before it in f->bare.
 */
static int
find_user(struct scan *sc, size_t c, struct found *f)
{
	size_t q = c - 1, open;

	if (sc->s[q - 1] != '"')
		return user_unclosed(sc, q, f);
	q--;
	if (set_level(sc, run_before(sc, 0, q) + 1, 0) < 0)
		return 0;
	if (!qstring_back(sc, q, &f->user, &open))
		return user_unopened(sc, q, f);
	if (user_before(sc, open)) {
		f->start = open - 5;
		return 1;
	}
	if (user_unopened(sc, q, f))
		return 1;
	if (open > 0 && alnum(sc->s[open - 1]))
		return 0;
	f->start = open;
	f->bare = f->repaired = 1;
	return 1;
}

/* Read a scope at s[p]; legacy text may say `in project "N"` (OpenShift). */
static int
scope(const struct scan *sc, size_t p, struct found *f, int legacy)
{
	if (has(sc, p, " at the cluster scope")) {
		f->end = p + 21;
		return 1;
	}
	if (has(sc, p, " in the namespace "))
		return qstring(sc, p + 18, &f->ns, &f->end);
	if (legacy && has(sc, p, " in project ") &&
	    qstring(sc, p + 12, &f->ns, &f->end)) {
		f->form = KS_DENIAL_OPENSHIFT;
		return 1;
	}
	return 0;
}

/* `resource "R" in API group "G" <scope>`, from just after "resource ". */
static int
parse_rbac(const struct scan *sc, size_t p, struct found *f)
{
	f->form = KS_DENIAL_RBAC;
	return qstring(sc, p, &f->res, &p) && has(sc, p, " in API group ") &&
	    qstring(sc, p + 14, &f->group, &p) && scope(sc, p, f, 0);
}

/* OpenShift 3: `"VERB" on "URL"` or `"VERB" "R" with name "X" in project`. */
static int
parse_os_quoted(const struct scan *sc, size_t p, struct found *f)
{
	f->form = KS_DENIAL_OPENSHIFT;
	if (!qstring(sc, p, &f->verb, &p))
		return 0;
	if (has(sc, p, " on "))
		return qstring(sc, p + 4, &f->path, &f->end);
	return has(sc, p, " ") && qstring(sc, p + 1, &f->res, &p) &&
	    has(sc, p, " with name ") && qstring(sc, p + 11, &f->name, &p) &&
	    has(sc, p, " in project ") && qstring(sc, p + 12, &f->ns, &f->end);
}

/* Everything after "cannot ": the verb, the resource or path, the scope. */
static int
parse_rest(const struct scan *sc, size_t p, struct found *f)
{
	if (!f->bare && opening_at(sc, p))
		return parse_os_quoted(sc, p, f);
	if (!token(sc, p, &f->verb, &p) || !has(sc, p, " "))
		return 0;
	p++;
	if (has(sc, p, "resource "))
		return parse_rbac(sc, p + 9, f);
	if (f->bare)
		return 0;
	if (has(sc, p, "path ")) {
		f->form = KS_DENIAL_PATH;
		return qstring(sc, p + 5, &f->path, &f->end);
	}
	if (has(sc, p, "all ") && token(sc, p + 4, &f->res, &f->end) &&
	    has(sc, f->end, " in the cluster")) {
		f->form = KS_DENIAL_OPENSHIFT;
		f->end += 15;
		return 1;
	}
	f->form = KS_DENIAL_LEGACY;
	return token(sc, p, &f->res, &p) && scope(sc, p, f, 1);
}

/*
 * The `R[.G] ["NAME"] is forbidden: ` (or `forbidden: `) before "User":
 * take the name and move f->start back to the start of the prefix.
 */
static void
prefix(const struct scan *sc, struct found *f)
{
	size_t u = f->start, open;
	struct span v = { 0, 0, 0 };

	if (u >= 15 && memcmp(sc->s + u - 15, " is forbidden: ", 15) == 0) {
		if (u == 15 || sc->s[u - 16] != '"') {
			f->start = token_back(sc, u - 15);
		} else if (qstring_back(sc, u - 16, &v, &open) && open > 0 &&
		    sc->s[open - 1] == ' ') {
			f->name = v;
			f->start = token_back(sc, open - 1);
		}
	} else if (u >= 11 && memcmp(sc->s + u - 11, "forbidden: ", 11) == 0)
		f->start = u - 11;
}

/*
 * The reason after the scope (`: no relationship found ...`): it runs to
 * the end of the enclosing string, or of the line at level 0, and may
 * itself be one quoted string (`.: "no path found to object"`).
 */
static void
reason(const struct scan *sc, struct found *f)
{
	size_t p = f->end, e, k, next;
	struct span v = { 0, 0, 0 };

	if (has(sc, p, "."))
		p++;
	if (!has(sc, p, ": "))
		return;
	p += 2;
	for (e = p; e < sc->len && e - p < MAXRAWREASON; e++) {
		char c = sc->s[e];
		if (c == '\0' || c == '\n' || c == '\r')
			break;
		if (c == '"' && quote_kind(sc, p, e, &k) == Q_OUTER) {
			e -= k;
			break;
		}
	}
	while (e > p && (sc->s[e - 1] == ' ' || sc->s[e - 1] == '\t'))
		e--;
	if (e == p)
		return;
	f->reason = (struct span){ p, e, 1 };
	if (qstring(sc, p, &v, &next) && next == e) {
		f->reason = v;
		f->reason_quoted = 1;
	}
}

/* Try the denial whose "cannot " is at s[c]. */
static int
try_cannot(struct scan *sc, size_t c, struct found *f)
{
	memset(f, 0, sizeof(*f));
	sc->level = 0;
	sc->qlen = 1;
	if (c < 2 || sc->s[c - 1] != ' ' || !find_user(sc, c, f) ||
	    !parse_rest(sc, c + 7, f))
		return 0;
	if (!f->bare)
		prefix(sc, f);
	reason(sc, f);
	return 1;
}

/* Find the first "cannot " denial in the line. */
static int
find(struct scan *sc, struct found *f)
{
	const char *s = sc->s, *hit;
	size_t p = 0;
	int tries = 0;

	while (p < sc->len && tries++ < KS_DENIAL_MAX_TRIES &&
	    (hit = memmem(s + p, sc->len - p, "cannot ", 7)) != NULL) {
		if (try_cannot(sc, (size_t)(hit - s), f))
			return 1;
		p = (size_t)(hit - s) + 1;
	}
	return 0;
}

/* A new string holding span v unescaped `times` times, or NULL (ENOMEM). */
static char *
take(const struct scan *sc, const struct span *v, int times, size_t max)
{
	return ks_denial_unescape(sc->s + v->b, v->e - v->b, times, max);
}

/* Fill *dst from v when v is set (an empty value becomes NULL if drop). */
static int
opt(char **dst, const struct scan *sc, const struct span *v, int times,
    int drop)
{
	if (!v->set)
		return 0;
	if ((*dst = take(sc, v, times, KS_DENIAL_MAX_FIELD)) == NULL)
		return -1;
	if (drop && **dst == '\0') {
		free(*dst);
		*dst = NULL;
	}
	return 0;
}

/* A new copy of s[0..n), or NULL when n is 0 and drop is set. */
static int
dupn(char **dst, const char *s, size_t n, int drop)
{
	if (drop && n == 0)
		return 0;
	return (*dst = strndup(s, n)) == NULL ? -1 : 0;
}

/* Split "R[.G][/S]" (the dot only in the legacy form) into its fields. */
static int
set_resource(struct ks_denial *d, const struct scan *sc, const struct found *f,
    int times)
{
	char *r, *slash, *dot = NULL;
	int rc = -1;

	if ((r = take(sc, &f->res, times, KS_DENIAL_MAX_FIELD)) == NULL)
		return -1;
	if ((slash = strchr(r, '/')) != NULL) {
		if (dupn(&d->subresource, slash + 1, strlen(slash + 1), 1) < 0)
			goto out;
		*slash = '\0';
	}
	if (f->form == KS_DENIAL_LEGACY && (dot = strchr(r, '.')) != NULL) {
		if (dupn(&d->api_group, dot + 1, strlen(dot + 1), 0) < 0)
			goto out;
		*dot = '\0';
	}
	if (dupn(&d->resource, r, strlen(r), 0) < 0)
		goto out;
	rc = 0;
out:
	free(r);
	return rc;
}

/* Turn the spans of f into the strings of d. */
static int
fill(struct ks_denial *d, const struct scan *sc, const struct found *f)
{
	int q = sc->level + 1;

	d->form = f->form;
	d->repaired = f->repaired;
	d->start = f->start;
	d->end = f->end;
	if (opt(&d->user, sc, &f->user, q, 0) < 0 ||
	    opt(&d->verb, sc, &f->verb, q, 0) < 0 ||
	    opt(&d->api_group, sc, &f->group, q, 0) < 0 ||
	    opt(&d->namespace, sc, &f->ns, q, 1) < 0 ||
	    opt(&d->name, sc, &f->name, q, 1) < 0 ||
	    opt(&d->path, sc, &f->path, q, 0) < 0)
		return -1;
	if (f->res.set && set_resource(d, sc, f, q) < 0)
		return -1;
	if (f->reason.set && (d->reason = take(sc, &f->reason,
	    sc->level + f->reason_quoted, KS_DENIAL_MAX_REASON)) == NULL)
		return -1;
	return 0;
}

int
ks_denial_parse(const char *line, size_t len, int year_hint,
    struct ks_denial *d)
{
	struct scan sc = { line, len, 0, 1 };
	struct found f;
	int rc;

	memset(d, 0, sizeof(*d));
	if (line == NULL)
		return 0;
	if (find(&sc, &f)) {
		if (fill(d, &sc, &f) < 0) {
			ks_denial_clear(d);
			errno = ENOMEM;
			return -1;
		}
	} else if ((rc = ks_denial_kubelet(line, len, d)) != 1)
		return rc;
	d->time_us = ks_denial_line_time(line, len, year_hint);
	return 1;
}

void
ks_denial_clear(struct ks_denial *d)
{
	if (d == NULL)
		return;
	free(d->user);
	free(d->verb);
	free(d->resource);
	free(d->subresource);
	free(d->api_group);
	free(d->namespace);
	free(d->name);
	free(d->path);
	free(d->reason);
	memset(d, 0, sizeof(*d));
}

const char *
ks_denial_form_name(int form)
{
	static const char *const names[] = { "none", "rbac", "path", "legacy",
	    "openshift", "kubelet" };

	if (form < 0 || form > KS_DENIAL_KUBELET)
		return "none";
	return names[form];
}
