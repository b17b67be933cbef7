/*
 * Where the audit pipeline (pipeline.c) takes its records from: the
 * member's jscan (jscan.h), or the line path.
 *
 * Most audit logs hold one event per line, which jscan would copy byte by
 * byte through its state machine before the fast reader (audit.h) reads
 * them again.  When jscan finds the member is read a value per line, each
 * line goes from the input to the fast reader instead; a line the fast
 * reader is not sure of goes through a jscan of its own that sees that
 * line only, and so gives the records, reasons and line numbers the
 * member's jscan would (read a line at a time, a line's end ends whatever
 * is open).  A line longer than the input's buffer goes that way too.
 */
#ifndef KS_PIPELINE_SRC_H
#define KS_PIPELINE_SRC_H

#include "input/input.h"
#include "formats/jscan.h"

struct ks_psrc {
	struct ks_jscan	*js;		/* the member's */
	int		 by_line;	/* read with the line path */
	/* The line path: */
	struct ks_input	*in;		/* the member's; borrowed */
	struct ks_jscan_limits lim;
	uint64_t	 line;		/* number of the line at the input */
	size_t		 pending;	/* bytes of the line handed out */
	struct ks_jscan	*sub;		/* reading one line, or NULL */
	struct ks_input	 sin;		/* its input: that line */
	uint64_t	 sub_line;	/* the number of that line */
	int		 pad;		/* a blank to give sub first */
	int		 ended;		/* sub was given the line's end */
};

/* Start reading in (borrowed) with limits lim.  Returns 0, or -1 (memory). */
int	ks_psrc_open(struct ks_psrc *s, struct ks_input *in,
	    const struct ks_jscan_limits *lim);
void	ks_psrc_close(struct ks_psrc *s);

/*
 * The next record of the member.  Returns 1, 0 at the end, or -1 when the
 * input failed (or memory ran out: *oom).  *line is set when r is a whole
 * line for the fast reader (r->data in the input, not NUL-terminated):
 * then ks_psrc_line_done or ks_psrc_line_slow must follow before the next
 * call.
 */
int	ks_psrc_next(struct ks_psrc *s, struct ks_jrec *r, int *line,
	    int *oom);

/* The line handed out was read: go past it. */
void	ks_psrc_line_done(struct ks_psrc *s);

/*
 * Read the line at the input (the one handed out, if any) through a jscan
 * of its own.  Returns 0, or -1 when out of memory.
 */
int	ks_psrc_line_slow(struct ks_psrc *s);

#endif
