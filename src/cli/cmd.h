/*
 * The command table.  Each command is one src/cli/cmd-<name>.c defining a
 * const struct ks_cmd; cmd.c keeps the table, parses the command line for
 * every command (commands never look at argv themselves), opens what the
 * flags ask for, runs the command and checks that its output was written.
 */
#ifndef KS_CMD_H
#define KS_CMD_H

#include <stdio.h>

#include <sqlite3.h>

#include "out/out.h"
#include "store/filter.h"

/* What the dispatcher prepares for a command. */
struct ks_ctx {
	const char	*db_path;	/* -d, $KUBESIFT_DB or ./kubesift.db */
	const char	*format;	/* -o, one of the command's formats;
					   NULL = the default */
	int		 quiet;		/* -q */
	int		 timesketch;	/* -o timesketch (KS_CMD_TIMESKETCH) */
	sqlite3		*db;		/* open when the flags ask */
	struct ks_out	*out;		/* made when KS_CMD_ROWS */
	int		 argc;		/* operands */
	char		**argv;
	int		 full_argc;	/* the whole command line */
	char		**full_argv;
	struct ks_filter filter;	/* the filter options given
					   (cli/filter-opt.h) */
	void		*state;		/* the command's own state, of its
					   state_size bytes; owned by the
					   dispatcher */
};

/* One command-specific option; the dispatcher builds getopt_long from it. */
struct ks_opt {
	const char	*name;		/* long name, without "--" */
	int		 key;		/* short letter, or a value >= 256 */
	const char	*arg;		/* argument name, NULL for a flag */
	const char	*help;
};

#define KS_CMD_DB_RO	0x01	/* open the database read-only */
#define KS_CMD_DB_RW	0x02	/* open or create it for writing */
#define KS_CMD_ROWS	0x04	/* prints rows: make ctx->out from -o */
#define KS_CMD_TIMESKETCH 0x08	/* -o timesketch means JSONL rows */

/* The formats of ks_out (out.h), for the formats of KS_CMD_ROWS commands. */
#define KS_FMT_ROWS	"table,csv,json,jsonl,md"

struct ks_cmd {
	const char	*name;
	const char	*summary;	/* one line, for help */
	const char	*usage;		/* after "kubesift NAME " */
	const struct ks_opt *opts;	/* ends with a NULL name; may be NULL */
	/*
	 * The -o values it takes, comma-separated, the default first (with
	 * KS_CMD_ROWS: table on a terminal, csv otherwise); NULL = no -o.
	 * The dispatcher refuses any other value, and help lists these.
	 */
	const char	*formats;
	int		 min_args, max_args;	/* max -1 = no limit */
	int		 flags;		/* KS_CMD_* */
	/*
	 * The command's own state (its parsed options), in ctx->state:
	 * state_size zeroed bytes (0 = none, ctx->state NULL), then given
	 * to init if it is not NULL, before the first option.
	 */
	size_t		 state_size;
	void		(*init)(void *state);
	/*
	 * Called for each command-specific option; 0, or non-zero for a
	 * usage error it has reported (return ks_cmd_usage_error(...)).
	 */
	int		(*option)(struct ks_ctx *, int key, const char *arg);
	/* Returns the exit status: 0, 1 (error), or a command's own. */
	int		(*exec)(struct ks_ctx *);
};

/*
 * Exit statuses, as in the man page, the same for every command:
 * 0 done; 1 could not do it (I/O, database, bad evidence, a failed query,
 * output not written); 2 asked wrongly (unknown command, option or format,
 * a bad option value, the wrong number of operands, conflicting options).
 */
#define KS_EXIT_OK	0
#define KS_EXIT_ERROR	1
#define KS_EXIT_USAGE	2

/* Every command, alphabetical, NULL-terminated. */
extern const struct ks_cmd *const ks_cmds[];

/* The commands, each defined in its cli/cmd-<name>.c. */
extern const struct ks_cmd ks_cmd_actors;
extern const struct ks_cmd ks_cmd_can;
extern const struct ks_cmd ks_cmd_denied;
extern const struct ks_cmd ks_cmd_detect;
extern const struct ks_cmd ks_cmd_diff;
extern const struct ks_cmd ks_cmd_export;
extern const struct ks_cmd ks_cmd_help;
extern const struct ks_cmd ks_cmd_import;
extern const struct ks_cmd ks_cmd_remediate;
extern const struct ks_cmd ks_cmd_report;
extern const struct ks_cmd ks_cmd_sources;
extern const struct ks_cmd ks_cmd_sql;
extern const struct ks_cmd ks_cmd_summary;
extern const struct ks_cmd ks_cmd_timeline;
extern const struct ks_cmd ks_cmd_unused;
extern const struct ks_cmd ks_cmd_upgrade;
extern const struct ks_cmd ks_cmd_verify;
extern const struct ks_cmd ks_cmd_who_can;

/* Run kubesift with main's arguments; returns the exit status. */
int	ks_cmd_main(int argc, char **argv);

/* Print an error for the user: "kubesift: msg". */
void	ks_cmd_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Print a usage error, "kubesift: msg" (begin msg with the command's name),
 * and return KS_EXIT_USAGE: `return ks_cmd_usage_error(...)` from exec or
 * from an option callback.
 */
int	ks_cmd_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* one when n is 1, else many (both borrowed): for "1 source", "2 sources". */
const char *ks_cmd_plural(unsigned long long n, const char *one,
	    const char *many);

/*
 * For help (cmd-help.c) and the dispatcher.
 */

/* The options every command takes, ending with a NULL name. */
extern const struct ks_opt ks_cmd_global_opts[];

/* Whether format is one of c's -o values. */
int	ks_cmd_takes_format(const struct ks_cmd *c, const char *format);

/* c's formats as "a, b or c" in buf (NUL-terminated, cut to size). */
const char *ks_cmd_formats_text(const struct ks_cmd *c, char *buf,
	    size_t size);

/* The help of one command: usage, summary, formats, options. */
void	ks_cmd_usage(FILE *fp, const struct ks_cmd *c);

/* The overview: every command, the global options, the manuals. */
void	ks_cmd_overview(FILE *fp);

/* Parse a snapshot or source id (a positive integer); -1 when malformed. */
int	ks_cmd_parse_id(const char *s, long long *out);

/*
 * The value of --snapshot (-S) into *out: 0, or the usage error reported
 * (return it from an option callback).
 */
int	ks_cmd_opt_snapshot(const char *arg, long long *out);

/*
 * Take one filter option (cli/filter-opt.h) into ctx->filter, for an
 * option callback: 0; a usage error, reported, when the value is
 * malformed; -1, not reported, when key is not a filter option.
 */
int	ks_cmd_filter_option(struct ks_ctx *ctx, int key, const char *arg);

/*
 * The filter options alone, with ks_cmd_filter_option as the option
 * callback: the table of a command that takes nothing else.
 */
extern const struct ks_opt ks_filter_opts[];

/* Parse "10G", "512M", "1000" into bytes; -1 when malformed. */
int	ks_cmd_parse_size(const char *s, unsigned long long *out);

#endif
