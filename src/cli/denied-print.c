/*
 * The groups of `denied` (denied-groups.h) in its order, printed: count
 * descending, then actor, verb, resource, namespace, refused_by,
 * api_group and subresource as ORDER BY orders them (NULL first, texts
 * as BINARY), each column's texts ranked once so that a row's key is
 * a few small integers, packed into one word and radix-sorted when they
 * fit (a comparison sort of the rows' fields when not).  The times are
 * written as they are printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/denied.h"
#include "store/sqltime.h"

const char *const ks_denied_cols[KS_DENIED_NCOLS] = {
	"actor", "verb", "api_group", "resource", "subresource", "namespace",
	"count", "first_seen", "last_seen", "example", "refused_by",
	"message",
};

/* The key's text columns, in the order of the key (after the count). */
static const int key_cols[6] = { 0, 1, 3, 5, -1, 2 };
#define SUBRESOURCE	4

static const char *const refused_by[3] = {
	"admission", "authorizer", "log"
};

static unsigned
bits(uint64_t x)
{
	return x == 0 ? 0 : 64u - (unsigned)__builtin_clzll(x);
}

/* The fields of row r's key, in order (count first, as least-first). */
static void
fields(const struct dg_set *s, const struct dg_row *r, int64_t maxn,
    uint64_t f[8])
{
	f[0] = (uint64_t)maxn - (uint64_t)r->n;
	for (int i = 0; i < 6; i++) {
		int c = key_cols[i];

		f[i + 1] = c < 0 ? r->by : r->col[c] == 0 ? 0 :
		    1 + (uint64_t)s->tabs[c].rank[r->col[c] - 1];
	}
	f[7] = r->col[SUBRESOURCE] == 0 ? 0 :
	    1 + (uint64_t)s->tabs[SUBRESOURCE].rank[r->col[SUBRESOURCE] - 1];
}

/* A row's key as a tuple, for a key too wide for a word. */
struct tuple {
	uint64_t	 f[8];
	uint64_t	 idx;
};

