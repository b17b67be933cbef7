/*
 * Shared by walk.c (files, folders, standard input) and walk-archive.c
 * (archives and compressed files) only.
 */
#ifndef KS_WALK_INT_H
#define KS_WALK_INT_H

#include "input/walk.h"

/* One walk of one operand. */
struct ks_walk {
	const struct ks_walk_ops *ops;
	void		*arg;		/* the ops' */
	const struct ks_limits *lim;
	uint64_t	 members;	/* members seen in this top-level input */
	struct ks_budget budget;	/* expanded bytes of this input */
};

/* A warning through w->ops (formatted). */
void	ks_walk_warn(struct ks_walk *w, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Decide what a stream is and read it: walk.c. */
int	ks_walk_stream(struct ks_walk *w, struct ks_node *nd,
	    struct ks_err *err);

/* An archive or compressed file: its row, then its members. */
int	ks_walk_archive(struct ks_walk *w, struct ks_node *nd,
	    struct ks_err *err);

/* "gzip", "zip", "tar", ... when the head starts like one, else NULL. */
const char *ks_walk_archive_magic(const unsigned char *p, size_t n);

#endif
