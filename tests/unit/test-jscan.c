/*
 * Tests for the JSON splitter: boundaries, items, envelopes, bad input, and
 * the split keys of the cloud readers (events, records, results).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/jscan.h"

/* The keys of the cloud readers' envelopes (sniff-cloudwatch.c, -aks.c). */
static const char *const cloud_keys[] = { "events", "records", "results",
    NULL };

/*
 * Scan text (in chunks of chunk bytes), splitting the arrays of keys, and
 * describe every record as "V@line:bytes" (value), "I@line#index:bytes"
 * (item; with keys other than ks_jscan_items, "I<key>@..."), "E:bytes"
 * (envelope) or "R@line:reason-prefix", joined by " | ".
 */
static char *
scan_keys(const char *text, size_t len, size_t chunk, size_t max_record,
    const char *const *keys)
{
	struct ks_memsrc m = { text, len, 0, chunk };
	struct ks_input in;
	struct ks_jscan_limits lim = { max_record, 64 };
	struct ks_jscan *js;
	struct ks_jrec r;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);

	ks_input_init(&in, ks_input_fill_mem, &m, NULL);
	js = ks_jscan_new(&in, &lim, keys);
	assert_non_null(js);
	while (ks_jscan_next(js, &r) == 1) {
		if (ftell(fp) > 0)
			fputs(" | ", fp);
		switch (r.type) {
		case KS_JREC_VALUE:
			fprintf(fp, "V@%llu:%.*s", (unsigned long long)r.line,
			    (int)r.len, r.data);
			break;
		case KS_JREC_ITEM:
			if (keys != ks_jscan_items)
				fprintf(fp, "I%d", r.key);
			else
				fputc('I', fp);
			fprintf(fp, "@%llu#%llu:%.*s", (unsigned long long)r.line,
			    (unsigned long long)r.index, (int)r.len, r.data);
			break;
		case KS_JREC_END:
			fprintf(fp, "E:%.*s", (int)r.len, r.data);
			break;
		case KS_JREC_REJECT:
			fprintf(fp, "R@%llu:%.12s", (unsigned long long)r.line,
			    r.reason);
			break;
		}
	}
	ks_jscan_free(js);
	ks_input_release(&in);
	fclose(fp);
	return out;
}

static char *
scan(const char *text, size_t len, size_t chunk, size_t max_record)
{
	return scan_keys(text, len, chunk, max_record, ks_jscan_items);
}

/* The same answer whatever the chunking of the input. */
static void
expect_keys(const char *text, size_t max_record, const char *const *keys,
    const char *want)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7 };

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		char *got = scan_keys(text, strlen(text), chunks[i],
		    max_record, keys);
		if (strcmp(got, want) != 0)
			fail_msg("chunk %zu:\n got: %s\nwant: %s", chunks[i], got,
			    want);
		free(got);
	}
}

static void
expect(const char *text, const char *want)
{
	expect_keys(text, 1 << 20, ks_jscan_items, want);
}

static void
test_lines(void **state)
{
	expect("{\"a\":1}\n{\"b\":\"}{\"}\n\n{\"c\":[1,{\"d\":2}]}\n",
	    "V@1:{\"a\":1} | V@2:{\"b\":\"}{\"} | V@4:{\"c\":[1,{\"d\":2}]}");
}

static void
test_escapes(void **state)
{
	expect("{\"a\":\"x\\\"}\\\\\"}\n{\"b\":2}",
	    "V@1:{\"a\":\"x\\\"}\\\\\"} | V@2:{\"b\":2}");
}

static void
test_pretty_concatenated(void **state)
{
	expect("{\n  \"a\": {\n    \"b\": 1\n  }\n}\n{\n  \"c\": 2\n}\n",
	    "V@1:{\n  \"a\": {\n    \"b\": 1\n  }\n} | V@6:{\n  \"c\": 2\n}");
}

