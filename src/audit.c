#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "audit.h"
#include "jutil.h"
#include "timeutil.h"
#include "utf8.h"

static int64_t
time_of(const json_t *ev, const char *key)
{
	const char *s = ks_json_str(ev, key);
	int64_t us;

	if (s == NULL || ks_time_parse(s, strlen(s), &us) < 0)
		return KS_TIME_NONE;
	return us;
}

static json_t *
array_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_array(v) ? v : NULL;
}

/* The parts of an Event that say who asked. */
static void
identity(json_t *ev, struct ks_audit_row *row)
{
	json_t *user = ks_json_obj(ev, "user");
	json_t *imp = ks_json_obj(ev, "impersonatedUser");

	row->username = ks_json_str(user, "username");
	row->user_groups = array_of(user, "groups");
	row->impersonated_user = ks_json_str(imp, "username");
	row->impersonated_groups = array_of(imp, "groups");
	row->source_ips = array_of(ev, "sourceIPs");
	row->user_agent = ks_json_str(ev, "userAgent");
}

int
ks_audit_from_json(json_t *ev, struct ks_audit_row *row, const char **why)
{
	const char *kind = ks_json_str(ev, "kind");
	json_t *ref, *ann, *code;

	memset(row, 0, sizeof(*row));
	if (!json_is_object(ev))
		return *why = "not a JSON object", -1;
	if (kind != NULL && strcmp(kind, "Event") != 0)
		return *why = "not an audit Event (kind is not \"Event\")", -1;
	row->audit_id = ks_json_str(ev, "auditID");
	row->stage = ks_json_str(ev, "stage");
	row->verb = ks_json_str(ev, "verb");
	row->request_uri = ks_json_str(ev, "requestURI");
	if (row->audit_id == NULL && row->verb == NULL &&
	    row->request_uri == NULL)
		return *why = "not an audit event (no auditID, verb or "
		    "requestURI)", -1;
	row->level = ks_json_str(ev, "level");
	identity(ev, row);
	ref = ks_json_obj(ev, "objectRef");
	row->resource = ks_json_str(ref, "resource");
	row->subresource = ks_json_str(ref, "subresource");
	row->api_group = ks_json_str(ref, "apiGroup");
	row->api_version = ks_json_str(ref, "apiVersion");
	row->namespace = ks_json_str(ref, "namespace");
	row->name = ks_json_str(ref, "name");
	/* The core group is "" (objectRef omits apiGroup for it). */
	if (ref != NULL && row->resource != NULL && row->api_group == NULL)
		row->api_group = "";
	code = json_object_get(ks_json_obj(ev, "responseStatus"), "code");
	row->code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
	ann = ks_json_obj(ev, "annotations");
	row->decision = ks_json_str(ann, "authorization.k8s.io/decision");
	row->authz_reason = ks_json_str(ann, "authorization.k8s.io/reason");
	row->received_us = time_of(ev, "requestReceivedTimestamp");
	row->stage_us = time_of(ev, "stageTimestamp");
	/* v1beta1 events may carry only "timestamp". */
	if (row->received_us == KS_TIME_NONE)
		row->received_us = time_of(ev, "timestamp");
	if (row->stage_us == KS_TIME_NONE)
		row->stage_us = row->received_us;
	return 0;
}

/*
 * The fast reader: the columns of an audit event straight from its bytes,
 * in one pass, without building a tree.  It is sure of a record only when
 * jansson would read it the same way (valid JSON, strict UTF-8, no "\u0000",
 * no number jansson would refuse, keys without escapes, arrays of strings);
 * it gives up on anything else, and ks_audit_from_json decides.  Strings
 * are decoded into the caller's buffer; arrays are written there as jansson
 * prints them with JSON_COMPACT.
 */

#define SCAN_MAX_DEPTH	1024	/* jansson refuses more than 2048 */

struct times;

