#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/input.h"

void
ks_input_init(struct ks_input *in, ks_input_fill_fn fill, void *ctx,
    struct ks_budget *budget)
{
	memset(in, 0, sizeof(*in));
	in->fill = fill;
	in->ctx = ctx;
	in->budget = budget;
	sha256_init(&in->sha);
}

void
ks_input_release(struct ks_input *in)
{
	free(in->buf);
	in->buf = NULL;
}

/* Pull one block from fill into the free space at the end of buf. */
static void
pull(struct ks_input *in)
{
	ssize_t n;

	if (in->buf == NULL && (in->buf = malloc(KS_INPUT_BUFSZ)) == NULL) {
		in->failed = 1;
		ks_err_set(&in->err, "out of memory");
		return;
	}
	in->cap = KS_INPUT_BUFSZ;
	n = in->fill(in->ctx, in->buf + in->end, in->cap - in->end, &in->err);
	if (n < 0) {
		in->failed = 1;
		return;
	}
	if (n == 0) {
		in->eof = 1;
		return;
	}
	if (!in->unhashed)
		sha256_update(&in->sha, (size_t)n, in->buf + in->end);
	in->end += (size_t)n;
	in->total += (uint64_t)n;
	if (in->budget != NULL) {
		in->budget->used += (uint64_t)n;
		if (in->budget->limit && in->budget->used > in->budget->limit) {
			in->failed = 1;
			ks_err_set(&in->err, "expanded-size limit of %llu bytes "
			    "reached (--max-expanded)",
			    (unsigned long long)in->budget->limit);
		}
	}
}

const unsigned char *
ks_input_peek(struct ks_input *in, size_t want, size_t *avail)
{
	if (want > KS_INPUT_BUFSZ)
		want = KS_INPUT_BUFSZ;
	while (in->end - in->start < want && !in->eof && !in->failed) {
		if (in->buf != NULL && in->end == in->cap) {
			/* Slide the unread bytes to the front. */
			memmove(in->buf, in->buf + in->start,
			    in->end - in->start);
			in->end -= in->start;
			in->start = 0;
		}
		pull(in);
	}
	*avail = in->end - in->start;
	return in->buf != NULL ? in->buf + in->start : NULL;
}

void
ks_input_consume(struct ks_input *in, size_t n)
{
	if (n > in->end - in->start)
		n = in->end - in->start;
	in->start += n;
	in->offset += n;
	if (in->start == in->end)
		in->start = in->end = 0;
}

int
ks_input_drain(struct ks_input *in)
{
	size_t n;

	for (;;) {
		ks_input_peek(in, 1, &n);
		if (n == 0)
			break;
		ks_input_consume(in, n);
	}
	return in->failed ? -1 : 0;
}

void
ks_sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[65])
{
	static const char xd[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = xd[digest[i] >> 4];
		hex[2 * i + 1] = xd[digest[i] & 15];
	}
	hex[64] = '\0';
}

void
ks_input_sha256_hex(struct ks_input *in, char hex[65])
{
	struct sha256_ctx copy = in->sha;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_digest(&copy, sizeof(digest), digest);
	ks_sha256_hex(digest, hex);
}

ssize_t
ks_input_fill_fd(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	int fd = *(int *)ctx;
	ssize_t n;

	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ks_err_set(err, "read: %s", strerror(errno));
	return n;
}