static void
test_list_items(void **state)
{
	expect("{\n \"apiVersion\": \"v1\",\n \"items\": [\n  {\"kind\":\"Pod\"},\n"
	    "  {\"kind\":\"Pod\",\"x\":[1]}\n ],\n \"kind\": \"List\"\n}\n",
	    "I@4#0:{\"kind\":\"Pod\"} | I@5#1:{\"kind\":\"Pod\",\"x\":[1]} | "
	    "E:{\n \"apiVersion\": \"v1\",\n \"items\": [],\n \"kind\": "
	    "\"List\"\n}");
}

static void
test_nested_items_not_split(void **state)
{
	/* Only the top-level "items" is split; a nested one is not. */
	expect("{\"spec\":{\"items\":[1,2]}}",
	    "V@1:{\"spec\":{\"items\":[1,2]}}");
	/* A string value "items" is not a key. */
	expect("{\"k\":\"items\",\"v\":[1]}", "V@1:{\"k\":\"items\",\"v\":[1]}");
}

static void
test_pretty_array(void **state)
{
	/* An indented array is a document, not lines. */
	expect("[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": 2\n  }\n]\n",
	    "I@2#0:{\n    \"a\": 1\n  } | I@5#1:{\n    \"b\": 2\n  } | E:[]");
}

/*
 * A list opened alone whose items are compact objects at the start of
 * their lines: each line's object is the next item, not a new document
 * (a cut that left only the last one).
 */
static void
test_array_of_compact_lines(void **state)
{
	expect("[\n{\"a\":1},\n{\"b\":2},\n{\"c\":3}\n]\n",
	    "I@2#0:{\"a\":1} | I@3#1:{\"b\":2} | I@4#2:{\"c\":3} | E:[]");
	/* Among lines: the same, and the lines after it a value each. */
	expect("{\"x\":0}\n[\n{\"a\":1},\n{\"b\":2}\n]\n{\"y\":9}\n",
	    "V@1:{\"x\":0} | I@3#0:{\"a\":1} | I@4#1:{\"b\":2} | E:[] | "
	    "V@6:{\"y\":9}");
	/* An item cut short by a new compact document is still cut. */
	expect("[\n{\"a\":\n{\"b\":2}\n",
	    "R@2:JSON value c | V@3:{\"b\":2}");
}

static void
test_top_array(void **state)
{
	/* On a line of its own, a list's first scalar rejects the rest. */
	expect("[{\"a\":1}, {\"b\":[2]},3 ,\"s\", null]",
	    "I@1#0:{\"a\":1} | I@1#1:{\"b\":[2]} | R@1:a list on a ");
	expect("[1,2,3]\n{\"a\":1}\n", "R@1:a list on a  | V@2:{\"a\":1}");
	expect("[]", "E:[]");
}

/* One record per line: bytes after a value make the whole line a reject. */
static void
test_line_is_record(void **state)
{
	expect("{\"a\":1}\n{\"b\":2} junk\n{\"c\":3}\n",
	    "V@1:{\"a\":1} | R@2:bytes after  | V@3:{\"c\":3}");
	expect("{\"a\":1}\n{\"k\":\"E\",}}}\n{\"c\":3} \r\n",
	    "V@1:{\"a\":1} | R@2:bytes after  | V@3:{\"c\":3}");
	expect("{\"a\":1}\n{\"b\":2}{\"c\":3}", "V@1:{\"a\":1} | R@2:bytes after ");
}

static void
test_cut_line_keeps_neighbours(void **state)
{
	/* A JSON line cut in half, between two good ones. */
	expect("{\"a\":1}\n{\"b\":\"half\n{\"c\":3}\n",
	    "V@1:{\"a\":1} | R@2:JSON value c | V@3:{\"c\":3}");
	/* Cut outside a string. */
	expect("{\"a\":1}\n{\"b\":[1,\n{\"c\":3}\n",
	    "V@1:{\"a\":1} | R@2:JSON value c | V@3:{\"c\":3}");
}

static void
test_cut_at_end(void **state)
{
	expect("{\"a\":1}\n{\"b\":", "V@1:{\"a\":1} | R@2:JSON value c");
	expect("{\"items\":[{\"a\":1},{\"b\"",
	    "I@1#0:{\"a\":1} | R@1:JSON value c");
}

static void
test_garbage(void **state)
{
	expect("not json\n{\"a\":1}\nmore junk", 
	    "R@1:not JSON (ex | V@2:{\"a\":1} | R@3:not JSON (ex");
}

