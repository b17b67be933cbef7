/*
 * The recovery scanner.  It tokenizes the text as JSON but forgives the
 * end: containers left open, a string or number cut in the middle.  It
 * keeps the key of each open object for the first three levels, which is
 * all the fields it reads need.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "formats/auditcut.h"
#include "formats/denial.h"
#include "util/timeutil.h"

#define MAXDEPTH	64	/* deeper nesting is tracked, not recorded */
#define MAXVALUE	65536	/* bytes of one recovered string */

enum field {
	F_KIND, F_AUDIT_ID, F_STAGE, F_LEVEL, F_VERB, F_URI, F_UA, F_USER,
	F_IMP_USER, F_RES, F_SUB, F_GROUP, F_VER, F_NS, F_NAME, F_DECISION,
	F_REASON, F_RECEIVED, F_STAGE_TS, F_MESSAGE,
	F_CODE,				/* a number */
	F_GROUPS, F_IMP_GROUPS, F_IPS	/* arrays of strings */
};

/* Where each field is: its key in the event, and in that key's object. */
static const struct {
	const char	*k1, *k2;
	enum field	 f;
} fields[] = {
	{ "kind", NULL, F_KIND },
	{ "auditID", NULL, F_AUDIT_ID },
	{ "stage", NULL, F_STAGE },
	{ "level", NULL, F_LEVEL },
	{ "verb", NULL, F_VERB },
	{ "requestURI", NULL, F_URI },
	{ "userAgent", NULL, F_UA },
	{ "user", "username", F_USER },
	{ "impersonatedUser", "username", F_IMP_USER },
	{ "objectRef", "resource", F_RES },
	{ "objectRef", "subresource", F_SUB },
	{ "objectRef", "apiGroup", F_GROUP },
	{ "objectRef", "apiVersion", F_VER },
	{ "objectRef", "namespace", F_NS },
	{ "objectRef", "name", F_NAME },
	{ "annotations", "authorization.k8s.io/decision", F_DECISION },
	{ "annotations", "authorization.k8s.io/reason", F_REASON },
	{ "requestReceivedTimestamp", NULL, F_RECEIVED },
	{ "stageTimestamp", NULL, F_STAGE_TS },
	{ "responseStatus", "message", F_MESSAGE },
	{ "responseStatus", "code", F_CODE },
	{ "user", "groups", F_GROUPS },
	{ "impersonatedUser", "groups", F_IMP_GROUPS },
	{ "sourceIPs", NULL, F_IPS },
};

/* A key as it appears in the text (escapes not undone). */
struct key {
	const char	*p;
	size_t		 n;
};

struct scan {
	const char	*s;
	size_t		 len, i;
	int		 depth;
	char		 kind[MAXDEPTH + 1];	/* '{' or '[' per depth */
	int		 want_key[MAXDEPTH + 1];
	struct key	 key[4];		/* keys at depths 1..3 */
	struct ks_auditcut *c;
	int		 code;
	int		 closed;	/* the top-level object was closed */
	int		 nomem;
};

/* Does the raw key equal lit?  "\/" in the text stands for "/". */
static int
key_is(const struct key *k, const char *lit)
{
	size_t i = 0;

	if (lit == NULL)
		return k->p == NULL;
	if (k->p == NULL)
		return 0;
	for (; *lit != '\0'; lit++, i++) {
		if (i + 1 < k->n && k->p[i] == '\\' && k->p[i + 1] == '/')
			i++;
		if (i >= k->n || k->p[i] != *lit)
			return 0;
	}
	return i == k->n;
}

