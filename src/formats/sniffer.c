/*
 * ks_peek: a look at the keys of the first JSON value in a member's head,
 * without parsing it (the head is usually cut in the middle of the
 * document); and the lookup of a record's reader in the member's table.
 */
#include <stdio.h>
#include <string.h>

#include "formats/sniffer.h"

ks_json_fn
ks_sniff_record(const struct ks_member *m, const json_t *v)
{
	const struct ks_sniffer *const *f = m->formats;

	if (f == NULL)
		return NULL;
	for (; *f != NULL; f++)
		if ((*f)->claims != NULL && (*f)->claims(v))
			return (*f)->record;
	return NULL;
}

int
ks_peek_has(const struct ks_peek *peek, int item, const char *key)
{
	int n = item ? peek->nitem_keys : peek->nkeys;

	for (int i = 0; i < n; i++)
		if (strcmp(item ? peek->item_keys[i] : peek->keys[i], key) == 0)
			return 1;
	return 0;
}

/* The scanning state of ks_peek. */
struct peekst {
	struct ks_peek	*pk;
	int		 depth, in_str, esc;
	int		 item_depth;	/* depth of the first element's keys */
	int		 item_done;
	int		 want_key[4];	/* per depth 1..3: next string is a key */
	int		 capturing;	/* 1 key at depth 1, 2 item key, 3 value */
	char		 buf[64];
	size_t		 len;
	char		 last_key[32];	/* the last key at depth 1 */
	int		 after_colon;	/* depth 1: just after "key": */
	int		 items_next;	/* depth 1: "items": seen */
};

static void
end_string(struct peekst *s)
{
	struct ks_peek *pk = s->pk;

	s->buf[s->len] = '\0';
	if (s->capturing == 1) {
		if (pk->nkeys < KS_PEEK_KEYS)
			snprintf(pk->keys[pk->nkeys++], 32, "%.31s", s->buf);
		snprintf(s->last_key, sizeof(s->last_key), "%.31s", s->buf);
	} else if (s->capturing == 2 && pk->nitem_keys < KS_PEEK_KEYS)
		snprintf(pk->item_keys[pk->nitem_keys++], 32, "%.31s", s->buf);
	else if (s->capturing == 3 && strcmp(s->last_key, "kind") == 0)
		snprintf(pk->kind, sizeof(pk->kind), "%s", s->buf);
	else if (s->capturing == 3 && strcmp(s->last_key, "apiVersion") == 0)
		snprintf(pk->api_version, sizeof(pk->api_version), "%s", s->buf);
	s->capturing = 0;
}

static void
start_string(struct peekst *s)
{
	int d = s->depth;

	s->len = 0;
	if (d == 1 && !s->pk->array && s->want_key[1]) {
		s->capturing = 1;
		s->want_key[1] = 0;
	} else if (d == s->item_depth && !s->item_done && s->want_key[d]) {
		s->capturing = 2;
		s->want_key[d] = 0;
	} else if (d == 1 && s->after_colon)
		s->capturing = 3;
}

static void
open_container(struct peekst *s, char c)
{
	s->depth++;
	if (s->depth == 1) {
		s->pk->array = c == '[';
		s->want_key[1] = c == '{';
	} else if (c == '{' && s->item_depth == 0 && !s->item_done &&
	    ((s->pk->array && s->depth == 2) ||
	    (s->items_next && s->depth == 3)))
		s->item_depth = s->depth;
	if (s->depth == s->item_depth && c == '{')
		s->want_key[s->depth] = 1;
}

static void
other(struct peekst *s, char c)
{
	if (c == '{' || c == '[') {
		open_container(s, c);
	} else if (c == '}' || c == ']') {
		if (s->depth == s->item_depth)
			s->item_done = 1;
		s->depth--;
	} else if (c == ':' && s->depth == 1) {
		s->after_colon = 1;
		s->items_next = strcmp(s->last_key, "items") == 0;
		return;
	} else if (c == ',' && s->depth >= 1 && s->depth <= 3) {
		s->want_key[s->depth] = 1;
	}
	if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && s->depth <= 1)
		s->after_colon = 0;
}

void
ks_peek(const unsigned char *head, size_t n, struct ks_peek *pk)
{
	struct peekst s;
	size_t i = 0;

	memset(pk, 0, sizeof(*pk));
	memset(&s, 0, sizeof(s));
	s.pk = pk;
	for (size_t k = 0; k < n; k++)
		pk->lines += head[k] == '\n';
	if (n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' ||
	    head[i] == '\n' || head[i] == '\r'))
		i++;
	if (i == n || (head[i] != '{' && head[i] != '['))
		return;
	pk->json = 1;
	for (; i < n && !(s.depth == 0 && pk->nkeys + pk->array > 0); i++) {
		char c = (char)head[i];
		if (s.in_str) {
			if (s.esc)
				s.esc = 0;
			else if (c == '\\')
				s.esc = 1;
			else if (c == '"') {
				s.in_str = 0;
				end_string(&s);
				continue;
			}
			if (s.capturing && s.len < sizeof(s.buf) - 1)
				s.buf[s.len++] = c;
		} else if (c == '"') {
			s.in_str = 1;
			start_string(&s);
		} else
			other(&s, c);
	}
}