struct scan {
	const unsigned char *p, *end;	/* the bytes left */
	char		*o, *oend;	/* where decoded strings go */
	int		 depth, max_depth;
	struct ks_audit_row *row;
	struct ks_audit_json *js;
	int		 ref_seen;	/* objectRef is an object */
	const char	*kind;
	struct times	*times;		/* the time strings */
};

/* The length of the run at p of bytes that need no care in a string. */
static size_t
plain_run(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = p;

#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
	    sp = _mm_set1_epi8(0x20);

	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)q);
		/* Signed: bytes from 0x80 are negative, so below 0x20 too. */
		int hit = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)),
		    _mm_cmplt_epi8(v, sp)));
		if (hit != 0)
			return (size_t)(q - p) + (size_t)__builtin_ctz(
			    (unsigned)hit);
		q += 16;
	}
#endif
	while (q < end && *q != '"' && *q != '\\' && *q >= 0x20 && *q < 0x80)
		q++;
	return (size_t)(q - p);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (p + 4 <= end checked by the caller); -1 if not. */
static long
hex4(const unsigned char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Put n bytes in the output; -1 when it is full. */
static int
emit(struct scan *s, const void *b, size_t n)
{
	if ((size_t)(s->oend - s->o) < n)
		return -1;
	memcpy(s->o, b, n);
	s->o += n;
	return 0;
}

/* Put code point c as UTF-8. */
static int
emit_utf8(struct scan *s, unsigned long c)
{
	unsigned char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | c >> 6);
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | c >> 12);
		b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | c >> 18);
		b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return emit(s, b, n);
}

/*
 * One escape after a backslash at s->p; the code point goes to *c.
 * Refuses what jansson refuses (and "\u0000", which it refuses by default).
 */
static int
escape(struct scan *s, unsigned long *c)
{
	const unsigned char *p = s->p + 1;
	long hi, lo;

	if (p >= s->end)
		return -1;
	switch (*p) {
	case '"': case '\\': case '/':
		*c = *p; break;
	case 'b': *c = '\b'; break;
	case 'f': *c = '\f'; break;
	case 'n': *c = '\n'; break;
	case 'r': *c = '\r'; break;
	case 't': *c = '\t'; break;
	case 'u':
		if (s->end - p < 5 || (hi = hex4(p + 1)) <= 0 ||
		    (hi >= 0xdc00 && hi <= 0xdfff))
			return -1;
		if (hi >= 0xd800 && hi <= 0xdbff) {
			if (s->end - p < 11 || p[5] != '\\' || p[6] != 'u' ||
			    (lo = hex4(p + 7)) < 0xdc00 || lo > 0xdfff)
				return -1;
			*c = 0x10000 + ((unsigned long)(hi - 0xd800) << 10) +
			    (unsigned long)(lo - 0xdc00);
			s->p = p + 11;
			return 0;
		}
		*c = (unsigned long)hi;
		s->p = p + 5;
		return 0;
	default:
		return -1;
	}
	s->p = p + 1;
	return 0;
}

/*
 * The string at s->p (its opening quote).  With dec, its decoded bytes and
 * a NUL go to the output and *dec points to them.  *raw_plain is set when
 * the string had no escape, so that its bytes are its value.
 */
static int
string(struct scan *s, const char **dec, int *raw_plain)
{
	const unsigned char *p;
	unsigned long c;
	size_t n;

	s->p++;
	if (dec != NULL)
		*dec = s->o;
	if (raw_plain != NULL)
		*raw_plain = 1;
	for (;;) {
		p = s->p;
		n = plain_run(p, s->end);
		if (dec != NULL && n > 0 && emit(s, p, n) < 0)
			return -1;
		s->p = p += n;
		if (p >= s->end)
			return -1;
		if (*p == '"') {
			s->p++;
			return dec != NULL ? emit(s, "", 1) : 0;
		}
		if (*p == '\\') {
			if (raw_plain != NULL)
				*raw_plain = 0;
			if (escape(s, &c) < 0 ||
			    (dec != NULL && emit_utf8(s, c) < 0))
				return -1;
			continue;
		}
		if (*p < 0x20 || (n = ks_utf8_seqlen(p,
		    (size_t)(s->end - p))) == 0)
			return -1;
		if (dec != NULL && emit(s, p, n) < 0)
			return -1;
		s->p += n;
	}
}

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int
digits(struct scan *s)
{
	const unsigned char *p = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return (int)(s->p - p);
}

