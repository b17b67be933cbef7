/*
 * kubesift help [COMMAND]: the overview (also `kubesift`, `kubesift -h`),
 * or one command's help (also `kubesift COMMAND --help`), both from the
 * command table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static int
exec_help(struct ks_ctx *ctx)
{
	if (ctx->argc == 1) {
		for (int i = 0; ks_cmds[i] != NULL; i++) {
			if (strcmp(ks_cmds[i]->name, ctx->argv[0]) == 0) {
				ks_cmd_usage(stdout, ks_cmds[i]);
				return KS_EXIT_OK;
			}
		}
		return ks_cmd_usage_error("help: no command %s (see kubesift "
		    "--help)", ctx->argv[0]);
	}
	ks_cmd_overview(stdout);
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_help = {
	.name = "help",
	.summary = "list the commands, or explain one",
	.usage = "[COMMAND]",
	.min_args = 0, .max_args = 1,
	.exec = exec_help,
};
