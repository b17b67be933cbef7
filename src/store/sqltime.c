/* ks_utc(): KS_SQL_TIME's text written in C (sqltime.h). */
#include <stdio.h>

#include "store/db.h"
#include "store/sqltime.h"

/* n decimal digits of v >= 0 at w, zeros in front. */
static void
digits(char *w, int n, int64_t v)
{
	while (n-- > 0) {
		w[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

int
ks_sqltime_text(int64_t t, char w[40])
{
	int64_t s = t / 1000000, z = s / 86400 + 719468, era, doe, yoe, doy,
	    mp, y, m, d;
	int sod = (int)(s % 86400);

	if (t < 0 || t >= INT64_C(253402300800000000))
		return -1;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	digits(w, 4, y);
	w[4] = '-';
	digits(w + 5, 2, m);
	w[7] = '-';
	digits(w + 8, 2, d);
	w[10] = 'T';
	digits(w + 11, 2, sod / 3600);
	w[13] = ':';
	digits(w + 14, 2, sod / 60 % 60);
	w[16] = ':';
	digits(w + 17, 2, sod % 60);
	w[19] = '.';
	digits(w + 20, 6, t % 1000000);
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
