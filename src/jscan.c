/*
 * The JSON splitter.  A byte-at-a-time state machine that tracks strings,
 * escapes and nesting depth, and copies the bytes of the current record into
 * a buffer.  It never builds a tree; jansson does that, one record at a time.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jscan.h"

#define EXCERPT	200

enum mode {
	IDLE,		/* between values */
	TOP,		/* inside a top-level value that is not split */
	ITEMS,		/* inside the array whose elements come out one by one */
	ENV,		/* inside a split document, after its items */
	GARBAGE		/* bytes that do not start a JSON value, up to the EOL */
};

enum step { MORE, EMIT, EMIT_AGAIN };	/* EMIT_AGAIN: byte not consumed */

struct buf {
	char	*p;
	size_t	 len, cap;
	int	 over;		/* bytes were dropped: the record is too big */
};

struct ks_jscan {
	struct ks_input	*in;
	struct ks_jscan_limits lim;
	int		 line_mode;	/* one value per line */
	uint64_t	 line;		/* current line, 1-based */
	enum mode	 mode;
	int		 depth;		/* open containers */
	int		 in_str, esc;
	int		 too_deep;	/* the current record passed max_depth */
	int		 base;		/* depth at which the current record began */
	int		 items_depth;	/* depth of the split array */
	int		 top_array;	/* the top-level value is an array */
	int		 item_active;	/* inside one element of the split array */
	int		 expect_key, in_key, key_items, await_items;
	char		 key[8];
	size_t		 keylen;
	struct buf	 rec;		/* the current record */
	struct buf	 env;		/* the envelope of a split document */
	uint64_t	 rec_line, index, env_line;
	struct ks_jrec	 out;		/* what the last EMIT produced */
};

static int buf_grow(struct buf *, const char *, size_t, size_t)
    __attribute__((noinline, cold));

/*
 * Append n bytes to b, keeping an excerpt once max is passed.  There is
 * always room for a NUL after the bytes; emit() puts it there.
 */
static inline int
buf_add(struct buf *b, const char *s, size_t n, size_t max)
{
	if (!b->over && b->len + n + 1 <= b->cap && b->len + n + 1 <= max) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		return 0;
	}
	return buf_grow(b, s, n, max);
}

/* buf_add of one byte. */
static inline void
buf_add1(struct buf *b, char c, size_t max)
{
	if (!b->over && b->len + 2 <= b->cap && b->len + 2 <= max)
		b->p[b->len++] = c;
	else
		buf_grow(b, &c, 1, max);
}

