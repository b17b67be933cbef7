/*
 * YAML documents as JSON (yamldoc.h), through libyaml's document loader.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "formats/member.h"
#include "formats/yamldoc.h"

int
ks_yaml_head_has(const unsigned char *head, size_t n, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; i + k <= n; i++) {
		if (i > 0 && head[i - 1] != '\n')
			continue;
		if (i + 2 + k <= n && head[i] == '-' && head[i + 1] == ' ')
			i += 2;
		if (memcmp(head + i, key, k) == 0)
			return 1;
	}
	return 0;
}

int
ks_yaml_head_text(const unsigned char *head, size_t n, int json)
{
	return !json && memchr(head, '\0', n) == NULL;
}

/* libyaml pulls the member's bytes through this. */
static int
read_input(void *data, unsigned char *buf, size_t size, size_t *got)
{
	struct ks_input *in = data;
	const unsigned char *p = ks_input_peek(in, 1, got);

	if (*got == 0)
		return !in->failed;
	if (*got > size)
		*got = size;
	memcpy(buf, p, *got);
	ks_input_consume(in, *got);
	return 1;
}

/* A plain scalar as YAML 1.1 reads it: null, booleans, numbers, text. */
static json_t *
plain(const char *s, size_t n)
{
	char *end;
	long long i;
	double d;

	if (n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0)
		return json_false();
	errno = 0;
	i = strtoll(s, &end, 10);
	if (*end == '\0' && errno == 0)
		return json_integer(i);
	d = strtod(s, &end);
	if (*end == '\0' && errno == 0 && strchr("0123456789-+.", s[0]))
		return json_real(d);
	return json_stringn(s, n);
}

/*
 * The JSON of a YAML node.  depth bounds hostile nesting and *budget the
 * nodes written, since aliases can make a small document expand without
 * end ("billion laughs").
 */
static json_t *
to_json(yaml_document_t *doc, yaml_node_t *node, int depth, long *budget)
{
	json_t *out;

	if (node == NULL || depth > 256 || --*budget < 0)
		return NULL;
	switch (node->type) {
	case YAML_SCALAR_NODE:
		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			return plain((const char *)node->data.scalar.value,
			    node->data.scalar.length);
		return json_stringn((const char *)node->data.scalar.value,
		    node->data.scalar.length);
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (yaml_node_item_t *it = node->data.sequence.items.start;
		    it < node->data.sequence.items.top; it++)
			json_array_append_new(out, to_json(doc,
			    yaml_document_get_node(doc, *it), depth + 1, budget));
		return out;
	case YAML_MAPPING_NODE:
		out = json_object();
		for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
		    p < node->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (k == NULL || k->type != YAML_SCALAR_NODE)
				continue;
			json_object_set_new(out, (const char *)
			    k->data.scalar.value, to_json(doc,
			    yaml_document_get_node(doc, p->value), depth + 1,
			    budget));
		}
		return out;
	default:
		return NULL;
	}
}

int
ks_yaml_each(struct ks_member *m, ks_yaml_fn fn, void *arg,
    struct ks_err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	json_t *v;
	char why[256];
	long budget;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return ks_err_set(err, "out of memory");
	yaml_parser_set_input(&parser, read_input, m->in);
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			/* libyaml cannot go on after an error: one reject. */
			snprintf(why, sizeof(why), "invalid YAML: %s (line %zu)",
			    parser.problem ? parser.problem : "?",
			    parser.problem_mark.line + 1);
			rc = ks_emit_reject(m, parser.problem_mark.line + 1, why,
			    NULL, 0, err);
			break;
		}
		if ((root = yaml_document_get_root_node(&doc)) == NULL) {
			yaml_document_delete(&doc);
			break;			/* the end of the stream */
		}
		budget = 1000000;
		v = to_json(&doc, root, 0, &budget);
		if (budget < 0)
			rc = ks_emit_reject(m, root->start_mark.line + 1,
			    "YAML document expands to more than a million "
			    "nodes (aliases?)", NULL, 0, err);
		else if (json_is_object(v))
			rc = fn(m, v, root->start_mark.line + 1, arg, err);
		json_decref(v);
		yaml_document_delete(&doc);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}
