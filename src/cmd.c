/*
 * The dispatcher: global options, the command table, per-command option
 * parsing from each command's ks_opt list, the database and the formatter
 * the command's flags ask for, and a final check that stdout was written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "db.h"
#include "version.h"

extern const struct ks_cmd ks_cmd_actors;
extern const struct ks_cmd ks_cmd_can;
extern const struct ks_cmd ks_cmd_denied;
extern const struct ks_cmd ks_cmd_export;
extern const struct ks_cmd ks_cmd_help;
extern const struct ks_cmd ks_cmd_import;
extern const struct ks_cmd ks_cmd_remediate;
extern const struct ks_cmd ks_cmd_report;
extern const struct ks_cmd ks_cmd_sources;
extern const struct ks_cmd ks_cmd_sql;
extern const struct ks_cmd ks_cmd_summary;
extern const struct ks_cmd ks_cmd_timeline;
extern const struct ks_cmd ks_cmd_who_can;

const struct ks_cmd *const ks_cmds[] = {
	&ks_cmd_actors,
	&ks_cmd_can,
	&ks_cmd_denied,
	&ks_cmd_export,
	&ks_cmd_help,
	&ks_cmd_import,
	&ks_cmd_remediate,
	&ks_cmd_report,
	&ks_cmd_sources,
	&ks_cmd_sql,
	&ks_cmd_summary,
	&ks_cmd_timeline,
	&ks_cmd_who_can,
	NULL
};

/* Options every command takes. */
static const struct ks_opt global_opts[] = {
	{ "db", 'd', "FILE", "database (default $KUBESIFT_DB, ./kubesift.db)" },
	{ "output", 'o', "FORMAT", "table, csv, json, jsonl or md "
	    "(default: table on a terminal, csv otherwise)" },
	{ "quiet", 'q', NULL, "no summaries or progress" },
	{ "help", 'h', NULL, "show this help" },
	{ NULL, 0, NULL, NULL }
};

