/*
 * A small document writer for the report: headings, paragraphs, tables
 * from SQL, preformatted blocks, in Markdown or as one self-contained HTML
 * page.  Evidence text is escaped for the format (textesc.h, and HTML's
 * own escaping), so nothing in it becomes markup or terminal control.
 * The tables are printed by the md or html formatter (out.h), which also
 * catches write errors.
 */
#ifndef KS_DOC_H
#define KS_DOC_H

#include <stdio.h>

#include <sqlite3.h>

#include "out/out.h"
#include "util/err.h"

struct ks_doc {
	FILE		*fp;	/* borrowed: the formatter's */
	int		 html;	/* 0 Markdown, 1 HTML */
	struct ks_out	*out;	/* borrowed: the tables' formatter */
};

/*
 * A document printed by out, an md or html formatter (ks_out_new), which
 * stays the caller's and outlives d.  0, or -1 with err for another format.
 */
int	ks_doc_init(struct ks_doc *d, struct ks_out *out, struct ks_err *err);

void	ks_doc_begin(struct ks_doc *d, const char *title);
void	ks_doc_end(struct ks_doc *d);
void	ks_doc_heading(struct ks_doc *d, int level, const char *text);
/*
 * Fold what follows, up to ks_doc_unfold, under summary: an HTML
 * <details> (opened when printed); in Markdown, summary as a paragraph.
 */
void	ks_doc_fold(struct ks_doc *d, const char *summary);
void	ks_doc_unfold(struct ks_doc *d);
/* A paragraph of plain text (escaped). */
void	ks_doc_para(struct ks_doc *d, const char *text);
/* Text escaped for the format, inline. */
void	ks_doc_text(struct ks_doc *d, const char *text);
/*
 * A table of every row of stmt, by the formatter; "(none)" when it has
 * none.  Returns 0, or -1 with err on an SQLite or write error.
 */
int	ks_doc_table(struct ks_doc *d, sqlite3_stmt *stmt, struct ks_err *err);
/* A preformatted block (lang: a Markdown fence language, or ""). */
void	ks_doc_pre(struct ks_doc *d, const char *lang, const char *text);
/*
 * The same block written as it is made: what is written to the stream
 * returned is printed as ks_doc_pre prints text, line by line, without
 * holding the whole text; fclose ends the block.  NULL when out of memory
 * (then nothing is printed).
 */
FILE	*ks_doc_pre_open(struct ks_doc *d, const char *lang);

#endif