/* The field at the path of the current value, or -1. */
static int
lookup(const struct scan *sc, int in_array)
{
	struct key none = { NULL, 0 };
	const struct key *k1, *k2;
	int d = sc->depth - in_array;	/* depth of the enclosing object */

	if (d < 1 || d > 2 || sc->kind[d] != '{')
		return -1;
	k1 = &sc->key[1];
	k2 = d == 2 ? &sc->key[2] : &none;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int arr = fields[i].f >= F_GROUPS;
		if (arr == in_array && key_is(k1, fields[i].k1) &&
		    key_is(k2, fields[i].k2))
			return (int)fields[i].f;
	}
	return -1;
}

/* Keep the string s[0..n) (escapes undone) for field f. */
static void
keep_string(struct scan *sc, int f, const char *s, size_t n)
{
	struct ks_auditcut *c = sc->c;
	char *v;
	json_t **a;

	/* A message longer than a value is kept is not kept in part. */
	if (f == F_MESSAGE && n > MAXVALUE)
		return;
	if ((v = ks_denial_unescape(s, n, 1, MAXVALUE)) == NULL) {
		sc->nomem = 1;
		return;
	}
	if (f < F_CODE) {
		if (c->str[f] == NULL) {
			c->str[f] = v;
			return;
		}
	} else if (f >= F_GROUPS) {
		a = &c->arr[f - F_GROUPS];
		if (*a == NULL && (*a = json_array()) == NULL)
			sc->nomem = 1;
		else
			json_array_append_new(*a, json_string(v));
	}
	free(v);
}

/* A string token at sc->i; returns 0 when the text ends inside it. */
static int
string(struct scan *sc)
{
	size_t a = sc->i + 1, b = a;
	int d = sc->depth, f;

	while (b < sc->len && sc->s[b] != '"')
		b += sc->s[b] == '\\' ? 2 : 1;
	if (b >= sc->len)
		return 0;
	sc->i = b + 1;
	if (d < 1 || d > MAXDEPTH)
		return 1;
	if (sc->kind[d] == '{' && sc->want_key[d]) {
		if (d <= 3)
			sc->key[d] = (struct key){ sc->s + a, b - a };
		sc->want_key[d] = 0;
	} else if ((f = lookup(sc, sc->kind[d] == '[')) >= 0)
		keep_string(sc, f, sc->s + a, b - a);
	return 1;
}

/* A number token; returns 0 when the text ends inside it. */
static int
number(struct scan *sc)
{
	size_t a = sc->i, b = a;
	long v = 0;

	while (b < sc->len && strchr("-+.eE0123456789", sc->s[b]) != NULL &&
	    sc->s[b] != '\0')
		b++;
	if (b >= sc->len)
		return 0;
	sc->i = b;
	if (lookup(sc, 0) != F_CODE)
		return 1;
	for (size_t k = a; k < b && k < a + 4; k++) {
		if (sc->s[k] < '0' || sc->s[k] > '9')
			return 1;
		v = v * 10 + (sc->s[k] - '0');
	}
	if (b - a <= 3)
		sc->code = (int)v;
	return 1;
}

/* One structural byte. */
static void
punct(struct scan *sc, char ch)
{
	int d = sc->depth;

	if (ch == '{' || ch == '[') {
		sc->depth++;
		if (sc->depth <= MAXDEPTH) {
			sc->kind[sc->depth] = ch;
			sc->want_key[sc->depth] = ch == '{';
			if (sc->depth <= 3)
				sc->key[sc->depth] = (struct key){ NULL, 0 };
		}
	} else if ((ch == '}' || ch == ']') && d > 0)
		sc->depth--;
	else if (ch == ',' && d >= 1 && d <= MAXDEPTH && sc->kind[d] == '{')
		sc->want_key[d] = 1;
}

static int64_t
time_of(const char *s)
{
	int64_t us;

	if (s == NULL || ks_time_parse_utc(s, strlen(s), &us) < 0)
		return KS_TIME_NONE;
	return us;
}

