/*
 * Formatter tests: every format over the same hostile rows in an in-memory
 * database, written to open_memstream() and compared with output written by
 * hand; the escaping and width rules of textesc.c; write errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util/err.h"
#include "out/out.h"
#include "out/textesc.h"

/*
 * The evidence: commas and quotes, a line break, CJK wide characters, a
 * combining mark, a screen-clearing escape, a right-to-left override,
 * invalid UTF-8, pipes, DEL and a C1 CSI.
 */
struct evrow {
	long long	 id;
	const char	*name;
	size_t		 nlen;
	int		 hasscore;
	double		 score;
	const char	*note;		/* NULL for NULL */
	size_t		 notelen;
};

#define S(s)	s, sizeof(s) - 1

static const struct evrow evidence[] = {
	{ 1, S("plain"), 1, 1.5, NULL, 0 },
	{ 2, S("a,b \"q\""), 1, -0.25, S("l1\nl2") },
	{ 3, S("\xe6\xbc\xa2\xe5\xad\x97"), 1, 100.0, S("e\xcc\x81") },
	{ 4, S("\x1b[2J"), 1, 0.1, S("abc\xe2\x80\xae" "def") },
	{ 5, S("bad\xff\xc3("), 0, 0, S("|x|\x7f\xc2\x9b") },
};

#define EVSQL	"SELECT id, name, score, note FROM t ORDER BY id"

