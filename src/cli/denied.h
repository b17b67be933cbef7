/*
 * kubesift denied's groups read, summed, sorted and printed in C
 * (cmd-denied.c): the rows its SQL would give, byte for byte, with the
 * times carried as integers and written only when printed, each text of
 * a group's columns kept once, and a window's denials summed per gid
 * before its groups' columns are read.
 */
#ifndef KS_DENIED_H
#define KS_DENIED_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "out/out.h"
#include "out/out-sort-int.h"
#include "store/filter.h"
#include "util/err.h"

/* The columns the command prints. */
#define KS_DENIED_NCOLS	12
extern const char *const ks_denied_cols[KS_DENIED_NCOLS];

/* A text value: s NULL for NULL. */
struct dg_text {
	const char	*s;
	uint32_t	 len;
};

/* Which integers of a row are not NULL. */
#define DG_FIRST	1
#define DG_LAST		2
#define DG_SOURCE	4
#define DG_LINE		8

/* One group. */
struct dg_row {
	uint32_t	 col[6];	/* actor .. namespace: id + 1, 0 NULL */
	uint32_t	 gid;		/* in a window */
	uint8_t		 by;		/* 0 admission, 1 authorizer, 2 log */
	uint8_t		 has;		/* DG_* */
	int64_t		 n, first, last, source, line;
	struct dg_text	 aid, msg;
};

/* The groups of one answer. */
struct dg_set {
	struct dg_row	*rows;
	struct chunk	*rows_map;	/* where they are */
	size_t		 n, cap;
	int		 big;		/* many rows to come (ks_dg_hint) */
	struct strtab	 tabs[6];	/* a group's texts by column */
	struct arena	 texts;		/* the tabs' (together: looked up) */
	struct arena	 copies;	/* the rows' texts */
};

/* What reading found: done, not for this path (the SQL's then), error. */
#define DG_OK		0
#define DG_OTHER	1
#define DG_ERR		(-1)

/*
 * Read f's groups of db into s (denied-read.c): DG_OK, DG_OTHER when a
 * value is of a kind this path does not write as SQL would, or a
 * statement cannot be prepared (the caller asks the SQL, which says
 * why), DG_ERR with err.
 */
int	ks_dg_read(sqlite3 *db, const struct ks_filter *f, struct dg_set *s,
	    struct ks_err *err);

/*
 * What the functions of denied-fold.c add to: s, and in a window the row
 * of each gid (slot[gid]: its index + 1; gids 0 to max).  rc: DG_OK, or
 * why a function stopped its statement (DG_OTHER; DG_ERR: no memory).
 */
struct dg_reader {
	struct dg_set	*s;
	uint32_t	*slot;
	int64_t		 max;
	int		 log;		/* rows of the logs' refusals */
	int		 rc;
};

/*
 * Register on db, with rd, the functions that read the rows of a
 * statement where SQLite has them (no column read through the API):
 * ks_dg_row(actor, verb, api_group, resource, subresource, namespace,
 * decision, n, first_us, last_us, audit_id, source_id, line, message)
 * adds a group; ks_dg_sum(gid, n, ... message) sums a window's denials
 * by gid; ks_dg_group(id, actor, ... decision) gives a gid's row its
 * columns; ks_dg_want(id) says whether the window has that gid.  With rd NULL, remove them.  0, or -1.
 */
int	ks_dg_functions(sqlite3 *db, struct dg_reader *rd);

/* Sort s and print it to out (denied-print.c).  0, or -1 with err. */
int	ks_dg_print(struct dg_set *s, struct ks_out *out, struct ks_err *err);

/* Free what s holds. */
void	ks_dg_free(struct dg_set *s);

/* The pieces the other files share (denied-set.c). */
struct chunk	*ks_dg_map(size_t n);	/* ks_sort_map, huge pages sooner */
void		 ks_dg_unmap(struct chunk *c);	/* accepts NULL */
/* About n rows to come: their memory in large mappings from the start. */
void		 ks_dg_hint(struct dg_set *s, size_t n);
struct dg_row	*ks_dg_add(struct dg_set *s);
int		 ks_dg_copy(struct dg_set *s, struct dg_text *t, const char *p,
		    size_t len);

#endif
