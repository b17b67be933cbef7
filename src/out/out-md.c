/*
 * The md format: a GitHub markdown table, streamed row by row (columns are
 * not padded; markdown readers align them).  Text is escaped for markdown
 * (KS_TEXTESC_MD): | and markdown punctuation get a backslash, LF becomes
 * <br>, control and format characters are escaped as everywhere else.
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
	for (i = 0; i < ncols; i++)
		if (ks_out_write(out, "| ", 2) == -1 ||
		    ks_out_text(out, names[i], strlen(names[i]),
		    KS_TEXTESC_MD) == -1 ||
		    ks_out_write(out, " ", 1) == -1)
			return -1;
	if (ks_out_write(out, "|\n", 2) == -1)
		return -1;
	for (i = 0; i < ncols; i++)
		if (ks_out_write(out, "| --- ", 6) == -1)
			return -1;
	return ks_out_write(out, "|\n", 2);
}

static int
row(struct ks_out *out, const struct ks_cell *cells)
{
	int i;

	if (out->ncols == 0)
		return 0;
	for (i = 0; i < out->ncols; i++)
		if (ks_out_write(out, "| ", 2) == -1 ||
		    ks_out_cell(out, &cells[i], ks_out_text, KS_TEXTESC_MD) == -1 ||
		    ks_out_write(out, " ", 1) == -1)
			return -1;
	return ks_out_write(out, "|\n", 2);
}

static int
end(struct ks_out *out)
{
	return 0;
}

const struct ks_out_ops ks_out_md_ops = {
	"md", begin, row, end, NULL
};
