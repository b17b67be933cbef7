/*
 * Shared ingest loops for sniffers.  They read records, store rejects with
 * their reasons, and hand every good record to the sniffer's callback.
 */
#ifndef KS_INGEST_H
#define KS_INGEST_H

#include <jansson.h>

#include "formats/member.h"
#include "formats/sniffer.h"
#include "formats/jscan.h"

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
