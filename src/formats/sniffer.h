/*
 * What a format is (struct ks_sniffer: a bid on a member's first bytes, an
 * ingest of the whole member, and optionally a claim on single records),
 * what a bid sees (ks_peek), and the one lookup of a record's reader.
 * The table of formats is sniff.c's; it reaches the formats through the
 * member (m->formats), so nothing here refers to it.  The scale of the
 * bids is written in sniff.h.
 */
#ifndef KS_SNIFFER_H
#define KS_SNIFFER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"
#include "formats/member.h"

struct ks_jrec;

/*
 * Called with each JSON record that parsed (v is borrowed for the call).
 * Returns 0, or -1 for errors that must stop the import (database).  A bad
 * record is the callback's to reject with ks_emit_reject.
 */
typedef int (*ks_json_fn)(struct ks_member *m, json_t *v,
	    const struct ks_jrec *rec, void *arg, struct ks_err *err);

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
	/*
	 * Optional: 1 when a parsed record has this format's shape, met
	 * inside another format's member (a line of a mixed log, a YAML
	 * document, an Azure record holding a native event); and the reader
	 * of one such record (arg is a struct ks_cloud_read, cloud.h).
	 */
	int		(*claims)(const json_t *v);
	ks_json_fn	 record;
};

/* Inspect the head of a member. */
void	ks_peek(const unsigned char *head, size_t n, struct ks_peek *peek);

/* 1 when the peeked top-level object (or first item, if item) has key. */
int	ks_peek_has(const struct ks_peek *peek, int item, const char *key);

/*
 * The reader of a record met inside a member: the record of the first
 * format of m->formats (table order) whose claims(v) is 1, or NULL.
 */
ks_json_fn ks_sniff_record(const struct ks_member *m, const json_t *v);

#endif
