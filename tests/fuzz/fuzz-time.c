/*
 * The timestamp parsers: ks_time_parse (src/util/timeutil.c) and the log-line
 * time of ks_denial_line_time (src/formats/denial-time.c), on bytes that are not
 * NUL-terminated.  Checked: a parsed time formats and parses back to
 * itself, and formatting any int64 stays inside its buffer.
 */
#include <string.h>

#include "formats/denial.h"
#include "fuzz.h"
#include "util/timeutil.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char buf[KS_TIME_BUFSZ + 1];
	int64_t us, back, raw;

	buf[KS_TIME_BUFSZ] = 'X';
	if (ks_time_parse(s, size, &us) == 0) {
		ks_time_format(us, buf);
		if (ks_time_parse(buf, strlen(buf), &back) == 0 && back != us)
			fuzz_fail("%.*s parsed as %lld, formatted as %s, which "
			    "parses as %lld", (int)size, s, (long long)us, buf,
			    (long long)back);
	}
	if (size >= 8) {
		memcpy(&raw, data, sizeof(raw));
		ks_time_format(raw, buf);
		if (strlen(buf) >= KS_TIME_BUFSZ || buf[KS_TIME_BUFSZ] != 'X')
			fuzz_fail("ks_time_format overflowed its buffer");
	}
	(void)ks_denial_line_time(s, size, 2024);
	(void)ks_denial_line_time(s, size, size ? data[0] * 20 : 0);
	return 0;
}
