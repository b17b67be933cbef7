/*
 * Tests for the gzip layers: trailers checked, members concatenated,
 * padding and garbage after the last member, gzip inside gzip.  Each case
 * runs with the compressed bytes arriving whole and one at a time, so that
 * a header or a trailer split between reads is covered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "input/gunzip.h"

/* Append the gzip of len bytes at p to *buf (realloc'd), at *n. */
static void
gz_append(char **buf, size_t *n, const char *p, size_t len)
{
	z_stream zs;
	size_t cap = deflateBound(NULL, len) + 64;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	*buf = realloc(*buf, *n + cap);
	assert_non_null(*buf);
	zs.next_in = (unsigned char *)p;
	zs.avail_in = (uInt)len;
	zs.next_out = (unsigned char *)*buf + *n;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*n += cap - zs.avail_out;
	deflateEnd(&zs);
}

static void
raw_append(char **buf, size_t *n, const char *p, size_t len)
{
	*buf = realloc(*buf, *n + len);
	assert_non_null(*buf);
	memcpy(*buf + *n, p, len);
	*n += len;
}

struct result {
	char	 out[256];
	size_t	 len;
	char	 fault[512];	/* "" when none */
	uint64_t trailing;
	int	 layer;
	uint64_t raw;
};

/* Read p through the layers, chunk bytes per read of the source. */
static void
run(const char *p, size_t n, size_t chunk, struct result *r)
{
	struct ks_memsrc m = { p, n, 0, chunk };
	struct ks_input src, *out;
	struct ks_gunzip *gz;
	const unsigned char *q;
	size_t k;

	memset(r, 0, sizeof(*r));
	ks_input_init(&src, ks_input_fill_mem, &m, NULL);
	gz = ks_gunzip_new(&src, 0);
	assert_non_null(gz);
	out = ks_gunzip_output(gz);
	for (;;) {
		q = ks_input_peek(out, 1, &k);
		if (k == 0)
			break;
		assert_true(r->len + k < sizeof(r->out));
		memcpy(r->out + r->len, q, k);
		r->len += k;
		ks_input_consume(out, k);
	}
	assert_false(out->failed);
	if (ks_gunzip_fault(gz) != NULL)
		snprintf(r->fault, sizeof(r->fault), "%s", ks_gunzip_fault(gz));
	r->trailing = ks_gunzip_trailing(gz, &r->layer);
	r->raw = ks_gunzip_raw_bytes(gz);
	ks_gunzip_free(gz);
	ks_input_release(&src);
}

/* run() whole and byte by byte: the same result both ways. */
static void
run2(const char *p, size_t n, struct result *r)
{
	struct result one;

	run(p, n, 1, &one);
	run(p, n, 0, r);
	assert_int_equal(one.len, r->len);
	assert_memory_equal(one.out, r->out, r->len);
	assert_string_equal(one.fault, r->fault);
	assert_int_equal(one.trailing, r->trailing);
}

static void
test_members(void **state)
{
	char *b = NULL;
	size_t n = 0;
	struct result r;

	gz_append(&b, &n, "first\n", 6);
	gz_append(&b, &n, "second\n", 7);
	gz_append(&b, &n, "", 0);		/* bgzip's end block */
	run2(b, n, &r);
	assert_int_equal(r.len, 13);
	assert_memory_equal(r.out, "first\nsecond\n", 13);
	assert_string_equal(r.fault, "");
	assert_int_equal(r.trailing, 0);
	assert_int_equal(r.raw, n);
	free(b);
}

static void
test_trailer(void **state)
{
	char *b = NULL;
	size_t n = 0;
	struct result r;

	gz_append(&b, &n, "evidence\n", 9);
	b[n - 8] ^= 1;				/* the CRC-32 */
	run2(b, n, &r);
	assert_memory_equal(r.out, "evidence\n", 9);
	assert_string_equal(r.fault, "gzip: incorrect data check");
	b[n - 8] ^= 1;
	b[n - 1] ^= 1;				/* ISIZE */
	run2(b, n, &r);
	assert_string_equal(r.fault, "gzip: incorrect length check");
	run2(b, n - 8, &r);			/* no trailer */
	assert_memory_equal(r.out, "evidence\n", 9);
	assert_non_null(strstr(r.fault, "cut short"));
	free(b);
}

static void
test_after(void **state)
{
	static const char zeros[1000];
	char *b = NULL;
	size_t n = 0, good;
	struct result r;

	gz_append(&b, &n, "x\n", 2);
	raw_append(&b, &n, zeros, sizeof(zeros));
	run2(b, n, &r);
	assert_int_equal(r.len, 2);
	assert_string_equal(r.fault, "");
	assert_int_equal(r.trailing, 0);	/* padding: accepted */
	raw_append(&b, &n, "junk", 4);
	run2(b, n, &r);
	assert_int_equal(r.len, 2);
	assert_string_equal(r.fault, "");
	assert_int_equal(r.trailing, 1004);	/* all of it, not read */
	assert_int_equal(r.layer, 1);
	/* A lone byte of a gzip magic after the last member is garbage. */
	good = n = n - 1004;
	raw_append(&b, &n, "\x1f", 1);
	run2(b, n, &r);
	assert_int_equal(r.trailing, 1);
	/* A second header that does not go on is a fault, not garbage. */
	n = good;
	raw_append(&b, &n, "\x1f\x8b\x08\x00", 4);
	run2(b, n, &r);
	assert_int_equal(r.len, 2);
	assert_non_null(strstr(r.fault, "cut short"));
	free(b);
}

static void
test_nested(void **state)
{
	char *in = NULL, *b = NULL;
	size_t nin = 0, n = 0;
	struct result r;

	gz_append(&in, &nin, "deep\n", 5);
	gz_append(&b, &n, in, nin);
	raw_append(&b, &n, "tail", 4);
	run2(b, n, &r);
	assert_int_equal(r.len, 5);		/* both layers unwrapped */
	assert_memory_equal(r.out, "deep\n", 5);
	assert_string_equal(r.fault, "");
	assert_int_equal(r.trailing, 4);
	assert_int_equal(r.layer, 1);
	/* The inner layer's trailer is checked too. */
	in[nin - 5] ^= 1;
	n = 0;
	gz_append(&b, &n, in, nin);
	run2(b, n, &r);
	assert_memory_equal(r.out, "deep\n", 5);
	assert_string_equal(r.fault, "gzip: incorrect data check");
	free(in);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_trailer),
		cmocka_unit_test(test_after),
		cmocka_unit_test(test_nested),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
