/*
 * The audit import pipeline (pipeline.h).  Records travel in batches: the
 * reader fills a batch with the bytes of each record, its hash and its
 * columns, and hands it over; the writer stores every item of a batch and
 * hands it back.  A few batches circulate, so memory stays bounded however
 * long the member is.  The records come from pipeline-src.h.
 *
 * A record the native reader rejects may be a record of another format
 * (sniffer.h): a file of JSON lines can mix native events, Cloud Logging
 * entries and Azure Monitor records.  Only then, on the slow path, is the
 * table asked which format claims it (ks_sniff_record), and the writer
 * hands it to that format's reader; the events the fast reader takes never
 * pay for it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "formats/audit.h"
#include "formats/cloud.h"
#include "formats/pipeline.h"
#include "formats/pipeline-src.h"
#include "formats/sniffer.h"
#include "formats/member.h"

#define BATCH_BYTES	(1 << 20)	/* usual size of a batch's bytes */
#define BATCH_ITEMS	1024
#define NBATCH		3		/* batches in circulation */

enum item_type { IT_EVENT, IT_REJECT, IT_OTHER };

struct item {
	enum item_type	 type;
	uint64_t	 line;
	const char	*data;		/* the record (a reject: an excerpt) */
	size_t		 size;
	const char	*reason;	/* a reject: why */
	uint8_t		 hash[SHA256_DIGEST_SIZE];
	struct ks_audit_row row;	/* strings in the batch, or in ev */
	struct ks_audit_json arrays;	/* when the fast reader read it */
	int		 lens[KS_AUDIT_NTEXT];	/* of its text columns */
	json_t		*ev;		/* when jansson read it; owned */
	ks_json_fn	 reader;	/* IT_OTHER: the reader of its format */
};

struct batch {
	struct item	*items;
	size_t		 n;
	char		*buf;		/* records and decoded strings */
	size_t		 used, cap;
	struct batch	*next;
};

struct pipe {
	struct ks_member *m;
	struct ks_psrc	 src;		/* the member's records */
	struct ks_cloud_read cloud;	/* the writer's, for IT_OTHER records */
	struct ks_err	*err;		/* one worker: where errors go */
	int		 failed;	/* one worker: the writer failed */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct batch	*full, *full_tail;	/* read, to be written */
	struct batch	*free;			/* written, to be filled */
	int		 done;		/* the reader sent its last batch */
	int		 stop;		/* the writer failed: stop reading */
	int		 oom;		/* the reader ran out of memory */
};

/* Bytes a record of len bytes may take in a batch, at most. */
static size_t
need_of(size_t len)
{
	return len + 1 + KS_AUDIT_SCAN_OUT(len) + 256;
}

static void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	free(b->items);
	free(b->buf);
	free(b);
}

static struct batch *
batch_new(void)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (b == NULL || (b->items = calloc(BATCH_ITEMS,
	    sizeof(*b->items))) == NULL || (b->buf = malloc(BATCH_BYTES)) ==
	    NULL) {
		batch_free(b);
		return NULL;
	}
	b->cap = BATCH_BYTES;
	return b;
}

/*
 * Make an empty batch big enough for one record of len bytes, or give an
 * oversized one back its usual size.  Returns 0 or -1.
 */
static int
batch_size(struct batch *b, size_t len)
{
	size_t want = need_of(len) > BATCH_BYTES ? need_of(len) : BATCH_BYTES;
	char *p;

	if (want == b->cap)
		return 0;
	if ((p = realloc(b->buf, want)) == NULL)
		return want < b->cap ? 0 : -1;
	b->buf = p;
	b->cap = want;
	return 0;
}

static int
batch_fits(const struct batch *b, size_t len)
{
	return b->n < BATCH_ITEMS && b->cap - b->used >= need_of(len);
}