/*
 * A number.  *is_int is set for an integer (jansson's json_int_t), whose
 * value goes to *v.  Numbers jansson might refuse as too big are refused.
 */
static int
number(struct scan *s, int *is_int, long long *v)
{
	const unsigned char *start = s->p;
	int n, neg = 0;
	long exp = 0;

	if (*s->p == '-') {
		neg = 1;
		s->p++;
	}
	if (s->p >= s->end)
		return -1;
	if (*s->p == '0') {
		s->p++;
		n = 1;
	} else if ((n = digits(s)) == 0)
		return -1;
	*is_int = 1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) == 0)
			return -1;
		*is_int = 0;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		for (const unsigned char *e = s->p; s->p < s->end &&
		    *s->p >= '0' && *s->p <= '9'; s->p++)
			if (s->p - e < 6)
				exp = exp * 10 + (*s->p - '0');
			else
				return -1;
		if (s->p[-1] < '0' || s->p[-1] > '9')
			return -1;
		*is_int = 0;
	}
	/* Far from overflowing a double or a json_int_t. */
	if (n > 18 || exp > 280 || s->p - start > 400)
		return -1;
	if (*is_int) {
		long long x = 0;
		for (const unsigned char *d = start + neg; d < s->p; d++)
			x = x * 10 + (*d - '0');
		*v = neg ? -x : x;
	}
	return 0;
}

static int
literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int skip(struct scan *);

/*
 * An object or array at s->p, each member or element read by fn (with the
 * key of a member, as raw bytes without escapes).
 */
typedef int (*member_fn)(struct scan *, const unsigned char *key, size_t n);

static int
container(struct scan *s, member_fn fn)
{
	int object = *s->p == '{';
	char close = object ? '}' : ']';
	const unsigned char *key = NULL;
	size_t klen = 0;
	int plain;

	if (++s->depth > s->max_depth)
		return -1;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			if (s->p >= s->end || *s->p != '"')
				return -1;
			key = s->p + 1;
			if (string(s, NULL, &plain) < 0 || !plain)
				return -1;
			klen = (size_t)(s->p - 1 - key);
			ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -1;
			s->p++;
			ws(s);
		}
		if (s->p >= s->end || fn(s, key, klen) < 0)
			return -1;
		ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		if (*s->p != ',')
			return -1;
		s->p++;
		ws(s);
	}
}

static int
skip_member(struct scan *s, const unsigned char *key, size_t n)
{
	return skip(s);
}

/* Any value, checked and passed over. */
static int
skip(struct scan *s)
{
	int is_int;
	long long v;

	switch (*s->p) {
	case '"':
		return string(s, NULL, NULL);
	case '{':
	case '[':
		return container(s, skip_member);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return number(s, &is_int, &v);
		return -1;
	}
}

/* A string value into *dst; anything else is checked and gives NULL. */
static int
str_value(struct scan *s, const char **dst)
{
	*dst = NULL;
	if (*s->p == '"')
		return string(s, dst, NULL);
	return skip(s);
}

/* Put the decoded string at d as jansson prints it (dump.c). */
static int
emit_jstring(struct scan *s, const char *d)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[6];

	if (emit(s, "\"", 1) < 0)
		return -1;
	for (; *d != '\0'; d++) {
		unsigned char c = (unsigned char)*d;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			if (emit(s, esc, 2) < 0)
				return -1;
		} else if (c < 0x20) {
			const char *named = c == '\b' ? "\\b" : c == '\f' ?
			    "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r" :
			    c == '\t' ? "\\t" : NULL;
			if (named == NULL) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
			}
			if (emit(s, named ? named : esc, named ? 2 : 6) < 0)
				return -1;
		} else if (emit(s, d, 1) < 0)
			return -1;
	}
	return emit(s, "\"", 1);
}

