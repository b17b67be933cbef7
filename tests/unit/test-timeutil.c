/* Tests for RFC 3339 parsing and formatting: exact integer microseconds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/timeutil.h"

/* Expected values computed by hand: 2024-03-05 is day 19787 since 1970. */
static void
test_parse(void **state)
{
	static const struct { const char *s; int64_t us; } ok[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-03-05T10:11:12Z", 19787LL * 86400000000 + 36672000000 },
		{ "2024-03-05T10:11:12.1Z", 19787LL * 86400000000 + 36672100000 },
		{ "2024-03-05T10:11:12.123456Z", 19787LL * 86400000000 + 36672123456 },
		/* nanoseconds truncate, never round */
		{ "2024-03-05T10:11:12.999999999Z", 19787LL * 86400000000 + 36672999999 },
		{ "2024-03-05T12:11:12+02:00", 19787LL * 86400000000 + 36672000000 },
		{ "2024-03-05T05:41:12-04:30", 19787LL * 86400000000 + 36672000000 },
		{ "2024-03-05 10:11:12z", 19787LL * 86400000000 + 36672000000 },
		{ "2024-02-29T00:00:00Z", 19782LL * 86400000000 },
		{ "1969-12-31T23:59:59.5Z", -500000 },
		{ "2000-03-01T00:00:00Z", 11017LL * 86400000000 },
	};
	static const char *bad[] = {
		"", "2024-03-05", "2024-03-05T10:11:12", "2024-13-05T10:11:12Z",
		"2023-02-29T10:11:12Z", "2024-03-05T24:00:00Z",
		"2024-03-05T10:11:12.Z", "2024-03-05T10:11:12.1234567890Z",
		"2024-03-05T10:11:12+0200", "2024-03-05T10:11:12Zjunk",
		"2024-03-05X10:11:12Z", "2024-0a-05T10:11:12Z",
	};
	int64_t us;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (ks_time_parse(ok[i].s, strlen(ok[i].s), &us) != 0)
			fail_msg("refused %s", ok[i].s);
		if (us != ok[i].us)
			fail_msg("%s: got %lld want %lld", ok[i].s,
			    (long long)us, (long long)ok[i].us);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ks_time_parse(bad[i], strlen(bad[i]), &us) == 0)
			fail_msg("accepted %s", bad[i]);
}

static void
test_not_terminated(void **state)
{
	const char s[] = "2024-03-05T10:11:12ZXXXX";
	int64_t us;

	assert_int_equal(ks_time_parse(s, 20, &us), 0);
	assert_int_equal(us, 19787LL * 86400000000 + 36672000000);
}

static void
test_format_roundtrip(void **state)
{
	static const char *in[] = { "2024-03-05T10:11:12.123456Z",
	    "1969-12-31T23:59:59.500000Z", "2000-02-29T23:59:59.999999Z",
	    "1970-01-01T00:00:00.000000Z", "2400-12-31T00:00:00.000001Z" };
	char buf[KS_TIME_BUFSZ];
	int64_t us;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(ks_time_parse(in[i], strlen(in[i]), &us), 0);
		assert_string_equal(ks_time_format(us, buf), in[i]);
	}
}

/* Times from year 0 to 9999 (and around them) as libc's gmtime_r has
   them, microseconds after the dot. */
static void
test_format_gmtime(void **state)
{
	/* -62167219200: 0000-01-01; 253402300800: 10000-01-01. */
	const int64_t lo = -62167219200LL - 86400, hi = 253402300800LL + 86400;
	uint64_t x = 88172645463325252ULL;
	char buf[KS_TIME_BUFSZ], want[96];
	struct tm tm;
	time_t t;
	int64_t s, us;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s = i < 4 ? (int64_t[]){ lo + 86400, hi - 86401, 0, -1 }[i] :
		    lo + (int64_t)(x % (uint64_t)(hi - lo));
		us = (int64_t)(x >> 40) % 1000000;
		t = (time_t)s;
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(want, sizeof(want), "%04lld-%02d-%02dT%02d:%02d:%02d"
		    ".%06lldZ", (long long)tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (long long)us);
		assert_string_equal(ks_time_format(s * 1000000 + us, buf), want);
	}
}

/* Evidence times without a zone are UTC; a typed time must have one. */
static void
test_parse_utc(void **state)
{
	static const struct { const char *s; int64_t us; } ok[] = {
		{ "2022-11-29 00:09:04.38", 19325LL * 86400000000 + 544380000 },
		{ "2022-11-29T00:09:04", 19325LL * 86400000000 + 544000000 },
		{ "2022-11-29T02:09:04+02:00", 19325LL * 86400000000 + 544000000 },
	};
	static const char *bad[] = { "2022-11-29", "2022-11-29 00:09:0",
	    "2022-11-29 00:09:04.", "2022-11-29 00:09:04 UTC" };
	int64_t us;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(ks_time_parse_utc(ok[i].s, strlen(ok[i].s),
		    &us), 0);
		assert_int_equal(us, ok[i].us);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ks_time_parse_utc(bad[i], strlen(bad[i]),
		    &us), -1);
	assert_int_equal(ks_time_parse(ok[0].s, strlen(ok[0].s), &us), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_not_terminated),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_format_gmtime),
		cmocka_unit_test(test_parse_utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
