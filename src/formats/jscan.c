/*
 * The JSON splitter (jscan.h).  A byte-at-a-time state machine that tracks
 * strings, escapes and nesting depth, watches the keys of each top-level
 * object for the arrays to split, and copies the bytes of the current
 * record into a buffer.  It never builds a tree; jansson does that, one
 * record at a time.  The runs of bytes it would only copy are taken in
 * bulk by jscan-run.c.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/jscan-int.h"

#define EXCERPT	KS_JSCAN_EXCERPT

const char *const ks_jscan_items[] = { "items", NULL };

enum step { MORE, EMIT, EMIT_AGAIN };	/* EMIT_AGAIN: byte not consumed */

static void
buf_reset(struct ks_jbuf *b)
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
ks_jscan_new(struct ks_input *in, const struct ks_jscan_limits *limits,
    const char *const *keys)
{
	struct ks_jscan *js;
	const unsigned char *p;
	size_t n;

	if ((js = calloc(1, sizeof(*js))) == NULL)
		return NULL;
	js->in = in;
	js->lim = *limits;
	js->keys = keys;
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

void
ks_jscan_set_line(struct ks_jscan *js, uint64_t line)
{
	js->line = line;
}

/* One value per line, for the current value (see spans). */
static inline int
lines(const struct ks_jscan *js)
{
	return js->line_mode && !js->spans;
}

/* Are b's bytes after the first all blanks? */
static int
blank_after_first(const struct ks_jbuf *b)
{
	for (size_t i = 1; i < b->len; i++)
		if (b->p[i] != ' ' && b->p[i] != '\t' && b->p[i] != '\r')
			return 0;
	return b->len > 0;
}

/*
 * At a line end in line mode: did the value being read open alone on the
 * line just ended ("{" or "[" and blanks)?  A value per line never does;
 * a pretty-printed document among compact ones (jq -c pages, then
 * pretty ones) does, and is read whole, as outside line mode.
 */
static int
opened_alone(const struct ks_jscan *js)
{
	if (js->mode == KS_JS_TOP)
		return js->rec_line + 1 == js->line &&
		    blank_after_first(&js->rec);
	if (js->mode == KS_JS_ITEMS && js->key == -1 && !js->item_active)
		return js->index == 0 && js->env_line + 1 == js->line &&
		    blank_after_first(&js->env);
	return 0;
}

/*
 * Fill js->out with a reject built from b.  Unless keep is set, scanning
 * starts afresh with the next value; keep continues inside the split array.
 */
static enum step
reject_keep(struct ks_jscan *js, struct ks_jbuf *b, uint64_t line,
    const char *why, int keep)
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
	js->out.key = -1;
	js->out.reason = why;
	if (keep)
		return EMIT;
	js->mode = KS_JS_IDLE;
	js->depth = 0;
	js->in_str = js->esc = js->item_active = 0;
	return EMIT;
}

/* A reject that ends the current value. */
static enum step
reject(struct ks_jscan *js, struct ks_jbuf *b, uint64_t line, const char *why)
{
	return reject_keep(js, b, line, why, 0);
}

/* Fill js->out with the finished record in b, or a reject if it is bad. */
static enum step
finish(struct ks_jscan *js, struct ks_jbuf *b, enum ks_jrec_type type,
    uint64_t line)
{
	int keep = type == KS_JREC_ITEM;
	const char *why = NULL;

	if (b->over)
		why = "record larger than the record-size limit (--max-record)";
	else if (js->too_deep)
		why = "JSON nested deeper than the depth limit (--max-depth)";
	if (why != NULL) {
		js->too_deep = 0;
		reject_keep(js, b, line, why, keep);
		if (type == KS_JREC_VALUE && lines(js))
			js->mode = KS_JS_SKIP;	/* the line is that reject */
		return EMIT;
	}
	b->p[b->len] = '\0';
	js->out.type = type;
	js->out.data = b->p;
	js->out.len = b->len;
	js->out.line = line;
	js->out.index = js->index - 1;
	js->out.key = keep ? js->key : -1;
	js->out.reason = NULL;
	if (type != KS_JREC_ITEM)
		js->mode = KS_JS_IDLE;
	if (type == KS_JREC_VALUE && lines(js)) {
		/* A line is a record: held back until its line proves blank. */
		js->mode = KS_JS_TRAIL;
		return MORE;
	}
	return EMIT;
}

/*
 * Line mode, after a whole value: blanks up to the line end let it out;
 * anything else makes the whole line one reject, the value not imported.
 */
