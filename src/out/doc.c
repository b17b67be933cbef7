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

/*
 * One column on any screen: tables and pre blocks scroll sideways in
 * their own box, the chart shrinks to the width; printed, the folded
 * appendix opens and the sections do not break inside a finding.
 */
static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em;"
    "max-width:64em;color:#222}\n"
    "h1{font-size:1.5em;margin:.2em 0}"
    "h2{border-bottom:1px solid #ddd;margin-top:1.6em}\n"
    "table{border-collapse:collapse;margin:1em 0;display:block;"
    "overflow-x:auto;max-width:100%}\n"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;"
    "vertical-align:top;font-size:.9em}\n"
    "pre{background:#f6f6f6;padding:1em;overflow:auto}"
    "code,td,.meta{overflow-wrap:anywhere}\n"
    "svg{max-width:100%;height:auto}.warn{color:#a00}\n"
    "ol.findings{padding-left:1.6em}"
    "li.finding{margin:.7em 0;padding:.2em .6em;"
    "border-left:4px solid #999}li.finding p{margin:.2em 0}\n"
    ".sev-critical{border-color:#b00!important}"
    ".sev-high{border-color:#e60!important}"
    ".sev-medium{border-color:#cb0!important}"
    ".sev-low{border-color:#69c!important}\n"
    ".sev{font-weight:bold;text-transform:uppercase;font-size:.85em}"
    ".meta{color:#555;font-size:.9em}.act{font-weight:600}\n"
    "summary{cursor:pointer;font-weight:600}\n"
    "@media (max-width:600px){body{padding:.5em;font-size:14px}"
    "h1{font-size:1.25em}}\n"
    "@media print{details::details-content{content-visibility:visible;"
    "display:block}details>summary{list-style:none}body{max-width:none}"
    "li.finding{break-inside:avoid}table{display:table}"
    "pre{white-space:pre-wrap}}\n";

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
	    "\n<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>", d->fp);
	ks_doc_text(d, title);
	fputs("</title>\n<style>\n", d->fp);
	fputs(style, d->fp);
	fputs("</style></head><body>\n<h1>", d->fp);
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
		/* An anchor: the text in lower case, '-' for the rest. */
		fprintf(d->fp, "<h%d%s", level, level == 2 ? " id=\"" : ">");
		for (const char *p = text; level == 2 && *p; p++)
			fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' :
			    (*p >= 'a' && *p <= 'z') || (*p >= '0' &&
			    *p <= '9') ? *p : '-', d->fp);
		fputs(level == 2 ? "\">" : "", d->fp);
		ks_doc_text(d, text);
		fprintf(d->fp, "</h%d>\n", level);
		return;
	}
	fprintf(d->fp, "%.*s ", level, "######");
	ks_doc_text(d, text);
	fputs("\n\n", d->fp);
}

void
ks_doc_fold(struct ks_doc *d, const char *summary)
{
	if (!d->html) {
		ks_doc_para(d, summary);
		return;
	}
	fputs("<details><summary>", d->fp);
	ks_doc_text(d, summary);
	fputs("</summary>\n", d->fp);
}

void
ks_doc_unfold(struct ks_doc *d)
{
	if (d->html)
		fputs("</details>\n", d->fp);
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
