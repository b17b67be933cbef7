/*
 * Tests for the raw bytes stored without what their row repeats
 * (store/raw-elide.h): whatever the bytes, elided then restored they are
 * the same; the stored size is what was taken out plus the offsets; a
 * stored event cut short or with offsets that do not fit is refused, never
 * read past.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/raw-elide.h"
#include "util/timeutil.h"

#define ID	"0f8e3c2a-1b4d-4e6f-8a9b-0c1d2e3f4a5b"
/* 2024-03-05T10:11:12.123456Z and half a second later. */
#define T1	(19787LL * 86400000000 + 36672123456)
#define T2	(T1 + 500000)

static struct ks_raw_known
known(const char *id, int64_t received, int64_t stage)
{
	struct ks_raw_known k = { .id = id, .idlen = id ? strlen(id) : 0,
	    .received_us = received, .stage_us = stage };
	return k;
}

/* p elided and restored by k: the same bytes; the stored size back. */
static size_t
round_trip(const char *p, size_t n, const struct ks_raw_known *k)
{
	char *st = malloc(n + KS_RAW_ELIDE_MAX), *back = malloc(n + 1);
	size_t sn;

	assert_non_null(st);
	assert_non_null(back);
	sn = ks_raw_elide(p, n, k, st);
	assert_true(sn <= n + KS_RAW_ELIDE_MAX);
	assert_int_equal(ks_raw_restore(st, sn, n, k, back), (long)sn);
	assert_memory_equal(back, p, n);
	/* Cut one byte short: refused. */
	if (sn > 0)
		assert_int_equal(ks_raw_restore(st, sn - 1, n, k, back), -1);
	free(st);
	free(back);
	return sn;
}

/* Hand-counted sizes: three varints, then the bytes without the texts. */
static void
test_sizes(void **state)
{
	char t1[KS_TIME_BUFSZ], t2[KS_TIME_BUFSZ], buf[512];
	struct ks_raw_known k = known(ID, T1, T2);

	(void)state;
	ks_time_format(T1, t1);
	ks_time_format(T2, t2);
	assert_string_equal(t1, "2024-03-05T10:11:12.123456Z");
	/* Nothing of the row in it: three 0 bytes more. */
	assert_int_equal(round_trip("{}", 2, &k), 5);
	/* The auditID at 12, the times at 68 and 105 (all below 127). */
	snprintf(buf, sizeof(buf), "{\"auditID\":\"%s\",\"received\":\"%s\","
	    "\"stage\":\"%s\"}", ID, t1, t2);
	assert_int_equal(round_trip(buf, strlen(buf), &k),
	    3 + strlen(buf) - 36 - 27 - 27);
	/* The same time twice, the stage's the second place. */
	k = known(ID, T1, T1);
	snprintf(buf, sizeof(buf), "%s %s %s", t1, ID, t1);
	assert_int_equal(round_trip(buf, strlen(buf), &k), 3 + 2);
	/* Only once written: the stage time stays unsaid. */
	snprintf(buf, sizeof(buf), "%s %s", t1, ID);
	assert_int_equal(round_trip(buf, strlen(buf), &k), 3 + 1);
	/* No row values at all. */
	k = known(NULL, KS_TIME_NONE, KS_TIME_NONE);
	assert_int_equal(round_trip(buf, strlen(buf), &k), 3 + strlen(buf));
	/* An empty auditID is not looked for. */
	k = known("", KS_TIME_NONE, KS_TIME_NONE);
	assert_int_equal(round_trip(buf, strlen(buf), &k), 3 + strlen(buf));
	/* An offset of 200: a varint of two bytes. */
	memset(buf, 'x', 200);
	strcpy(buf + 200, ID);
	k = known(ID, KS_TIME_NONE, KS_TIME_NONE);
	assert_int_equal(round_trip(buf, strlen(buf), &k), 4 + 200);
}

/* Random bytes over a small alphabet with the texts put in at random. */
static void
test_random(void **state)
{
	static const char alpha[] = "0123456789abcdef-:.TZ2024\"{}";
	char t[2][KS_TIME_BUFSZ], buf[600];
	const char *texts[4] = { ID, t[0], t[1], "2024-03-05T10:11:1" };

	(void)state;
	ks_time_format(T1, t[0]);
	ks_time_format(T2, t[1]);
	srand(7);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)rand() % 300;
		struct ks_raw_known k = known(rand() % 4 ? ID : NULL,
		    rand() % 4 ? T1 : KS_TIME_NONE, rand() % 4 ? (rand() % 2 ?
		    T2 : T1) : KS_TIME_NONE);
		for (size_t i = 0; i < n; i++)
			buf[i] = alpha[rand() % (int)(sizeof(alpha) - 1)];
		for (int j = rand() % 5; j > 0; j--) {
			const char *x = texts[rand() % 4];
			size_t at = n ? (size_t)rand() % n : 0, xl = strlen(x);
			memmove(buf + at + xl, buf + at, n - at);
			memcpy(buf + at, x, xl);
			n += xl;
		}
		round_trip(buf, n, &k);
	}
}

/* Offsets that do not fit the bytes: refused. */
static void
test_bad(void **state)
{
	struct ks_raw_known k = known(ID, T1, KS_TIME_NONE);
	char out[64];

	(void)state;
	/* An auditID at 10 in bytes of 20: past their end. */
	assert_int_equal(ks_raw_restore("\x0b\x00\x00" "0123456789", 13, 20,
	    &k, out), -1);
	/* A stage time said where the row has none. */
	assert_int_equal(ks_raw_restore("\x00\x00\x01" "0123456789", 13, 10,
	    &k, out), -1);
	/* Two places overlapping. */
	assert_int_equal(ks_raw_restore("\x01\x02\x00" "0123456789", 13, 73,
	    &k, out), -1);
	/* The received time ending the bytes (valid alone), the stage time
	   past their end: refused before anything is copied (ASan would
	   see a read past the stored bytes). */
	k = known(NULL, T1, T2);
	assert_int_equal(ks_raw_restore("\x00\x22\x3c" "012345", 9, 60, &k,
	    out), -1);
	/* A varint that never ends. */
	assert_int_equal(ks_raw_restore("\x80\x80\x80", 3, 10, &k, out), -1);
	/* Fewer bytes than said. */
	assert_int_equal(ks_raw_restore("\x00\x00\x00" "0123", 7, 10, &k,
	    out), -1);
	/* Just right. */
	assert_int_equal(ks_raw_restore("\x00\x00\x00" "0123456789", 13, 10,
	    &k, out), 13);
	assert_memory_equal(out, "0123456789", 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