void
ks_cmd_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("kubesift: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
ks_cmd_parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Find a command by exact name or unique prefix. */
static const struct ks_cmd *
find(const char *name)
{
	const struct ks_cmd *found = NULL;
	size_t n = strlen(name);

	for (int i = 0; ks_cmds[i] != NULL; i++) {
		if (strcmp(ks_cmds[i]->name, name) == 0)
			return ks_cmds[i];
		if (n > 0 && strncmp(ks_cmds[i]->name, name, n) == 0) {
			if (found != NULL)
				return NULL;	/* ambiguous */
			found = ks_cmds[i];
		}
	}
	return found;
}

static void
print_opts(FILE *fp, const struct ks_opt *o)
{
	char left[64];

	for (; o != NULL && o->name != NULL; o++) {
		if (o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key,
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(fp, "  %-26s %s\n", left, o->help);
	}
}

/* The help of one command (usage, summary, options). */
void	ks_cmd_usage(FILE *fp, const struct ks_cmd *c);

void
ks_cmd_usage(FILE *fp, const struct ks_cmd *c)
{
	fprintf(fp, "usage: kubesift %s %s\n\n%s\n\n", c->name, c->usage,
	    c->summary);
	if (c->opts != NULL && c->opts[0].name != NULL) {
		fputs("options:\n", fp);
		print_opts(fp, c->opts);
	}
	fputs("global options:\n", fp);
	print_opts(fp, global_opts);
}

/* Add the ks_opt list to a getopt_long table and short-option string. */
static void
add_opts(const struct ks_opt *o, struct option *lo, int *nlo, char *so)
{
	for (; o != NULL && o->name != NULL; o++) {
		lo[*nlo] = (struct option){ o->name, o->arg ? required_argument :
		    no_argument, NULL, o->key };
		(*nlo)++;
		if (o->key < 256) {
			size_t k = strlen(so);
			so[k++] = (char)o->key;
			if (o->arg)
				so[k++] = ':';
			so[k] = '\0';
		}
	}
}

/* Parse the command's options (and global ones); 0, or a usage error. */
static int
parse(const struct ks_cmd *c, struct ks_ctx *ctx, int argc, char **argv)
{
	struct option lo[64];
	char so[128] = "";
	int nlo = 0, key;

	add_opts(global_opts, lo, &nlo, so);
	add_opts(c->opts, lo, &nlo, so);
	lo[nlo] = (struct option){ NULL, 0, NULL, 0 };
	optind = 1;
	opterr = 0;
	while ((key = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (key) {
		case 'd': ctx->db_path = optarg; break;
		case 'o': ctx->format = optarg; break;
		case 'q': ctx->quiet = 1; break;
		case 'h':
			ks_cmd_usage(stdout, c);
			return 1;
		case '?':
			ks_cmd_error("%s: unknown option or missing argument: %s",
			    c->name, argv[optind - 1]);
			return -1;
		default:
			if (c->option == NULL || c->option(ctx, key, optarg) < 0)
				return -1;
		}
	}
	ctx->argc = argc - optind;
	ctx->argv = argv + optind;
	if (ctx->argc < c->min_args ||
	    (c->max_args >= 0 && ctx->argc > c->max_args)) {
		ks_cmd_error("%s: wrong number of operands\nusage: kubesift %s %s",
		    c->name, c->name, c->usage);
		return -1;
	}
	return 0;
}

/* Open the database and the formatter the command's flags ask for. */
static int
prepare(const struct ks_cmd *c, struct ks_ctx *ctx)
{
	struct ks_err err;
	const char *fmt = ctx->format;

	ks_err_clear(&err);
	if (c->flags & KS_CMD_ROWS) {
		if (fmt == NULL)
			fmt = isatty(STDOUT_FILENO) ? "table" : "csv";
		if ((c->flags & KS_CMD_TIMESKETCH) &&
		    strcmp(fmt, "timesketch") == 0) {
			ctx->timesketch = 1;
			fmt = "jsonl";
		}
		if ((ctx->out = ks_out_new(fmt, stdout, &err)) == NULL) {
			ks_cmd_error("%s", err.msg);
			return KS_EXIT_USAGE;
		}
	}
	if ((c->flags & KS_CMD_DB_RW) &&
	    ks_db_open_rw(ctx->db_path, &ctx->db, &err) < 0)
		goto fail;
	if ((c->flags & KS_CMD_DB_RO) &&
	    ks_db_open_ro(ctx->db_path, &ctx->db, &err) < 0)
		goto fail;
	return 0;
fail:
	ks_cmd_error("%s", err.msg);
	return KS_EXIT_ERROR;
}

/* Take global options that come before the command name. */
static int
leading(struct ks_ctx *ctx, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc && argv[*i][0] == '-'; (*i)++) {
		const char *a = argv[*i];
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("kubesift %s\n", KS_VERSION);
			return 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*i = argc;	/* as `kubesift help` */
			return 0;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			ctx->quiet = 1;
		else if ((strcmp(a, "-d") == 0 || strcmp(a, "--db") == 0 ||
		    strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) &&
		    *i + 1 < argc) {
			if (a[1] == 'd' || a[2] == 'd')
				ctx->db_path = argv[++*i];
			else
				ctx->format = argv[++*i];
		} else {
			ks_cmd_error("unknown option: %s (see kubesift help)", a);
			return -1;
		}
	}
	return 0;
}

int
ks_cmd_main(int argc, char **argv)
{
	struct ks_ctx ctx = { .full_argc = argc, .full_argv = argv };
	const struct ks_cmd *c;
	int i, rc;

	ctx.db_path = getenv("KUBESIFT_DB");
	if (ctx.db_path == NULL || *ctx.db_path == '\0')
		ctx.db_path = "kubesift.db";
	if ((rc = leading(&ctx, argc, argv, &i)) != 0)
		return rc < 0 ? KS_EXIT_USAGE : KS_EXIT_OK;
	if (i >= argc)
		c = &ks_cmd_help;
	else if ((c = find(argv[i])) == NULL) {
		ks_cmd_error("unknown or ambiguous command: %s (see kubesift "
		    "help)", argv[i]);
		return KS_EXIT_USAGE;
	}
	if ((rc = parse(c, &ctx, argc - i, argv + (i < argc ? i : argc - 1))))
		return rc < 0 ? KS_EXIT_USAGE : KS_EXIT_OK;
	if ((rc = prepare(c, &ctx)) != 0)
		goto out;
	rc = c->exec(&ctx);
out:
	ks_out_free(ctx.out);
	ks_db_close(ctx.db);
	/* A full disk or a closed pipe must not pass for success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			ks_cmd_error("write error: %s", strerror(errno));
		rc = KS_EXIT_ERROR;
	}
	return rc;
}
