/* ks_utc(): KS_SQL_TIME's text written in C (sqltime.h). */
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/sqltime.h"

/* "00" to "99". */
static const char two[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* v < 100 as two digits at w. */
static void
put2(char *w, unsigned v)
{
	memcpy(w, two + 2 * v, 2);
}

int
ks_sqltime_text(int64_t t, char w[40])
{
	int64_t s, z;
	unsigned era, doe, yoe, doy, mp, y, m, d, sod, us;

	if (t < 0 || t >= INT64_C(253402300800000000))
		return -1;
	s = t / 1000000;
	us = (unsigned)(t - s * 1000000);
	z = s / 86400;
	sod = (unsigned)(s - z * 86400);
	z += 719468;
	era = (unsigned)(z / 146097);
	doe = (unsigned)(z - (int64_t)era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	put2(w, y / 100);
	put2(w + 2, y % 100);
	w[4] = '-';
	put2(w + 5, m);
	w[7] = '-';
	put2(w + 8, d);
	w[10] = 'T';
	put2(w + 11, sod / 3600);
	w[13] = ':';
	put2(w + 14, sod / 60 % 60);
	w[16] = ':';
	put2(w + 17, sod % 60);
	w[19] = '.';
	put2(w + 20, us / 10000);
	put2(w + 22, us / 100 % 100);
	put2(w + 24, us % 100);
	w[26] = 'Z';
	w[27] = '\0';
	return 27;
}

/*
 * ks_utc(X): ks_sqltime_text for an integer it can write, else what
 * KS_SQL_TIME gives (NULL for NULL), asked of the same connection.
 */
static void
utc(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sqlite3_stmt *st;
	char w[40];
	int n;

	if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER &&
	    (n = ks_sqltime_text(sqlite3_value_int64(argv[0]), w)) > 0) {
		sqlite3_result_text(cx, w, n, SQLITE_TRANSIENT);
		return;
	}
	if (sqlite3_prepare_v2(sqlite3_context_db_handle(cx), "SELECT "
	    KS_SQL_TIME("?1"), -1, &st, NULL) != SQLITE_OK) {
		sqlite3_result_error(cx, "ks_utc: cannot prepare", -1);
		return;
	}
	sqlite3_bind_value(st, 1, argv[0]);
	if (sqlite3_step(st) == SQLITE_ROW)
		sqlite3_result_value(cx, sqlite3_column_value(st, 0));
	else
		sqlite3_result_error(cx, "ks_utc: cannot write the time", -1);
	sqlite3_finalize(st);
}

int
ks_sqltime_register(sqlite3 *db, struct ks_err *err)
{
	if (sqlite3_create_function(db, "ks_utc", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, utc, NULL, NULL) != SQLITE_OK)
		return ks_db_error(db, err, NULL);
	return 0;
}