ssize_t
ks_input_fill_mem(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct ks_memsrc *m = ctx;
	size_t n = m->len - m->off;

	if (n > cap)
		n = cap;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

/*
 * The pump: a thread that pulls an input's bytes from where they come from
 * (libarchive decompressing them, a file) ahead of its reader, so that
 * decompression runs beside what reads them.  While it runs, the input's
 * fill function is take_block, which hands the blocks over in order;
 * hashing and counting stay in the input, as ever.  Without a thread, the
 * blocks are pulled the same way by take_sync: the reads, and so what a
 * cut-short compressed member yields, do not depend on the thread.
 */
#define PUMP_BLOCK	(256 * 1024)
#define PUMP_BLOCKS	4

struct block {
	char		*p;
	ssize_t		 n;		/* bytes; 0 the end; -1 an error */
	size_t		 off;		/* bytes already taken */
};

struct ks_pump {
	struct ks_input	*in;		/* borrowed */
	ks_input_fill_fn fill;		/* the input's own */
	void		*ctx;
	pthread_t	 tid;
	int		 threaded;	/* else take_sync pulls the blocks */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct block	 ring[PUMP_BLOCKS];
	int		 head, count;	/* blocks filled, from head */
	int		 stop;		/* the reader is done */
	struct ks_err	 err;		/* why fill failed */
};

static void *
pump_main(void *arg)
{
	struct ks_pump *pu = arg;
	struct block *b;
	ssize_t n;

	pthread_mutex_lock(&pu->mu);
	for (;;) {
		while (pu->count == PUMP_BLOCKS && !pu->stop)
			pthread_cond_wait(&pu->cv, &pu->mu);
		if (pu->stop)
			break;
		b = &pu->ring[(pu->head + pu->count) % PUMP_BLOCKS];
		pthread_mutex_unlock(&pu->mu);
		n = pu->fill(pu->ctx, b->p, PUMP_BLOCK, &pu->err);
		pthread_mutex_lock(&pu->mu);
		b->n = n;
		b->off = 0;
		pu->count++;
		pthread_cond_broadcast(&pu->cv);
		if (n <= 0)
			break;		/* the end, or an error: nothing more */
	}
	pthread_mutex_unlock(&pu->mu);
	return NULL;
}

/* The input's fill function while the pump runs. */
static ssize_t
take_block(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct ks_pump *pu = ctx;
	struct block *b;
	size_t k;

	pthread_mutex_lock(&pu->mu);
	while (pu->count == 0)
		pthread_cond_wait(&pu->cv, &pu->mu);
	b = &pu->ring[pu->head];
	pthread_mutex_unlock(&pu->mu);
	if (b->n <= 0) {
		/* Left in place: the end or the error stays. */
		if (b->n < 0)
			*err = pu->err;
		return b->n;
	}
	/* The pump does not touch the head block until it is taken. */
	k = (size_t)b->n - b->off < cap ? (size_t)b->n - b->off : cap;
	memcpy(buf, b->p + b->off, k);
	b->off += k;
	if (b->off == (size_t)b->n) {
		pthread_mutex_lock(&pu->mu);
		pu->head = (pu->head + 1) % PUMP_BLOCKS;
		pu->count--;
		pthread_cond_broadcast(&pu->cv);
		pthread_mutex_unlock(&pu->mu);
	}
	return (ssize_t)k;
}

/* The input's fill function with a pump without a thread. */
static ssize_t
take_sync(void *ctx, void *buf, size_t cap, struct ks_err *err)
{
	struct ks_pump *pu = ctx;
	struct block *b = &pu->ring[0];
	size_t k;

	if (pu->count == 0) {
		b->n = pu->fill(pu->ctx, b->p, PUMP_BLOCK, &pu->err);
		b->off = 0;
		pu->count = 1;
	}
	if (b->n <= 0) {
		if (b->n < 0)
			*err = pu->err;
		return b->n;
	}
	k = (size_t)b->n - b->off < cap ? (size_t)b->n - b->off : cap;
	memcpy(buf, b->p + b->off, k);
	if ((b->off += k) == (size_t)b->n)
		pu->count = 0;
	return (ssize_t)k;
}

static void
pump_free(struct ks_pump *pu)
{
	for (int i = 0; i < PUMP_BLOCKS; i++)
		free(pu->ring[i].p);
	free(pu);
}

struct ks_pump *
ks_input_pump(struct ks_input *in, int threaded)
{
	struct ks_pump *pu = calloc(1, sizeof(*pu));

	if (pu == NULL)
		return NULL;
	for (int i = 0; i < PUMP_BLOCKS; i++)
		if ((pu->ring[i].p = malloc(PUMP_BLOCK)) == NULL) {
			pump_free(pu);
			return NULL;
		}
	pu->in = in;
	pu->fill = in->fill;
	pu->ctx = in->ctx;
	in->ctx = pu;
	if (!threaded) {
		in->fill = take_sync;
		return pu;
	}
	pu->threaded = 1;
	pthread_mutex_init(&pu->mu, NULL);
	pthread_cond_init(&pu->cv, NULL);
	if (pthread_create(&pu->tid, NULL, pump_main, pu) != 0) {
		pthread_cond_destroy(&pu->cv);
		pthread_mutex_destroy(&pu->mu);
		pu->threaded = 0;	/* pull in the reader's thread */
		in->fill = take_sync;
		return pu;
	}
	in->fill = take_block;
	return pu;
}

void
ks_input_pump_stop(struct ks_pump *pu)
{
	if (pu == NULL)
		return;
	if (pu->threaded) {
		pthread_mutex_lock(&pu->mu);
		pu->stop = 1;
		pthread_cond_broadcast(&pu->cv);
		pthread_mutex_unlock(&pu->mu);
		pthread_join(pu->tid, NULL);
		pthread_cond_destroy(&pu->cv);
		pthread_mutex_destroy(&pu->mu);
	}
	pu->in->fill = pu->fill;
	pu->in->ctx = pu->ctx;
	pump_free(pu);
}
