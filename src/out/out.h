/*
 * Output formatters: rows of cells printed as table, csv, json, jsonl or md
 * (see ks_out_formats()).  A command prepares SQL and hands the statement to
 * ks_out_stmt(); a command that computes rows in C calls ks_out_begin(), then
 * ks_out_row() for each row, then ks_out_end().  One ks_out may print several
 * results in turn, each between its own begin and end.
 *
 * Row formats stream (csv, json, jsonl, md); the table format keeps every
 * row until the end to measure column widths.  Text from evidence is escaped
 * in table, csv and md (textesc.h) so that it cannot drive the terminal;
 * json and jsonl keep it exact, as JSON escapes.
 *
 * table  Columns two spaces apart under a header and a line of dashes.
 *        Widths in terminal columns (CJK wide 2, combining marks 0).
 *        Columns holding only numbers are right-aligned.  NULL is blank;
 *        no line ends in blanks.  An empty result prints the header and
 *        the dashes.
 * csv    RFC 4180: a header row, CRLF after every record, a field quoted
 *        when it holds , " CR or LF or is empty text, quotes doubled.
 *        NULL is an empty field, empty text is "".  Text is escaped, so
 *        a field never holds a line break.
 * json   An array of objects, one per line, keys in column order:
 *        integers, reals (the fewest digits, 15 to 17, that read back to
 *        the same double), null, strings.  An empty result prints [].
 *        Invalid UTF-8 becomes U+FFFD; DEL, C1 controls and format
 *        characters are written as \u escapes.  Duplicate column names
 *        get ":1", ":2" (as SQLite does).  Infinite reals become null.
 * jsonl  The same objects, one per line; nothing for an empty result.
 * md     A GitHub markdown table: | and markdown punctuation escaped with
 *        a backslash, LF as <br>.  An empty result prints the header.
 * html   An HTML <table>, for documents (the report): not listed by
 *        ks_out_formats(), since no row command prints it.  Text is made
 *        safe as in md, then escaped for HTML.
 *
 * A result with no columns prints nothing (json: []).  A BLOB value is
 * printed as text made of its bytes.  No locale is consulted, but LC_NUMERIC
 * must stay "C" (reals are printed with printf).
 *
 * Write errors (full disk; a closed pipe if SIGPIPE is ignored) are
 * detected on every write and at the final fflush() of each result.
 */
#ifndef KS_OUT_H
#define KS_OUT_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "util/err.h"

struct ks_out;

enum {
	KS_CELL_NULL = 0,	/* so that a zeroed cell is NULL */
	KS_CELL_INT,
	KS_CELL_REAL,
	KS_CELL_TEXT
};

/* One value; the caller owns s and keeps it valid during the call. */
struct ks_cell {
	int		 type;	/* KS_CELL_* */
	long long	 i;	/* KS_CELL_INT */
	double		 r;	/* KS_CELL_REAL */
	const char	*s;	/* KS_CELL_TEXT: any bytes; NULL is NULL */
	size_t		 len;	/* KS_CELL_TEXT: bytes at s */
	int		 json;	/* KS_CELL_TEXT: s is JSON text (SQLite's
				   subtype 'J', a JSON function's result at
				   the top of the SELECT); the json formats
				   embed the value, the others print s */
};

/* Cells for commands that build rows in C.  A NULL string makes a NULL. */
static inline struct ks_cell
ks_cell_text(const char *s)
{
	struct ks_cell c = { KS_CELL_NULL, 0, 0, NULL, 0, 0 };

	if (s != NULL) {
		c.type = KS_CELL_TEXT;
		c.s = s;
		c.len = strlen(s);
	}
	return c;
}

static inline struct ks_cell
ks_cell_int(long long i)
{
	struct ks_cell c = { KS_CELL_INT, i, 0, NULL, 0, 0 };

	return c;
}

static inline struct ks_cell
ks_cell_real(double r)
{
	struct ks_cell c = { KS_CELL_REAL, 0, r, NULL, 0, 0 };

	return c;
}

/*
 * A new formatter writing to fp, which stays the caller's (never closed).
 * NULL with err for a format name not in ks_out_formats() nor "html", or
 * out of memory.
 */
struct ks_out	*ks_out_new(const char *format, FILE *fp,
		    struct ks_err *err);

/* Free out, discarding a result not yet ended; accepts NULL. */
void		 ks_out_free(struct ks_out *out);

/* The format names, NULL-terminated, for help and the man page. */
const char *const *ks_out_formats(void);

/* The format's name, as given to ks_out_new(). */
const char	*ks_out_format(const struct ks_out *out);

/*
 * From now on a result with no rows prints nothing at all, not even its
 * header (a document says "none" in its own words): the format's begin
 * waits for the first row.
 */
void	ks_out_hide_empty(struct ks_out *out);

/*
 * Step stmt to its end, printing every row under the column names of
 * sqlite3_column_name().  Returns 0, or -1 with err on an SQLite error or a
 * write error (what was written stays written; a table prints nothing).
 * Neither resets nor finalizes stmt.
 */
int	ks_out_stmt(struct ks_out *out, sqlite3_stmt *stmt,
	    struct ks_err *err);

/*
 * Point cells[0..ncols) at the current row of stmt (valid until it steps
 * again).  Returns 0, or -1 when SQLite is out of memory.
 */
int	ks_out_stmt_cells(sqlite3_stmt *stmt, struct ks_cell *cells,
	    int ncols);

/*
 * One value into *c, as ks_out_stmt_cells reads it; with bytes, text as
 * the bytes the value holds, not made NUL-terminated (no copy; for a
 * database in UTF-8, and a cell copied before the statement steps).
 * 0, or -1 when SQLite is out of memory.
 */
