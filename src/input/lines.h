/*
 * A line reader over a member input, for the text formats: CloudWatch S3
 * export lines, Logs Insights CSV, plain logs.  Lines come one at a time,
 * without their end (LF or CRLF) and, on the first line, without a UTF-8
 * byte-order mark.  A line that fits in the input's buffer is handed out
 * where it lies, without a copy; a longer one is copied, up to the limit.
 * A line longer than the limit is read through to its end, but only its
 * first max bytes are kept: memory stays bounded by the limit, never by
 * the line.
 */
#ifndef KS_LINES_H
#define KS_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "input/input.h"

struct ks_line {
	const char	*data;	/* borrowed until the next ks_lines_next; not
				   NUL-terminated */
	size_t		 len;	/* bytes in data */
	uint64_t	 number;/* 1-based line number */
	uint64_t	 full;	/* the line's length in the input */
	int		 cut;	/* longer than max: data holds its start */
};

struct ks_lines;

/* A reader of in (borrowed) keeping at most max bytes of a line. */
struct ks_lines *ks_lines_new(struct ks_input *in, size_t max);
void	ks_lines_free(struct ks_lines *lr);	/* accepts NULL */

/*
 * The next line.  Returns 1 with *line filled, 0 at the end of the input,
 * or -1 when the input failed (the reason is in the input's err) or memory
 * ran out (errno ENOMEM).  A last line without an end counts as a line.
 */
int	ks_lines_next(struct ks_lines *lr, struct ks_line *line);

#endif
