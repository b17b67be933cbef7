/*
 * The envelope splitter.  A byte-at-a-time state machine, after jscan.c:
 * it tracks strings, escapes and nesting, watches the keys of each
 * top-level object, and copies only the bytes of the record being built.
 */
#include <stdlib.h>
#include <string.h>

#include "jsplit.h"

#define EXCERPT	200

enum mode {
	IDLE,		/* between top-level values */
	VALUE,		/* inside a top-level object, copying it */
	SKIP,		/* inside a split document, outside its arrays */
	ARRAY,		/* inside a split array, between its elements */
	ITEM,		/* inside one element of a split array */
	GARBAGE		/* bytes that do not start a JSON value, to the EOL */
};

enum step { MORE, EMIT, EMIT_AGAIN };	/* EMIT_AGAIN: byte not consumed */

struct buf {
	char	*p;
	size_t	 len, cap;
	int	 over;		/* bytes were dropped: too big */
};

struct ks_jsplit {
	struct ks_input	*in;		/* borrowed */
	struct ks_jscan_limits lim;
	const char *const *keys;	/* borrowed */
	int		 line_mode;	/* one value per line */
	uint64_t	 line;		/* current line, 1-based */
	enum mode	 mode;
	int		 depth, in_str, esc;
	int		 base;		/* depth where the current record began */
	int		 too_deep;	/* the record passed max_depth */
	int		 arr_depth;	/* depth inside the split array */
	int		 key;		/* its key's index, -1 top-level */
	int		 scalar;	/* the current element is a scalar */
	int		 expect_key;	/* depth 1: the next string is a key */
	int		 in_key;	/* inside that key */
	int		 hit;		/* the last key's index + 1, or 0 */
	int		 await;		/* its ':' seen: a '[' is split */
	char		 kbuf[32];
	size_t		 klen;
	struct buf	 rec;
	uint64_t	 rec_line, doc_line, index;
	struct ks_jrec	 out;
	int		 out_key;
};

static void
buf_add(struct buf *b, char c, size_t max)
{
	char *p;
	size_t cap;

	if (b->over || b->len + 2 > max + 1) {
		if (b->len < EXCERPT)
			b->p[b->len++] = c;	/* keep an excerpt */
		b->p[b->len] = '\0';
		b->over = 1;
		return;
	}
	if (b->len + 2 > b->cap) {
		cap = b->cap * 2;
		if (cap > max + 1)
			cap = max + 1;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->over = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* Append p[0..n) to b, as n calls of buf_add would. */
static void
buf_addn(struct buf *b, const char *p, size_t n, size_t max)
{
	size_t cap;
	char *np;

	if (b->over || b->len + n + 1 > max) {
		for (size_t i = 0; i < n; i++)
			buf_add(b, p[i], max);
		return;
	}
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap * 2; cap < b->len + n + 1; cap *= 2)
			;
		if (cap > max + 1)
			cap = max + 1;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->over = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->over = 0;
	b->p[0] = '\0';
}

/* As jscan.c: a file of one value per line has a new value on line 2. */
static int
detect_line_mode(const unsigned char *p, size_t n)
{
	const unsigned char *nl = memchr(p, '\n', n), *q;

	if (nl == NULL)
		return 1;
	for (q = nl + 1; q < p + n && (*q == '\n' || *q == '\r'); q++)
		;
	return q == p + n || *q == '{' || *q == '[';
}

struct ks_jsplit *
ks_jsplit_new(struct ks_input *in, const struct ks_jscan_limits *limits,
    const char *const *keys)
{
	struct ks_jsplit *js = calloc(1, sizeof(*js));
	const unsigned char *p;
	size_t n;

	if (js == NULL || (js->rec.p = malloc(EXCERPT + 1)) == NULL) {
		free(js);
		return NULL;
	}
	js->rec.cap = EXCERPT + 1;
	js->in = in;
	js->lim = *limits;
	if (js->lim.max_record < EXCERPT + 1)
		js->lim.max_record = EXCERPT + 1;
	js->keys = keys;
	js->line = 1;
	p = ks_input_peek(in, 64 * 1024, &n);
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		ks_input_consume(in, 3);
		p = ks_input_peek(in, 64 * 1024, &n);
	}
	js->line_mode = n > 0 && detect_line_mode(p, n);
	return js;
}

void
ks_jsplit_free(struct ks_jsplit *js)
{
	if (js == NULL)
		return;
	free(js->rec.p);
	free(js);
}