static int
setup(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t i;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	if (sqlite3_exec(db, "CREATE TABLE t (id INTEGER, name TEXT, "
	    "score REAL, note TEXT)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?, ?)", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < sizeof(evidence) / sizeof(evidence[0]); i++) {
		const struct evrow *r = &evidence[i];

		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_text(st, 2, r->name, (int)r->nlen, SQLITE_STATIC);
		if (r->hasscore)
			sqlite3_bind_double(st, 3, r->score);
		else
			sqlite3_bind_null(st, 3);
		if (r->note != NULL)
			sqlite3_bind_text(st, 4, r->note, (int)r->notelen,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

/*
 * Run sql through format into memory.  Returns the output (the caller
 * frees it) and sets *rc to what ks_out_stmt() returned and err.
 */
static char *
run(sqlite3 *db, const char *format, const char *sql, int *rc,
    struct ks_err *err)
{
	struct ks_out *out;
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t size = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&buf, &size));
	assert_non_null(out = ks_out_new(format, fp, err));
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ks_err_clear(err);
	*rc = ks_out_stmt(out, st, err);
	sqlite3_finalize(st);
	ks_out_free(out);
	fclose(fp);
	return buf;
}

/* Run sql through format and expect success and exactly want. */
static void
expect(sqlite3 *db, const char *format, const char *sql, const char *want)
{
	struct ks_err err;
	char *got;
	int rc;

	got = run(db, format, sql, &rc, &err);
	if (rc != 0)
		fail_msg("%s: %s", format, err.msg);
	assert_string_equal(got, want);
	free(got);
}

static void
test_table(void **state)
{
	expect(*state, "table", EVSQL,
	    "id  name          score  note\n"
	    "--  ------------  -----  -------------\n"
	    " 1  plain           1.5\n"
	    " 2  a,b \"q\"       -0.25  l1\\nl2\n"
	    " 3  \xe6\xbc\xa2\xe5\xad\x97          100.0  e\xcc\x81\n"
	    " 4  \\x1b[2J         0.1  abc\\u202edef\n"
	    " 5  bad\\xff\\xc3(         |x|\\x7f\\u009b\n");
}

static void
test_csv(void **state)
{
	expect(*state, "csv", EVSQL,
	    "id,name,score,note\r\n"
	    "1,plain,1.5,\r\n"
	    "2,\"a,b \"\"q\"\"\",-0.25,l1\\nl2\r\n"
	    "3,\xe6\xbc\xa2\xe5\xad\x97,100.0,e\xcc\x81\r\n"
	    "4,\\x1b[2J,0.1,abc\\u202edef\r\n"
	    "5,bad\\xff\\xc3(,,|x|\\x7f\\u009b\r\n");
	/* Empty text is quoted, NULL is not. */
	expect(*state, "csv", "SELECT '' AS a, NULL AS b, 'x\"y' AS \"c,d\"",
	    "a,b,\"c,d\"\r\n"
	    "\"\",,\"x\"\"y\"\r\n");
}

static void
test_json(void **state)
{
	expect(*state, "json", EVSQL,
	    "[\n"
	    "{\"id\":1,\"name\":\"plain\",\"score\":1.5,\"note\":null},\n"
	    "{\"id\":2,\"name\":\"a,b \\\"q\\\"\",\"score\":-0.25,"
	    "\"note\":\"l1\\nl2\"},\n"
	    "{\"id\":3,\"name\":\"\xe6\xbc\xa2\xe5\xad\x97\",\"score\":100.0,"
	    "\"note\":\"e\xcc\x81\"},\n"
	    "{\"id\":4,\"name\":\"\\u001B[2J\",\"score\":0.1,"
	    "\"note\":\"abc\\u202Edef\"},\n"
	    "{\"id\":5,\"name\":\"bad\xef\xbf\xbd\xef\xbf\xbd(\","
	    "\"score\":null,\"note\":\"|x|\\u007F\\u009B\"}\n"
	    "]\n");
}

static void
test_jsonl(void **state)
{
	expect(*state, "jsonl", EVSQL,
	    "{\"id\":1,\"name\":\"plain\",\"score\":1.5,\"note\":null}\n"
	    "{\"id\":2,\"name\":\"a,b \\\"q\\\"\",\"score\":-0.25,"
	    "\"note\":\"l1\\nl2\"}\n"
	    "{\"id\":3,\"name\":\"\xe6\xbc\xa2\xe5\xad\x97\",\"score\":100.0,"
	    "\"note\":\"e\xcc\x81\"}\n"
	    "{\"id\":4,\"name\":\"\\u001B[2J\",\"score\":0.1,"
	    "\"note\":\"abc\\u202Edef\"}\n"
	    "{\"id\":5,\"name\":\"bad\xef\xbf\xbd\xef\xbf\xbd(\","
	    "\"score\":null,\"note\":\"|x|\\u007F\\u009B\"}\n");
}

static void
test_md(void **state)
{
	expect(*state, "md", EVSQL,
	    "| id | name | score | note |\n"
	    "| --- | --- | --- | --- |\n"
	    "| 1 | plain | 1.5 |  |\n"
	    "| 2 | a,b \"q\" | -0.25 | l1<br>l2 |\n"
	    "| 3 | \xe6\xbc\xa2\xe5\xad\x97 | 100.0 | e\xcc\x81 |\n"
	    "| 4 | \\x1b\\[2J | 0.1 | abc\\u202edef |\n"
	    "| 5 | bad\\xff\\xc3( |  | \\|x\\|\\x7f\\u009b |\n");
	expect(*state, "md", "SELECT 'a\\b*c_d`e~f<g>h&i]' AS \"x|y\"",
	    "| x\\|y |\n"
	    "| --- |\n"
	    "| a\\\\b\\*c\\_d\\`e\\~f\\<g\\>h\\&i\\] |\n");
}

/* The report's tables (-o html), numbers as SQLite prints them. */
static void
test_html(void **state)
{
	expect(*state, "html", "SELECT 1 AS id, 'a<b>&\"c\"''d' AS \"x<y\","
	    " NULL AS n, char(27) || 'e' AS esc",
	    "<table><tr><th>id</th><th>x&lt;y</th><th>n</th><th>esc</th>"
	    "</tr>\n"
	    "<tr><td>1</td><td>a&lt;b&gt;&amp;&quot;c&quot;&#39;d</td><td></td>"
	    "<td>\\x1be</td></tr>\n"
	    "</table>\n");
}

#define EMPTYSQL	"SELECT 1 AS a, 'x' AS b WHERE 0"

static void
test_empty(void **state)
{
	expect(*state, "table", EMPTYSQL, "a  b\n-  -\n");
	expect(*state, "csv", EMPTYSQL, "a,b\r\n");
	expect(*state, "json", EMPTYSQL, "[]\n");
	expect(*state, "jsonl", EMPTYSQL, "");
	expect(*state, "md", EMPTYSQL, "| a | b |\n| --- | --- |\n");
	expect(*state, "html", EMPTYSQL,
	    "<table><tr><th>a</th><th>b</th></tr>\n</table>\n");
}

/* With ks_out_hide_empty(), the header waits for the first row. */
static void
test_hide_empty(void **state)
{
	static const char *const fmts[] = { "md", "html", "table", NULL };
	struct ks_err err;
	struct ks_out *out;
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t size = 0;
	FILE *fp;

	for (const char *const *f = fmts; *f != NULL; f++) {
		assert_non_null(fp = open_memstream(&buf, &size));
		assert_non_null(out = ks_out_new(*f, fp, &err));
		ks_out_hide_empty(out);
		assert_int_equal(sqlite3_prepare_v2(*state, EMPTYSQL, -1, &st,
		    NULL), SQLITE_OK);
		assert_int_equal(ks_out_stmt(out, st, &err), 0);
		assert_int_equal(ks_out_rows(out), 0);
		sqlite3_reset(st);
		assert_int_equal(ks_out_stmt(out, st, &err), 0);
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_prepare_v2(*state, "SELECT 1 AS a",
		    -1, &st, NULL), SQLITE_OK);
		assert_int_equal(ks_out_stmt(out, st, &err), 0);
		assert_int_equal(ks_out_rows(out), 1);
		sqlite3_finalize(st);
		ks_out_free(out);
		fclose(fp);
		assert_string_equal(buf, strcmp(*f, "md") == 0 ?
		    "| a |\n| --- |\n| 1 |\n" : strcmp(*f, "html") == 0 ?
		    "<table><tr><th>a</th></tr>\n<tr><td>1</td></tr>\n"
		    "</table>\n" : "a\n-\n1\n");
		free(buf);
		buf = NULL;
	}
}

/* A statement without columns prints nothing (json: an empty array). */
static void
test_nocols(void **state)
{
	static const char sql[] = "CREATE TEMP TABLE IF NOT EXISTS nc (a)";

	expect(*state, "table", sql, "");
	expect(*state, "csv", sql, "");
	expect(*state, "json", sql, "[]\n");
	expect(*state, "jsonl", sql, "");
	expect(*state, "md", sql, "");
	expect(*state, "html", sql, "");
}

static void
test_reals(void **state)
{
	static const char sql[] =
	    "SELECT 0.1 AS a, 1.0 / 3 AS b, 1e20 AS c, 2.0 AS d, "
	    "1e999 AS e, -1e999 AS f, -0.0 AS g";

	expect(*state, "csv", sql,
	    "a,b,c,d,e,f,g\r\n"
	    "0.1,0.3333333333333333,1e+20,2.0,Inf,-Inf,-0.0\r\n");
	expect(*state, "jsonl", sql,
	    "{\"a\":0.1,\"b\":0.3333333333333333,\"c\":1e20,\"d\":2.0,"
	    "\"e\":null,\"f\":null,\"g\":-0.0}\n");
}

static void
test_dupkeys(void **state)
{
	expect(*state, "jsonl",
	    "SELECT 1 AS a, 2 AS a, 3 AS \"a:1\", 4 AS \"\"",
	    "{\"a\":1,\"a:1\":2,\"a:1:1\":3,\"\":4}\n");
}

/* Mixed columns align left, numeric ones right; NULLs do not count. */
static void
test_align(void **state)
{
	expect(*state, "table",
	    "SELECT 1 AS n, 'x' AS m, NULL AS z UNION ALL "
	    "SELECT 22, 3, NULL UNION ALL SELECT NULL, 'long', 'w'",
	    " n  m     z\n"
	    "--  ----  -\n"
	    " 1  x\n"
	    "22  3\n"
	    "    long  w\n");
}

static void
test_rows_in_c(void **state)
{
	static const char *const names[] = { "who", "n", "rate" };
	struct ks_cell cells[3];
	struct ks_err err;
	struct ks_out *out;
	char *buf = NULL;
	size_t size = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&buf, &size));
	assert_non_null(out = ks_out_new("csv", fp, &err));
	assert_int_equal(ks_out_begin(out, 3, names), 0);
	cells[0] = ks_cell_text("eks:vpc-resource-controller");
	cells[1] = ks_cell_int(42);
	cells[2] = ks_cell_real(0.5);
	assert_int_equal(ks_out_row(out, cells), 0);
	cells[0] = ks_cell_text(NULL);
	assert_int_equal(ks_out_row(out, cells), 0);
	assert_int_equal(ks_out_end(out, &err), 0);
	/* The same formatter prints a second result. */
	assert_int_equal(ks_out_begin(out, 1, names), 0);
	assert_int_equal(ks_out_end(out, &err), 0);
	/* A result left unfinished is discarded by ks_out_free(). */
	assert_int_equal(ks_out_begin(out, 1, NULL), 0);
	assert_int_equal(ks_out_row(out, cells), 0);
	ks_out_free(out);
	fclose(fp);
	assert_string_equal(buf,
	    "who,n,rate\r\n"
	    "eks:vpc-resource-controller,42,0.5\r\n"
	    ",42,0.5\r\n"
	    "who\r\n"
	    "\"\"\r\n"
	    "\r\n");
	free(buf);
}