int	ks_out_value_cell(sqlite3_value *v, struct ks_cell *c, int bytes);

/*
 * End the result of stmt, stepped until rc: ks_out_end when rc is
 * SQLITE_DONE or out has failed, else err from rc or stmt's connection,
 * and ks_out_discard.  0, or -1 with err.
 */
int	ks_out_stmt_end(struct ks_out *out, sqlite3_stmt *stmt, int rc,
	    struct ks_err *err);

/* A column to sort by: its index, and whether descending. */
struct ks_out_key {
	int	col;
	int	desc;
};

/*
 * ks_out_stmt for a statement without ORDER BY whose rows are to be
 * printed sorted by keys[0..nkeys) (columns of the statement; then in the
 * statement's order), as
 * ORDER BY would with the BINARY collation: NULL first, then numbers,
 * then text (a BLOB sorts as text here); ties in the statement's order.
 * A JSON value (subtype 'J') stays JSON, which SQLite's sorter drops.
 * For a large result: the rows are kept in memory mapped for them (large
 * pages where the system has them), the key columns' texts once each,
 * ranked, and the rows sorted by keys of a few integers
 * (out-sort-key.c), which costs less than SQLite's sorter.
 */
int	ks_out_stmt_sorted(struct ks_out *out, sqlite3_stmt *stmt,
	    const struct ks_out_key *keys, int nkeys, struct ks_err *err);

/*
 * Start a result of ncols columns; names[0..ncols) are copied.  A result
 * begun and not ended is discarded first.  Returns 0 or -1.
 */
int	ks_out_begin(struct ks_out *out, int ncols,
	    const char *const *names);

/*
 * Print one row of out's ncols cells (copied or written before returning).
 * Returns 0, or -1 once anything failed; ks_out_end() then says why.
 */
int	ks_out_row(struct ks_out *out, const struct ks_cell *cells);

/*
 * Finish the result, flush fp and check it for errors.  Returns 0, or -1
 * with err for the first failure since ks_out_begin().
 */
int	ks_out_end(struct ks_out *out, struct ks_err *err);

/*
 * Drop the current result unfinished, after a failure that is not the
 * formatter's (a half-printed result must not look whole; a table prints
 * nothing), and flush what was written.
 */
void	ks_out_discard(struct ks_out *out);

/* Rows printed in the current or last result. */
long long	ks_out_rows(const struct ks_out *out);

/*
 * Whether a failure has been returned by ks_out_end() or ks_out_stmt()
 * since ks_out_new() (so that the caller, who reports it, has been told);
 * 0 for a NULL out.
 */
int	ks_out_failed(const struct ks_out *out);

/*
 * For the formatters (out-*.c) only.
 */

/* One format.  Calls come from out.c, which has checked the arguments. */
struct ks_out_ops {
	const char	*name;		/* as given to ks_out_new() */
	int		(*begin)(struct ks_out *, int ncols,
			    const char *const *names);
	int		(*row)(struct ks_out *, const struct ks_cell *cells);
	int		(*end)(struct ks_out *);	/* frees state too */
	void		(*clear)(struct ks_out *);	/* frees state only */
};

extern const struct ks_out_ops ks_out_table_ops;
extern const struct ks_out_ops ks_out_csv_ops;
extern const struct ks_out_ops ks_out_json_ops;
extern const struct ks_out_ops ks_out_jsonl_ops;
extern const struct ks_out_ops ks_out_md_ops;
extern const struct ks_out_ops ks_out_html_ops;

struct ks_out {
	const struct ks_out_ops	*ops;	/* the format */
	FILE		*fp;	/* borrowed from the caller */
	int		 ncols;	/* columns of the current result */
	int		 active; /* between begin and end */
	int		 failed; /* err holds the first failure */
	int		 told;	/* a failure was returned to the caller */
	long long	 nrows;	/* rows of the current or last result */
	int		 hide_empty; /* begin waits for the first row */
	char		**pending; /* owned: the column names of a begin
				    not yet made (hide_empty) */
	struct ks_err	 err;	/* why the current result failed */
	void		*state;	/* the format's; end or clear frees it */
};

/* Record a failure in out: a write error (from errno), or no memory. */
int	ks_out_ioerr(struct ks_out *out);
int	ks_out_nomem(struct ks_out *out);

/* Write n bytes, a string, or n spaces to out->fp.  0, or -1 recorded. */
int	ks_out_write(struct ks_out *out, const char *s, size_t n);
int	ks_out_puts(struct ks_out *out, const char *s);
int	ks_out_pad(struct ks_out *out, size_t n);

/* Write escaped text (textesc.h) to out->fp.  0, or -1 recorded. */
int	ks_out_text(struct ks_out *out, const char *s, size_t len,
	    int flags);

/*
 * Format an INT or REAL cell into buf, which has KS_OUT_NUMSZ bytes.  A
 * real takes the fewest digits, 15 to 17, that read back to the same double
 * (ks_out_realprec()), and ".0" when it would look like an integer;
 * infinities are "Inf" and "-Inf", NaN is "NaN".  Returns the length.
 */
#define KS_OUT_NUMSZ	32
size_t	ks_out_num(const struct ks_cell *c, char *buf);

/*
 * Write one cell: a number as ks_out_num writes it, text through
 * text(out, s, len, arg), NULL as nothing.  0, or -1 recorded.
 */
int	ks_out_cell(struct ks_out *out, const struct ks_cell *c,
	    int (*text)(struct ks_out *, const char *, size_t, int), int arg);
int	ks_out_realprec(double r);

#endif
