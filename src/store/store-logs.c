/*
 * What plain logs and cloud logs give: RBAC denials found in log lines and
 * the provider's operations on the cluster.
 */
#include <stdlib.h>

#include <nettle/sha2.h>

#include "store/store.h"
#include "store/store-int.h"
#include "store/db.h"
#include "formats/denial.h"
#include "util/utf8.h"

/* Count a record as imported, or as a duplicate when nothing was inserted. */
static void
count_insert(struct ks_member *m)
{
	m->tally.records++;
	if (sqlite3_changes(ks_import_of(m)->db) == 0)
		m->tally.duplicates++;
	else
		m->tally.imported++;
}

int
ks_store_log_denial(struct ks_member *m, const struct ks_denial *d,
    const char *text, size_t len, uint64_t line, struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_LOG_DENIAL];
	uint8_t h[SHA256_DIGEST_SIZE];
	char *clean = ks_utf8_escape(text, len);
	int rc;

	if (clean == NULL)
		return ks_err_set(err, "out of memory");
	ks_store_digest(text, len, h);
	sqlite3_bind_int64(s, 1, m->source_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
	bind_time(s, 3, d->time_us);
	bind_text(s, 4, d->user);
	bind_text(s, 5, d->verb);
	bind_text(s, 6, d->resource);
	bind_text(s, 7, d->subresource);
	bind_text(s, 8, d->api_group);
	bind_text(s, 9, d->namespace);
	bind_text(s, 10, d->name);
	bind_text(s, 11, d->path);
	bind_text(s, 12, d->reason);
	bind_text(s, 13, ks_denial_form_name(d->form));
	sqlite3_bind_int(s, 14, d->repaired);
	sqlite3_bind_blob(s, 15, h, sizeof(h), SQLITE_STATIC);
	bind_text(s, 16, clean);
	rc = ks_store_run(st, s, err);
	free(clean);
	if (rc == 0)
		count_insert(m);
	return rc;
}

int
ks_store_cluster_event(struct ks_member *m, const struct ks_cluster_event *ev,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	struct ks_store *st = ks_import_of(m)->store;
	sqlite3_stmt *s = st->st[S_CLUSTER_EVENT];
	uint8_t h[SHA256_DIGEST_SIZE];

	ks_store_digest(raw, rawlen, h);
	sqlite3_bind_int64(s, 1, m->source_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)line);
	bind_time(s, 3, ev->time_us);
	bind_text(s, 4, ev->provider);
	bind_text(s, 5, ev->operation);
	bind_text(s, 6, ev->resource);
	bind_text(s, 7, ev->actor);
	bind_text(s, 8, ev->status);
	sqlite3_bind_blob(s, 9, h, sizeof(h), SQLITE_STATIC);
	sqlite3_bind_text(s, 10, raw, (int)rawlen, SQLITE_STATIC);
	if (ks_store_run(st, s, err) < 0)
		return -1;
	count_insert(m);
	return 0;
}
