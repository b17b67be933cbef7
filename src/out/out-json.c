/*
 * The json and jsonl formats, built with jansson.  Each row becomes one
 * object, keys in column order, written as soon as it comes: json frames
 * the objects as an array with one object per line, jsonl writes one object
 * per line and nothing else.
 *
 * jansson refuses invalid UTF-8, so text is first repaired (U+FFFD for each
 * invalid subpart).  jansson escapes C0 controls itself; DEL, C1 controls
 * and format characters (bidi controls, U+2028 and the like) would pass
 * through raw, so they are rewritten as \u escapes on the way out: the JSON
 * means the same and a terminal showing it is safe.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "out/out.h"
#include "out/textesc.h"

struct json {
	char	**keys;		/* ncols owned keys: valid UTF-8, unique */
	int	  ncols;	/* keys */
	int	  lines;	/* jsonl rather than json */
	int	  plain_keys;	/* every key is plain (below) */
	size_t	  nrows;	/* rows written */
};

static void
clear(struct ks_out *out)
{
	struct json *j = out->state;
	int i;

	if (j == NULL)
		return;
	for (i = 0; i < j->ncols; i++)
		free(j->keys[i]);
	free(j->keys);
	free(j);
	out->state = NULL;
}

/* Nonzero if one of keys[0..n) is k. */
static int
taken(char *const *keys, int n, const char *k)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i], k) == 0)
			return 1;
	return 0;
}

/*
 * A new key for column name, unique among keys[0..n): the name, else the
 * name with ":1", ":2" and so on, as SQLite names duplicate columns.
 */
static char *
mkkey(char *const *keys, int n, const char *name)
{
	char *base, *k;
	size_t len;
	unsigned long i;

	if ((base = ks_textesc_utf8(name, strlen(name), &len)) == NULL)
		return NULL;
	if (!taken(keys, n, base))
		return base;
	k = malloc(len + 24);
	for (i = 1; k != NULL; i++) {
		snprintf(k, len + 24, "%s:%lu", base, i);
		if (!taken(keys, n, k))
			break;
	}
	free(base);
	return k;
}

/*
 * Is s[0..len) printable ASCII but quote and backslash: text that jansson
 * writes between quotes as it is, and putsafe() leaves alone?
 */
static int
plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

static int
start(struct ks_out *out, int ncols, const char *const *names, int lines)
{
	struct json *j;
	int i;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return ks_out_nomem(out);
	out->state = j;
	j->lines = lines;
	if ((j->keys = calloc((size_t)ncols + 1, sizeof(*j->keys))) == NULL)
		return ks_out_nomem(out);
	for (i = 0; i < ncols; i++) {
		if ((j->keys[i] = mkkey(j->keys, i, names[i])) == NULL)
			return ks_out_nomem(out);
		j->ncols++;
	}
	j->plain_keys = 1;
	for (i = 0; i < ncols; i++)
		j->plain_keys &= plain(j->keys[i], strlen(j->keys[i]));
	return 0;
}

static int
begin_json(struct ks_out *out, int ncols, const char *const *names)
{
	return start(out, ncols, names, 0);
}

static int
begin_jsonl(struct ks_out *out, int ncols, const char *const *names)
{
	return start(out, ncols, names, 1);
}

/* A new reference to the JSON value of c, or NULL when out of memory. */
static json_t *
value(const struct ks_cell *c)
{
	json_t *v;
	char *s;
	size_t n;

	switch (c->type) {
	case KS_CELL_INT:
		return json_integer(c->i);
	case KS_CELL_REAL:
		return isfinite(c->r) ? json_real(c->r) : json_null();
	case KS_CELL_TEXT:
		if (c->s == NULL)
			break;
		if (c->json && (v = json_loadb(c->s, c->len,
		    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)) != NULL)
			return v;
		if ((s = ks_textesc_utf8(c->s, c->len, &n)) == NULL)
			return NULL;
		v = json_stringn_nocheck(s, n);
		free(s);
		return v;
	}
	return json_null();
}

/*
 * Write the JSON text s, rewriting DEL, C1 controls and format characters
 * as \u escapes (a surrogate pair above U+FFFF), in upper case as jansson
 * writes its own.  They can only occur inside
 * strings, where the escape means the same character.
 */
