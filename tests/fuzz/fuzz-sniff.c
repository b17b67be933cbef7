/*
 * ks_peek and ks_sniff_choose (src/formats/sniff.c) on arbitrary heads.  The input
 * is "NAME\nHEAD" when a newline comes within its first 64 bytes (the
 * member name matters to some bids), else the whole input is the head of a
 * member named "data.json".  Checked: what ks_peek fills stays within its
 * arrays and is NUL-terminated, and bids stay on the documented scale.
 */
#include <string.h>

#include "fuzz.h"
#include "formats/sniff.h"

static void
check_str(const char *s, size_t cap, const char *what)
{
	if (memchr(s, '\0', cap) == NULL)
		fuzz_fail("ks_peek: %s not NUL-terminated", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 64 ? size : 64);
	const struct ks_sniffer *sn;
	struct ks_peek pk;
	char *name;
	const unsigned char *head = data;
	size_t n = size;
	int bid;

	if (nl != NULL) {
		name = strndup((const char *)data, (size_t)(nl - data));
		head = nl + 1;
		n = size - (size_t)(nl + 1 - data);
	} else
		name = strdup("data.json");
	if (name == NULL)
		return 0;
	if (n > KS_SNIFF_HEAD)
		n = KS_SNIFF_HEAD;
	ks_peek(head, n, &pk);
	if (pk.nkeys < 0 || pk.nkeys > KS_PEEK_KEYS ||
	    pk.nitem_keys < 0 || pk.nitem_keys > KS_PEEK_KEYS)
		fuzz_fail("ks_peek: %d keys, %d item keys", pk.nkeys,
		    pk.nitem_keys);
	for (int i = 0; i < pk.nkeys; i++)
		check_str(pk.keys[i], sizeof(pk.keys[i]), "key");
	for (int i = 0; i < pk.nitem_keys; i++)
		check_str(pk.item_keys[i], sizeof(pk.item_keys[i]), "item key");
	check_str(pk.kind, sizeof(pk.kind), "kind");
	check_str(pk.api_version, sizeof(pk.api_version), "apiVersion");
	(void)ks_peek_has(&pk, 0, "kind");
	(void)ks_peek_has(&pk, 1, "kind");
	sn = ks_sniff_choose(name, (uint64_t)n, head, n, &bid);
	if (bid < 0 || bid > 100 || (sn == NULL) != (bid == 0))
		fuzz_fail("ks_sniff_choose: bid %d from %s", bid,
		    sn ? sn->name : "nobody");
	free(name);
	return 0;
}
