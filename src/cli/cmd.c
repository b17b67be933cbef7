/*
 * The dispatcher: global options (before or after the command's name), the
 * command table, per-command option parsing from each command's ks_opt list,
 * the -o values each command takes, the database and the formatter the
 * command's flags ask for, and a final check that stdout was written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/filter-opt.h"
#include "cli/progress.h"
#include "store/db.h"
#include "util/version.h"

const struct ks_cmd *const ks_cmds[] = {
	&ks_cmd_actors,
	&ks_cmd_can,
	&ks_cmd_denied,
	&ks_cmd_detect,
	&ks_cmd_diff,
	&ks_cmd_export,
	&ks_cmd_help,
	&ks_cmd_import,
	&ks_cmd_remediate,
	&ks_cmd_report,
	&ks_cmd_sources,
	&ks_cmd_sql,
	&ks_cmd_summary,
	&ks_cmd_timeline,
	&ks_cmd_unused,
	&ks_cmd_upgrade,
	&ks_cmd_verify,
	&ks_cmd_who_can,
	NULL
};

/* Options every command takes, before or after the command's name. */
const struct ks_opt ks_cmd_global_opts[] = {
	{ "db", 'd', "FILE", "database (default $KUBESIFT_DB, ./kubesift.db)" },
	{ "output", 'o', "FORMAT", "output format, one of the command's "
	    "formats" },
	{ "quiet", 'q', NULL, "no summaries or progress" },
	{ "help", 'h', NULL, "show the help" },
	{ NULL, 0, NULL, NULL }
};

static void
verror(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("kubesift: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ks_cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
}

int
ks_cmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return KS_EXIT_USAGE;
}

