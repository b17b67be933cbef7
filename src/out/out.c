/*
 * The formatter's front: the format table, a result's begin, rows and
 * end, and the row loop over a statement (ks_out_stmt).  The writers the
 * formats share are in out-write.c.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util/err.h"
#include "out/out.h"

/*
 * The formats, the row formats in the order help lists them; names[]
 * matches formats[] but for html, a document's table (out.h).
 */
static const struct ks_out_ops *const formats[] = {
	&ks_out_table_ops,
	&ks_out_csv_ops,
	&ks_out_json_ops,
	&ks_out_jsonl_ops,
	&ks_out_md_ops,
	&ks_out_html_ops,
};
static const char *const names[] = {
	"table", "csv", "json", "jsonl", "md", NULL
};

#define NFORMATS	(sizeof(formats) / sizeof(formats[0]))

const char *const *
ks_out_formats(void)
{
	return names;
}

struct ks_out *
ks_out_new(const char *format, FILE *fp, struct ks_err *err)
{
	struct ks_out *out;
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (strcmp(formats[i]->name, format) == 0)
			break;
	if (i == NFORMATS) {
		ks_err_set(err, "unknown output format '%s' (table, csv, "
		    "json, jsonl, md)", format);
		return NULL;
	}
	if ((out = calloc(1, sizeof(*out))) == NULL) {
		ks_err_set(err, "out of memory");
		return NULL;
	}
	out->ops = formats[i];
	out->fp = fp;
	return out;
}

const char *
ks_out_format(const struct ks_out *out)
{
	return out->ops->name;
}

void
ks_out_hide_empty(struct ks_out *out)
{
	out->hide_empty = 1;
}

/* Free the names kept for a begin not yet made. */
static void
drop_pending(struct ks_out *out)
{
	for (int i = 0; out->pending != NULL && i < out->ncols; i++)
		free(out->pending[i]);
	free(out->pending);
	out->pending = NULL;
}

/* Drop the current result, if any, without writing anything more. */
static void
discard(struct ks_out *out)
{
	if (out->active && out->pending == NULL && out->ops->clear != NULL)
		out->ops->clear(out);
	drop_pending(out);
	out->state = NULL;
	out->active = 0;
}

/* Keep a copy of cols[0..ncols) for the first row.  0, or -1 recorded. */
static int
keep_names(struct ks_out *out, int ncols, const char *const *cols)
{
	if ((out->pending = calloc((size_t)ncols + 1,
	    sizeof(*out->pending))) == NULL)
		return ks_out_nomem(out);
	for (int i = 0; i < ncols; i++)
		if ((out->pending[i] = strdup(cols[i])) == NULL)
			return ks_out_nomem(out);
	return 0;
}

/* Make the begin that waited for the first row.  0 or -1 recorded. */
static int
begin_pending(struct ks_out *out)
{
	int rc = out->ops->begin(out, out->ncols,
	    (const char *const *)out->pending);

	drop_pending(out);
	if (rc == -1 && !out->failed)
		ks_out_ioerr(out);
	return rc;
}

void
ks_out_free(struct ks_out *out)
{
	if (out == NULL)
		return;
	discard(out);
	free(out);
}

int
ks_out_begin(struct ks_out *out, int ncols, const char *const *cols)
{
	const char **fixed = NULL;
	int i, rc;

	assert(ncols >= 0);
	discard(out);
	out->failed = 0;
	ks_err_clear(&out->err);
	out->ncols = ncols;
	out->nrows = 0;
	out->active = 1;
	/* Formats may count on a name for every column. */
	if ((fixed = calloc((size_t)ncols + 1, sizeof(*fixed))) == NULL)
		return ks_out_nomem(out);
	for (i = 0; i < ncols; i++)
		fixed[i] = cols != NULL && cols[i] != NULL ? cols[i] : "";
	if (out->hide_empty)
		rc = keep_names(out, ncols, fixed);
	else
		rc = out->ops->begin(out, ncols, fixed);
	free(fixed);
	if (rc == -1 && !out->failed)
		ks_out_ioerr(out);
	return rc;
}

