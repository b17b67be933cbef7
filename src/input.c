#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

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