/* Track strings and nesting for byte c. */
static void
lex(struct ks_jsplit *js, char c)
{
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

static int
lookup(const struct ks_jsplit *js)
{
	for (int i = 0; js->keys[i] != NULL; i++)
		if (strlen(js->keys[i]) == js->klen &&
		    memcmp(js->keys[i], js->kbuf, js->klen) == 0)
			return i + 1;
	return 0;
}

/*
 * Watch the keys of the top-level object, after lex() has seen c (was_str
 * and was_depth are the state before).  Returns the key's index + 1 when c
 * opens an array to split, else 0.
 */
static int
watch(struct ks_jsplit *js, char c, int was_str, int was_depth)
{
	int k;

	if (was_str) {
		if (js->in_key && !js->in_str) {
			js->in_key = 0;
			js->hit = lookup(js);
		} else if (js->in_key && js->klen < sizeof(js->kbuf))
			js->kbuf[js->klen++] = c;
		else if (js->in_key)
			js->klen = sizeof(js->kbuf) + 1;	/* too long */
		return 0;
	}
	if (was_depth == 0 && c == '{')
		js->expect_key = 1;
	if (was_depth != 1)
		return 0;
	switch (c) {
	case ' ': case '\t': case '\r': case '\n':
		return 0;
	case ':':
		js->await = js->hit;
		return 0;
	case ',':
		js->expect_key = 1;
		js->hit = js->await = 0;
		return 0;
	case '"':
		if (js->expect_key) {
			js->in_key = 1;
			js->klen = 0;
			js->expect_key = 0;
			return 0;
		}
		break;
	case '[':
		k = js->await;
		js->await = js->hit = 0;
		return k;
	}
	js->await = 0;
	return 0;
}

/* Fill out with a reject; scanning starts afresh unless keep is set. */
static enum step
reject(struct ks_jsplit *js, const struct buf *b, uint64_t line,
    const char *why, int keep)
{
	size_t len = b != NULL ? b->len : 0;

	if (len > EXCERPT)
		len = EXCERPT;
	if (b != NULL)
		b->p[len] = '\0';
	js->out.type = KS_JREC_REJECT;
	js->out.data = b != NULL ? b->p : "";
	js->out.len = len;
	js->out.line = line;
	js->out.index = 0;
	js->out.reason = why;
	if (!keep) {
		js->mode = IDLE;
		js->depth = 0;
		js->in_str = js->esc = 0;
	}
	return EMIT;
}

/* Fill out with the finished record, or a reject if it is bad. */
static enum step
finish(struct ks_jsplit *js, enum ks_jrec_type type)
{
	int keep = type == KS_JREC_ITEM;

	js->mode = keep ? ARRAY : IDLE;
	if (js->rec.over)
		return reject(js, &js->rec, js->rec_line, "record larger than "
		    "the record-size limit (--max-record)", keep);
	if (js->too_deep)
		return reject(js, &js->rec, js->rec_line, "JSON nested deeper "
		    "than the depth limit (--max-depth)", keep);
	js->out.type = type;
	js->out.data = js->rec.p;
	js->out.len = js->rec.len;
	js->out.line = js->rec_line;
	js->out.index = keep ? js->index - 1 : 0;
	js->out.reason = NULL;
	js->out_key = keep ? js->key : -1;
	return EMIT;
}

/* A top-level object (copied in VALUE mode, skipped in SKIP mode). */
static enum step
step_object(struct ks_jsplit *js, char c)
{
	int was_str = js->in_str, was_depth = js->depth, k;

	if (js->mode == VALUE)
		buf_add(&js->rec, c, js->lim.max_record);
	lex(js, c);
	k = watch(js, c, was_str, was_depth);
	if (js->depth == 0) {
		if (js->mode == VALUE)
			return finish(js, KS_JREC_VALUE);
		js->mode = IDLE;
		return MORE;
	}
	if (k > 0) {
		js->mode = ARRAY;
		js->arr_depth = js->depth;
		js->key = k - 1;
		js->index = 0;
	}
	return MORE;
}

static enum step
step_item(struct ks_jsplit *js, char c)
{
	if (js->scalar && js->rec.len > 0 && (c == ',' || c == ']' ||
	    c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
		finish(js, KS_JREC_ITEM);
		return EMIT_AGAIN;
	}
	buf_add(&js->rec, c, js->lim.max_record);
	lex(js, c);
	if (!js->scalar && js->depth == js->arr_depth && !js->in_str)
		return finish(js, KS_JREC_ITEM);
	return MORE;
}

static enum step
step_array(struct ks_jsplit *js, char c)
{
	switch (c) {
	case ' ': case '\t': case '\r': case '\n': case ',':
		return MORE;
	case ']':
	case '}':
		lex(js, c);
		js->mode = js->depth <= 0 ? IDLE : SKIP;
		return MORE;
	}
	js->mode = ITEM;
	buf_reset(&js->rec);
	js->rec_line = js->line;
	js->index++;
	js->too_deep = 0;
	js->base = js->depth;
	js->scalar = c != '{' && c != '[' && c != '"';
	return step_item(js, c);
}

static enum step
step_idle(struct ks_jsplit *js, char c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return MORE;
	buf_reset(&js->rec);
	js->rec_line = js->doc_line = js->line;
	js->depth = js->base = 0;
	js->in_str = js->esc = js->too_deep = 0;
	js->expect_key = js->in_key = js->hit = js->await = 0;
	if (c == '{') {
		js->mode = VALUE;
		return step_object(js, c);
	}
	if (c == '[') {
		js->mode = ARRAY;
		js->depth = js->arr_depth = 1;
		js->key = -1;
		js->index = 0;
		return MORE;
	}
	js->mode = GARBAGE;
	buf_add(&js->rec, c, EXCERPT);
	return MORE;
}

/* The reject for a value that a line end or a new document cut short. */
static enum step
cut(struct ks_jsplit *js, const char *why)
{
	int rec = js->mode == VALUE || js->mode == ITEM;

	return reject(js, rec ? &js->rec : NULL,
	    rec ? js->rec_line : js->doc_line, why, 0);
}

static enum step
step(struct ks_jsplit *js, char c, const char *next2)
{
	if (c == '\n') {
		js->line++;
		if (js->mode == GARBAGE) {
			js->mode = IDLE;
			return reject(js, &js->rec, js->rec_line,
			    "not JSON (expected '{' or '[')", 0);
		}
		if (js->mode != IDLE && (js->line_mode || (!js->in_str &&
		    next2[0] == '{' && next2[1] == '"')))
			return cut(js, "JSON value cut short (the line or "
			    "document ends inside it)");
	}
	switch (js->mode) {
	case IDLE:
		return step_idle(js, c);
	case VALUE:
	case SKIP:
		return step_object(js, c);
	case ARRAY:
		return step_array(js, c);
	case ITEM:
		return step_item(js, c);
	case GARBAGE:
		buf_add(&js->rec, c, EXCERPT);
		return MORE;
	}
	return MORE;
}

/* At the end of the input: whatever is open was cut short. */
static int
at_end(struct ks_jsplit *js, struct ks_jrec *rec, int *key)
{
	if (js->mode == IDLE)
		return 0;
	if (js->mode == ITEM && js->scalar)
		finish(js, KS_JREC_ITEM);
	else if (js->mode == GARBAGE)
		reject(js, &js->rec, js->rec_line,
		    "not JSON (expected '{' or '[')", 0);
	else
		cut(js, "JSON value cut short (input ends inside it)");
	js->mode = IDLE;
	*rec = js->out;
	*key = js->out_key;
	return 1;
}

/* Bytes that end a run of ordinary bytes inside a string. */
static const unsigned char run_stop[256] = {
	['"'] = 1, ['\\'] = 1, ['\n'] = 1,
};

/*
 * Inside a string, every byte up to the next quote, backslash or line end
 * only goes into the record (or nowhere, in SKIP mode): take the run at
 * once.  Returns the index after it.
 */
static size_t
string_run(struct ks_jsplit *js, const unsigned char *p, size_t i,
    size_t lim)
{
	size_t j = i;

	if (!js->in_str || js->esc || js->in_key || (js->mode != VALUE &&
	    js->mode != SKIP && (js->mode != ITEM || js->scalar)))
		return i;
	while (j < lim && !run_stop[p[j]])
		j++;
	if (js->mode != SKIP && j > i)
		buf_addn(&js->rec, (const char *)p + i, j - i,
		    js->lim.max_record);
	return j;
}

int
ks_jsplit_next(struct ks_jsplit *js, struct ks_jrec *rec, int *key)
{
	const unsigned char *p;
	size_t n, i, lim;
	char next2[2];
	enum step s;

	for (;;) {
		p = ks_input_peek(js->in, 3, &n);
		if (n == 0)
			return js->in->failed ? -1 : at_end(js, rec, key);
		/* Two bytes of look-ahead, unless the input has ended. */
		lim = js->in->eof || js->in->failed ? n : n - 2;
		for (i = 0; i < lim; i++) {
			if ((i = string_run(js, p, i, lim)) == lim)
				break;
			next2[0] = i + 1 < n ? (char)p[i + 1] : '\0';
			next2[1] = i + 2 < n ? (char)p[i + 2] : '\0';
			if ((s = step(js, (char)p[i], next2)) == MORE)
				continue;
			ks_input_consume(js->in, s == EMIT ? i + 1 : i);
			*rec = js->out;
			*key = js->out.type == KS_JREC_ITEM ? js->out_key : -1;
			return 1;
		}
		ks_input_consume(js->in, lim);
	}
}