const char *
ks_cmd_plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int
ks_cmd_takes_format(const struct ks_cmd *c, const char *format)
{
	size_t n = strlen(format);
	const char *p = c->formats;

	while (p != NULL && n > 0) {
		if (strncmp(p, format, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

const char *
ks_cmd_formats_text(const struct ks_cmd *c, char *buf, size_t size)
{
	const char *p = c->formats, *comma;
	size_t n = 0;

	buf[0] = '\0';
	while (p != NULL && *p != '\0' && n < size) {
		comma = strchr(p, ',');
		n += (size_t)snprintf(buf + n, size - n, "%s%.*s",
		    p == c->formats ? "" : comma == NULL ? " or " : ", ",
		    (int)(comma ? (size_t)(comma - p) : strlen(p)), p);
		p = comma ? comma + 1 : NULL;
	}
	return buf;
}

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
		/* A command that formats its own rows (unused) too. */
		if ((c->flags & KS_CMD_ROWS) ||
		    strncmp(c->formats, "table,csv,", 10) == 0)
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

int
ks_cmd_parse_id(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int
ks_cmd_opt_snapshot(const char *arg, long long *out)
{
	if (ks_cmd_parse_id(arg, out) < 0)
		return ks_cmd_usage_error("--snapshot takes a snapshot id "
		    "(kubesift sql 'SELECT * FROM snapshots'), not %s", arg);
	return 0;
}

const struct ks_opt ks_filter_opts[] = {
	KS_FILTER_OPTS,
	{ NULL, 0, NULL, NULL }
};

int
ks_cmd_filter_option(struct ks_ctx *ctx, int key, const char *arg)
{
	struct ks_err err;

	switch (ks_filter_option(&ctx->filter, key, arg, &err)) {
	case 1:
		return 0;
	case 0:
		return -1;
	}
	return ks_cmd_usage_error("%s", err.msg);
}

/* What ks_filter_resolve warns about, for the user. */
static void
filter_warn(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "kubesift: warning: %s\n", msg);
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

/* A global option, before or after the command's name; 0 or -1. */
static int
global(struct ks_ctx *ctx, int key, const char *arg)
{
	switch (key) {
	case 'd': ctx->db_path = arg; return 0;
	case 'o': ctx->format = arg; return 0;
	case 'q': ctx->quiet = 1; return 0;
	}
	return -1;
}

/*
 * Report what getopt_long refused in argv, under name (a command's, or ""
 * before the command); so is its short options.  Returns KS_EXIT_USAGE.
 */
static int
refused(const char *name, const char *so, char **argv)
{
	const char *sep = *name ? ": " : "", *sp = *name ? " " : "";
	const char *a = argv[optind - 1], *p;

	/* glibc: optopt 0 for an unknown long option, else the option. */
	if (optopt == 0)
		return ks_cmd_usage_error("%s%sunknown option %s (see "
		    "kubesift%s%s --help)", name, sep, a, sp, name);
	if (optopt >= 256 || (optopt != ':' &&
	    (p = strchr(so, optopt)) != NULL && p[1] == ':'))
		return ks_cmd_usage_error("%s%s%s needs a value (see "
		    "kubesift%s%s --help)", name, sep, a, sp, name);
	return ks_cmd_usage_error("%s%sunknown option -%c (see "
	    "kubesift%s%s --help)", name, sep, optopt, sp, name);
}

/*
 * Parse the command's options and the global ones, anywhere among the
 * operands.  Returns 0, -1 after --help, or KS_EXIT_USAGE (reported).
 */
static int
parse(const struct ks_cmd *c, struct ks_ctx *ctx, int argc, char **argv)
{
	struct option lo[64];
	char so[128] = "";
	int nlo = 0, key;

	add_opts(ks_cmd_global_opts, lo, &nlo, so);
	add_opts(c->opts, lo, &nlo, so);
	lo[nlo] = (struct option){ NULL, 0, NULL, 0 };
	optind = 0;	/* glibc: start again, and read so's ordering */
	opterr = 0;
	while ((key = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (key == 'h') {
			ks_cmd_usage(stdout, c);
			return -1;
		} else if (key == '?')
			return refused(c->name, so, argv);
		else if (global(ctx, key, optarg) == 0)
			continue;
		else if (c->option == NULL || c->option(ctx, key, optarg) != 0)
			return KS_EXIT_USAGE;
	}
	ctx->argc = argc - optind;
	ctx->argv = argv + optind;
	if (ctx->argc < c->min_args ||
	    (c->max_args >= 0 && ctx->argc > c->max_args))
		return ks_cmd_usage_error("%s: wrong number of operands\n"
		    "usage: kubesift %s %s", c->name, c->name, c->usage);
	return 0;
}

/* Refuse an -o value the command does not take; 0 or KS_EXIT_USAGE. */
static int
check_format(const struct ks_cmd *c, const struct ks_ctx *ctx)
{
	char list[256];

	if (ctx->format == NULL || ks_cmd_takes_format(c, ctx->format))
		return 0;
	if (c->formats == NULL)
		return ks_cmd_usage_error("%s: takes no -o (it prints one "
		    "form only)", c->name);
	return ks_cmd_usage_error("%s: unknown output format '%s': -o takes "
	    "%s", c->name, ctx->format, ks_cmd_formats_text(c, list,
	    sizeof(list)));
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
		if ((ctx->out = ks_out_new(fmt, stdout, &err)) == NULL)
			goto fail;
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

/*
 * Take the global options before the command's name, and --version.
 * Returns 0 with *i at the command's name (argc if none) and *help set for
 * -h; -1 after --version; KS_EXIT_USAGE (reported).
 */
static int
leading(struct ks_ctx *ctx, int argc, char **argv, int *i, int *help)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int key;

	optind = 0;
	opterr = 0;
	/* "+": stop at the command's name; its own options follow it. */
	while ((key = getopt_long(argc, argv, "+d:o:qhV", lo, NULL)) != -1) {
		if (key == 'V') {
			printf("kubesift %s\n", KS_VERSION);
			return -1;
		} else if (key == 'h')
			*help = 1;
		else if (key == '?')
			return refused("", "d:o:qhV", argv);
		else
			(void)global(ctx, key, optarg);
	}
	*i = optind;
	return 0;
}

/* A command's progress line, for SQLite's progress handler. */
struct watch {
	struct ks_progress p;
	const char	*name;		/* the command's */
};

/* SQLite's progress handler: the "working" line; never interrupts. */
static int
working(void *arg)
{
	struct watch *w = arg;

	ks_progress_working(&w->p, w->name);
	return 0;
}

/*
 * c's exec, with "kubesift NAME: working, N s" on a terminal's standard
 * error while its queries take more than a second, when its output goes
 * to a file (not to the terminal, where the rows are the progress, nor
 * to a pipe, where a pager may hold the terminal).
 */
static int
exec_watched(const struct ks_cmd *c, struct ks_ctx *ctx)
{
	struct watch w = { .name = c->name };
	struct stat sb;
	int rc;

	if (ctx->db == NULL || !ks_progress_wanted(ctx->quiet) ||
	    fstat(STDOUT_FILENO, &sb) < 0 || isatty(STDOUT_FILENO) ||
	    S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))
		return c->exec(ctx);
	ks_progress_init(&w.p, 1);
	sqlite3_progress_handler(ctx->db, 100000, working, &w);
	rc = c->exec(ctx);
	sqlite3_progress_handler(ctx->db, 0, NULL, NULL);
	ks_progress_fini(&w.p);
	return rc;
}

/* Run c: its options, its format, what it needs opened, then itself. */
static int
run(const struct ks_cmd *c, struct ks_ctx *ctx, int argc, char **argv)
{
	int rc;

	if (c->state_size > 0 &&
	    (ctx->state = calloc(1, c->state_size)) == NULL) {
		ks_cmd_error("%s: out of memory", c->name);
		return KS_EXIT_ERROR;
	}
	if (c->init != NULL)
		c->init(ctx->state);
	if ((rc = parse(c, ctx, argc, argv)) != 0)
		rc = rc < 0 ? KS_EXIT_OK : rc;
	else if ((rc = check_format(c, ctx)) == 0 &&
	    (rc = prepare(c, ctx)) == 0)
		rc = exec_watched(c, ctx);
	free(ctx->state);
	ctx->state = NULL;
	return rc;
}

int
ks_cmd_main(int argc, char **argv)
{
	struct ks_ctx ctx = { .full_argc = argc, .full_argv = argv };
	const struct ks_cmd *c;
	int i = 0, rc, help = 0;

	ks_filter_init(&ctx.filter);
	ctx.filter.warn = filter_warn;
	ctx.db_path = getenv("KUBESIFT_DB");
	if (ctx.db_path == NULL || *ctx.db_path == '\0')
		ctx.db_path = "kubesift.db";
	if ((rc = leading(&ctx, argc, argv, &i, &help)) != 0)
		rc = rc < 0 ? KS_EXIT_OK : rc;
	else if (i >= argc)
		ks_cmd_overview(stdout);
	else if ((c = find(argv[i])) == NULL)
		rc = ks_cmd_usage_error("unknown or ambiguous command: %s "
		    "(see kubesift --help)", argv[i]);
	else if (help)
		ks_cmd_usage(stdout, c);
	else
		rc = run(c, &ctx, argc - i, argv + i);
	/* A full disk or a closed pipe must not pass for success. */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* Once only: a formatter's write error has been reported. */
		if (errno != EPIPE && !ks_out_failed(ctx.out))
			ks_cmd_error("write error: %s", errno ? strerror(errno)
			    : "standard output");
		rc = KS_EXIT_ERROR;
	}
	ks_out_free(ctx.out);
	ks_db_close(ctx.db);
	return rc;
}