static enum step
step_trail(struct ks_jscan *js, char c)
{
	if (c == ' ' || c == '\t' || c == '\r')
		return MORE;
	reject(js, &js->rec, js->rec_line, "bytes after the JSON value on "
	    "its line (one record per line)");
	js->mode = KS_JS_SKIP;
	return EMIT;
}

/* Track strings and nesting for byte c of a value being copied into b. */
static inline void
track(struct ks_jscan *js, struct ks_jbuf *b, char c)
{
	ks_jbuf_add1(b, c, js->lim.max_record);
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

/* The index in keys of the key just read, plus 1; 0 when it is none. */
static int
lookup(const struct ks_jscan *js)
{
	/* A key too long for kbuf fills it, and matches none (jscan.h). */
	for (int i = 0; js->keys[i] != NULL; i++)
		if (strlen(js->keys[i]) == js->klen &&
		    memcmp(js->keys[i], js->kbuf, js->klen) == 0)
			return i + 1;
	return 0;
}

/* Watch the keys of a top-level object for one of keys, then ':' and '['. */
static inline void
watch_keys(struct ks_jscan *js, char c)
{
	if (js->in_key) {
		if (c == '"' && !js->esc) {
			js->in_key = 0;
			js->key_hit = lookup(js);
		} else if (js->klen < sizeof(js->kbuf))
			js->kbuf[js->klen++] = c;
		return;
	}
	if (js->in_str || js->depth != 1)
		return;
	if (c == '"' && js->expect_key) {
		js->in_key = 1;
		js->klen = 0;
		js->expect_key = 0;
	} else if (c == ':' && js->key_hit)
		js->await = js->key_hit;
	else if (c == ',') {
		js->expect_key = 1;
		js->key_hit = js->await = 0;
	} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' &&
	    c != ':')
		js->await = 0;
}

/*
 * A top-level object: copied whole as a record (TOP) or, once an array
 * of it was split, as the envelope (ENV), until an array to split opens.
 */
static enum step
step_object(struct ks_jscan *js, char c)
{
	int split = js->await && !js->in_str && c == '[';
	int key = js->await - 1;
	int top = js->mode == KS_JS_TOP;

	watch_keys(js, c);
	track(js, top ? &js->rec : &js->env, c);
	if (js->depth == 0)
		return top ? finish(js, &js->rec, KS_JREC_VALUE, js->rec_line) :
		    finish(js, &js->env, KS_JREC_END, js->env_line);
	if (split) {
		if (top) {
			/* "items": [ — what came so far is the envelope. */
			struct ks_jbuf t = js->env;
			js->env = js->rec;
			js->rec = t;
			buf_reset(&js->rec);
			js->env_line = js->rec_line;
		}
		js->mode = KS_JS_ITEMS;
		js->items_depth = js->depth;
		js->key = key;
		js->index = 0;
		js->await = js->key_hit = 0;
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
		js->mode = KS_JS_ENV;
		return MORE;
	}
	buf_reset(&js->rec);
	js->rec_line = js->line;
	if (lines(js) && js->key == -1 && c != '{' && c != '[') {
		/* A list on a line: the rest of the line is one reject. */
		ks_jbuf_add(&js->rec, js->env.p, js->env.len, EXCERPT + 1);
		ks_jbuf_add(&js->rec, &c, 1, EXCERPT + 1);
		js->mode = KS_JS_GARBAGE;
		js->garbage_why = "a list on a line of its own holding "
		    "something other than objects or lists";
		return MORE;
	}
	js->item_active = 1;
	js->too_deep = 0;
	js->base = js->depth;
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
	js->spans = 0;
	js->base = 0;
	js->depth = 0;
	js->in_str = js->esc = 0;
	if (c == '{') {
		js->mode = KS_JS_TOP;
		js->expect_key = 1;
		js->in_key = js->key_hit = js->await = 0;
		return step_object(js, c);
	}
	if (c == '[') {
		js->mode = KS_JS_ITEMS;
		buf_reset(&js->env);
		track(js, &js->env, c);
		js->env_line = js->line;
		js->items_depth = 1;
		js->key = -1;
		js->index = 0;
		return MORE;
	}
	js->mode = KS_JS_GARBAGE;
	js->garbage_why = "not JSON (expected '{' or '[')";
	ks_jbuf_add(&js->rec, &c, 1, js->lim.max_record);
	return MORE;
}

