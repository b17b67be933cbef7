/*
 * The document's frame: headings, paragraphs, preformatted blocks.  Its
 * tables are the formatter's (out-md.c, out-html.c), through ks_out_stmt().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

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

/*
 * A line of n bytes at s escaped for HTML as html_text escapes it: when
 * each byte is printable ASCII (each then stands for itself, or is one
 * of HTML's five entities), here, without a copy; else by html_text.
 * (Megabytes of manifests, a quote on most lines.)
 */
static void
html_line(FILE *fp, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run = 0;
	const char *ent;

	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] >= 0x7f) {
			html_text(fp, s, n);
			return;
		}
	for (i = 0; i < n; i++) {
		switch (u[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		if (i > run)
			fwrite(s + run, 1, i - run, fp);
		fputs(ent, fp);
		run = i + 1;
	}
	if (n > run)
		fwrite(s + run, 1, n - run, fp);
}

/* One line of a preformatted block (n bytes at s, no line end). */
static void
pre_line(struct ks_doc *d, const char *s, size_t n)
{
	char *e;

	if (d->html) {
		html_line(d->fp, s, n);
		fputc('\n', d->fp);
		return;
	}
	e = ks_textesc_dup(s, n, 0, NULL);
	/* A fence inside the evidence must not close ours. */
	fprintf(d->fp, "%s%s\n", e && strncmp(e, "```", 3) == 0 ? "\\" : "",
	    e ? e : "");
	free(e);
}

static void
pre_begin(struct ks_doc *d, const char *lang)
{
	if (d->html)
		fputs("<pre>", d->fp);
	else
		fprintf(d->fp, "```%s\n", lang);
}

static void
pre_end(struct ks_doc *d)
{
	fputs(d->html ? "</pre>\n" : "```\n\n", d->fp);
}

void
ks_doc_pre(struct ks_doc *d, const char *lang, const char *text)
{
	const char *p = text, *nl;

	pre_begin(d, lang);
	/* Line by line, so that line ends survive the escaping. */
	while (*p) {
		nl = strchr(p, '\n');
		pre_line(d, p, nl ? (size_t)(nl - p) : strlen(p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	pre_end(d);
}

/* A block of ks_doc_pre_open: the document, and the line not yet ended. */
struct pre {
	struct ks_doc	*d;
	char		*line;
	size_t		 n, cap;
};

/* Keep n bytes at s as the start of the line; -1 when out of memory. */
static int
pre_keep(struct pre *b, const char *s, size_t n)
{
	char *nl;
	size_t cap;

	if (n == 0)
		return 0;	/* (memcpy from or to NULL is undefined) */
	if (b->n + n > b->cap) {
		cap = (b->n + n) * 2 + 256;
		if ((nl = realloc(b->line, cap)) == NULL)
			return -1;
		b->line = nl;
		b->cap = cap;
	}
	memcpy(b->line + b->n, s, n);
	b->n += n;
	return 0;
}

/* Each line ended in buf (of n bytes), as ks_doc_pre prints it. */
static ssize_t
pre_write(void *cookie, const char *buf, size_t n)
{
	struct pre *b = cookie;
	const char *p = buf, *end = buf + n, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (b->n > 0) {
			if (pre_keep(b, p, (size_t)(nl - p)) < 0)
				return -1;
			pre_line(b->d, b->line, b->n);
			b->n = 0;
		} else
			pre_line(b->d, p, (size_t)(nl - p));
		p = nl + 1;
	}
	return pre_keep(b, p, (size_t)(end - p)) < 0 ? -1 : (ssize_t)n;
}

/* The last line (when not empty: as ks_doc_pre, which prints no empty
   line after the last line end), and the block's end. */
static int
pre_close(void *cookie)
{
	struct pre *b = cookie;

	if (b->n > 0)
		pre_line(b->d, b->line, b->n);
	pre_end(b->d);
	free(b->line);
	free(b);
	return 0;
}

FILE *
ks_doc_pre_open(struct ks_doc *d, const char *lang)
{
	static const cookie_io_functions_t io = { NULL, pre_write, NULL,
	    pre_close };
	struct pre *b = calloc(1, sizeof(*b));
	FILE *fp;

	if (b == NULL)
		return NULL;
	b->d = d;
	if ((fp = fopencookie(b, "w", io)) == NULL) {
		free(b);
		return NULL;
	}
	(void)setvbuf(fp, NULL, _IOFBF, 1 << 16);
	pre_begin(d, lang);
	return fp;
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