/* The slow path of buf_add: grow the buffer, or mark the record too big. */
static int
buf_grow(struct buf *b, const char *s, size_t n, size_t max)
{
	if (b->over || b->len + n > max) {
		/* Keep an excerpt; drop the rest. */
		if (b->len < EXCERPT) {
			size_t k = EXCERPT - b->len < n ? EXCERPT - b->len : n;
			memcpy(b->p + b->len, s, k);
			b->len += k;
			b->p[b->len] = '\0';
		}
		b->over = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->over = 1;
			return -1;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->over = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/*
 * Decide from the first bytes whether values are one per line: the next
 * non-blank line after the first starts at column 0 with a new value.
 * Pretty-printed documents indent what follows their first line.
 */
static int
detect_line_mode(const unsigned char *p, size_t n)
{
	const unsigned char *nl = memchr(p, '\n', n), *q;

	if (nl == NULL)
		return 1;	/* one line so far: a value per line, or one value */
	for (q = nl + 1; q < p + n && (*q == '\n' || *q == '\r'); q++)
		;
	if (q == p + n)
		return 1;
	return *q == '{' || *q == '[';
}

struct ks_jscan *
ks_jscan_new(struct ks_input *in, const struct ks_jscan_limits *limits)
{
	struct ks_jscan *js;
	const unsigned char *p;
	size_t n;

	if ((js = calloc(1, sizeof(*js))) == NULL)
		return NULL;
	js->in = in;
	js->lim = *limits;
	if (js->lim.max_record < EXCERPT + 1)
		js->lim.max_record = EXCERPT + 1;
	if ((js->rec.p = malloc(EXCERPT + 1)) == NULL ||
	    (js->env.p = malloc(EXCERPT + 1)) == NULL) {
		ks_jscan_free(js);
		return NULL;
	}
	js->rec.cap = js->env.cap = EXCERPT + 1;
	js->line = 1;
	p = ks_input_peek(in, 64 * 1024, &n);
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		ks_input_consume(in, 3);	/* a UTF-8 byte-order mark */
		p = ks_input_peek(in, 64 * 1024, &n);
	}
	js->line_mode = detect_line_mode(p, n);
	return js;
}

void
ks_jscan_free(struct ks_jscan *js)
{
	if (js == NULL)
		return;
	free(js->rec.p);
	free(js->env.p);
	free(js);
}

int
ks_jscan_line_mode(const struct ks_jscan *js)
{
	return js->line_mode;
}

/*
 * Fill js->out with a reject built from b.  Unless keep is set, scanning
 * starts afresh with the next value; keep continues inside the split array.
 */
static enum step
reject_keep(struct ks_jscan *js, struct buf *b, uint64_t line, const char *why,
    int keep)
{
	if (b->len > EXCERPT) {
		b->len = EXCERPT;
		b->p[EXCERPT] = '\0';
	}
	b->p[b->len] = '\0';
	js->out.type = KS_JREC_REJECT;
	js->out.data = b->p;
	js->out.len = b->len;
	js->out.line = line;
	js->out.reason = why;
	if (keep)
		return EMIT;
	js->mode = IDLE;
	js->depth = 0;
	js->in_str = js->esc = js->item_active = 0;
	return EMIT;
}

/* A reject that ends the current value. */
static enum step
reject(struct ks_jscan *js, struct buf *b, uint64_t line, const char *why)
{
	return reject_keep(js, b, line, why, 0);
}

/* Fill js->out with the finished record in b, or a reject if it is bad. */
static enum step
finish(struct ks_jscan *js, struct buf *b, enum ks_jrec_type type,
    uint64_t line)
{
	int keep = type == KS_JREC_ITEM;

	if (b->over)
		return reject_keep(js, b, line,
		    "record larger than the record-size limit (--max-record)",
		    keep);
	if (js->too_deep) {
		js->too_deep = 0;
		return reject_keep(js, b, line,
		    "JSON nested deeper than the depth limit (--max-depth)",
		    keep);
	}
	b->p[b->len] = '\0';
	js->out.type = type;
	js->out.data = b->p;
	js->out.len = b->len;
	js->out.line = line;
	js->out.index = js->index - 1;
	js->out.reason = NULL;
	if (type != KS_JREC_ITEM)
		js->mode = IDLE;
	return EMIT;
}

/* Track strings and nesting for byte c of a value being copied into b. */
static inline void
track(struct ks_jscan *js, struct buf *b, char c)
{
	buf_add1(b, c, js->lim.max_record);
	if (js->in_str) {
		if (js->esc)
			js->esc = 0;
		else if (c == '\\')
			js->esc = 1;
		else if (c == '"')
			js->in_str = 0;
		return;
	}
	switch (c) {
	case '"':
		js->in_str = 1;
		break;
	case '{':
	case '[':
		if (++js->depth - js->base > js->lim.max_depth)
			js->too_deep = 1;
		break;
	case '}':
	case ']':
		js->depth--;
		break;
	}
}

/* Watch the keys of a top-level object for "items": [ . */
static inline void
watch_keys(struct ks_jscan *js, char c)
{
	if (js->in_key) {
		if (c == '"' && !js->esc) {
			js->in_key = 0;
			js->key_items = js->keylen == 5 &&
			    memcmp(js->key, "items", 5) == 0;
		} else if (js->keylen < sizeof(js->key))
			js->key[js->keylen++] = c;
		return;
	}
	if (js->in_str || js->depth != 1)
		return;
	if (c == '"' && js->expect_key) {
		js->in_key = 1;
		js->keylen = 0;
		js->expect_key = 0;
	} else if (c == ':' && js->key_items)
		js->await_items = 1;
	else if (c == ',') {
		js->expect_key = 1;
		js->key_items = js->await_items = 0;
	} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' &&
	    c != ':')
		js->await_items = 0;
}

static enum step
step_top(struct ks_jscan *js, char c)
{
	int await = js->await_items && !js->in_str && c == '[';

	watch_keys(js, c);
	track(js, &js->rec, c);
	if (js->depth == 0)
		return finish(js, &js->rec, KS_JREC_VALUE, js->rec_line);
	if (await) {
		/* "items": [ — what came so far is the envelope. */
		struct buf t = js->env;
		js->env = js->rec;
		js->rec = t;
		buf_reset(&js->rec);
		js->env_line = js->rec_line;
		js->mode = ITEMS;
		js->items_depth = js->depth;
		js->index = 0;
		js->await_items = js->key_items = 0;
	}
	return MORE;
}

static enum step
step_item(struct ks_jscan *js, char c)
{
	char first = js->rec.len > 0 ? js->rec.p[0] : c;
	int scalar = first != '{' && first != '[' && first != '"';

	if (scalar && js->rec.len > 0 && (c == ',' || c == ']' || c == ' ' ||
	    c == '\t' || c == '\r' || c == '\n')) {
		js->item_active = 0;
		finish(js, &js->rec, KS_JREC_ITEM, js->rec_line);
		return EMIT_AGAIN;
	}
	track(js, &js->rec, c);
	if (js->depth == js->items_depth && !js->in_str && !scalar) {
		js->item_active = 0;
		return finish(js, &js->rec, KS_JREC_ITEM, js->rec_line);
	}
	return MORE;
}

