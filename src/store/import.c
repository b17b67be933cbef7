#include <stdarg.h>
#include <stdio.h>

#include "store/import.h"

void
ks_import_warn(struct ks_import *imp, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (imp->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	imp->warn(imp->cb_arg, msg);
}
