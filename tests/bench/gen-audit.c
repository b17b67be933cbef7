/*
 * gen-audit: write realistic Kubernetes audit events to stdout, the same
 * bytes for the same arguments on any machine.  See usage() and
 * fixtures/README.md.
 *
 * Requests are generated in order of arrival; each has one to three stages
 * (RequestReceived, ResponseStarted, ResponseComplete) whose lines go
 * through a min-heap keyed by stage time, so the log comes out in the order
 * an apiserver writes it: by stageTimestamp.  --events counts those lines.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "gen-audit.h"

enum format { FMT_NATIVE, FMT_FLE, FMT_S3, FMT_SUB };

#define FLUSH_AT	(1u << 20)	/* write stdout in ~1 MiB chunks */
#define EVENT_MAX	(64u << 10)	/* upper bound of one formatted event */
#define FLE_PAGE	10000		/* events per filter-log-events page */
#define SUB_BATCH	500		/* logEvents per subscription envelope */
#define SUB_SPAN_MS	5000		/* ... or this much time */
#define NSTREAMS	2

static const char usage_text[] =
"usage: gen-audit [--seed N] [--events N] [--start RFC3339] [--rate N]\n"
"                 [--scenario plain|eks-cninodes|denials]\n"
"                 [--format native|filter-log-events|s3|subscription]\n"
"                 [--summary]\n"
"\n"
"Write realistic Kubernetes audit events (audit.k8s.io/v1) of a simulated\n"
"six-node EKS 1.29 cluster to stdout, reproducibly: the same arguments give\n"
"the same bytes on any machine.\n"
"\n"
"  --seed N        seed of the request stream (default 1)\n"
"  --events N      number of audit events (lines of the native log) (10000)\n"
"  --start TIME    time of the first request (2024-03-05T10:00:00Z)\n"
"  --rate N        audit events per second of simulated time (300)\n"
"  --scenario S    plain: an ordinary cluster (default)\n"
"                  eks-cninodes: a fifth of the way in, eks:addon-manager\n"
"                  updates ClusterRole vpc-resource-controller-role; from a\n"
"                  few seconds to two minutes later eks:vpc-resource-controller\n"
"                  patches cninodes of every node every ~5 s, denied (403)\n"
"                  denials: one request in four a tenant's service account\n"
"                  (2000 of them in 400 namespaces) refused (403)\n"
"  --format F      native: one Event per line (default)\n"
"                  filter-log-events: `aws logs filter-log-events` JSON pages\n"
"                  of 10000 events, concatenated, each but the last with a\n"
"                  nextToken\n"
"                  s3: CloudWatch export to S3, \"<ISO time> <event>\" lines\n"
"                  subscription: CloudWatch subscription-filter envelopes\n"
"                  (decompressed), one per line, up to 500 events each,\n"
"                  after one CONTROL_MESSAGE\n"
"  --summary       print to stderr, as key=value lines: the event count and\n"
"                  time span, the scenario's change, and the number, first\n"
"                  and last requestReceivedTimestamp of the denials\n";

static void
usage(FILE *f, int status)
{
	fputs(usage_text, f);
	exit(status);
}

