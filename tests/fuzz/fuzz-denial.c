/*
 * The plain-log denial parser (src/denial*.c) on one arbitrary line: NUL
 * bytes, invalid UTF-8, no terminator.  Checked, as denial.h promises:
 * every string filled in is NUL-terminated valid UTF-8, the denial lies
 * inside the line, the reason is bounded; ks_denial_unescape keeps its
 * length bound and gives valid UTF-8.
 */
#include <string.h>

#include "formats/denial.h"
#include "fuzz.h"
#include "util/timeutil.h"

static void
check(const char *what, const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n > max)
		fuzz_fail("%s: %zu bytes, more than %zu", what, n, max);
	if (!fuzz_utf8_ok(s, n))
		fuzz_fail("%s: not valid UTF-8", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct ks_denial d;
	char *u;
	int rc;

	rc = ks_denial_parse(s, size, 2024, &d);
	if (rc == 1) {
		check("user", d.user, size * 3 + 16);
		check("verb", d.verb, size * 3 + 16);
		check("resource", d.resource, size * 3 + 16);
		check("subresource", d.subresource, size * 3 + 16);
		check("api_group", d.api_group, size * 3 + 16);
		check("namespace", d.namespace, size * 3 + 16);
		check("name", d.name, size * 3 + 16);
		check("path", d.path, size * 3 + 16);
		check("reason", d.reason, KS_DENIAL_MAX_REASON);
		if (d.user == NULL || d.verb == NULL)
			fuzz_fail("a denial without user or verb");
		if (d.start > d.end || d.end > size)
			fuzz_fail("denial at [%zu, %zu) of a %zu-byte line",
			    d.start, d.end, size);
		(void)ks_denial_form_name(d.form);
	} else if (rc != 0)
		fuzz_fail("ks_denial_parse returned %d", rc);
	ks_denial_clear(&d);
	if (size > 0) {
		size_t max = data[0] < 128 ? data[0] : 4096;
		u = ks_denial_unescape(s, size, 1 + data[0] % 3, max);
		if (u == NULL)
			fuzz_fail("ks_denial_unescape: NULL");
		if (strlen(u) > max)
			fuzz_fail("ks_denial_unescape: %zu bytes, max %zu",
			    strlen(u), max);
		if (!fuzz_utf8_ok(u, strlen(u)))
			fuzz_fail("ks_denial_unescape: not valid UTF-8");
		free(u);
	}
	return 0;
}