static void
test_bom(void **state)
{
	expect("\xef\xbb\xbf{\"a\":1}", "V@1:{\"a\":1}");
}

static void
test_compact_after_cut_pretty(void **state)
{
	/* A pretty document cut short, then a compact one at column 0. */
	expect("{\n  \"a\": [\n    1,\n{\"b\":2}\n",
	    "R@1:JSON value c | V@4:{\"b\":2}");
}

/*
 * Values a line each, then one pretty-printed (opened alone on its line):
 * read whole, and the lines after it a value each again.
 */
static void
test_lines_then_pretty(void **state)
{
	expect("{\"a\":1}\n{\n  \"b\": 2\n}\n{\"c\":3}\n",
	    "V@1:{\"a\":1} | V@2:{\n  \"b\": 2\n} | V@5:{\"c\":3}");
	expect("{\"items\":[{\"a\":1}]}\n{\n \"items\": [\n  {\"b\": 2}\n ]\n}\n"
	    "{\"c\":3} x\n",
	    "I@1#0:{\"a\":1} | E:{\"items\":[]} | I@4#0:{\"b\": 2} | "
	    "E:{\n \"items\": []\n} | R@7:bytes after ");
	expect("{\"a\":1}\n[\n 1,\n 2\n]\n",
	    "V@1:{\"a\":1} | I@3#0:1 | I@4#1:2 | E:[]");
	/* A lone "{" before a line-value: cut by it, as in pretty input. */
	expect("{\"a\":1}\n{\n{\"c\":3}\n",
	    "V@1:{\"a\":1} | R@2:JSON value c | V@3:{\"c\":3}");
}

static void
test_too_big(void **state)
{
	char *text = malloc(300000), *got;
	size_t n = 0;

	n += sprintf(text + n, "{\"a\":1}\n{\"big\":\"");
	memset(text + n, 'x', 200000);
	n += 200000;
	n += sprintf(text + n, "\"}\n{\"c\":3}\n");
	got = scan(text, n, 0, 1000);
	assert_string_equal(got, "V@1:{\"a\":1} | R@2:record large | "
	    "V@3:{\"c\":3}");
	free(got);
	free(text);
}

static void
test_too_deep(void **state)
{
	char text[20000];
	size_t n = 0;
	char *got;

	for (int i = 0; i < 5000; i++)
		text[n++] = '[';
	for (int i = 0; i < 5000; i++)
		text[n++] = ']';
	n += sprintf(text + n, "\n{\"ok\":1}\n");
	/* A top-level array is split; its deep element is refused. */
	got = scan(text, n, 0, 1 << 20);
	assert_string_equal(got, "R@1:JSON nested  | E:[] | V@2:{\"ok\":1}");
	free(got);
}

static void
test_nul_and_binary(void **state)
{
	const char text[] = "{\"a\":\"\0\"}\n\x01\x02\n{\"b\":1}";
	char *got = scan(text, sizeof(text) - 1, 0, 1 << 20);

	/* The NUL is passed through (jansson refuses it); junk is rejected. */
	assert_non_null(strstr(got, "R@2:not JSON"));
	assert_non_null(strstr(got, "V@3:{\"b\":1}"));
	free(got);
}

/* ---- the cloud readers' keys ---- */

static void
test_cloud_pages(void **state)
{
	/* Pages of filter-log-events, pretty and concatenated. */
	expect_keys("{\n  \"events\": [\n    {\"m\": \"a]}\"},\n    {\"m\": 2}\n"
	    "  ],\n  \"nextToken\": \"t\"\n}\n{\n  \"events\": [{\"m\":3}]\n}\n",
	    1 << 20, cloud_keys,
	    "I0@3#0:{\"m\": \"a]}\"} | I0@4#1:{\"m\": 2} | "
	    "E:{\n  \"events\": [],\n  \"nextToken\": \"t\"\n} | "
	    "I0@9#0:{\"m\":3} | E:{\n  \"events\": []\n}");
	/* get-query-results: rows that are arrays. */
	expect_keys("{\"results\":[[{\"field\":\"@message\",\"value\":\"x\"}]],"
	    "\"status\":\"Complete\"}", 1 << 20, cloud_keys,
	    "I2@1#0:[{\"field\":\"@message\",\"value\":\"x\"}] | "
	    "E:{\"results\":[],\"status\":\"Complete\"}");
}

