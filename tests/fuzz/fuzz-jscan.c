/*
 * The JSON splitter (src/formats/jscan.c) on arbitrary bytes, splitting "items"
 * (Lists, arrays, JSON Lines) or the cloud readers' keys (envelopes).  The
 * first byte chooses the chunk size of the reads, the limits and the keys;
 * the rest is the stream.  Checked: every record is NUL-terminated at its
 * length, values respect the record limit, keys are in range, the splitter
 * ends, and the records are the same whatever the chunking (as
 * tests/unit/test-jscan.c asserts for its cases).
 */
#include <string.h>

#include <nettle/sha2.h>

#include "fuzz.h"
#include "formats/jscan.h"

/* The keys of sniff-cloudwatch.c and sniff-aks.c. */
static const char *const cloud_keys[] = { "events", "records", "results",
    NULL };

/* Scan data[0..size) read chunk bytes at a time; hash the records. */
static void
scan(const uint8_t *data, size_t size, size_t chunk, int split,
    const struct ks_jscan_limits *lim, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct ks_memsrc m = { (const char *)data, size, 0, chunk };
	struct ks_input in;
	struct ks_jscan *js;
	struct ks_jrec r;
	struct sha256_ctx h;
	uint64_t n = 0;
	int rc, nkeys = split ? 3 : 1;

	sha256_init(&h);
	ks_input_init(&in, ks_input_fill_mem, &m, NULL);
	if ((js = ks_jscan_new(&in, lim, split ? cloud_keys :
	    ks_jscan_items)) == NULL)
		fuzz_fail("ks_jscan_new: out of memory");
	while ((rc = ks_jscan_next(js, &r)) == 1) {
		if (r.data == NULL || r.data[r.len] != '\0')
			fuzz_fail("record %llu not NUL-terminated",
			    (unsigned long long)n);
		/* The splitter raises a limit below its excerpt size. */
		if ((r.type == KS_JREC_VALUE || r.type == KS_JREC_ITEM) &&
		    r.len > (lim->max_record > 201 ? lim->max_record : 201))
			fuzz_fail("record of %zu bytes above the limit %zu",
			    r.len, lim->max_record);
		if (r.type == KS_JREC_REJECT && r.reason == NULL)
			fuzz_fail("reject without a reason");
		if (r.line == 0 && r.type != KS_JREC_END)
			fuzz_fail("record on line 0");
		if (r.key < -1 || r.key >= nkeys ||
		    (r.type != KS_JREC_ITEM && r.key != -1))
			fuzz_fail("record of type %d with key %d", r.type,
			    r.key);
		if (++n > 2 * (uint64_t)size + 16)
			fuzz_fail("more records (%llu) than bytes (%zu)",
			    (unsigned long long)n, size);
		sha256_update(&h, sizeof(r.type), (const uint8_t *)&r.type);
		sha256_update(&h, sizeof(r.line), (const uint8_t *)&r.line);
		sha256_update(&h, sizeof(r.index), (const uint8_t *)&r.index);
		sha256_update(&h, sizeof(r.key), (const uint8_t *)&r.key);
		sha256_update(&h, sizeof(r.len), (const uint8_t *)&r.len);
		sha256_update(&h, r.len, (const uint8_t *)r.data);
	}
	if (rc != 0)
		fuzz_fail("ks_jscan_next returned %d on memory input", rc);
	ks_jscan_free(js);
	ks_input_release(&in);
	sha256_digest(&h, SHA256_DIGEST_SIZE, digest);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t records[] = { 64, 4096, 65536, 1 << 20 };
	struct ks_jscan_limits lim;
	uint8_t a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];
	size_t chunk;
	int split;

	if (size < 1)
		return 0;
	chunk = 1 + data[0] % 7;
	lim.max_record = records[(data[0] >> 3) & 3];
	lim.max_depth = (data[0] & 0x20) ? 4 : 64;
	split = (data[0] & 0x40) != 0;
	scan(data + 1, size - 1, 0, split, &lim, a);
	scan(data + 1, size - 1, chunk, split, &lim, b);
	if (memcmp(a, b, sizeof(a)) != 0)
		fuzz_fail("records differ between whole reads and %zu-byte "
		    "reads", chunk);
	return 0;
}