/* Point the row at what was recovered. */
static void
fill_row(struct ks_auditcut *c, int code)
{
	struct ks_audit_row *r = &c->row;
	char **s = c->str;

	r->audit_id = s[F_AUDIT_ID];
	r->stage = s[F_STAGE];
	r->level = s[F_LEVEL];
	r->verb = s[F_VERB];
	r->request_uri = s[F_URI];
	r->user_agent = s[F_UA];
	r->username = s[F_USER];
	r->impersonated_user = s[F_IMP_USER];
	r->resource = s[F_RES];
	r->subresource = s[F_SUB];
	r->api_group = s[F_GROUP];
	r->api_version = s[F_VER];
	r->namespace = s[F_NS];
	r->name = s[F_NAME];
	r->decision = s[F_DECISION];
	r->authz_reason = s[F_REASON];
	r->user_groups = c->arr[F_GROUPS - F_GROUPS];
	r->impersonated_groups = c->arr[F_IMP_GROUPS - F_GROUPS];
	r->source_ips = c->arr[F_IPS - F_GROUPS];
	r->code = code;
	/* Read here (a string the cut left whole), never from the raw text. */
	r->message = s[F_MESSAGE];
	r->extras = 1;
	r->received_us = time_of(s[F_RECEIVED]);
	r->stage_us = time_of(s[F_STAGE_TS]);
	if (r->stage_us == KS_TIME_NONE)
		r->stage_us = r->received_us;
	/* The core group is "" (objectRef omits apiGroup for it). */
	if (r->resource != NULL && r->api_group == NULL)
		r->api_group = "";
	r->partial = 1;
}

/* The length of text without a trailing mark, or len when it has none. */
static size_t
unmarked(const char *text, size_t len)
{
	size_t m = strlen(KS_AUDITCUT_MARK), n = len;

	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' ||
	    text[n - 1] == '\r' || text[n - 1] == '\n'))
		n--;
	if (n >= m && memcmp(text + n - m, KS_AUDITCUT_MARK, m) == 0)
		return n - m;
	return len;
}

int
ks_auditcut_marked(const char *text, size_t len)
{
	return unmarked(text, len) != len;
}

/* Walk the text, reading the fields; stop where it stops. */
static void
walk(struct scan *sc)
{
	while (sc->i < sc->len && !sc->nomem) {
		char ch = sc->s[sc->i];
		if (ch == '"') {
			if (!string(sc))
				return;
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			if (!number(sc))
				return;
		} else {
			punct(sc, ch);
			sc->i++;
			if (sc->depth == 0) {
				sc->closed = 1;	/* the event ended: not cut */
				return;
			}
		}
	}
}

int
ks_auditcut_recover(const char *text, size_t len, struct ks_auditcut *c)
{
	struct scan sc;
	char **s = c->str;

	memset(c, 0, sizeof(*c));
	memset(&sc, 0, sizeof(sc));
	len = unmarked(text, len);
	while (sc.i < len && (text[sc.i] == ' ' || text[sc.i] == '\t' ||
	    text[sc.i] == '\r' || text[sc.i] == '\n'))
		sc.i++;
	if (sc.i >= len || text[sc.i] != '{')
		return 0;
	sc.s = text;
	sc.len = len;
	sc.c = c;
	walk(&sc);
	if (sc.nomem) {
		ks_auditcut_clear(c);
		errno = ENOMEM;
		return -1;
	}
	if (sc.closed || (s[F_KIND] != NULL && strcmp(s[F_KIND], "Event")) ||
	    (s[F_AUDIT_ID] == NULL && s[F_VERB] == NULL && s[F_URI] == NULL)) {
		ks_auditcut_clear(c);
		return 0;
	}
	fill_row(c, sc.code);
	return 1;
}

void
ks_auditcut_clear(struct ks_auditcut *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < KS_AUDITCUT_STRINGS; i++)
		free(c->str[i]);
	for (int i = 0; i < KS_AUDITCUT_ARRAYS; i++)
		json_decref(c->arr[i]);
	memset(c, 0, sizeof(*c));
}
