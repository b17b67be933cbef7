/*
 * Formats bid for their input, as libarchive's readers do.  Each sniffer
 * looks only at the member's name, size and first bytes, and returns how
 * sure it is; the highest bid wins, ties go to the earlier entry in the
 * table (sniff.c).  The winner then streams the whole member.
 *
 * The scale:
 *     0  not mine
 *     1  plain text that may hold log lines (the log scanner)
 *    10  JSON that merely has a "kind" key: probably a Kubernetes object
 *    20  a Kubernetes object, List, or array of objects
 *    25  a Kubernetes version document
 *    30  a Kubernetes audit event or EventList
 *    40  a cloud envelope around audit events (must beat a plain event)
 * YAML bids the same as its JSON twin (an audit Event 30, a Cloud Logging
 * entry 40), seen as keys at the start of a line; other YAML with kind and
 * apiVersion, 15.
 * Adding a format means adding one sniff-<format>.c and one table entry.
 */
#ifndef KS_SNIFF_H
#define KS_SNIFF_H

#include <stddef.h>
#include <stdint.h>

#include "formats/sniffer.h"

/*
 * The sniffer that bids highest for this member, or NULL when none bids.
 * *bid receives the winning bid.
 */
const struct ks_sniffer *ks_sniff_choose(const char *name, uint64_t size,
	    const unsigned char *head, size_t n, int *bid);

/* Every sniffer, NULL-terminated, in tie-breaking order. */
extern const struct ks_sniffer *const ks_sniffers[];

/* The formats (sniff-*.c), in the table's order. */
extern const struct ks_sniffer ks_sniffer_audit;
extern const struct ks_sniffer ks_sniffer_version;
extern const struct ks_sniffer ks_sniffer_kubectl;
extern const struct ks_sniffer ks_sniffer_yaml;
extern const struct ks_sniffer ks_sniffer_audit_yaml;
extern const struct ks_sniffer ks_sniffer_cloudwatch;
extern const struct ks_sniffer ks_sniffer_cloudwatch_s3;
extern const struct ks_sniffer ks_sniffer_cloudwatch_csv;
extern const struct ks_sniffer ks_sniffer_gke;
extern const struct ks_sniffer ks_sniffer_gke_yaml;
extern const struct ks_sniffer ks_sniffer_aks;
extern const struct ks_sniffer ks_sniffer_admission;
extern const struct ks_sniffer ks_sniffer_log;

#endif
