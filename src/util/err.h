/*
 * Errors travel up as a return value of -1 plus a message in a caller-owned
 * struct ks_err.  Modules never print; only the command layer does.
 */
#ifndef KS_ERR_H
#define KS_ERR_H

struct ks_err {
	char	msg[512];	/* human-readable, one line, no trailing newline */
};

/* Format a message into err (which may be NULL) and return -1. */
int	ks_err_set(struct ks_err *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Clear err so that an empty message means "no error". */
void	ks_err_clear(struct ks_err *err);

#endif
