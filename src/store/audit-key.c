/*
 * auditIDs stored as 16 bytes when they are UUIDs written the usual way:
 * the text form is 36 bytes in the table and in three indexes.
 */
#include <string.h>

#include "store/audit-key.h"

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* uppercase too: it would not come back the same */
}

int
ks_audit_key(const char *id, size_t len, uint8_t out[16])
{
	size_t o = 0;

	if (id == NULL || len != 36)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		int hi, lo;
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (id[i] != '-')
				return 0;
			continue;
		}
		if (i + 1 >= 36 || (hi = nibble(id[i])) < 0 ||
		    (lo = nibble(id[i + 1])) < 0)
			return 0;
		out[o++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return o == 16;
}

void
ks_audit_key_bind(sqlite3_stmt *s, int param, const char *id, int len)
{
	uint8_t k[16];
	size_t n;

	if (id == NULL) {
		sqlite3_bind_null(s, param);
		return;
	}
	n = len < 0 ? strlen(id) : (size_t)len;
	if (ks_audit_key(id, n, k))
		sqlite3_bind_blob(s, param, k, 16, SQLITE_TRANSIENT);
	else
		sqlite3_bind_text(s, param, id, (int)n, SQLITE_STATIC);
}

static void
key_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *id = (const char *)sqlite3_value_text(argv[0]);
	uint8_t k[16];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && id != NULL &&
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