static void
test_formats(void **state)
{
	const char *const *f = ks_out_formats();
	struct ks_err err;
	struct ks_out *out;
	int n = 0;

	for (; *f != NULL; f++, n++) {
		assert_non_null(out = ks_out_new(*f, stdout, &err));
		ks_out_free(out);
	}
	assert_int_equal(n, 5);
	/* html is for documents: made by name, not listed. */
	assert_non_null(out = ks_out_new("html", stdout, &err));
	assert_string_equal(ks_out_format(out), "html");
	ks_out_free(out);
	assert_null(ks_out_new("xml", stdout, &err));
	assert_non_null(strstr(err.msg, "unknown output format 'xml'"));
	ks_out_free(NULL);
}

/* An SQLite error mid-way is reported; the table prints nothing. */
static void
test_sqlite_error(void **state)
{
	static const char sql[] = "SELECT abs(x) AS a FROM (SELECT 1 AS x "
	    "UNION ALL SELECT -9223372036854775807 - 1)";
	struct ks_err err;
	char *got;
	int rc;

	got = run(*state, "table", sql, &rc, &err);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "integer overflow"));
	assert_string_equal(got, "");
	free(got);
	got = run(*state, "jsonl", sql, &rc, &err);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "{\"a\":1}\n");
	free(got);
}

