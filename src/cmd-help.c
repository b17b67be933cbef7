/* kubesift help [COMMAND]: the command list, or one command's help. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "version.h"

void	ks_cmd_usage(FILE *fp, const struct ks_cmd *c);

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
		ks_cmd_error("help: no command %s", ctx->argv[0]);
		return KS_EXIT_USAGE;
	}
	printf("kubesift %s: offline forensics for Kubernetes clusters\n\n"
	    "usage: kubesift [-d FILE] [-o FORMAT] [-q] COMMAND [ARGS]\n\n"
	    "commands:\n", KS_VERSION);
	for (int i = 0; ks_cmds[i] != NULL; i++)
		printf("  %-10s %s\n", ks_cmds[i]->name, ks_cmds[i]->summary);
	printf("\nkubesift COMMAND --help shows a command's options; "
	    "man kubesift has it all.\n");
	return KS_EXIT_OK;
}

const struct ks_cmd ks_cmd_help = {
	.name = "help",
	.summary = "list the commands, or explain one",
	.usage = "[COMMAND]",
	.min_args = 0, .max_args = 1,
	.exec = exec_help,
};
