/*
 * The audit import pipeline.  A member of audit events is read in two
 * stages: one reads its bytes (decompression and the member's SHA-256
 * happen there, in the walk's input), splits them into records (jscan.h)
 * and parses each record into its columns and its own SHA-256; the other
 * writes the rows to the database, in the order of the records.  With two
 * workers the first stage runs in a thread of its own, beside the writer;
 * with one, both run in turn on the calling thread.  The rows, their ids
 * and the tallies are the same either way.
 */
#ifndef KS_PIPELINE_H
#define KS_PIPELINE_H

#include "util/err.h"
#include "formats/member.h"

/* Read the audit events of m into the database; -1 for database errors. */
int	ks_pipeline_audit(struct ks_member *m, struct ks_err *err);

#endif
