#include <stdarg.h>
#include <stdio.h>

#include "formats/member.h"

void
ks_member_warn(struct ks_member *m, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->sink->warn(m, msg);
}
