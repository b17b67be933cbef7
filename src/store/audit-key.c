/*
 * auditIDs stored as 16 bytes when they are UUIDs written the usual way:
 * the text form is 36 bytes in the table and in three indexes.
 */
#include <string.h>

#include "store/audit-key.h"

/* The value of a lowercase hex digit, or -1 (uppercase too: it would not
   come back the same). */
static inline int
nibble(unsigned char c)
{
	if ((unsigned)(c - '0') < 10u)
		return c - '0';
	if ((unsigned)(c - 'a') < 6u)
		return c - 'a' + 10;
	return -1;
}

int
ks_audit_key(const char *id, size_t len, uint8_t out[16])
{
	/* Where each byte's two digits start in the 36 characters. */
	static const unsigned char at[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19,
	    21, 24, 26, 28, 30, 32, 34 };
	const unsigned char *u = (const unsigned char *)id;
	int bad = 0;

	if (id == NULL || len != 36 || id[8] != '-' || id[13] != '-' ||
	    id[18] != '-' || id[23] != '-')
		return 0;
	for (int i = 0; i < 16; i++) {
		int hi = nibble(u[at[i]]), lo = nibble(u[at[i] + 1]);
		bad |= hi | lo;
		/* (Unsigned: a bad digit, -1, is told by bad, not shifted.) */
		out[i] = (uint8_t)((unsigned)hi << 4 | (unsigned)lo);
	}
	return bad >= 0;
}

void
ks_audit_key_bind(sqlite3_stmt *s, int param, const char *id, int len,
    uint8_t k[16])
{
	size_t n;

	if (id == NULL) {
		sqlite3_bind_null(s, param);
		return;
	}
	n = len < 0 ? strlen(id) : (size_t)len;
	if (ks_audit_key(id, n, k))
		sqlite3_bind_blob(s, param, k, 16, SQLITE_STATIC);
	else
		sqlite3_bind_text(s, param, id, (int)n, SQLITE_STATIC);
}

static void
key_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *id;
	uint8_t k[16];

	(void)argc;
	/* (The type first: reading a blob as text would make it text.) */
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT &&
	    (id = (const char *)sqlite3_value_text(argv[0])) != NULL &&
	    ks_audit_key(id, (size_t)sqlite3_value_bytes(argv[0]), k))
		sqlite3_result_blob(cx, k, 16, SQLITE_TRANSIENT);
	else
		sqlite3_result_value(cx, argv[0]);
}

void
ks_audit_key_text(const uint8_t k[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[k[i] >> 4];
		out[o++] = hex[k[i] & 15];
	}
	out[o] = '\0';
}

/* audit_rows.audit_id's expression in C, for queries that read many. */
static void
text_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	char t[37];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_BLOB &&
	    sqlite3_value_bytes(argv[0]) == 16) {
		ks_audit_key_text(sqlite3_value_blob(argv[0]), t);
		sqlite3_result_text(cx, t, 36, SQLITE_TRANSIENT);
	} else
		sqlite3_result_value(cx, argv[0]);
}

int
ks_audit_key_register(sqlite3 *db, struct ks_err *err)
{
	if (sqlite3_create_function(db, "ks_audit_key", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, key_fn, NULL,
	    NULL) != SQLITE_OK || sqlite3_create_function(db, "ks_audit_text",
	    1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    text_fn, NULL, NULL) != SQLITE_OK)
		return ks_err_set(err, "%s", sqlite3_errmsg(db));
	return 0;
}