/* One element of an array of strings, appended as JSON text. */
static int
text_element(struct scan *s, const unsigned char *key, size_t n)
{
	const unsigned char *start = s->p;
	const char *d;
	char *printed;
	size_t len;
	int plain;

	if (*s->p != '"')
		return -1;	/* only arrays of strings */
	if (s->o[-1] != '[' && emit(s, ",", 1) < 0)
		return -1;
	if (string(s, NULL, &plain) < 0)
		return -1;
	if (plain)
		return emit(s, start, (size_t)(s->p - start));
	/* Decode it after the text, print it after that, move it back. */
	s->p = start;
	if (string(s, &d, NULL) < 0)
		return -1;
	printed = s->o;
	if (emit_jstring(s, d) < 0)
		return -1;
	len = (size_t)(s->o - printed);
	memmove((char *)d, printed, len);
	s->o = (char *)d + len;
	return 0;
}

/* An array of strings into *dst as JSON text; anything else gives NULL. */
static int
array_value(struct scan *s, const char **dst)
{
	*dst = NULL;
	if (*s->p != '[')
		return skip(s);
	*dst = s->o;
	if (emit(s, "[", 1) < 0 || container(s, text_element) < 0)
		return -1;
	return emit(s, "]", 2);
}

#define KEY(lit)	(n == sizeof(lit) - 1 && memcmp(k, lit, n) == 0)

static int
user_member(struct scan *s, const unsigned char *k, size_t n)
{
	if (KEY("username"))
		return str_value(s, &s->row->username);
	if (KEY("groups"))
		return array_value(s, &s->js->user_groups);
	return skip(s);
}

static int
imp_member(struct scan *s, const unsigned char *k, size_t n)
{
	if (KEY("username"))
		return str_value(s, &s->row->impersonated_user);
	if (KEY("groups"))
		return array_value(s, &s->js->impersonated_groups);
	return skip(s);
}

static int
ref_member(struct scan *s, const unsigned char *k, size_t n)
{
	struct ks_audit_row *r = s->row;

	if (KEY("resource"))
		return str_value(s, &r->resource);
	if (KEY("subresource"))
		return str_value(s, &r->subresource);
	if (KEY("apiGroup"))
		return str_value(s, &r->api_group);
	if (KEY("apiVersion"))
		return str_value(s, &r->api_version);
	if (KEY("namespace"))
		return str_value(s, &r->namespace);
	if (KEY("name"))
		return str_value(s, &r->name);
	return skip(s);
}

static int
status_member(struct scan *s, const unsigned char *k, size_t n)
{
	long long v;
	int is_int;

	if (!KEY("code") || (*s->p != '-' && (*s->p < '0' || *s->p > '9'))) {
		if (KEY("code"))
			s->row->code = 0;
		return skip(s);
	}
	if (number(s, &is_int, &v) < 0)
		return -1;
	/* As (int)json_integer_value(); a real is no code. */
	s->row->code = is_int ? (int)v : 0;
	return 0;
}

static int
ann_member(struct scan *s, const unsigned char *k, size_t n)
{
	if (KEY("authorization.k8s.io/decision"))
		return str_value(s, &s->row->decision);
	if (KEY("authorization.k8s.io/reason"))
		return str_value(s, &s->row->authz_reason);
	return skip(s);
}

/* An object read by fn; any other value is checked and read as absent. */
static int
obj_value(struct scan *s, member_fn fn)
{
	return *s->p == '{' ? container(s, fn) : skip(s);
}

struct times {
	const char	*received, *stage, *beta;	/* as written */
};