/* The reject for a value that a line end or a new document cut short. */
static enum step
cut(struct ks_jscan *js, const char *why)
{
	int rec = js->mode == KS_JS_TOP || js->item_active;

	return reject(js, rec ? &js->rec : &js->env,
	    rec ? js->rec_line : js->env_line, why);
}

/*
 * Between two items of a split list (or before its first): an object
 * opening on the next line is its next item, not a new document.
 */
static int
between_items(const struct ks_jscan *js)
{
	return js->mode == KS_JS_ITEMS && !js->item_active;
}

/* Handle one byte; next2 holds the two bytes after it, or NULs. */
static enum step
step(struct ks_jscan *js, char c, const char *next2)
{
	if (c == '\n') {
		js->line++;
		if (js->mode == KS_JS_GARBAGE) {
			js->mode = KS_JS_IDLE;
			return reject(js, &js->rec, js->rec_line,
			    js->garbage_why);
		}
		if (js->mode == KS_JS_TRAIL) {
			js->mode = KS_JS_IDLE;
			return EMIT;	/* the value held back */
		}
		if (js->mode == KS_JS_SKIP) {
			js->mode = KS_JS_IDLE;
			return MORE;
		}
		if (js->mode != KS_JS_IDLE && js->line_mode && !js->spans &&
		    opened_alone(js))
			js->spans = 1;
		if (js->mode != KS_JS_IDLE && (lines(js) ||
		    (!js->in_str && next2[0] == '{' && next2[1] == '"' &&
		    !between_items(js))))
			/* A line of its own, or a compact new document
			   (not the next item of a list of them). */
			return cut(js, "JSON value cut short (the line or "
			    "document ends inside it)");
	}
	switch (js->mode) {
	case KS_JS_IDLE:
		return step_idle(js, c);
	case KS_JS_TOP:
	case KS_JS_ENV:
		return step_object(js, c);
	case KS_JS_ITEMS:
		return step_items(js, c);
	case KS_JS_GARBAGE:
		ks_jbuf_add(&js->rec, &c, 1, EXCERPT + 1);
		return MORE;
	case KS_JS_TRAIL:
		return step_trail(js, c);
	case KS_JS_SKIP:
		return MORE;
	}
	return MORE;
}

/* At the end of the input: whatever is open was cut short. */
static int
at_end(struct ks_jscan *js, struct ks_jrec *rec)
{
	if (js->mode == KS_JS_IDLE || js->mode == KS_JS_SKIP) {
		js->mode = KS_JS_IDLE;
		return 0;
	}
	if (js->mode == KS_JS_TRAIL) {
		js->mode = KS_JS_IDLE;	/* the value held back */
	} else if (js->mode == KS_JS_GARBAGE) {
		js->mode = KS_JS_IDLE;
		reject(js, &js->rec, js->rec_line, js->garbage_why);
	} else
		cut(js, "JSON value cut short (input ends inside it)");
	*rec = js->out;
	return 1;
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
	if (js->mode == KS_JS_TOP)
		return 2;
	/* A scalar item ends at a blank or comma, even in a "string". */
	if (js->mode == KS_JS_ITEMS && js->item_active && js->rec.len > 0 &&
	    (js->rec.p[0] == '{' || js->rec.p[0] == '['))
		return js->items_depth + 1;
	return 0;
}

/*
 * The buffer that takes the bytes of the string being read, when every
 * byte up to the next quote, backslash or line end would only be copied
 * there (step() would do nothing else with it); NULL when bytes must go
 * one by one.
 */
static struct ks_jbuf *
string_run(struct ks_jscan *js)
{
	if (!js->in_str || js->esc)
		return NULL;
	switch (js->mode) {
	case KS_JS_TOP:
		return &js->rec;
	case KS_JS_ITEMS:
		/* A scalar item ends at a blank or comma, even in a "string". */
		if (!js->item_active || js->rec.len == 0 ||
		    (js->rec.p[0] != '{' && js->rec.p[0] != '[' &&
		    js->rec.p[0] != '"'))
			return NULL;
		return &js->rec;
	case KS_JS_ENV:
		return &js->env;
	default:
		return NULL;
	}
}

int
ks_jscan_next(struct ks_jscan *js, struct ks_jrec *rec)
{
	const unsigned char *p;
	size_t n, i, lim;
	char next2[2] = { 0, 0 };
	struct ks_jbuf *b;

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
			    js->depth >= floor && (i = ks_jscan_deep_run(js,
			    p, i, lim, floor)) == lim)
				break;
			if (js->in_str && (b = string_run(js)) != NULL &&
			    (i = ks_jscan_string_run(js, b, p, i, lim)) == lim)
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
