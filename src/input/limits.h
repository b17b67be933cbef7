/*
 * The limits and settings of one import run, set from the command line
 * (cli/cmd-import.c) and handed down: the walk reads the size limits, the
 * formats the record limits, the store the workers and keep_raw.
 */
#ifndef KS_LIMITS_H
#define KS_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct ks_limits {
	uint64_t	 max_expanded;	/* bytes read per top-level input */
	uint64_t	 max_ratio;	/* decompressed / compressed */
	int		 max_nesting;	/* archives inside archives */
	size_t		 max_record;	/* bytes in one record */
	int		 max_json_depth;/* nesting in one JSON record */
	uint64_t	 max_members;	/* members per top-level input */
	int		 workers;	/* 0 = as many as useful (CPUs, at most 2) */
	int		 keep_raw;	/* keep each event's bytes (raw_block) */
};

/* Fill lim with the defaults of `kubesift import`. */
void	ks_limits_default(struct ks_limits *lim);

/* The workers an import uses: lim->workers, or 2 with 2 CPUs or more. */
int	ks_limits_workers(const struct ks_limits *lim);

#endif
