/*
 * The html format: an HTML table, streamed row by row, for documents (the
 * report's -o html); it is not one of the row formats of ks_out_formats().
 * Header cells are <th>, data cells <td>; text is made safe to show
 * (textesc.h) and then escaped for HTML (KS_TEXTESC_HTML).  NULL is an
 * empty cell.
 */
#include <string.h>

#include "out/out.h"
#include "out/textesc.h"

static int
begin(struct ks_out *out, int ncols, const char *const *names)
{
	int i;

	if (ncols == 0)
		return 0;
	if (ks_out_puts(out, "<table><tr>") == -1)
		return -1;
	for (i = 0; i < ncols; i++)
		if (ks_out_puts(out, "<th>") == -1 ||
		    ks_out_text(out, names[i], strlen(names[i]),
		    KS_TEXTESC_HTML) == -1 ||
		    ks_out_puts(out, "</th>") == -1)
			return -1;
	return ks_out_puts(out, "</tr>\n");
}

static int
row(struct ks_out *out, const struct ks_cell *cells)
{
	int i;

	if (out->ncols == 0)
		return 0;
	if (ks_out_puts(out, "<tr>") == -1)
		return -1;
	for (i = 0; i < out->ncols; i++)
		if (ks_out_puts(out, "<td>") == -1 ||
		    ks_out_cell(out, &cells[i], ks_out_text, KS_TEXTESC_HTML) == -1 ||
		    ks_out_puts(out, "</td>") == -1)
			return -1;
	return ks_out_puts(out, "</tr>\n");
}

static int
end(struct ks_out *out)
{
	return out->ncols == 0 ? 0 : ks_out_puts(out, "</table>\n");
}

const struct ks_out_ops ks_out_html_ops = {
	"html", begin, row, end, NULL
};
