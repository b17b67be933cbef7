/*
 * A member input: a pull stream over the bytes of one source (a file, a
 * libarchive entry, standard input).  Every byte that passes is hashed with
 * SHA-256 exactly once and counted against a shared expansion budget, so the
 * source's hash is that of its bytes whatever the reader consumed.
 */
#ifndef KS_INPUT_H
#define KS_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <nettle/sha2.h>

#include "util/err.h"

/*
 * Read up to cap bytes into buf.  Returns the count, 0 at the end, or -1
 * with err filled.
 */
typedef ssize_t	(*ks_input_fill_fn)(void *ctx, void *buf, size_t cap,
		    struct ks_err *err);

/* Expanded bytes allowed for one top-level input, shared by its members. */
struct ks_budget {
	uint64_t	used;		/* bytes read so far, all members */
	uint64_t	limit;		/* 0 = no limit */
};

struct ks_input {
	ks_input_fill_fn fill;		/* where bytes come from */
	void		*ctx;		/* fill's argument, borrowed */
	struct ks_budget *budget;	/* may be NULL; borrowed */
	unsigned char	*buf;		/* owned */
	size_t		 cap;		/* allocated size of buf */
	size_t		 start;		/* first unread byte in buf */
	size_t		 end;		/* one past the last buffered byte */
	uint64_t	 offset;	/* stream offset of buf[start] */
	uint64_t	 total;		/* bytes pulled from fill (and hashed) */
	int		 eof;		/* fill returned 0 */
	int		 failed;	/* fill failed or budget exceeded */
	int		 unhashed;	/* bytes hashed elsewhere (gunzip.c) */
	struct ks_err	 err;		/* why it failed */
	struct sha256_ctx sha;
};

#define KS_INPUT_BUFSZ	(256 * 1024)

void	ks_input_init(struct ks_input *in, ks_input_fill_fn fill, void *ctx,
	    struct ks_budget *budget);
void	ks_input_release(struct ks_input *in);

/*
 * Make at least want bytes (at most KS_INPUT_BUFSZ) readable unless the
 * stream ends first.  Returns the unread bytes, borrowed until the next call
 * on in; *avail is their count (0 at the end or on failure).
 */
const unsigned char *ks_input_peek(struct ks_input *in, size_t want,
	    size_t *avail);

/* Mark n of the peeked bytes as read. */
void	ks_input_consume(struct ks_input *in, size_t n);

/* Read and hash everything left.  Returns 0, or -1 if the stream failed. */
int	ks_input_drain(struct ks_input *in);

/*
 * The SHA-256 of every byte pulled so far, as 64 hex digits and a NUL
 * (unless in->unhashed, which the caller sets after ks_input_init).
 */
void	ks_input_sha256_hex(struct ks_input *in, char hex[65]);

/* A fill function over a file descriptor (ctx points to an int). */
ssize_t	ks_input_fill_fd(void *ctx, void *buf, size_t cap, struct ks_err *err);

/* Hex-encode a SHA-256 digest. */
void	ks_sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[65]);



/*
 * Pull in's bytes in blocks of a fixed size, read ahead in a thread of its
 * own when threaded (and a thread can start), until ks_input_pump_stop
 * (which accepts NULL, and gives in back its own fill function; blocks
 * read ahead and not taken are dropped then).  Only the reader of in may
 * use in meanwhile.  NULL when out of memory: in is then as it was.
 */
struct ks_pump;
struct ks_pump *ks_input_pump(struct ks_input *in, int threaded);
void	ks_input_pump_stop(struct ks_pump *pump);

/* A fill function over bytes in memory, for tests and fuzzers. */
struct ks_memsrc {
	const char	*p;	/* borrowed */
	size_t		 len, off;
	size_t		 chunk;	/* bytes per fill; 0 = as many as fit */
};
ssize_t	ks_input_fill_mem(void *ctx, void *buf, size_t cap, struct ks_err *err);
#endif