int
ks_out_row(struct ks_out *out, const struct ks_cell *cells)
{
	if (!out->active || out->failed)
		return -1;
	if (out->pending != NULL && begin_pending(out) == -1)
		return -1;
	if (out->ops->row(out, cells) == -1) {
		if (!out->failed)
			ks_out_ioerr(out);
		return -1;
	}
	out->nrows++;
	return 0;
}

void
ks_out_discard(struct ks_out *out)
{
	discard(out);
	fflush(out->fp);
}

long long
ks_out_rows(const struct ks_out *out)
{
	return out->nrows;
}

int
ks_out_failed(const struct ks_out *out)
{
	return out != NULL && out->told;
}

int
ks_out_end(struct ks_out *out, struct ks_err *err)
{
	if (out->active && !out->failed && out->pending == NULL) {
		/* Not for a hidden empty result: nothing was begun. */
		out->active = 0;
		if (out->ops->end(out) == -1 && !out->failed)
			ks_out_ioerr(out);
		out->state = NULL;
	}
	discard(out);
	if (!out->failed) {
		errno = 0;
		if (fflush(out->fp) != 0 || ferror(out->fp))
			ks_out_ioerr(out);
	}
	if (out->failed) {
		ks_err_set(err, "%s", out->err.msg);
		out->told = 1;
		return -1;
	}
	return 0;
}

int
ks_out_value_cell(sqlite3_value *v, struct ks_cell *c, int bytes)
{
	memset(c, 0, sizeof(*c));
	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		break;
	case SQLITE_INTEGER:
		c->type = KS_CELL_INT;
		c->i = sqlite3_value_int64(v);
		break;
	case SQLITE_FLOAT:
		c->type = KS_CELL_REAL;
		c->r = sqlite3_value_double(v);
		break;
	case SQLITE_BLOB:
		bytes = 1;
		/* FALLTHROUGH */
	default:
		c->type = KS_CELL_TEXT;
		c->json = sqlite3_value_type(v) == SQLITE_TEXT &&
		    sqlite3_value_subtype(v) == 'J';
		c->s = bytes ? sqlite3_value_blob(v) :
		    (const char *)sqlite3_value_text(v);
		c->len = (size_t)sqlite3_value_bytes(v);
		if (c->s == NULL && (c->len > 0 || !bytes))
			return -1;
		if (c->s == NULL)
			c->s = "";
		break;
	}
	return 0;
}

int
ks_out_stmt_cells(sqlite3_stmt *stmt, struct ks_cell *cells, int ncols)
{
	/* Each value once, read by the value_* calls (one thread). */
	for (int i = 0; i < ncols; i++)
		if (ks_out_value_cell(sqlite3_column_value(stmt, i), &cells[i],
		    0) == -1)
			return -1;
	return 0;
}

int
ks_out_stmt_end(struct ks_out *out, sqlite3_stmt *stmt, int rc,
    struct ks_err *err)
{
	if (rc == SQLITE_DONE || out->failed)
		return ks_out_end(out, err);
	/* Close nothing: a half-printed result must not look whole. */
	if (rc == SQLITE_NOMEM)
		ks_err_set(err, "%s", sqlite3_errstr(rc));
	else
		ks_err_set(err, "%s", sqlite3_errmsg(sqlite3_db_handle(stmt)));
	ks_out_discard(out);
	return -1;
}

int
ks_out_stmt(struct ks_out *out, sqlite3_stmt *stmt, struct ks_err *err)
{
	int ncols = sqlite3_column_count(stmt), rc = SQLITE_DONE, i;
	const char **cols;
	struct ks_cell *cells;
	int ret = -1;

	cols = calloc((size_t)ncols + 1, sizeof(*cols));
	cells = calloc((size_t)ncols + 1, sizeof(*cells));
	if (cols == NULL || cells == NULL) {
		ks_err_set(err, "out of memory");
		goto out;
	}
	for (i = 0; i < ncols; i++)
		cols[i] = sqlite3_column_name(stmt, i);
	if (ks_out_begin(out, ncols, cols) == 0) {
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			if (ks_out_stmt_cells(stmt, cells, ncols) == -1) {
				rc = SQLITE_NOMEM;
				break;
			}
			if (ks_out_row(out, cells) == -1)
				break;
		}
	}
	ret = ks_out_stmt_end(out, stmt, rc, err);
out:
	free(cols);
	free(cells);
	return ret;
}
