/*
 * The table format: aligned columns under a header and a line of dashes.
 * Every row is kept until the end, when the widest cell of each column is
 * known.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out/out.h"
#include "out/textesc.h"

/* One printed cell: escaped text, or nothing for NULL. */
struct tcell {
	char	*s;		/* owned; NULL for a NULL value */
	size_t	 len;		/* bytes at s */
	size_t	 width;		/* terminal columns of s */
};

struct col {
	struct tcell	head;	/* the escaped column name */
	size_t		width;	/* widest cell, header included, at least 1 */
	size_t		ntext;	/* text cells seen */
	size_t		nnum;	/* number cells seen */
};

struct table {
	int		 ncols;	/* columns; the state is NULL when 0 */
	struct col	*cols;	/* ncols */
	struct tcell	*cells;	/* nrows rows of ncols cells */
	size_t		 nrows;	/* rows kept */
	size_t		 cap;	/* rows cells has room for */
};

/* Numbers only (and at least one): align right. */
static int
right(const struct col *col)
{
	return col->ntext == 0 && col->nnum > 0;
}

/* Fill c with the escaped form of s[0..len).  Returns 0 or -1. */
static int
settext(struct tcell *c, const char *s, size_t len)
{
	if ((c->s = ks_textesc_dup(s, len, 0, &c->len)) == NULL)
		return -1;
	c->width = ks_textesc_width(c->s, c->len);
	return 0;
}

static void
clear(struct ks_out *out)
{
	struct table *t = out->state;
	size_t i, n;
	int j;

	if (t == NULL)
		return;
	n = t->nrows * (size_t)t->ncols;
	for (i = 0; i < n; i++)
		free(t->cells[i].s);
	for (j = 0; j < t->ncols && t->cols != NULL; j++)
		free(t->cols[j].head.s);
	free(t->cells);
	free(t->cols);
	free(t);
	out->state = NULL;
}

static int
begin(struct ks_out *out, int ncols, const char *const *names)
{
	struct table *t;
	int i;

	if (ncols == 0)
		return 0;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ks_out_nomem(out);
	out->state = t;
	if ((t->cols = calloc((size_t)ncols, sizeof(*t->cols))) == NULL)
		return ks_out_nomem(out);
	t->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		if (settext(&t->cols[i].head, names[i], strlen(names[i])) == -1)
			return ks_out_nomem(out);
		t->cols[i].width = t->cols[i].head.width > 0 ?
		    t->cols[i].head.width : 1;
	}
	return 0;
}

/* Make room for one more row.  Returns 0 or -1. */
static int
grow(struct table *t)
{
	size_t cap = t->cap > 0 ? t->cap * 2 : 64;
	struct tcell *p;

	if (t->nrows < t->cap)
		return 0;
	if (cap > SIZE_MAX / sizeof(*p) / (size_t)t->ncols)
		return -1;
	if ((p = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*p))) ==
	    NULL)
		return -1;
	t->cells = p;
	t->cap = cap;
	return 0;
}

static int
row(struct ks_out *out, const struct ks_cell *cells)
{
	struct table *t = out->state;
	char num[KS_OUT_NUMSZ];
	struct tcell *c;
	struct col *col;
	int i;

	if (t == NULL)
		return 0;
	if (grow(t) == -1)
		return ks_out_nomem(out);
	c = &t->cells[t->nrows * (size_t)t->ncols];
	memset(c, 0, (size_t)t->ncols * sizeof(*c));
	t->nrows++;
	for (i = 0; i < t->ncols; i++, c++) {
		col = &t->cols[i];
		if (cells[i].type == KS_CELL_INT ||
		    cells[i].type == KS_CELL_REAL) {
			if (settext(c, num, ks_out_num(&cells[i], num)) == -1)
				return ks_out_nomem(out);
			col->nnum++;
		} else if (cells[i].type == KS_CELL_TEXT &&
		    cells[i].s != NULL) {
			if (settext(c, cells[i].s, cells[i].len) == -1)
				return ks_out_nomem(out);
			col->ntext++;
		}
		if (c->width > col->width)
			col->width = c->width;
	}
	return 0;
}

/*
 * Print one line of cells.  Padding is held back until something visible
 * follows, so that no line ends in blanks.
 */
static int
line(struct ks_out *out, const struct table *t, const struct tcell *cells)
{
	const struct col *col;
	size_t pending = 0, pad;
	int i;

	for (i = 0; i < t->ncols; i++) {
		col = &t->cols[i];
		pad = col->width - cells[i].width;
		if (i > 0)
			pending += 2;
		if (right(col))
			pending += pad;
		if (cells[i].len > 0) {
			if (ks_out_pad(out, pending) == -1 ||
			    ks_out_write(out, cells[i].s, cells[i].len) == -1)
				return -1;
			pending = 0;
		}
		if (!right(col))
			pending += pad;
	}
	return ks_out_write(out, "\n", 1);
}

/* Print the header and the line of dashes under it. */
static int
header(struct ks_out *out, const struct table *t)
{
	struct tcell *cells;
	char *dashes;
	size_t max = 0;
	int i, rc = -1;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].width > max)
			max = t->cols[i].width;
	cells = calloc((size_t)t->ncols, sizeof(*cells));
	dashes = malloc(max);
	if (cells == NULL || dashes == NULL) {
		rc = ks_out_nomem(out);
		goto out;
	}
	memset(dashes, '-', max);
	for (i = 0; i < t->ncols; i++)
		cells[i] = t->cols[i].head;
	if (line(out, t, cells) == -1)
		goto out;
	for (i = 0; i < t->ncols; i++) {
		cells[i].s = dashes;
		cells[i].len = cells[i].width = t->cols[i].width;
	}
	rc = line(out, t, cells);
out:
	free(cells);
	free(dashes);
	return rc;
}

static int
end(struct ks_out *out)
{
	struct table *t = out->state;
	size_t r;
	int rc = 0;

	if (t == NULL)
		return 0;
	rc = header(out, t);
	for (r = 0; r < t->nrows && rc == 0; r++)
		rc = line(out, t, &t->cells[r * (size_t)t->ncols]);
	clear(out);
	return rc;
}

const struct ks_out_ops ks_out_table_ops = {
	"table", begin, row, end, clear
};