/* Run every format over the evidence into fp; expect a write error. */
static void
expect_write_error(sqlite3 *db, FILE *fp, const char *format)
{
	struct ks_err err;
	struct ks_out *out;
	sqlite3_stmt *st;

	assert_non_null(out = ks_out_new(format, fp, &err));
	assert_int_equal(sqlite3_prepare_v2(db, EVSQL, -1, &st, NULL),
	    SQLITE_OK);
	ks_err_clear(&err);
	assert_int_equal(ks_out_failed(out), 0);
	assert_int_equal(ks_out_stmt(out, st, &err), -1);
	assert_non_null(strstr(err.msg, "write error"));
	/* The caller has been told: the dispatcher says it no more. */
	assert_int_equal(ks_out_failed(out), 1);
	sqlite3_finalize(st);
	ks_out_free(out);
}

/* ks_out_rows() counts the rows of the last result; no failure. */
static void
test_rows_counted(void **state)
{
	struct ks_err err;
	struct ks_out *out;
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	assert_non_null(out = ks_out_new("csv", fp, &err));
	assert_int_equal(sqlite3_prepare_v2(*state, EVSQL, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(ks_out_stmt(out, st, &err), 0);
	assert_int_equal(ks_out_rows(out), 5);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(*state, "SELECT 1 WHERE 0", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(ks_out_stmt(out, st, &err), 0);
	assert_int_equal(ks_out_rows(out), 0);
	assert_int_equal(ks_out_failed(out), 0);
	assert_int_equal(ks_out_failed(NULL), 0);
	sqlite3_finalize(st);
	ks_out_free(out);
	fclose(fp);
	free(buf);
}

static void
test_write_error(void **state)
{
	const char *const *f;
	char small[16];
	FILE *fp;

	for (f = ks_out_formats(); *f != NULL; f++) {
		/* Buffered: the error shows at the final flush. */
		assert_non_null(fp = fopen("/dev/full", "w"));
		setvbuf(fp, NULL, _IOFBF, 4096);
		expect_write_error(*state, fp, *f);
		fclose(fp);
		/* Unbuffered: the first write fails. */
		assert_non_null(fp = fopen("/dev/full", "w"));
		setvbuf(fp, NULL, _IONBF, 0);
		expect_write_error(*state, fp, *f);
		fclose(fp);
		/* A memory stream too small. */
		assert_non_null(fp = fmemopen(small, sizeof(small), "w"));
		setvbuf(fp, NULL, _IONBF, 0);
		expect_write_error(*state, fp, *f);
		fclose(fp);
	}
}

/* Escape s[0..len) and compare with want. */
static void
esc(const char *s, size_t len, int flags, const char *want)
{
	size_t n;
	char *got;

	assert_non_null(got = ks_textesc_dup(s, len, flags, &n));
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
}

static void
test_textesc(void **state)
{
	esc(S("plain \\ text"), 0, "plain \\ text");
	esc(S("a\tb\rc\nd\0e\x01\x7f"), 0, "a\\tb\\rc\\nd\\x00e\\x01\\x7f");
	esc(S("\xc2\x80\xc2\x9f\xc2\xa0"), 0, "\\u0080\\u009f\xc2\xa0");
	/* Bidi controls, zero-width space, BOM, soft hyphen, tags. */
	esc(S("\xe2\x80\xaa\xe2\x81\xa9\xe2\x80\x8b\xef\xbb\xbf\xc2\xad"), 0,
	    "\\u202a\\u2069\\u200b\\ufeff\\u00ad");
	esc(S("\xe2\x80\xa8\xe2\x80\xa9\xf3\xa0\x81\x81"), 0,
	    "\\u2028\\u2029\\U000e0041");
	/* Overlong, surrogate, past U+10FFFF, truncated. */
	esc(S("\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\xe2\x80"), 0,
	    "\\xc0\\x80\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe2\\x80");
	esc(S("\xf0\x9f\x98\x80"), 0, "\xf0\x9f\x98\x80");
	esc(S("a|b\nc\r"), KS_TEXTESC_MD, "a\\|b<br>c\\r");
	esc("", 0, 0, "");
}

static void
test_decode(void **state)
{
	int32_t cp;

	assert_int_equal(ks_textesc_decode(S("\xe2\x80"), &cp), 2);
	assert_int_equal(cp, -1);
	assert_int_equal(ks_textesc_decode(S("\xe2\x80(x"), &cp), 2);
	assert_int_equal(cp, -1);
	assert_int_equal(ks_textesc_decode(S("\xed\xa0\x80"), &cp), 1);
	assert_int_equal(cp, -1);
	assert_int_equal(ks_textesc_decode(S("\xf4\x8f\xbf\xbf"), &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(ks_textesc_decode(S("\xc3\xa9"), &cp), 2);
	assert_int_equal(cp, 0xe9);
}

static void
test_width(void **state)
{
	assert_int_equal(ks_textesc_width(S("abc")), 3);
	assert_int_equal(ks_textesc_width(S("\xe6\xbc\xa2\xe5\xad\x97")), 4);
	assert_int_equal(ks_textesc_width(S("e\xcc\x81")), 1);
	assert_int_equal(ks_textesc_width(S("\xf0\x9f\x98\x80")), 2);
	assert_int_equal(ks_textesc_width(S("\xe3\x80\x80\xef\xbc\xa1")), 4);
	assert_int_equal(ks_textesc_width(S("\xe1\x84\x80\xe1\x85\xa1")), 2);
	assert_int_equal(ks_textesc_width(S("\xd7\x90")), 1);
}

static void
test_utf8(void **state)
{
	size_t n;
	char *s;

	assert_non_null(s = ks_textesc_utf8(S("a\xff" "b\xe2\x80" "c\0d"), &n));
	assert_int_equal(n, 11);
	assert_memory_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\0d", 12);
	free(s);
}

/* Evidence whose characters beyond the BMP must be \u pairs in JSON. */
static void
test_json_pairs(void **state)
{
	expect(*state, "jsonl",
	    "SELECT CAST(X'F3A08181E281A7' AS TEXT) AS t",
	    "{\"t\":\"\\uDB40\\uDC41\\u2067\"}\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_md),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_hide_empty),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_nocols),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_dupkeys),
		cmocka_unit_test(test_align),
		cmocka_unit_test(test_rows_in_c),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_sqlite_error),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_rows_counted),
		cmocka_unit_test(test_textesc),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_json_pairs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
