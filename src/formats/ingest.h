/*
 * Shared ingest loops for sniffers.  They read records, store rejects with
 * their reasons, and hand every good record to the sniffer's callback.
 */
#ifndef KS_INGEST_H
#define KS_INGEST_H

#include <jansson.h>

#include "formats/member.h"
#include "formats/jscan.h"

/*
 * Called with each JSON record that parsed (v is borrowed for the call).
 * Returns 0, or -1 for errors that must stop the import (database).  A bad
 * record is the callback's to reject with ks_emit_reject.
 */
typedef int (*ks_json_fn)(struct ks_member *m, json_t *v,
	    const struct ks_jrec *rec, void *arg, struct ks_err *err);

/*
 * Split the member into JSON records (jscan.h), splitting the arrays that
 * keys hold in a top-level object (ks_jscan_items for Lists), and parse
 * each with jansson.  on_value gets VALUE and ITEM records; on_end (may be
 * NULL) gets the envelope of a split document.
 */
int	ks_ingest_json(struct ks_member *m, const char *const *keys,
	    ks_json_fn on_value, ks_json_fn on_end, void *arg,
	    struct ks_err *err);

#endif