static void
test_cloud_keys(void **state)
{
	/* records after other keys; "events" only at the top. */
	expect_keys("{\"x\":{\"events\":[1]},\"records\":[{\"a\":1},[2],\"s\",3]}",
	    1 << 20, cloud_keys,
	    "I1@1#0:{\"a\":1} | I1@1#1:[2] | I1@1#2:\"s\" | I1@1#3:3 | "
	    "E:{\"x\":{\"events\":[1]},\"records\":[]}");
	/* Every split key of a document, each array counted from 0. */
	expect_keys("{\"events\":[1],\"n\":0,\"records\":[{\"b\":2}]}", 1 << 20,
	    cloud_keys, "I0@1#0:1 | I1@1#0:{\"b\":2} | "
	    "E:{\"events\":[],\"n\":0,\"records\":[]}");
	/* A top-level array, and objects without a split key. */
	expect_keys("[{\"a\":1},{\"b\":2}]\n{\"logEvents\":[{\"m\":1}]}\n",
	    1 << 20, cloud_keys, "I-1@1#0:{\"a\":1} | I-1@1#1:{\"b\":2} | "
	    "E:[] | V@2:{\"logEvents\":[{\"m\":1}]}");
	/* A key that is a value is not a key; nor is one that is longer. */
	expect_keys("{\"k\":\"events\",\"v\":[1]}\n", 1 << 20, cloud_keys,
	    "V@1:{\"k\":\"events\",\"v\":[1]}");
	expect_keys("{\"eventsXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\":[1]}\n",
	    1 << 20, cloud_keys,
	    "V@1:{\"eventsXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\":[1]}");
	/* "items" is not one of them. */
	expect_keys("{\"items\":[1]}", 1 << 20, cloud_keys,
	    "V@1:{\"items\":[1]}");
}

static void
test_cloud_bad(void **state)
{
	char deep[200];
	size_t n = 0;

	/* One per line: a cut line is rejected, the next one read. */
	expect_keys("{\"events\":[{\"a\":1},{\"b\"\n{\"events\":[{\"c\":3}]}\n",
	    1 << 20, cloud_keys, "I0@1#0:{\"a\":1} | R@1:JSON value c | "
	    "I0@2#0:{\"c\":3} | E:{\"events\":[]}");
	/* Not JSON; cut at the end. */
	expect_keys("hello\n{\"events\":[{\"a\":", 1 << 20, cloud_keys,
	    "R@1:not JSON (ex | R@2:JSON value c");
	/* Too big and too deep: rejected, the array goes on. */
	expect_keys("{\"events\":[\"0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789\",7]}", 300,
	    cloud_keys, "R@1:record large | I0@1#1:7 | E:{\"events\":[]}");
	n += sprintf(deep + n, "{\"events\":[");
	for (int i = 0; i < 70; i++)
		deep[n++] = '[';
	deep[n++] = '1';
	for (int i = 0; i < 70; i++)
		deep[n++] = ']';
	sprintf(deep + n, ",8]}");
	expect_keys(deep, 1 << 20, cloud_keys,
	    "R@1:JSON nested  | I0@1#1:8 | E:{\"events\":[]}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_pretty_concatenated),
		cmocka_unit_test(test_list_items),
		cmocka_unit_test(test_nested_items_not_split),
		cmocka_unit_test(test_top_array),
		cmocka_unit_test(test_array_of_compact_lines),
		cmocka_unit_test(test_line_is_record),
		cmocka_unit_test(test_pretty_array),
		cmocka_unit_test(test_cut_line_keeps_neighbours),
		cmocka_unit_test(test_cut_at_end),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_compact_after_cut_pretty),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_nul_and_binary),
		cmocka_unit_test(test_lines_then_pretty),
		cmocka_unit_test(test_cloud_pages),
		cmocka_unit_test(test_cloud_keys),
		cmocka_unit_test(test_cloud_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
