/*
 * The csv format's choice of how to write a text field (out-csv.c reads
 * sixteen or eight bytes at a time, the last piece overlapping the one
 * before): fields of every length up to 70 with one byte that needs a
 * quote or an escape at every place, against the rule written here one
 * byte at a time: printable ASCII without a comma or a quote is written
 * as it is; a comma or a quote, quoted (quotes doubled); a control or a
 * byte from 0x7f, escaped (never as it is); empty text as "".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/out.h"

/* The record csv writes for one text field s[0..len) (CRLF dropped). */
static char *
record(const char *s, size_t len)
{
	static const char *const names[] = { "f" };
	struct ks_cell cell = { KS_CELL_TEXT, 0, 0, s, len, 0 };
	struct ks_err err;
	struct ks_out *out;
	char *buf = NULL, *rec;
	size_t size = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&buf, &size));
	assert_non_null(out = ks_out_new("csv", fp, &err));
	assert_int_equal(ks_out_begin(out, 1, names), 0);
	assert_int_equal(ks_out_row(out, &cell), 0);
	assert_int_equal(ks_out_end(out, &err), 0);
	ks_out_free(out);
	fclose(fp);
	assert_true(size >= 5 && memcmp(buf, "f\r\n", 3) == 0);
	assert_true(memcmp(buf + size - 2, "\r\n", 2) == 0);
	rec = strndup(buf + 3, size - 5);
	free(buf);
	return rec;
}

/* s quoted, its quotes doubled. */
static char *
quoted(const char *s, size_t len)
{
	char *q = malloc(2 * len + 3), *w = q;

	*w++ = '"';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			*w++ = '"';
		*w++ = s[i];
	}
	*w++ = '"';
	*w = '\0';
	return q;
}

static void
test_every_place(void **state)
{
	static const char odd[] = { ',', '"', '\t', '\x1f', '\x7f', '\x80',
	    '\xff', ' ', '~' };
	char s[80], *got, *want;

	for (size_t len = 0; len <= 70; len++)
		for (size_t k = 0; k < sizeof(odd); k++)
			for (size_t at = 0; at < (len > 0 ? len : 1); at++) {
				unsigned char c = (unsigned char)odd[k];

				for (size_t i = 0; i < len; i++)
					s[i] = (char)('a' + i % 26);
				if (len > 0)
					s[at] = (char)c;
				got = record(s, len);
				if (len == 0)
					assert_string_equal(got, "\"\"");
				else if (c >= 0x20 && c < 0x7f && c != ',' &&
				    c != '"')
					assert_true(strlen(got) == len &&
					    memcmp(got, s, len) == 0);
				else if (c == ',' || c == '"') {
					want = quoted(s, len);
					assert_string_equal(got, want);
					free(want);
				} else	/* escaped: not the bytes given */
					assert_false(strlen(got) == len &&
					    memcmp(got, s, len) == 0);
				free(got);
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
