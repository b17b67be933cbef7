/*
 * --at TIME for who-can and can: the RBAC rebuilt as it stood at TIME
 * (rbac/rbacat.h), with what the rebuilding could not know said on
 * standard error.
 */
#ifndef KS_AT_OPT_H
#define KS_AT_OPT_H

#include <jansson.h>
#include <sqlite3.h>

#include "rbac/rbacat.h"
#include "util/err.h"

/*
 * Rebuild the RBAC at arg (RFC 3339, a date, or -2h etc. before the last
 * event, as --since takes).  Says on stderr (unless quiet) what it was
 * rebuilt from and the warnings, each line after "kubesift: CMD: ".  A new
 * struct, or NULL with err and *usage set when arg is not a time.
 */
struct ks_rbac_at *ks_at_opt_build(sqlite3 *db, int quiet, const char *cmd,
	    const char *arg, int *usage, struct ks_err *err);

/* List the unknown objects (entries of ks_rbac_at.unknown) on stderr,
   one a line, unless quiet. */
void	ks_at_opt_unknown(int quiet, const char *cmd, const json_t *unknown);

#endif