static int
cmp_tuples(const void *a, const void *b)
{
	const struct tuple *x = a, *y = b;

	for (int k = 0; k < 8; k++)
		if (x->f[k] != y->f[k])
			return x->f[k] < y->f[k] ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The rows' indexes into key[0..n), sorted as tuples.  0, or -1. */
static int
sort_tuples(const struct dg_set *s, int64_t maxn, uint64_t *key)
{
	struct chunk *c = ks_dg_map((s->n + 1) * sizeof(struct tuple));
	struct tuple *t;

	if (c == NULL)
		return -1;
	t = (struct tuple *)(c + 1);
	for (size_t i = 0; i < s->n; i++) {
		fields(s, &s->rows[i], maxn, t[i].f);
		t[i].idx = i;
	}
	qsort(t, s->n, sizeof(*t), cmp_tuples);
	for (size_t i = 0; i < s->n; i++)
		key[i] = t[i].idx;
	ks_dg_unmap(c);
	return 0;
}

#define DIGIT	11		/* radix sort: bits a pass */

/*
 * key[0..n) sorted by their bits from..to, stably (LSD radix: the bits
 * below from, each row's index, are in order already), with tmp[0..n).
 */
static void
radix(uint64_t *key, uint64_t *tmp, size_t n, unsigned from, unsigned to)
{
	size_t cnt[1 << DIGIT];
	uint64_t *a = key, *b = tmp, mask = (1u << DIGIT) - 1;

	for (unsigned sh = from; sh < to; sh += DIGIT) {
		size_t sum = 0;

		memset(cnt, 0, sizeof(cnt));
		for (size_t i = 0; i < n; i++)
			cnt[a[i] >> sh & mask]++;
		for (size_t d = 0; d <= mask; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[cnt[a[i] >> sh & mask]++] = a[i];
		a = b;
		b = a == key ? tmp : key;
	}
	if (a != key)
		memcpy(key, a, n * sizeof(*key));
}

/*
 * The rows of s in the command's order: (*order)[i] & *mask the index of
 * the i-th, in *map, which the caller unmaps.  0, or -1.
 */
static int
sort_rows(struct dg_set *s, struct chunk **map, uint64_t **order,
    uint64_t *mask)
{
	int64_t maxn = INT64_MIN, minn = INT64_MAX;
	unsigned w[8], total, ib = bits(s->n > 0 ? s->n - 1 : 0);
	uint64_t f[8], *key;

	for (int c = 0; c < 6; c++)
		if (ks_sort_rank(&s->tabs[c]) < 0)
			return -1;
	for (size_t i = 0; i < s->n; i++) {
		maxn = s->rows[i].n > maxn ? s->rows[i].n : maxn;
		minn = s->rows[i].n < minn ? s->rows[i].n : minn;
	}
	w[0] = s->n == 0 ? 0 : bits((uint64_t)maxn - (uint64_t)minn);
	for (int i = 0; i < 6; i++)
		w[i + 1] = key_cols[i] < 0 ? 2 : bits(s->tabs[key_cols[i]].n);
	w[7] = bits(s->tabs[SUBRESOURCE].n);
	total = ib;
	for (int i = 0; i < 8; i++)
		total += w[i];
	if ((*map = ks_dg_map(2 * (s->n + 1) * sizeof(*key))) == NULL)
		return -1;
	*order = key = (uint64_t *)(*map + 1);
	*mask = ~UINT64_C(0);
	if (total > 64)
		return sort_tuples(s, maxn, key);
	for (size_t i = 0; i < s->n; i++) {
		uint64_t k = 0;

		fields(s, &s->rows[i], maxn, f);
		for (int j = 0; j < 8; j++)
			k = w[j] == 0 ? k : k << w[j] | f[j];
		key[i] = ib == 0 ? k : k << ib | i;
	}
	radix(key, key + s->n + 1, s->n, ib, total);
	*mask = ib == 0 ? 0 : (UINT64_C(1) << ib) - 1;
	return 0;
}

/* Column c's text of r as a cell. */
static struct ks_cell
col_cell(const struct dg_set *s, const struct dg_row *r, int c)
{
	struct ks_cell cell = { KS_CELL_NULL, 0, 0, NULL, 0, 0 };

	if (r->col[c] != 0) {
		const struct str *x = &s->tabs[c].v[r->col[c] - 1];

		cell.type = KS_CELL_TEXT;
		cell.s = x->s;
		cell.len = x->len;
	}
	return cell;
}

static struct ks_cell
text_cell(const char *p, size_t len)
{
	struct ks_cell cell = { KS_CELL_NULL, 0, 0, NULL, 0, 0 };

	if (p != NULL) {
		cell.type = KS_CELL_TEXT;
		cell.s = p;
		cell.len = len;
	}
	return cell;
}

/* Row r's cells, its times and example written into w (3 x 40 bytes). */
static void
cells_of(const struct dg_set *s, const struct dg_row *r,
    struct ks_cell *cells, char w[3][40])
{
	int n;

	for (int c = 0; c < 6; c++)
		cells[c] = col_cell(s, r, c);
	cells[6] = ks_cell_int(r->n);
	cells[7] = text_cell(NULL, 0);
	cells[8] = cells[7];
	if (r->has & DG_FIRST && (n = ks_sqltime_text(r->first, w[0])) > 0)
		cells[7] = text_cell(w[0], (size_t)n);
	if (r->has & DG_LAST && (n = ks_sqltime_text(r->last, w[1])) > 0)
		cells[8] = text_cell(w[1], (size_t)n);
	if (r->aid.s != NULL)
		cells[9] = text_cell(r->aid.s, r->aid.len);
	else if ((r->has & (DG_SOURCE | DG_LINE)) == (DG_SOURCE | DG_LINE)) {
		n = snprintf(w[2], 40, "%lld:%lld", (long long)r->source,
		    (long long)r->line);
		cells[9] = text_cell(w[2], (size_t)n);
	} else
		cells[9] = text_cell(NULL, 0);
	cells[10] = text_cell(refused_by[r->by], strlen(refused_by[r->by]));
	cells[11] = text_cell(r->msg.s, r->msg.len);
}

int
ks_dg_print(struct dg_set *s, struct ks_out *out, struct ks_err *err)
{
	struct ks_cell cells[KS_DENIED_NCOLS];
	struct chunk *map = NULL;
	uint64_t *order, mask;
	char w[3][40];

	if (sort_rows(s, &map, &order, &mask) < 0) {
		ks_dg_unmap(map);
		ks_err_set(err, "out of memory");
		return -1;
	}
	if (ks_out_begin(out, KS_DENIED_NCOLS, ks_denied_cols) == 0)
		for (size_t i = 0; i < s->n; i++) {
#ifdef __GNUC__
			/* The rows are read out of the order they were kept. */
			if (i + 8 < s->n) {
				const struct dg_row *r =
				    &s->rows[order[i + 8] & mask];

				__builtin_prefetch(r);
				__builtin_prefetch((const char *)r + 64);
			}
			if (i + 4 < s->n)
				__builtin_prefetch(
				    s->rows[order[i + 4] & mask].aid.s);
#endif
			cells_of(s, &s->rows[order[i] & mask], cells, w);
			if (ks_out_row(out, cells) == -1)
				break;
		}
	ks_dg_unmap(map);
	return ks_out_end(out, err);
}