static void
die(const char *msg, const char *arg)
{
	fprintf(stderr, "gen-audit: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static uint64_t
parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		die(what, s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		die(what, s);
	return v;
}

/* A positive decimal with up to three fraction digits, in thousandths. */
static int64_t
parse_milli(const char *s)
{
	const char *p = s;
	int64_t v = 0;
	int fd = -1;

	for (; *p; p++) {
		if (*p == '.' && fd < 0) {
			fd = 0;
		} else if (*p >= '0' && *p <= '9' && fd < 3 && v < INT64_C(1) << 40) {
			v = v * 10 + (*p - '0');
			if (fd >= 0)
				fd++;
		} else {
			die("bad --rate", s);
		}
	}
	for (fd = fd < 0 ? 0 : fd; fd < 3; fd++)
		v *= 10;
	if (v <= 0)
		die("bad --rate", s);
	return v;
}

/* -- the stage heap ----------------------------------------------------- */

struct hent {
	int64_t		t;	/* stage time */
	uint64_t	seq;	/* tie-break: order of insertion */
	uint32_t	slot;	/* index into pool */
	uint32_t	stage;	/* enum stage */
};

static struct hent *heap;
static size_t nheap, capheap;
static struct req *pool;
static uint32_t *freeslots;
static size_t npool, capool, nfree;
static uint64_t seqno;

static int
hless(const struct hent *a, const struct hent *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
hpush(int64_t t, uint32_t slot, enum stage st)
{
	size_t i;

	if (nheap == capheap) {
		capheap = capheap ? capheap * 2 : 4096;
		heap = realloc(heap, capheap * sizeof(*heap));
		if (heap == NULL) {
			perror("gen-audit");
			exit(1);
		}
	}
	i = nheap++;
	struct hent e = { t, seqno++, slot, st };

	while (i > 0 && hless(&e, &heap[(i - 1) / 2])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = e;
}

static struct hent
hpop(void)
{
	struct hent top = heap[0], last = heap[--nheap];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= nheap)
			break;
		if (c + 1 < nheap && hless(&heap[c + 1], &heap[c]))
			c++;
		if (!hless(&heap[c], &last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (nheap)
		heap[i] = last;
	return top;
}

/* Keep a request until its last stage is written. */
static void
schedule(const struct req *q)
{
	uint32_t slot;

	if (nfree) {
		slot = freeslots[--nfree];
	} else {
		if (npool == capool) {
			capool = capool ? capool * 2 : 4096;
			pool = realloc(pool, capool * sizeof(*pool));
			freeslots = realloc(freeslots, capool * sizeof(*freeslots));
			if (pool == NULL || freeslots == NULL) {
				perror("gen-audit");
				exit(1);
			}
		}
		slot = (uint32_t)npool++;
	}
	pool[slot] = *q;
	if (q->received)
		hpush(q->t_recv, slot, ST_RECEIVED);
	if (q->t_start)
		hpush(q->t_start, slot, ST_STARTED);
	hpush(q->t_done, slot, ST_COMPLETE);
}

/* -- output ------------------------------------------------------------- */

static struct {
	enum format	fmt;
	uint64_t	nevents;	/* --events */
	uint64_t	emitted;	/* audit events written */
	struct buf	out;		/* pending stdout bytes */
	struct buf	ev;		/* the current event */
	struct rng	wrap;		/* ids, tokens, ingestion delays */
	char		streams[NSTREAMS][64];
	struct buf	batch[NSTREAMS];	/* subscription logEvents */
	unsigned	nbatch[NSTREAMS];
	int64_t		batch_ms[NSTREAMS];	/* time of a batch's first */
	unsigned	npage;		/* events in the current page */
	/* summary */
	int64_t		first_ts, last_ts;
	uint64_t	denials, other_denials;
	int64_t		den_first, den_last;
	int		change_seen;	/* the scenario's update was written */
} o;

static void
flush_out(void)
{
	if (o.out.len && fwrite(o.out.p, 1, o.out.len, stdout) != o.out.len) {
		perror("gen-audit: stdout");
		exit(1);
	}
	o.out.len = 0;
}

/* A 56-digit CloudWatch event id: time, randomness, sequence. */
static void
put_eventid(struct buf *b, int64_t ms)
{
	buf_u64_pad(b, (uint64_t)ms, 19);
	buf_u64_pad(b, rng_next(&o.wrap) % UINT64_C(10000000000000000000), 19);
	buf_u64_pad(b, o.emitted % UINT64_C(1000000000000000000), 18);
}

static void
sub_flush(int s)
{
	if (o.nbatch[s] == 0)
		return;
	buf_reserve(&o.out, o.batch[s].len + 512);
	BUF_LIT(&o.out, "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789012\","
	    "\"logGroup\":\"/aws/eks/demo/cluster\",\"logStream\":\"");
	buf_str(&o.out, o.streams[s]);
	BUF_LIT(&o.out, "\",\"subscriptionFilters\":[\"kubesift\"],\"logEvents\":[");
	buf_put(&o.out, o.batch[s].p, o.batch[s].len);
	BUF_LIT(&o.out, "]}\n");
	o.batch[s].len = 0;
	o.nbatch[s] = 0;
}

static void
fle_close(int last)
{
	buf_reserve(&o.out, 512);
	BUF_LIT(&o.out, "\n    ],\n    \"searchedLogStreams\": []");
	if (!last) {
		static const char tok[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		int i;

		BUF_LIT(&o.out, ",\n    \"nextToken\": \"");
		for (i = 0; i < 152; i++)
			o.out.p[o.out.len++] = tok[rng_next(&o.wrap) >> 58];
		o.out.p[o.out.len++] = '"';
	}
	BUF_LIT(&o.out, "\n}\n");
	o.npage = 0;
}

/* Wrap the event in o.ev as the chosen format asks, into o.out. */
static void
wrap_event(const struct req *q, int64_t stamp)
{
	int64_t ms = stamp / 1000;
	int s = q->apiserver;

	buf_reserve(&o.out, 2 * o.ev.len + 1024);
	switch (o.fmt) {
	case FMT_NATIVE:
		buf_put(&o.out, o.ev.p, o.ev.len);
		o.out.p[o.out.len++] = '\n';
		break;
	case FMT_S3:
		buf_time(&o.out, ms * 1000, 3);
		o.out.p[o.out.len++] = ' ';
		buf_put(&o.out, o.ev.p, o.ev.len);
		o.out.p[o.out.len++] = '\n';
		break;
	case FMT_FLE:
		if (o.npage == 0)
			BUF_LIT(&o.out, "{\n    \"events\": [\n");
		else
			BUF_LIT(&o.out, ",\n");
		BUF_LIT(&o.out, "        {\n            \"logStreamName\": \"");
		buf_str(&o.out, o.streams[s]);
		BUF_LIT(&o.out, "\",\n            \"timestamp\": ");
		buf_u64(&o.out, (uint64_t)ms);
		BUF_LIT(&o.out, ",\n            \"message\": \"");
		buf_escape(&o.out, o.ev.p, o.ev.len);
		BUF_LIT(&o.out, "\",\n            \"ingestionTime\": ");
		buf_u64(&o.out, (uint64_t)(ms + 200 + (int64_t)rng_below(&o.wrap, 2300)));
		BUF_LIT(&o.out, ",\n            \"eventId\": \"");
		put_eventid(&o.out, ms);
		BUF_LIT(&o.out, "\"\n        }");
		if (++o.npage == FLE_PAGE || o.emitted + 1 == o.nevents)
			fle_close(o.emitted + 1 == o.nevents);
		break;
	case FMT_SUB:
		if (o.nbatch[s] && ms - o.batch_ms[s] >= SUB_SPAN_MS)
			sub_flush(s);
		buf_reserve(&o.batch[s], 2 * o.ev.len + 256);
		if (o.nbatch[s]++)
			o.batch[s].p[o.batch[s].len++] = ',';
		else
			o.batch_ms[s] = ms;
		BUF_LIT(&o.batch[s], "{\"id\":\"");
		put_eventid(&o.batch[s], ms);
		BUF_LIT(&o.batch[s], "\",\"timestamp\":");
		buf_u64(&o.batch[s], (uint64_t)ms);
		BUF_LIT(&o.batch[s], ",\"message\":\"");
		buf_escape(&o.batch[s], o.ev.p, o.ev.len);
		BUF_LIT(&o.batch[s], "\"}");
		if (o.nbatch[s] == SUB_BATCH)
			sub_flush(s);
		break;
	}
}

static void
emit(const struct req *q, enum stage st)
{
	int64_t stamp = st == ST_RECEIVED ? q->t_recv :
	    st == ST_STARTED ? q->t_start : q->t_done;

	o.ev.len = 0;
	buf_reserve(&o.ev, EVENT_MAX);
	ev_format(&o.ev, q, st);
	wrap_event(q, stamp);
	if (o.emitted == 0)
		o.first_ts = stamp;
	o.last_ts = stamp;
	if (st == ST_COMPLETE && q->ro == RO_CLUSTERROLE)
		o.change_seen = 1;
	if (st == ST_COMPLETE && q->fail == F_403) {
		if (!q->scenario) {
			o.other_denials++;
		} else {
			if (o.denials == 0 || q->t_recv < o.den_first)
				o.den_first = q->t_recv;
			if (o.denials == 0 || q->t_recv > o.den_last)
				o.den_last = q->t_recv;
			o.denials++;
		}
	}
	o.emitted++;
	if (o.out.len >= FLUSH_AT)
		flush_out();
}

static void
print_time(const char *key, int64_t us)
{
	struct buf b = { 0 };

	buf_reserve(&b, 64);
	buf_time(&b, us, 6);
	fprintf(stderr, "%s=%.*s\n", key, (int)b.len, b.p);
	free(b.p);
}

static void
summary(enum scenario sc)
{
	struct scen_info si;

	fprintf(stderr, "scenario=%s\nevents=%" PRIu64 "\n",
	    sc == SC_PLAIN ? "plain" : sc == SC_DENIALS ? "denials" :
	    "eks-cninodes", o.emitted);
	if (o.emitted) {
		print_time("first_event", o.first_ts);
		print_time("last_event", o.last_ts);
	}
	if (sc == SC_EKS_CNINODES && o.change_seen) {
		wl_scen_info(&si);
		print_time("preceding_change", si.change_at);
		fprintf(stderr, "preceding_change_what=%s\n", si.change_what);
	}
	fprintf(stderr, "denials=%" PRIu64 "\n", o.denials);
	if (o.denials) {
		fprintf(stderr, "denials_actor=eks:vpc-resource-controller\n"
		    "denials_verb=patch\ndenials_resource=cninodes\n"
		    "denials_group=vpcresources.k8s.aws\n");
		print_time("denials_first", o.den_first);
		print_time("denials_last", o.den_last);
	}
	fprintf(stderr, "other_denials=%" PRIu64 "\n", o.other_denials);
}

static const struct option longopts[] = {
	{ "seed", required_argument, NULL, 's' },
	{ "events", required_argument, NULL, 'n' },
	{ "start", required_argument, NULL, 't' },
	{ "rate", required_argument, NULL, 'r' },
	{ "scenario", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "summary", no_argument, NULL, 'S' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* The command line, once parsed. */
struct opts {
	uint64_t	seed;
	int64_t		start;		/* µs */
	int64_t		rate_milli;	/* events per 1000 s */
	enum scenario	sc;
	int		summary;
};

static void
parse_options(int argc, char **argv, struct opts *op)
{
	int ch;

	op->seed = 1;
	op->rate_milli = 300000;
	op->sc = SC_PLAIN;
	op->summary = 0;
	o.nevents = 10000;
	time_parse("2024-03-05T10:00:00Z", &op->start);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			op->seed = parse_u64(optarg, "bad --seed");
			break;
		case 'n':
			o.nevents = parse_u64(optarg, "bad --events");
			break;
		case 't':
			if (time_parse(optarg, &op->start) < 0)
				die("bad --start (want RFC 3339)", optarg);
			break;
		case 'r':
			op->rate_milli = parse_milli(optarg);
			break;
		case 'c':
			if (strcmp(optarg, "plain") == 0)
				op->sc = SC_PLAIN;
			else if (strcmp(optarg, "eks-cninodes") == 0)
				op->sc = SC_EKS_CNINODES;
			else if (strcmp(optarg, "denials") == 0)
				op->sc = SC_DENIALS;
			else
				die("unknown --scenario", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "native") == 0)
				o.fmt = FMT_NATIVE;
			else if (strcmp(optarg, "filter-log-events") == 0)
				o.fmt = FMT_FLE;
			else if (strcmp(optarg, "s3") == 0)
				o.fmt = FMT_S3;
			else if (strcmp(optarg, "subscription") == 0)
				o.fmt = FMT_SUB;
			else
				die("unknown --format", optarg);
			break;
		case 'S':
			op->summary = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
}

/* Stream names and the documents that open a wrapped output. */
static void
begin_output(const struct opts *op)
{
	int s;

	rng_seed(&o.wrap, op->seed ^ 0x636c6f7564776174ULL);	/* "cloudwat" */
	for (s = 0; s < NSTREAMS; s++) {
		uint64_t x = op->seed * 2 + (uint64_t)s + 0x656b73ULL;
		uint64_t a = splitmix64(&x), b = splitmix64(&x);

		snprintf(o.streams[s], sizeof(o.streams[s]),
		    "kube-apiserver-audit-%016" PRIx64 "%016" PRIx64, a, b);
	}
	if (o.fmt == FMT_SUB) {
		buf_reserve(&o.out, 512);
		BUF_LIT(&o.out, "{\"messageType\":\"CONTROL_MESSAGE\","
		    "\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\","
		    "\"logStream\":\"\",\"subscriptionFilters\":[],"
		    "\"logEvents\":[{\"id\":\"\",\"timestamp\":");
		buf_u64(&o.out, (uint64_t)(op->start / 1000));
		BUF_LIT(&o.out, ",\"message\":\"CWL CONTROL MESSAGE: Checking "
		    "health of destination Firehose.\"}]}\n");
	}
	if (o.fmt == FMT_FLE && o.nevents == 0) {
		buf_reserve(&o.out, 128);
		BUF_LIT(&o.out, "{\n    \"events\": [],\n"
		    "    \"searchedLogStreams\": []\n}\n");
	}
}

/*
 * The event clock: background requests arrive at uniformly spread gaps of
 * mean mean_us, periodic sources fire on their own; before a request is
 * made, every stage due by then is written.
 */
static void
run(struct rng *ev, int64_t start, int64_t mean_us)
{
	int64_t t_bg = start + rng_range(ev, 0, 2 * mean_us);
	struct req reqs[2];

	while (o.emitted < o.nevents) {
		int64_t tp = wl_next_periodic();
		int64_t tnext = tp < t_bg ? tp : t_bg;
		int i, n;

		while (nheap && heap[0].t <= tnext && o.emitted < o.nevents) {
			struct hent e = hpop();

			emit(&pool[e.slot], (enum stage)e.stage);
			if (e.stage == ST_COMPLETE)
				freeslots[nfree++] = e.slot;
		}
		if (o.emitted >= o.nevents)
			break;
		if (tp <= t_bg) {
			wl_periodic(ev, reqs, &n);
			for (i = 0; i < n; i++)
				schedule(&reqs[i]);
		} else {
			wl_background(ev, t_bg, &reqs[0]);
			schedule(&reqs[0]);
			t_bg += rng_range(ev, 0, 2 * mean_us);
		}
	}
}

int
main(int argc, char **argv)
{
	struct opts op;
	struct rng ev;
	int s;

	parse_options(argc, argv, &op);
	wl_init(op.sc, op.start, o.nevents, op.rate_milli);
	rng_seed(&ev, op.seed);
	begin_output(&op);
	run(&ev, op.start, wl_lines_per_req_milli() * US_PER_S / op.rate_milli);
	for (s = 0; s < NSTREAMS; s++)
		sub_flush(s);
	flush_out();
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("gen-audit: stdout");
		return 1;
	}
	if (op.summary)
		summary(op.sc);
	return 0;
}
