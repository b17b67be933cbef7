#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fault.h"

static int armed = -1;		/* -1 unread, 0 off, 1 on */
static int point;
static unsigned long remaining;

static void
arm(void)
{
	static const char *const names[] = { "record", "commit", "index" };
	const char *v = getenv("KUBESIFT_FAULT"), *colon;

	armed = 0;
	if (v == NULL || (colon = strchr(v, ':')) == NULL)
		return;
	for (int i = 0; i < 3; i++) {
		if (strncmp(v, names[i], (size_t)(colon - v)) == 0 &&
		    strlen(names[i]) == (size_t)(colon - v)) {
			point = i;
			remaining = strtoul(colon + 1, NULL, 10);
			armed = remaining > 0;
		}
	}
}

void
ks_fault(enum ks_fault_point p)
{
	if (armed < 0)
		arm();
	if (armed && (int)p == point && --remaining == 0)
		kill(getpid(), SIGKILL);
}
