/*
 * kubesift help [COMMAND]: the overview (also `kubesift`, `kubesift -h`),
 * or one command's help (also `kubesift COMMAND --help`), both from the
 * command table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "util/version.h"

/* The options of o, one a line; -o only when formats are taken. */
static void
print_opts(FILE *fp, const struct ks_opt *o, int with_o)
{
	char left[64];

	for (; o != NULL && o->name != NULL; o++) {
		if (o->key == 'o' && !with_o)
			continue;
		if (o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key,
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(fp, "  %-26s %s\n", left, o->help);
	}
}

void
ks_cmd_usage(FILE *fp, const struct ks_cmd *c)
{
	char list[256];

	fprintf(fp, "usage: kubesift %s %s\n\n%s\n\n", c->name, c->usage,
	    c->summary);
	if (c->formats != NULL) {
		fprintf(fp, "output formats (-o): %s; default ",
		    ks_cmd_formats_text(c, list, sizeof(list)));
		if (c->flags & KS_CMD_ROWS)
			fputs("table on a terminal, csv otherwise\n\n", fp);
		else
			fprintf(fp, "%.*s\n\n", (int)strcspn(c->formats, ","),
			    c->formats);
	}
	if (c->opts != NULL && c->opts[0].name != NULL) {
		fputs("options:\n", fp);
		print_opts(fp, c->opts, 1);
	}
	fputs(c->opts != NULL && c->opts[0].name != NULL ?
	    "\nglobal options:\n" : "global options:\n", fp);
	print_opts(fp, ks_cmd_global_opts, c->formats != NULL);
}

void
ks_cmd_overview(FILE *fp)
{
	fprintf(fp, "kubesift %s: offline forensics for Kubernetes clusters\n\n"
	    "usage: kubesift [-d FILE] [-o FORMAT] [-q] COMMAND [ARGS]\n"
	    "       kubesift COMMAND --help\n"
	    "       kubesift --version\n\n"
	    "commands:\n", KS_VERSION);
	for (int i = 0; ks_cmds[i] != NULL; i++)
		fprintf(fp, "  %-10s %s\n", ks_cmds[i]->name,
		    ks_cmds[i]->summary);
	fputs("\nglobal options, before or after the command:\n", fp);
	print_opts(fp, ks_cmd_global_opts, 1);
	fputs("\nThe manuals: kubesift(1) for the commands, kubesift-schema(7) "
	    "for the\ndatabase (in the source tree: man -l man/kubesift.1, "
	    "man -l man/kubesift-schema.7).\n", fp);
}

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
