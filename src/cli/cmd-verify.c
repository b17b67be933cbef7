/*
 * kubesift verify: the chain of custody checked (store/verify.c).  Each
 * thing that differs is named on standard error; the counts go to standard
 * output.  Exit 0 when everything matches, 1 otherwise.
 */
#include <stdio.h>

#include "cli/cmd.h"
#include "store/verify.h"

static void
say_differs(void *arg, const char *msg)
{
	(void)arg;
	ks_cmd_error("verify: %s", msg);
}

static int
exec_verify(struct ks_ctx *ctx)
{
	struct ks_verify v = { .differs = say_differs };
	struct ks_err err;

	if (ks_verify_run(ctx->db, &v, &err) < 0) {
		ks_cmd_error("verify: %s", err.msg);
		return KS_EXIT_ERROR;
	}
	printf("%llu audit %s %s SHA-256 (%llu raw %s), %llu kept "
	    "without raw bytes; %llu %s, %llu cluster %s match; %llu %s "
	    "read again %s, %llu not at %s path\n",
	    (unsigned long long)v.events, ks_cmd_plural(v.events, "event",
	    "events"), v.events == 1 ? "matches its" : "match their",
	    (unsigned long long)v.blocks, ks_cmd_plural(v.blocks,
	    "block", "blocks"), (unsigned long long)v.hash_only,
	    (unsigned long long)v.objects, ks_cmd_plural(v.objects, "object",
	    "objects"), (unsigned long long)v.cluster,
	    ks_cmd_plural(v.cluster, "event", "events"),
	    (unsigned long long)v.sources, ks_cmd_plural(v.sources, "input",
	    "inputs"), v.sources == 1 ? "matches" : "match",
	    (unsigned long long)v.unreachable, v.unreachable == 1 ? "its" :
	    "their");
	if (v.bad > 0) {
		ks_cmd_error("verify: %llu %s", (unsigned long long)v.bad,
		    v.bad == 1 ? "thing differs" : "things differ");
		return KS_EXIT_ERROR;
	}
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_verify = {
	.name = "verify",
	.summary = "hash every stored record and every input again; name "
	    "what differs",
	.usage = "",
	.min_args = 0, .max_args = 0,
	.flags = KS_CMD_DB_RO,
	.exec = exec_verify,
};
