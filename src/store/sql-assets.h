/* The schema and views from sql/NNN-*.sql, compiled in (build/sql-assets.c). */
#ifndef KS_SQL_ASSETS_H
#define KS_SQL_ASSETS_H

struct ks_sql_asset {
	const char	*name;	/* file name, e.g. "001-schema.sql" */
	const char	*text;	/* the whole file */
};

/* In file-name order, ended by a { NULL, NULL } entry. */
extern const struct ks_sql_asset ks_sql_assets[];

#endif