/* Copy n bytes into the batch, with a NUL after them. */
static const char *
keep(struct batch *b, const char *p, size_t n)
{
	char *d = b->buf + b->used;

	memcpy(d, p, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}

/*
 * A record the fast reader was not sure of: jansson decides, as ingest.c
 * does, with the same reasons.  Such an event is stored by ks_emit_audit,
 * from the tree (it->ev).
 */
static void
parse_slow(const struct ks_member *m, struct batch *b, struct item *it)
{
	json_error_t je;
	const char *why;
	char *msg;

	if ((it->ev = json_loadb(it->data, it->size, JSON_DECODE_ANY,
	    &je)) == NULL) {
		msg = b->buf + b->used;
		b->used += (size_t)snprintf(msg, 256, "invalid JSON: %s (line "
		    "%d, column %d of the record)", je.text, je.line,
		    je.column) + 1;
		it->type = IT_REJECT;
		it->reason = msg;
		return;
	}
	if (ks_audit_from_json(it->ev, &it->row, &why) < 0) {
		/* A native event's reader rejects it for the same why. */
		if ((it->reader = ks_sniff_record(m, it->ev)) != NULL) {
			it->type = IT_OTHER;
			return;
		}
		json_decref(it->ev);
		it->ev = NULL;
		it->type = IT_REJECT;
		it->reason = why;
	}
}

/* Add a record to the batch (which has room for it), parsed. */
static void
parse_record(const struct ks_member *m, struct batch *b,
    const struct ks_jrec *r)
{
	struct item *it = &b->items[b->n++];
	struct sha256_ctx c;
	long used;

	memset(it, 0, sizeof(*it));
	it->line = r->line;
	it->data = keep(b, r->data, r->len);
	it->size = r->len;
	if (r->type == KS_JREC_REJECT) {
		it->type = IT_REJECT;
		it->reason = r->reason;
		return;
	}
	it->type = IT_EVENT;
	used = ks_audit_scan(it->data, it->size, 0, b->buf + b->used,
	    KS_AUDIT_SCAN_OUT(it->size), &it->row, &it->arrays);
	if (used < 0) {
		parse_slow(m, b, it);
		return;
	}
	b->used += (size_t)used;
	ks_audit_measure(&it->row, &it->arrays, it->lens);
	sha256_init(&c);
	sha256_update(&c, r->len, (const uint8_t *)it->data);
	sha256_digest(&c, sizeof(it->hash), it->hash);
}

/* A record of another format, to its reader (the bytes are its raw text). */
static int
write_other(struct pipe *p, const struct item *it, struct ks_err *err)
{
	struct ks_jrec r = { .type = KS_JREC_VALUE, .data = it->data,
	    .len = it->size, .line = it->line, .key = -1 };

	return it->reader(p->m, it->ev, &r, &p->cloud, err);
}

/* Store every item of a batch (unless failed) and empty it. */
static int
write_batch(struct pipe *p, struct batch *b, int failed, struct ks_err *err)
{
	struct ks_member *m = p->m;

	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];
		if (failed)
			;
		else if (it->type == IT_OTHER)
			failed = write_other(p, it, err) < 0;
		else if (it->type == IT_REJECT)
			failed = ks_emit_reject(m, it->line, it->reason,
			    it->data, it->size, err) < 0;
		else if (it->ev != NULL)
			failed = ks_emit_audit(m, &it->row, it->data,
			    it->size, it->line, err) < 0;
		else
			failed = ks_emit_audit_parsed(m, &it->row,
			    &it->arrays, it->lens, it->hash, it->data,
			    it->size, it->line, err) < 0;
		json_decref(it->ev);
	}
	b->n = 0;
	b->used = 0;
	return failed ? -1 : 0;
}

/*
 * Add a whole line to the batch when the fast reader is sure of it;
 * returns 0 when it is not (the batch is as it was).
 */
static int
parse_line(struct batch *b, const struct ks_jrec *r, int max_depth)
{
	struct item *it = &b->items[b->n];
	struct sha256_ctx c;
	size_t mark = b->used;
	long used;

	memset(it, 0, sizeof(*it));
	it->line = r->line;
	it->data = keep(b, r->data, r->len);
	it->size = r->len;
	it->type = IT_EVENT;
	used = ks_audit_scan(it->data, it->size, max_depth, b->buf + b->used,
	    KS_AUDIT_SCAN_OUT(it->size), &it->row, &it->arrays);
	if (used < 0) {
		b->used = mark;
		return 0;
	}
	b->n++;
	b->used += (size_t)used;
	ks_audit_measure(&it->row, &it->arrays, it->lens);
	sha256_init(&c);
	sha256_update(&c, r->len, (const uint8_t *)it->data);
	sha256_digest(&c, sizeof(it->hash), it->hash);
	return 1;
}

/* What to do with a full batch: write it, or hand it to the writer. */
typedef struct batch *(*flush_fn)(struct pipe *, struct batch *);

/*
 * Read the member's records into batches, handing each full one to flush,
 * which gives an empty one back (NULL: stop).  Returns the last batch, to
 * be flushed by the caller, or NULL.
 */
static struct batch *
read_member(struct pipe *p, struct batch *b, flush_fn flush)
{
	struct ks_jrec r;
	int line, oom = 0;

	while (b != NULL && ks_psrc_next(&p->src, &r, &line, &oom) == 1) {
		if (r.type == KS_JREC_END) {
			continue;	/* an EventList's envelope */
		}
		if (!batch_fits(b, r.len)) {
			if (b->n > 0 && (b = flush(p, b)) == NULL)
				break;
			if (batch_size(b, r.len) < 0) {
				oom = 1;
				break;
			}
		}
		if (!line)
			parse_record(p->m, b, &r);
		else if (parse_line(b, &r, p->src.lim.max_depth))
			ks_psrc_line_done(&p->src);
		else if (ks_psrc_line_slow(&p->src) < 0) {
			oom = 1;
			break;
		}
	}
	if (oom)
		p->oom = 1;	/* read by the writer after the join */
	return b;
}

