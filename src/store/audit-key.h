/*
 * How an auditID is stored (audit_rows.audit_key, sql/001-schema.sql): a
 * UUID written the usual way (36 characters, lowercase hex and hyphens)
 * as its 16 bytes, anything else as the text itself.  The generated
 * column audit_id gives the text back; equal keys are equal auditIDs.
 */
#ifndef KS_AUDIT_KEY_H
#define KS_AUDIT_KEY_H

#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

/* 1 and its 16 bytes in out when id (len bytes) is such a UUID, else 0. */
int	ks_audit_key(const char *id, size_t len, uint8_t out[16]);

/*
 * Bind auditID id (len bytes, or -1: NUL-ended; NULL: none) to parameter
 * param of s as its key, made in buf.  id and buf are borrowed until the
 * step (no copy: an import binds one per event, twice).
 */
void	ks_audit_key_bind(sqlite3_stmt *s, int param, const char *id, int len,
	    uint8_t buf[16]);

/* The text of a 16-byte key, lowercase with hyphens, into out. */
void	ks_audit_key_text(const uint8_t k[16], char out[37]);

/*
 * Register ks_audit_key(X): X's key (X itself unless a UUID's text); and
 * ks_audit_text(K), the auditID of key K, as audit_rows.audit_id gives it
 * (that column's SQL, for a query that reads many, in C).
 */
int	ks_audit_key_register(sqlite3 *db, struct ks_err *err);

#endif
