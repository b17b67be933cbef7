/*
 * The report's preformatted blocks (out/doc.c): a block written through
 * ks_doc_pre_open, in pieces of every size, is what ks_doc_pre prints of
 * the whole text, in Markdown and HTML; and what ks_doc_pre prints of a
 * few texts, written out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/doc.h"
#include "out/out.h"
#include "util/err.h"

/* Texts: empty, line ends only, a last line without its end, a fence,
   markup, a terminal escape, invalid UTF-8, a long line. */
static const char *const texts[] = {
	"", "\n", "\n\n", "x", "x\n", "a\n\nb", "one\ntwo\n",
	"```\nin a fence\n```", "<b>&\"quoted\"</b>\nnext",
	"\x1b[2Jclear\nbad\xff\xc3(\n", NULL,
};

/* What writing text does in format (md or html): via ks_doc_pre (step
   0), else through ks_doc_pre_open in pieces of step bytes. */
static char *
block(const char *format, const char *text, size_t step)
{
	struct ks_err err;
	struct ks_out *out;
	struct ks_doc d;
	char *buf = NULL;
	size_t size = 0, n = strlen(text);
	FILE *fp, *pre;

	assert_non_null(fp = open_memstream(&buf, &size));
	assert_non_null(out = ks_out_new(format, fp, &err));
	assert_int_equal(ks_doc_init(&d, out, &err), 0);
	if (step == 0)
		ks_doc_pre(&d, "yaml", text);
	else {
		assert_non_null(pre = ks_doc_pre_open(&d, "yaml"));
		for (size_t i = 0; i < n; i += step)
			assert_int_equal(fwrite(text + i, 1, i + step > n ?
			    n - i : step, pre), i + step > n ? n - i : step);
		assert_int_equal(fclose(pre), 0);
	}
	ks_out_free(out);
	fclose(fp);
	return buf;
}

static char *
long_text(void)
{
	char *t = malloc(300001);

	assert_non_null(t);
	for (size_t i = 0; i < 300000; i++)
		t[i] = i % 100000 == 99999 ? '\n' : (char)('a' + i % 26);
	t[300000] = '\0';
	return t;
}

static void
test_pieces(void **state)
{
	static const char *const formats[] = { "md", "html" };
	static const size_t steps[] = { 1, 2, 3, 7, 64, 4096, 100000 };
	char *lt = long_text();

	(void)state;
	for (size_t f = 0; f < 2; f++)
		for (size_t k = 0; k <= sizeof(texts) / sizeof(texts[0]) - 1;
		    k++) {
			const char *t = texts[k] ? texts[k] : lt;
			char *want = block(formats[f], t, 0);
			for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]);
			    s++) {
				char *got = block(formats[f], t, steps[s]);
				assert_string_equal(got, want);
				free(got);
			}
			free(want);
		}
	free(lt);
}

/* What ks_doc_pre prints, as written by hand. */
static void
test_by_hand(void **state)
{
	char *got;

	(void)state;
	got = block("html", "a<b\n\nc", 3);
	assert_string_equal(got, "<pre>a&lt;b\n\nc\n</pre>\n");
	free(got);
	got = block("md", "x\n```y\n", 2);
	assert_string_equal(got, "```yaml\nx\n\\```y\n```\n\n");
	free(got);
	got = block("html", "k: \"v's\" & <w>\n\xc3\xa9<\n", 5);
	assert_string_equal(got, "<pre>k: &quot;v&#39;s&quot; &amp; "
	    "&lt;w&gt;\n\xc3\xa9&lt;\n</pre>\n");
	free(got);
	got = block("html", "", 1);
	assert_string_equal(got, "<pre></pre>\n");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_by_hand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