static int
top_member(struct scan *s, const unsigned char *k, size_t n)
{
	struct ks_audit_row *r = s->row;
	struct times *t = s->times;

	switch (n) {
	case 4:
		if (KEY("kind"))
			return str_value(s, &s->kind);
		if (KEY("verb"))
			return str_value(s, &r->verb);
		if (KEY("user")) {
			r->username = s->js->user_groups = NULL;
			return obj_value(s, user_member);
		}
		break;
	case 5:
		if (KEY("stage"))
			return str_value(s, &r->stage);
		if (KEY("level"))
			return str_value(s, &r->level);
		/* jscan.h splits the items of a top-level "items" array. */
		if (KEY("items") && *s->p == '[')
			return -1;
		break;
	case 7:
		if (KEY("auditID"))
			return str_value(s, &r->audit_id);
		break;
	case 9:
		if (KEY("sourceIPs"))
			return array_value(s, &s->js->source_ips);
		if (KEY("userAgent"))
			return str_value(s, &r->user_agent);
		if (KEY("objectRef")) {
			r->resource = r->subresource = r->api_group = NULL;
			r->api_version = r->namespace = r->name = NULL;
			s->ref_seen = *s->p == '{';
			return obj_value(s, ref_member);
		}
		if (KEY("timestamp"))
			return str_value(s, &t->beta);
		break;
	case 10:
		if (KEY("requestURI"))
			return str_value(s, &r->request_uri);
		break;
	case 11:
		if (KEY("annotations")) {
			r->decision = r->authz_reason = NULL;
			return obj_value(s, ann_member);
		}
		break;
	case 14:
		if (KEY("responseStatus")) {
			r->code = 0;
			return obj_value(s, status_member);
		}
		if (KEY("stageTimestamp"))
			return str_value(s, &t->stage);
		break;
	case 16:
		if (KEY("impersonatedUser")) {
			r->impersonated_user = NULL;
			s->js->impersonated_groups = NULL;
			return obj_value(s, imp_member);
		}
		break;
	case 24:
		if (KEY("requestReceivedTimestamp"))
			return str_value(s, &t->received);
		break;
	}
	return skip(s);
}

static int64_t
time_from(const char *v)
{
	int64_t us;

	if (v == NULL || ks_time_parse(v, strlen(v), &us) < 0)
		return KS_TIME_NONE;
	return us;
}

long
ks_audit_scan(const char *p, size_t len, int max_depth, char *out,
    size_t outsz, struct ks_audit_row *row, struct ks_audit_json *js)
{
	struct times t = { NULL, NULL, NULL };
	struct scan s = { .p = (const unsigned char *)p,
	    .end = (const unsigned char *)p + len, .o = out, .oend = out + outsz,
	    .row = row, .js = js, .times = &t, .max_depth = SCAN_MAX_DEPTH };

	if (max_depth > 0 && max_depth < SCAN_MAX_DEPTH)
		s.max_depth = max_depth;
	memset(row, 0, sizeof(*row));
	memset(js, 0, sizeof(*js));
	ws(&s);
	if (s.p >= s.end || *s.p != '{' || container(&s, top_member) < 0)
		return -1;
	ws(&s);
	if (s.p != s.end)
		return -1;
	/* What ks_audit_from_json would refuse, it must refuse itself. */
	if (s.kind != NULL && strcmp(s.kind, "Event") != 0)
		return -1;
	if (row->audit_id == NULL && row->verb == NULL &&
	    row->request_uri == NULL)
		return -1;
	if (s.ref_seen && row->resource != NULL && row->api_group == NULL)
		row->api_group = "";
	row->received_us = time_from(t.received);
	row->stage_us = time_from(t.stage);
	if (row->received_us == KS_TIME_NONE)
		row->received_us = time_from(t.beta);
	if (row->stage_us == KS_TIME_NONE)
		row->stage_us = row->received_us;
	return (long)(s.o - out);
}
