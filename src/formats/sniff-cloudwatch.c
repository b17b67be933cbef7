/*
 * CloudWatch Logs as JSON:
 *
 *  - `aws logs filter-log-events --output json`: {"events":[{"logStreamName",
 *    "timestamp","message","ingestionTime","eventId"}],"searchedLogStreams":
 *    [...],"nextToken":...}, pages concatenated, or all pages in one document
 *    (the CLI paginates by itself), or only the array (--query events);
 *  - subscription-filter envelopes as Firehose or a Lambda receive them,
 *    decompressed: {"messageType","owner","logGroup","logStream",
 *    "subscriptionFilters","logEvents":[{"id","timestamp","message"}]}, one
 *    per line or concatenated; CONTROL_MESSAGEs are skipped and counted;
 *  - Logs Insights results saved as JSON: the console's array of
 *    {"@timestamp","@message","@logStream",...} rows, or `aws logs
 *    get-query-results` output, {"results":[[{"field","value"}...]]}.
 *
 * The "events" and "results" arrays are split element by element (jscan.h):
 * one document can hold every page of a day.  A subscription envelope is
 * parsed whole, because its stream name may follow its events (keys sorted)
 * and CloudWatch delivers at most about 1 MB of events in one envelope; a
 * larger one is refused by the record-size limit like any record.
 */
#include <string.h>

#include "formats/cloudwatch.h"
#include "util/jutil.h"
#include "formats/sniff.h"
#include "formats/member.h"

static int
has(const unsigned char *head, size_t n, const char *s)
{
	return memmem(head, n, s, strlen(s)) != NULL;
}

static int
bid(const char *name, uint64_t size, const unsigned char *head, size_t n,
    const struct ks_peek *pk)
{
	if (!pk->json)
		return 0;
	if (pk->array)
		return ks_peek_has(pk, 1, "@message") ||
		    (ks_peek_has(pk, 1, "message") &&
		    ks_peek_has(pk, 1, "logStreamName")) ? 40 : 0;
	if (ks_peek_has(pk, 0, "events") && has(head, n, "\"logStreamName\""))
		return 40;
	if (ks_peek_has(pk, 0, "logEvents") &&
	    (ks_peek_has(pk, 0, "messageType") ||
	    ks_peek_has(pk, 0, "logStream")))
		return 40;
	if (ks_peek_has(pk, 0, "results") && has(head, n, "\"@message\""))
		return 40;
	return 0;
}

/* What is read from one member. */
struct cw {
	struct ks_member *m;
	struct ks_cloud_read *rd;	/* ks_cloud_ingest's */
};

static int
event(struct cw *cw, const char *stream, int64_t us, json_t *msg,
    uint64_t line, struct ks_err *err)
{
	struct ks_cw_event ev = { stream, us, json_string_value(msg),
	    json_string_length(msg), line };

	return ks_cw_event(cw->m, &ev, cw->rd->year, &cw->rd->t, err);
}

/* One row of get-query-results: an array of {"field","value"}. */
static int
query_row(struct cw *cw, json_t *row, const struct ks_jrec *r,
    struct ks_err *err)
{
	json_t *f, *msg = NULL, *ts = NULL, *stream = NULL;
	const char *name;
	size_t i;

	json_array_foreach(row, i, f) {
		name = ks_json_str(f, "field");
		if (name == NULL)
			continue;
		if (strcmp(name, "@message") == 0)
			msg = json_object_get(f, "value");
		else if (strcmp(name, "@timestamp") == 0)
			ts = json_object_get(f, "value");
		else if (strcmp(name, "@logStream") == 0)
			stream = json_object_get(f, "value");
	}
	if (!json_is_string(msg))
		return ks_emit_reject(cw->m, r->line, "Logs Insights result "
		    "without an @message field", r->data, r->len, err);
	return event(cw, json_string_value(stream), ks_cloud_jtime(ts), msg,
	    r->line, err);
}

/* One element of "events", of "results", or of a top-level array. */
static int
item(struct cw *cw, json_t *v, const struct ks_jrec *r, struct ks_err *err)
{
	json_t *msg;

	if (r->key == 1 && json_is_array(v))
		return query_row(cw, v, r, err);
	if (json_is_string(msg = json_object_get(v, "@message")))
		return event(cw, ks_json_str(v, "@logStream"),
		    ks_cloud_jtime(json_object_get(v, "@timestamp")), msg,
		    r->line, err);
	if (json_is_string(msg = json_object_get(v, "message")))
		return event(cw, ks_json_str(v, "logStreamName"),
		    ks_cloud_ms(json_object_get(v, "timestamp")), msg, r->line,
		    err);
	return ks_emit_reject(cw->m, r->line, "not a CloudWatch log event "
	    "(no message)", r->data, r->len, err);
}

/* A whole top-level object: a subscription-filter envelope. */
static int
envelope(struct cw *cw, json_t *v, const struct ks_jrec *r,
    struct ks_err *err)
{
	json_t *events = json_object_get(v, "logEvents"), *e, *msg;
	const char *type = ks_json_str(v, "messageType");
	const char *stream = ks_json_str(v, "logStream");
	size_t i;

	if (type != NULL && strcmp(type, "CONTROL_MESSAGE") == 0) {
		cw->rd->t.control++;
		return 0;
	}
	if (!json_is_array(events))
		return ks_emit_reject(cw->m, r->line, "not a CloudWatch Logs "
		    "document (no events, logEvents or results)", r->data,
		    r->len, err);
	json_array_foreach(events, i, e) {
		if (!json_is_string(msg = json_object_get(e, "message"))) {
			if (ks_emit_reject(cw->m, r->line, "subscription log "
			    "event without a message", NULL, 0, err) < 0)
				return -1;
			continue;
		}
		if (event(cw, stream, ks_cloud_ms(json_object_get(e,
		    "timestamp")), msg, r->line, err) < 0)
			return -1;
	}
	return 0;
}

/* A value or item that parsed (ks_cloud_ingest). */
static int
record(struct ks_member *m, json_t *v, const struct ks_jrec *r, void *arg,
    struct ks_err *err)
{
	struct cw cw = { m, arg };

	if (r->type == KS_JREC_ITEM)
		return item(&cw, v, r, err);
	if (json_is_object(v))
		return envelope(&cw, v, r, err);
	return ks_emit_reject(m, r->line, "not a CloudWatch Logs document",
	    r->data, r->len, err);
}

static int
ingest(struct ks_member *m, struct ks_err *err)
{
	static const char *const keys[] = { "events", "results", NULL };

	return ks_cloud_ingest(m, keys, record, err);
}

const struct ks_sniffer ks_sniffer_cloudwatch = {
	.name = "cloudwatch", .bid = bid, .ingest = ingest
};
