#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "out/textesc.h"
#include "out/yamlout.h"

/* A JSON string as a YAML double-quoted scalar (JSON escapes are YAML's). */
static void
scalar_string(FILE *fp, const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(q ? q : "\"\"", fp);
	free(q);
	json_decref(j);
}

static void
scalar(FILE *fp, const json_t *v)
{
	char *text;

	if (json_is_string(v)) {
		scalar_string(fp, json_string_value(v), json_string_length(v));
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	fputs(text ? text : "null", fp);
	free(text);
}

static int
empty_container(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v) == 0) ||
	    (json_is_array(v) && json_array_size(v) == 0);
}

/* A key that YAML reads as the same string without quotes. */
static int
plain_key(const char *k)
{
	static const char *const words[] = { "y", "n", "yes", "no", "on", "off",
	    "true", "false", "null", NULL };

	if (*k == '\0' || strchr("-?:,[]{}#&*!|>'\"%@`", *k) != NULL)
		return 0;
	for (const char *p = k; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("._/-", *p)))
			return 0;
	for (int i = 0; words[i] != NULL; i++)
		if (strcasecmp(k, words[i]) == 0)
			return 0;
	return !isdigit((unsigned char)*k);
}

static void node(FILE *fp, const json_t *v, int indent, int inline_first);

/* The value after "key:" or "- ": inline when scalar, else below. */
static void
value(FILE *fp, const json_t *v, int indent)
{
	if (empty_container(v)) {
		fputs(json_is_object(v) ? " {}\n" : " []\n", fp);
	} else if (json_is_object(v) || json_is_array(v)) {
		fputc('\n', fp);
		node(fp, v, indent, 0);
	} else {
		fputc(' ', fp);
		scalar(fp, v);
		fputc('\n', fp);
	}
}

/*
 * Write v at indent.  With inline_first, the first line continues the
 * current one (after "- "), so a list of objects reads "- key: value".
 */
static void
node(FILE *fp, const json_t *v, int indent, int inline_first)
{
	const char *key;
	json_t *child;
	size_t i;
	int first = 1;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			if (!(first && inline_first))
				fprintf(fp, "%*s", indent, "");
			first = 0;
			if (plain_key(key))
				fputs(key, fp);
			else
				scalar_string(fp, key, strlen(key));
			fputc(':', fp);
			value(fp, child, indent + 2);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			if (!(first && inline_first))
				fprintf(fp, "%*s", indent, "");
			first = 0;
			if (json_is_object(child) && !empty_container(child)) {
				fputs("- ", fp);
				node(fp, child, indent + 2, 1);
			} else {
				fputc('-', fp);
				value(fp, child, indent + 2);
			}
		}
	} else {
		if (!inline_first)
			fprintf(fp, "%*s", indent, "");
		scalar(fp, v);
		fputc('\n', fp);
	}
}

int
ks_yaml_write(FILE *fp, const json_t *v)
{
	if (empty_container(v))
		fputs(json_is_object(v) ? "{}\n" : "[]\n", fp);
	else
		node(fp, v, 0, 0);
	return ferror(fp) ? -1 : 0;
}

/*
 * Evidence text goes into comments escaped (textesc.h): a carriage return
 * or another line break from the evidence would end the comment and turn
 * the rest of the line into YAML.
 */
void
ks_yaml_comment(FILE *fp, const char *text)
{
	const char *p = text, *nl;
	char *esc;
	size_t n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		esc = ks_textesc_dup(p, n, 0, NULL);
		fprintf(fp, "# %s\n", esc ? esc : "");
		free(esc);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}
