#include <stdarg.h>
#include <stdio.h>

#include "util/err.h"

int
ks_err_set(struct ks_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
ks_err_clear(struct ks_err *err)
{
	if (err != NULL)
		err->msg[0] = '\0';
}
