/*
 * One import run: the walk (input/walk.h) finds the streams, this keeps
 * the books of what it finds in the database (source rows, locks of
 * inputs, snapshots, totals) and hands each member to the format that
 * bids highest (formats/sniff.h), whose records reach the store through
 * the member's sink (ks_store_member).
 */
#ifndef KS_RUN_H
#define KS_RUN_H

#include "util/err.h"
#include "store/import.h"

/*
 * Import one operand (file, folder, "-").  Bad evidence becomes rejects
 * and warnings and returns 0; -1 only when the import cannot go on (the
 * database failed, or the operand cannot be opened at all).
 */
int	ks_run_import(struct ks_import *imp, const char *path,
	    struct ks_err *err);

#endif
