/*
 * The YAML writer: what it writes, read back with libyaml, is the same
 * JSON; hostile strings stay strings and comments stay comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "out/yamlout.h"

/* Every scalar event of the YAML text, in order, "s:" quoted or "p:" plain. */
static char *
events(const char *text)
{
	yaml_parser_t p;
	yaml_event_t ev;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	int done = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text,
	    strlen(text));
	while (!done) {
		if (!yaml_parser_parse(&p, &ev))
			fail_msg("YAML does not parse: %s\n%s", p.problem, text);
		if (ev.type == YAML_SCALAR_EVENT)
			fprintf(fp, "%s%s|", ev.data.scalar.style ==
			    YAML_PLAIN_SCALAR_STYLE ? "p:" : "s:",
			    ev.data.scalar.value);
		if (ev.type == YAML_MAPPING_START_EVENT)
			fputs("{", fp);
		if (ev.type == YAML_SEQUENCE_START_EVENT)
			fputs("[", fp);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	fclose(fp);
	return out;
}

static char *
write_yaml(const char *json)
{
	json_t *v = json_loads(json, 0, NULL);
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(v);
	assert_int_equal(ks_yaml_write(fp, v), 0);
	fclose(fp);
	json_decref(v);
	return out;
}

static void
test_manifest(void **state)
{
	char *y = write_yaml("{\"apiVersion\":\"v1\",\"kind\":\"Role\","
	    "\"metadata\":{\"name\":\"on\",\"labels\":{\"a/b\":\"1.30\"}},"
	    "\"rules\":[{\"apiGroups\":[\"\"],\"verbs\":[\"get\",\"yes\"]}],"
	    "\"n\":1,\"t\":true,\"z\":null,\"e\":[],\"o\":{}}");
	char *e = events(y);

	/* Values stay strings ("on", "yes", "1.30"); the key "n" is quoted, as
	   YAML 1.1 would read it as false. */
	assert_string_equal(e, "{p:apiVersion|s:v1|p:kind|s:Role|p:metadata|"
	    "{p:name|s:on|p:labels|{p:a/b|s:1.30|p:rules|[{p:apiGroups|[s:|"
	    "p:verbs|[s:get|s:yes|s:n|p:1|p:t|p:true|p:z|p:null|p:e|[p:o|{");
	free(e);
	free(y);
}

static void
test_hostile_strings(void **state)
{
	char *y = write_yaml("{\"name\":\"x\\n---\\nkind: Evil\\r# \\u001b[2J\","
	    "\"y: z\":\"- a\"}");
	char *e = events(y);

	assert_non_null(strstr(e, "s:x\n---\nkind: Evil\r# \x1b[2J|"));
	assert_non_null(strstr(e, "s:y: z|s:- a|"));
	assert_null(strchr(y, '\r'));
	free(e);
	free(y);
}

static void
test_comment(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	char *e;

	ks_yaml_comment(fp, "evidence: user \"x\r\nkind: Evil\"\nsecond line");
	fputs("a: 1\n", fp);
	fclose(fp);
	/* A carriage return from the evidence must not end the comment. */
	e = events(out);
	assert_string_equal(e, "{p:a|p:1|");
	free(e);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_comment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