static enum step
step_items(struct ks_jscan *js, char c)
{
	if (js->item_active)
		return step_item(js, c);
	switch (c) {
	case ' ': case '\t': case '\r': case '\n': case ',':
		return MORE;
	case ']':
	case '}':
		track(js, &js->env, c);
		if (js->depth == 0)
			return finish(js, &js->env, KS_JREC_END, js->env_line);
		js->mode = ENV;
		return MORE;
	}
	js->item_active = 1;
	js->too_deep = 0;
	js->base = js->depth;
	buf_reset(&js->rec);
	js->rec_line = js->line;
	js->index++;
	return step_item(js, c);
}

static enum step
step_idle(struct ks_jscan *js, char c)
{
	switch (c) {
	case ' ': case '\t': case '\r': case '\n':
		return MORE;
	}
	buf_reset(&js->rec);
	js->rec_line = js->line;
	js->too_deep = 0;
	js->base = 0;
	js->depth = 0;
	js->in_str = js->esc = 0;
	if (c == '{') {
		js->mode = TOP;
		js->top_array = 0;
		js->expect_key = 1;
		js->in_key = js->key_items = js->await_items = 0;
		return step_top(js, c);
	}
	if (c == '[') {
		js->mode = ITEMS;
		js->top_array = 1;
		buf_reset(&js->env);
		track(js, &js->env, c);
		js->env_line = js->line;
		js->items_depth = 1;
		js->index = 0;
		return MORE;
	}
	js->mode = GARBAGE;
	buf_add(&js->rec, &c, 1, js->lim.max_record);
	return MORE;
}

/* The reject for a value that a line end or a new document cut short. */
static enum step
cut(struct ks_jscan *js)
{
	struct buf *b = js->mode == TOP || js->item_active ? &js->rec : &js->env;
	uint64_t line = b == &js->rec ? js->rec_line : js->env_line;

	return reject(js, b, line,
	    "JSON value cut short (the line or document ends inside it)");
}

/* Handle one byte; next2 holds the two bytes after it, or NULs. */
static enum step
step(struct ks_jscan *js, char c, const char *next2)
{
	if (c == '\n') {
		js->line++;
		if (js->mode == GARBAGE) {
			js->mode = IDLE;
			return reject(js, &js->rec, js->rec_line,
			    "not JSON (expected '{' or '[')");
		}
		if (js->mode != IDLE && js->line_mode)
			return cut(js);
		if (js->mode != IDLE && !js->in_str && next2[0] == '{' &&
		    next2[1] == '"')
			return cut(js);	/* a compact new document */
	}
	switch (js->mode) {
	case IDLE:
		return step_idle(js, c);
	case TOP:
		return step_top(js, c);
	case ITEMS:
		return step_items(js, c);
	case ENV:
		track(js, &js->env, c);
		if (js->depth == 0)
			return finish(js, &js->env, KS_JREC_END, js->env_line);
		return MORE;
	case GARBAGE:
		buf_add(&js->rec, &c, 1, EXCERPT + 1);
		return MORE;
	}
	return MORE;
}

/* At the end of the input: whatever is open was cut short. */
static int
at_end(struct ks_jscan *js, struct ks_jrec *rec)
{
	enum mode m = js->mode;

	if (m == IDLE)
		return 0;
	if (m == GARBAGE) {
		js->mode = IDLE;
		reject(js, &js->rec, js->rec_line,
		    "not JSON (expected '{' or '[')");
	} else
		reject(js, m == TOP || js->item_active ? &js->rec : &js->env,
		    m == TOP || js->item_active ? js->rec_line : js->env_line,
		    "JSON value cut short (input ends inside it)");
	*rec = js->out;
	return 1;
}

/*
 * Bytes that end a run inside a string: the quote, an escape, a line end.
 * Every other byte inside a string only goes into the record.
 */
static const unsigned char run_stop[256] = {
	['"'] = 1, ['\\'] = 1, ['\n'] = 1,
};

/* The first byte of p[i..lim) that is a quote, a backslash or a line end. */
static size_t
string_end(const unsigned char *p, size_t i, size_t lim)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
	    nl = _mm_set1_epi8('\n');

	while (i + 16 <= lim) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
		int hit = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
		    _mm_cmpeq_epi8(v, nl)));
		if (hit != 0)
			return i + (size_t)__builtin_ctz((unsigned)hit);
		i += 16;
	}
#endif
	while (i < lim && !run_stop[p[i]])
		i++;
	return i;
}

