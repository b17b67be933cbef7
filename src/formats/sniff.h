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

#include "util/err.h"
#include "formats/member.h"

#define KS_SNIFF_HEAD	(64 * 1024)	/* bytes a bid may look at */

/* What the first bytes say about a JSON document (filled by ks_peek). */
#define KS_PEEK_KEYS	24
struct ks_peek {
	int		 json;		/* starts with '{' or '[' */
	int		 array;		/* the top-level value is an array */
	int		 nkeys;		/* keys of the top-level object */
	char		 keys[KS_PEEK_KEYS][32];
	int		 nitem_keys;	/* keys of its first element, or of */
	char		 item_keys[KS_PEEK_KEYS][32]; /* the first "items" one */
	char		 kind[64];	/* top-level "kind" if a short string */
	char		 api_version[64];
	int		 lines;		/* complete lines in the head */
};

struct ks_sniffer {
	const char	*name;		/* recorded as sources.format */
	int		(*bid)(const char *name, uint64_t size,
			    const unsigned char *head, size_t n,
			    const struct ks_peek *peek);
	/* Read the whole member; -1 only for errors that stop the import. */
	int		(*ingest)(struct ks_member *m, struct ks_err *err);
};

/* Inspect the head of a member. */
void	ks_peek(const unsigned char *head, size_t n, struct ks_peek *peek);

/* 1 when the peeked top-level object (or first item, if item) has key. */
int	ks_peek_has(const struct ks_peek *peek, int item, const char *key);

/*
 * The sniffer that bids highest for this member, or NULL when none bids.
 * *bid receives the winning bid.
 */
const struct ks_sniffer *ks_sniff_choose(const char *name, uint64_t size,
	    const unsigned char *head, size_t n, int *bid);

/* Every sniffer, NULL-terminated, in tie-breaking order. */
extern const struct ks_sniffer *const ks_sniffers[];

#endif
