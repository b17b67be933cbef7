/*
 * SQL that prints an integer-microsecond column as RFC 3339 UTC with
 * microseconds ("2024-03-05T10:11:12.123456Z"), with built-in functions
 * only.  X must be a string literal naming a column or an expression.
 */
#ifndef KS_SQLTIME_H
#define KS_SQLTIME_H

#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"

/* (The fraction is the remainder rounded down, also before 1970.) */
#define KS_SQL_FRACTION(X)	"(((" X ") % 1000000 + 1000000) % 1000000)"
#define KS_SQL_TIME(X) \
	"(strftime('%Y-%m-%dT%H:%M:%S', ((" X ") - " KS_SQL_FRACTION(X) ") " \
	"/ 1000000, 'unixepoch') || '.' || printf('%06d', " \
	KS_SQL_FRACTION(X) ") || 'Z')"

/*
 * The same text from ks_utc(X), a function of db registered by
 * ks_sqltime_register: written in C for a time of years 1970 to 9999,
 * by KS_SQL_TIME for any other value.  For a statement that prints many
 * times (each KS_SQL_TIME builds five strings).
 */
#define KS_SQL_UTC(X)	"ks_utc(" X ")"
int	ks_sqltime_register(sqlite3 *db, struct ks_err *err);

/*
 * Microseconds t as KS_SQL_TIME writes them, into w (NUL-terminated); its
 * length, or -1 outside years 1970 to 9999 (SQLite writes those).
 */
int	ks_sqltime_text(int64_t t, char w[40]);

#endif
