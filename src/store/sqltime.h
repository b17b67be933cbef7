/*
 * SQL that prints an integer-microsecond column as RFC 3339 UTC with
 * microseconds ("2024-03-05T10:11:12.123456Z"), with built-in functions
 * only.  X must be a string literal naming a column or an expression.
 */
#ifndef KS_SQLTIME_H
#define KS_SQLTIME_H

#define KS_SQL_TIME(X) \
	"(strftime('%Y-%m-%dT%H:%M:%S', (" X ") / 1000000, 'unixepoch') || " \
	"'.' || printf('%06d', (" X ") % 1000000) || 'Z')"

#endif
