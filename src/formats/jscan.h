/*
 * The JSON splitter: finds the boundaries of JSON values in a stream without
 * parsing them, so that each record can be handed to jansson alone and memory
 * stays bounded by the largest record, not the largest file.
 *
 * It reads concatenated values (JSON Lines, pretty-printed documents, pages
 * of output glued together).  The elements of a top-level array, and of the
 * arrays that the caller's keys hold in a top-level object, come out one at
 * a time: "items" for kubectl Lists and audit EventLists (ks_jscan_items),
 * "events", "records" or "results" for cloud exports, where one document
 * can hold millions of events.  The rest of such a document comes out last
 * as its "envelope", with those arrays elided ("items":[]).
 *
 * A value cut short, too large, too deeply nested, or bytes that are not JSON
 * come out as KS_JREC_REJECT with a reason and an excerpt; scanning resumes
 * after them, so the good records around a bad one are kept.  In a file whose
 * values are one per line, a line ending inside a value ends that value.
 */
#ifndef KS_JSCAN_H
#define KS_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "input/input.h"

enum ks_jrec_type {
	KS_JREC_VALUE,		/* a whole top-level value */
	KS_JREC_ITEM,		/* one element of a top-level or split array */
	KS_JREC_END,		/* the envelope of a document whose items came out */
	KS_JREC_REJECT		/* bytes that are not a usable value */
};

struct ks_jrec {
	enum ks_jrec_type type;
	const char	*data;	/* the bytes (REJECT: an excerpt); borrowed until
				   the next ks_jscan_next; NUL-terminated */
	size_t		 len;
	uint64_t	 line;	/* 1-based line where the value starts */
	uint64_t	 index;	/* ITEM: 0-based position in its array */
	int		 key;	/* ITEM: the index in keys of the key holding
				   its array; -1 for a top-level array and
				   for every other type */
	const char	*reason;/* REJECT: why, a static string */
};

struct ks_jscan_limits {
	size_t		 max_record;	/* bytes in one record */
	int		 max_depth;	/* nesting inside one record */
};

/* The keys of kubectl Lists and audit EventLists: { "items", NULL }. */
extern const char *const ks_jscan_items[];

struct ks_jscan;

/*
 * A new splitter reading from in (borrowed).  keys is a NULL-terminated
 * list of the keys of a top-level object whose arrays are split, each
 * shorter than 32 bytes (borrowed: it must outlive the splitter).  NULL
 * when out of memory.
 */
struct ks_jscan *ks_jscan_new(struct ks_input *in,
	    const struct ks_jscan_limits *limits, const char *const *keys);
void	ks_jscan_free(struct ks_jscan *js);	/* accepts NULL */

/*
 * The next record.  Returns 1 with *rec filled, 0 at the end of the input,
 * or -1 when the input itself failed (the reason is in the input's err).
 */
int	ks_jscan_next(struct ks_jscan *js, struct ks_jrec *rec);

/* 1 when the input was read as one value per line. */
int	ks_jscan_line_mode(const struct ks_jscan *js);

/*
 * Number the lines from line on: the input was read by lines elsewhere
 * (pipeline-src.h) up to there, this splitter not yet called.
 */
void	ks_jscan_set_line(struct ks_jscan *js, uint64_t line);

#endif
