/*
 * Gzip, read with zlib rather than with libarchive's gzip filter, which
 * checks neither the CRC-32 nor the length in a member's trailer and
 * ignores whatever follows the last member: evidence must not pass
 * corrupted without a word.  Here inflate checks every member's trailer;
 * members written one after another (cat a.gz b.gz, pigz, bgzip) are all
 * read; zero bytes after the last member are accepted, as gzip(1) accepts
 * them (tape padding); any other bytes there are counted and reported.
 * Gzip inside gzip is unwrapped here too, layer under layer, so that
 * every layer is checked, and the whole stays one filter chain.
 */
#ifndef KS_GUNZIP_H
#define KS_GUNZIP_H

#include <stddef.h>
#include <stdint.h>

#include "input/input.h"

#define KS_GUNZIP_LAYERS 16		/* gzip in gzip unwrapped here */
#define KS_RATIO_FLOOR	(100ULL << 20)	/* bytes before the ratio counts */

struct ks_gunzip;

/* Do the n bytes at p begin like gzip (1f 8b, then deflate)? */
int	ks_gunzip_magic(const unsigned char *p, size_t n);

/*
 * Gzip layers over src, which begins like gzip: one, and one more each
 * time the bytes a layer yields begin like gzip too, up to
 * KS_GUNZIP_LAYERS.  max_ratio (0: none) bounds the bytes yielded over the
 * bytes taken from src, past KS_RATIO_FLOOR, as --max-ratio does.  src is
 * borrowed and must outlive the result.  NULL when out of memory.
 */
struct ks_gunzip *ks_gunzip_new(struct ks_input *src, uint64_t max_ratio);
void	ks_gunzip_free(struct ks_gunzip *gz);	/* accepts NULL */

/*
 * The decompressed bytes, borrowed while gz lives.  They are not hashed:
 * src is.  They end early, as at an end, at a corrupt or cut-short member
 * or at --max-ratio: ks_gunzip_fault then says why.
 */
struct ks_input *ks_gunzip_output(struct ks_gunzip *gz);

/* Why the output ended early, or NULL; borrowed from gz. */
const char *ks_gunzip_fault(const struct ks_gunzip *gz);

/* Compressed bytes taken from src so far. */
uint64_t ks_gunzip_raw_bytes(const struct ks_gunzip *gz);

/* The fault when it is --max-ratio, or NULL; borrowed from gz. */
const char *ks_gunzip_limit(const struct ks_gunzip *gz);

/*
 * Bytes after the last member of a layer that were neither gzip nor zero
 * padding, and so were not read: those of the outermost such layer, whose
 * number (1 for the outermost layer) goes to *layer; 0 when none.
 */
uint64_t ks_gunzip_trailing(const struct ks_gunzip *gz, int *layer);

#endif