/* One worker: write a full batch, and use it again. */
static struct batch *
write_now(struct pipe *p, struct batch *b)
{
	if (write_batch(p, b, 0, p->err) < 0) {
		p->failed = 1;
		return NULL;
	}
	return b;
}

/* One worker: read a batch, write it, and again. */
static int
run_serial(struct pipe *p, struct ks_err *err)
{
	struct batch *b = batch_new(), *last;
	int rc = 0;

	if (b == NULL)
		return ks_err_set(err, "out of memory");
	p->err = err;
	if ((last = read_member(p, b, write_now)) != NULL)
		rc = write_batch(p, last, 0, err);
	if (p->failed)
		rc = -1;
	else if (rc == 0 && p->oom)
		rc = ks_err_set(err, "out of memory");
	batch_free(b);
	return rc;
}

/* The reader's side: hand a full batch over, take an empty one. */
static struct batch *
swap_batch(struct pipe *p, struct batch *full)
{
	struct batch *b;

	pthread_mutex_lock(&p->mu);
	if (full != NULL) {
		full->next = NULL;
		if (p->full_tail != NULL)
			p->full_tail->next = full;
		else
			p->full = full;
		p->full_tail = full;
		pthread_cond_broadcast(&p->cv);
	}
	while (p->free == NULL && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	if ((b = p->free) != NULL && !p->stop)
		p->free = b->next;
	else
		b = NULL;
	pthread_mutex_unlock(&p->mu);
	return b;
}

static void *
reader_main(void *arg)
{
	struct pipe *p = arg;
	struct batch *b = read_member(p, swap_batch(p, NULL), swap_batch);

	pthread_mutex_lock(&p->mu);
	if (b != NULL) {
		b->next = NULL;
		if (p->full_tail != NULL)
			p->full_tail->next = b;
		else
			p->full = b;
		p->full_tail = b;
	}
	p->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The writer's side: the next full batch, or NULL when all are written. */
static struct batch *
next_full(struct pipe *p)
{
	struct batch *b;

	pthread_mutex_lock(&p->mu);
	while (p->full == NULL && !p->done)
		pthread_cond_wait(&p->cv, &p->mu);
	if ((b = p->full) != NULL && (p->full = b->next) == NULL)
		p->full_tail = NULL;
	pthread_mutex_unlock(&p->mu);
	return b;
}

/*
 * Two workers: a reader thread fills batches, this thread writes them, and
 * a pump thread feeds the reader.
 */
static int
run_threaded(struct pipe *p, struct ks_err *err)
{
	struct batch *b;
	struct ks_pump *pump;
	pthread_t tid;
	int rc = 0, failed = 0;

	for (int i = 0; i < NBATCH; i++) {
		if ((b = batch_new()) == NULL)
			break;
		b->next = p->free;
		p->free = b;
	}
	pump = ks_input_pump(p->m->in, 1);
	if (p->free == NULL || pthread_create(&tid, NULL, reader_main, p) != 0) {
		while ((b = p->free) != NULL) {
			p->free = b->next;
			batch_free(b);
		}
		rc = run_serial(p, err);
		ks_input_pump_stop(pump);
		return rc;
	}
	while ((b = next_full(p)) != NULL) {
		if (write_batch(p, b, failed, err) < 0 && !failed) {
			failed = 1;
			rc = -1;
		}
		batch_size(b, 0);
		pthread_mutex_lock(&p->mu);
		b->next = p->free;
		p->free = b;
		p->stop = failed;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_join(tid, NULL);
	ks_input_pump_stop(pump);
	if (rc == 0 && p->oom)
		rc = ks_err_set(err, "out of memory");
	/* Every batch is back in the free list. */
	while ((b = p->free) != NULL) {
		p->free = b->next;
		batch_free(b);
	}
	return rc;
}

int
ks_pipeline_audit(struct ks_member *m, struct ks_err *err)
{
	struct ks_jscan_limits lim = { m->lim->max_record,
	    m->lim->max_json_depth };
	struct pipe p = { .m = m, .cloud.year = ks_cloud_year(m) };
	int rc;

	if (ks_psrc_open(&p.src, m->in, &lim) < 0)
		return ks_err_set(err, "out of memory");
	if (ks_limits_workers(m->lim) < 2) {
		/* The same reads as with a pump thread. */
		struct ks_pump *pump = ks_input_pump(m->in, 0);
		rc = run_serial(&p, err);
		ks_input_pump_stop(pump);
	} else {
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.cv, NULL);
		rc = run_threaded(&p, err);
		pthread_cond_destroy(&p.cv);
		pthread_mutex_destroy(&p.mu);
	}
	ks_psrc_close(&p.src);
	ks_cloud_warn(m, &p.cloud.t);
	return rc;
}