/*
 * The depth from which the bytes of the current record need no care but
 * strings and nesting (no key to watch, no item to end): 2 inside a
 * top-level object, one below the items of a split array; 0 when every
 * byte must go through step().
 */
static int
deep_floor(const struct ks_jscan *js)
{
	if (js->mode == TOP)
		return 2;
	/* A scalar item ends at a blank or comma, even in a "string". */
	if (js->mode == ITEMS && js->item_active && js->rec.len > 0 &&
	    (js->rec.p[0] == '{' || js->rec.p[0] == '['))
		return js->items_depth + 1;
	return 0;
}

/*
 * Copy into the record the bytes of p[i..lim) that step() would only
 * copy and track, at depth floor or deeper: strings and nesting are
 * followed here; a line end, or a closing bracket that would leave floor,
 * is left to step().  Returns where it stopped.
 */
static size_t
deep_run(struct ks_jscan *js, const unsigned char *p, size_t i, size_t lim,
    int floor)
{
	size_t j = i;
	int depth = js->depth, in_str = js->in_str, esc = js->esc;

	while (j < lim) {
		unsigned char c = p[j];
		if (in_str) {
			if (esc) {
				if (c == '\n')
					break;
				esc = 0;
				j++;
				continue;
			}
			if ((j = string_end(p, j, lim)) == lim)
				break;
			c = p[j];
			if (c == '\n')
				break;
			if (c == '\\')
				esc = 1;
			else
				in_str = 0;
			j++;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth - js->base > js->lim.max_depth)
				js->too_deep = 1;
		} else if (c == '}' || c == ']') {
			if (depth <= floor)
				break;
			depth--;
		} else if (c == '\n')
			break;
		j++;
	}
	js->depth = depth;
	js->in_str = in_str;
	js->esc = esc;
	if (j > i)
		buf_add(&js->rec, (const char *)p + i, j - i,
		    js->lim.max_record);
	return j;
}

/*
 * The buffer that takes the bytes of the string being read, when every
 * byte up to the next run_stop byte would only be copied there (step()
 * would do nothing else with it); NULL when bytes must go one by one.
 */
static struct buf *
string_run(struct ks_jscan *js)
{
	if (!js->in_str || js->esc)
		return NULL;
	switch (js->mode) {
	case TOP:
		return &js->rec;
	case ITEMS:
		/* A scalar item ends at a blank or comma, even in a "string". */
		if (!js->item_active || js->rec.len == 0 ||
		    (js->rec.p[0] != '{' && js->rec.p[0] != '[' &&
		    js->rec.p[0] != '"'))
			return NULL;
		return &js->rec;
	case ENV:
		return &js->env;
	default:
		return NULL;
	}
}

/* Copy the run of ordinary string bytes at p[i..lim) into b; the new i. */
static size_t
skip_run(struct ks_jscan *js, struct buf *b, const unsigned char *p,
    size_t i, size_t lim)
{
	size_t j = string_end(p, i, lim);

	if (j == i)
		return j;
	buf_add(b, (const char *)p + i, j - i, js->lim.max_record);
	if (js->in_key && js->keylen < sizeof(js->key)) {
		/* A key at depth 1: keep its first bytes, as watch_keys does. */
		size_t k = sizeof(js->key) - js->keylen;
		if (k > j - i)
			k = j - i;
		memcpy(js->key + js->keylen, p + i, k);
		js->keylen += k;
	}
	return j;
}

int
ks_jscan_next(struct ks_jscan *js, struct ks_jrec *rec)
{
	const unsigned char *p;
	size_t n, i, lim;
	char next2[2] = { 0, 0 };
	struct buf *b;

	for (;;) {
		p = ks_input_peek(js->in, 3, &n);
		if (n == 0)
			return js->in->failed ? -1 : at_end(js, rec);
		/* Keep two bytes of look-ahead unless the input has ended. */
		lim = js->in->eof || js->in->failed ? n : n - 2;
		for (i = 0; i < lim; i++) {
			enum step s;
			int floor;
			if ((floor = deep_floor(js)) > 0 &&
			    js->depth >= floor &&
			    (i = deep_run(js, p, i, lim, floor)) == lim)
				break;
			if (js->in_str && (b = string_run(js)) != NULL &&
			    (i = skip_run(js, b, p, i, lim)) == lim)
				break;
			if (p[i] == '\n') {
				next2[0] = i + 1 < n ? (char)p[i + 1] : '\0';
				next2[1] = i + 2 < n ? (char)p[i + 2] : '\0';
			}
			s = step(js, (char)p[i], next2);
			if (s == MORE)
				continue;
			ks_input_consume(js->in, s == EMIT ? i + 1 : i);
			*rec = js->out;
			return 1;
		}
		ks_input_consume(js->in, lim);
	}
}