static int
putsafe(struct ks_out *out, const char *s)
{
	size_t len = strlen(s), i = 0, from = 0, n;
	char buf[16];
	int32_t cp;
	unsigned u;

	while (i < len) {
		n = ks_textesc_decode(s + i, len - i, &cp);
		if (cp >= 0x7f && ks_textesc_unsafe(cp)) {
			u = (unsigned)cp - 0x10000;	/* if cp > 0xffff */
			if (cp > 0xffff)
				snprintf(buf, sizeof(buf), "\\u%04X\\u%04X",
				    0xd800 + (u >> 10), 0xdc00 + (u & 0x3ff));
			else
				snprintf(buf, sizeof(buf), "\\u%04X",
				    (unsigned)cp);
			if (ks_out_write(out, s + from, i - from) == -1 ||
			    ks_out_puts(out, buf) == -1)
				return -1;
			from = i + n;
		}
		i += n;
	}
	return ks_out_write(out, s + from, len - from);
}

/* Digits for jansson's reals: enough for every finite real of the row. */
static int
precision(const struct ks_cell *cells, int ncols)
{
	int i, p = 0, q;

	for (i = 0; i < ncols; i++) {
		if (cells[i].type != KS_CELL_REAL || !isfinite(cells[i].r))
			continue;
		if ((q = ks_out_realprec(cells[i].r)) > p)
			p = q;
	}
	return p;
}

/* Are cells[0..n) integers, NULLs and plain text (most rows)? */
static int
plain_cells(const struct ks_cell *cells, int n)
{
	const struct ks_cell *c;

	for (int i = 0; i < n; i++) {
		c = &cells[i];
		if (c->type == KS_CELL_REAL || (c->type == KS_CELL_TEXT &&
		    c->s != NULL && (c->json || !plain(c->s, c->len))))
			return 0;
	}
	return 1;
}

/*
 * The object of a row of plain_cells, as jansson would write it, without
 * building it.  0, or -1 on a write error.
 */
static int
plain_row(struct ks_out *out, const struct json *j,
    const struct ks_cell *cells)
{
	char num[KS_OUT_NUMSZ];
	const struct ks_cell *c;
	int i;

	for (i = 0; i < j->ncols; i++) {
		c = &cells[i];
		if (ks_out_write(out, i == 0 ? "{\"" : ",\"", 2) == -1 ||
		    ks_out_puts(out, j->keys[i]) == -1 ||
		    ks_out_write(out, "\":", 2) == -1)
			return -1;
		if (c->type == KS_CELL_INT) {
			if (ks_out_write(out, num, ks_out_num(c, num)) == -1)
				return -1;
		} else if (c->type != KS_CELL_TEXT || c->s == NULL) {
			if (ks_out_write(out, "null", 4) == -1)
				return -1;
		} else if (ks_out_write(out, "\"", 1) == -1 ||
		    ks_out_write(out, c->s, c->len) == -1 ||
		    ks_out_write(out, "\"", 1) == -1)
			return -1;
	}
	return ks_out_puts(out, j->ncols == 0 ? "{}" : "}");
}

static int
row(struct ks_out *out, const struct ks_cell *cells)
{
	struct json *j = out->state;
	json_t *obj, *v;
	char *s = NULL;
	int i, rc = -1;

	if (j->plain_keys && (rc = plain_cells(cells, j->ncols))) {
		if ((!j->lines && ks_out_puts(out, j->nrows == 0 ? "[\n" :
		    ",\n") == -1) || plain_row(out, j, cells) == -1 ||
		    (j->lines && ks_out_write(out, "\n", 1) == -1))
			return -1;
		j->nrows++;
		return 0;
	}
	rc = -1;
	if ((obj = json_object()) == NULL)
		return ks_out_nomem(out);
	for (i = 0; i < j->ncols; i++) {
		if ((v = value(&cells[i])) == NULL ||
		    json_object_set_new_nocheck(obj, j->keys[i], v) == -1) {
			rc = ks_out_nomem(out);
			goto out;
		}
	}
	s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(precision(cells, j->ncols)));
	if (s == NULL) {
		rc = ks_out_nomem(out);
		goto out;
	}
	if (!j->lines &&
	    ks_out_puts(out, j->nrows == 0 ? "[\n" : ",\n") == -1)
		goto out;
	if (putsafe(out, s) == -1 ||
	    (j->lines && ks_out_write(out, "\n", 1) == -1))
		goto out;
	j->nrows++;
	rc = 0;
out:
	free(s);
	json_decref(obj);
	return rc;
}

static int
end(struct ks_out *out)
{
	struct json *j = out->state;
	int rc = 0;

	if (!j->lines)
		rc = ks_out_puts(out, j->nrows == 0 ? "[]\n" : "\n]\n");
	clear(out);
	return rc;
}

const struct ks_out_ops ks_out_json_ops = {
	"json", begin_json, row, end, clear
};

const struct ks_out_ops ks_out_jsonl_ops = {
	"jsonl", begin_jsonl, row, end, clear
};
