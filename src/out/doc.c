/*
 * The document's frame: headings, paragraphs, preformatted blocks.  Its
 * tables are the formatter's (out-md.c, out-html.c), through ks_out_stmt().
 */
#include <stdlib.h>
#include <string.h>

#include "out/doc.h"
#include "out/textesc.h"

/* Escape text for HTML after making it safe to show (textesc.h). */
static void
html_text(FILE *fp, const char *s, size_t n)
{
	ks_textesc_fputs(fp, s, n, KS_TEXTESC_HTML);
}

int
ks_doc_init(struct ks_doc *d, struct ks_out *out, struct ks_err *err)
{
	d->out = out;
	d->fp = out->fp;
	if (out->ops != &ks_out_md_ops && out->ops != &ks_out_html_ops)
		return ks_err_set(err, "a document is md or html, not %s",
		    ks_out_format(out));
	d->html = out->ops == &ks_out_html_ops;
	/* An empty table is "(none)", with no header (ks_doc_table). */
	ks_out_hide_empty(out);
	return 0;
}

void
ks_doc_text(struct ks_doc *d, const char *text)
{
	if (text == NULL)
		return;
	if (d->html)
		html_text(d->fp, text, strlen(text));
	else
		ks_textesc_fputs(d->fp, text, strlen(text), KS_TEXTESC_MD);
}

void
ks_doc_begin(struct ks_doc *d, const char *title)
{
	if (!d->html) {
		fputs("# ", d->fp);
		ks_doc_text(d, title);
		fputs("\n\n", d->fp);
		return;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "\n<title>", d->fp);
	ks_doc_text(d, title);
	fputs("</title>\n<style>body{font:14px/1.4 sans-serif;margin:2em;"
	    "max-width:80em}table{border-collapse:collapse;margin:1em 0}"
	    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;"
	    "vertical-align:top}pre{background:#f6f6f6;padding:1em;"
	    "overflow:auto}.warn{color:#a00}</style></head><body>\n<h1>",
	    d->fp);
	ks_doc_text(d, title);
	fputs("</h1>\n", d->fp);
}

void
ks_doc_end(struct ks_doc *d)
{
	if (d->html)
		fputs("</body></html>\n", d->fp);
}

void
ks_doc_heading(struct ks_doc *d, int level, const char *text)
{
	if (d->html) {
		fprintf(d->fp, "<h%d>", level);
		ks_doc_text(d, text);
		fprintf(d->fp, "</h%d>\n", level);
		return;
	}
	fprintf(d->fp, "%.*s ", level, "######");
	ks_doc_text(d, text);
	fputs("\n\n", d->fp);
}

void
ks_doc_para(struct ks_doc *d, const char *text)
{
	fputs(d->html ? "<p>" : "", d->fp);
	ks_doc_text(d, text);
	fputs(d->html ? "</p>\n" : "\n\n", d->fp);
}

void
ks_doc_pre(struct ks_doc *d, const char *lang, const char *text)
{
	const char *p = text, *nl;

	if (d->html) {
		fputs("<pre>", d->fp);
		/* Line by line, so that line ends survive the escaping. */
		while (*p) {
			nl = strchr(p, '\n');
			html_text(d->fp, p, nl ? (size_t)(nl - p) : strlen(p));
			fputc('\n', d->fp);
			if (nl == NULL)
				break;
			p = nl + 1;
		}
		fputs("</pre>\n", d->fp);
		return;
	}
	fprintf(d->fp, "```%s\n", lang);
	while (*p) {
		char *e;
		nl = strchr(p, '\n');
		e = ks_textesc_dup(p, nl ? (size_t)(nl - p) : strlen(p), 0, NULL);
		/* A fence inside the evidence must not close ours. */
		fprintf(d->fp, "%s%s\n", e && strncmp(e, "```", 3) == 0 ?
		    "\\" : "", e ? e : "");
		free(e);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	fputs("```\n\n", d->fp);
}

int
ks_doc_table(struct ks_doc *d, sqlite3_stmt *st, struct ks_err *err)
{
	if (ks_out_stmt(d->out, st, err) < 0)
		return -1;
	if (ks_out_rows(d->out) == 0)
		ks_doc_para(d, "(none)");
	else if (!d->html)
		fputs("\n", d->fp);	/* a table ends its Markdown block */
	return 0;
}
