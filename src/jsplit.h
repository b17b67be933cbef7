/*
 * The envelope splitter, for the JSON that cloud exports write.  jscan.h
 * splits only a top-level array and the "items" of a top-level object;
 * cloud exports put their records under other keys, and the AWS CLI joins
 * every page of `aws logs filter-log-events` into one document that can
 * hold millions of events.  This splitter hands out the elements of a
 * top-level array, and of the arrays held by the keys it is given
 * ("events", "records", "results") in a top-level object, one at a time;
 * any other top-level value comes out whole.  Memory is bounded by the
 * largest element, never by the document.
 *
 * Records are struct ks_jrec (jscan.h): KS_JREC_ITEM for an element,
 * KS_JREC_VALUE for a whole value, KS_JREC_REJECT for bytes that are not
 * usable (cut short, too large, too deep, not JSON), after which scanning
 * resumes.  The rest of a split document (its other keys) is skipped:
 * nothing the cloud readers need is there.  Values one per line (JSON
 * Lines) are told from pretty-printed documents as jscan does: in a file of
 * one value per line, a line end inside a value ends it.
 */
#ifndef KS_JSPLIT_H
#define KS_JSPLIT_H

#include "input.h"
#include "jscan.h"

struct ks_jsplit;

/*
 * A splitter reading in (borrowed); keys is a NULL-terminated list of the
 * keys whose arrays are split (borrowed, must outlive the splitter).
 * NULL when out of memory.
 */
struct ks_jsplit *ks_jsplit_new(struct ks_input *in,
	    const struct ks_jscan_limits *limits, const char *const *keys);
void	ks_jsplit_free(struct ks_jsplit *js);	/* accepts NULL */

/*
 * The next record, as ks_jscan_next: 1, 0 at the end, -1 when the input
 * failed.  For an ITEM, *key is the index in keys of the array it came
 * from, or -1 for a top-level array.
 */
int	ks_jsplit_next(struct ks_jsplit *js, struct ks_jrec *rec, int *key);

#endif
