/*
 * The walk: from a command-line operand (file, directory, "-") down to the
 * members that sniffers read, through archives and compressed files with
 * libarchive.  Nothing is extracted; every member is read as a stream.
 * It sits in store/ while it also keeps the import run's books (source
 * rows, locks of inputs, snapshots, totals); once those move behind
 * callbacks, the traversal alone belongs in input/ (issue 12, W).
 */
#ifndef KS_WALK_H
#define KS_WALK_H

#include "store/import.h"

/*
 * Import one operand.  Bad evidence (corrupt, cut short, hostile) becomes
 * rejects and warnings and returns 0; -1 only when the import cannot go on
 * (the database failed, or the operand cannot be opened at all).
 */
int	ks_walk(struct ks_import *imp, const char *path, struct ks_err *err);

#endif
