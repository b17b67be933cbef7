/*
 * An event's raw bytes without what its row repeats, and back
 * (raw-elide.h).
 */
#include <stdlib.h>
#include <string.h>

#include "store/audit-key.h"
#include "store/raw-elide.h"
#include "util/timeutil.h"

#define NKNOWN	3

/* The texts the row gives: t[i] (len[i]; 0: none), times in tbuf. */
static void
texts(const struct ks_raw_known *k, char tbuf[2][KS_TIME_BUFSZ],
    const char *t[NKNOWN], size_t len[NKNOWN])
{
	int64_t at[2] = { k->received_us, k->stage_us };

	t[0] = k->id;
	len[0] = k->id != NULL ? k->idlen : 0;
	for (int i = 0; i < 2; i++) {
		t[1 + i] = NULL;
		len[1 + i] = 0;
		if (at[i] != KS_TIME_NONE) {
			t[1 + i] = ks_time_format(at[i], tbuf[i]);
			len[1 + i] = strlen(tbuf[i]);
		}
	}
}

static void
known_text(struct ks_raw_known *k, int type, const void *p, int n)
{
	k->id = NULL;
	k->idlen = 0;
	if (type == SQLITE_BLOB && n == 16) {
		ks_audit_key_text(p, k->idbuf);
		k->id = k->idbuf;
		k->idlen = 36;
	} else if (type == SQLITE_TEXT && p != NULL) {
		k->id = p;
		k->idlen = (size_t)n;
	}
}

static int64_t
known_time(int type, int64_t v)
{
	return type == SQLITE_INTEGER ? v : KS_TIME_NONE;
}

void
ks_raw_known_values(struct ks_raw_known *k, sqlite3_value *key,
    sqlite3_value *received, sqlite3_value *stage)
{
	int type = sqlite3_value_type(key);
	const void *p = type == SQLITE_TEXT ? (const void *)
	    sqlite3_value_text(key) : sqlite3_value_blob(key);

	known_text(k, type, p, sqlite3_value_bytes(key));
	k->received_us = known_time(sqlite3_value_type(received),
	    sqlite3_value_int64(received));
	k->stage_us = known_time(sqlite3_value_type(stage),
	    sqlite3_value_int64(stage));
}

void
ks_raw_known_columns(struct ks_raw_known *k, sqlite3_stmt *s, int key)
{
	int type = sqlite3_column_type(s, key);
	const void *p = type == SQLITE_TEXT ? (const void *)
	    sqlite3_column_text(s, key) : sqlite3_column_blob(s, key);

	known_text(k, type, p, sqlite3_column_bytes(s, key));
	k->received_us = known_time(sqlite3_column_type(s, key + 1),
	    sqlite3_column_int64(s, key + 1));
	k->stage_us = known_time(sqlite3_column_type(s, key + 2),
	    sqlite3_column_int64(s, key + 2));
}

/* Is [at, at + n) clear of the places taken (at[i] < 0: none)? */
static int
clear(const long *taken, const size_t *len, int ntaken, size_t at, size_t n)
{
	for (int i = 0; i < ntaken; i++)
		if (taken[i] >= 0 && at < (size_t)taken[i] + len[i] &&
		    (size_t)taken[i] < at + n)
			return 0;
	return 1;
}

/* The first place of t (n) in p (len) clear of those taken, or -1. */
static long
find(const char *p, size_t len, const char *t, size_t n, const long *taken,
    const size_t *tlen, int ntaken)
{
	size_t from = 0;
	const char *q;

	if (n == 0)
		return -1;
	while (from + n <= len &&
	    (q = memmem(p + from, len - from, t, n)) != NULL) {
		size_t at = (size_t)(q - p);
		if (clear(taken, tlen, ntaken, at, n))
			return (long)at;
		from = at + 1;
	}
	return -1;
}

static size_t
put_varint(char *out, uint64_t v)
{
	size_t n = 0;

	do {
		out[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	return n;
}

/* A varint at s (avail bytes) into *v: its size, or 0 when bad. */
static size_t
get_varint(const char *s, size_t avail, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < avail && i < 10; i++) {
		*v |= (uint64_t)((unsigned char)s[i] & 0x7f) << (7 * i);
		if (!((unsigned char)s[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/* The order of the places taken (-1 last), by offset. */
static void
order(const long at[NKNOWN], int idx[NKNOWN])
{
	for (int i = 0; i < NKNOWN; i++)
		idx[i] = i;
	for (int i = 1; i < NKNOWN; i++)
		for (int j = i; j > 0; j--) {
			long a = at[idx[j - 1]], b = at[idx[j]];
			if (a >= 0 && (b < 0 || a <= b))
				break;
			int x = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = x;
		}
}

size_t
ks_raw_elide(const char *p, size_t n, const struct ks_raw_known *k,
    char *out)
{
	char tbuf[2][KS_TIME_BUFSZ];
	const char *t[NKNOWN];
	size_t len[NKNOWN], o = 0, from = 0;
	long at[NKNOWN];
	int idx[NKNOWN];

	texts(k, tbuf, t, len);
	for (int i = 0; i < NKNOWN; i++) {
		at[i] = find(p, n, t[i], len[i], at, len, i);
		o += put_varint(out + o, at[i] < 0 ? 0 : (uint64_t)at[i] + 1);
	}
	order(at, idx);
	for (int i = 0; i < NKNOWN && at[idx[i]] >= 0; i++) {
		size_t a = (size_t)at[idx[i]];
		memcpy(out + o, p + from, a - from);
		o += a - from;
		from = a + len[idx[i]];
	}
	memcpy(out + o, p + from, n - from);
	return o + n - from;
}

long
ks_raw_restore(const char *s, size_t avail, size_t len,
    const struct ks_raw_known *k, char *out)
{
	char tbuf[2][KS_TIME_BUFSZ];
	const char *t[NKNOWN];
	size_t tlen[NKNOWN], h = 0, o = 0, cut = 0, step;
	long at[NKNOWN];
	int idx[NKNOWN];
	uint64_t v;

	texts(k, tbuf, t, tlen);
	for (int i = 0; i < NKNOWN; i++) {
		if ((step = get_varint(s + h, avail - h, &v)) == 0 ||
		    v > len || (v != 0 && tlen[i] == 0))
			return -1;
		h += step;
		at[i] = (long)v - 1;
		if (v != 0)
			cut += tlen[i];
	}
	if (cut > len || h + len - cut > avail)
		return -1;
	order(at, idx);
	/* Every place checked before a byte is copied: in order, apart,
	   inside the bytes (a tampered block says anything). */
	for (int i = 0; i < NKNOWN && at[idx[i]] >= 0; i++) {
		size_t a = (size_t)at[idx[i]], x = tlen[idx[i]];
		if (a < o || a + x > len)
			return -1;	/* overlapping, or past the end */
		o = a + x;
	}
	s += h;
	o = 0;
	for (int i = 0; i < NKNOWN && at[idx[i]] >= 0; i++) {
		size_t a = (size_t)at[idx[i]], x = tlen[idx[i]];
		memcpy(out + o, s, a - o);
		s += a - o;
		memcpy(out + a, t[idx[i]], x);
		o = a + x;
	}
	memcpy(out + o, s, len - o);
	return (long)(h + len - cut);
}

int
ks_raw_whole(const char *block, size_t blen, int64_t off, int64_t len,
    const struct ks_raw_known *k, char **buf, size_t *cap)
{
	size_t most = (k->id != NULL ? k->idlen : 0) + 2 * KS_TIME_BUFSZ;

	if (off < 0 || len < 0 || (uint64_t)off > blen ||
	    (uint64_t)len > blen - (uint64_t)off + most)
		return -1;
	if ((size_t)len + 1 > *cap) {
		char *nb = realloc(*buf, (size_t)len + 1);
		if (nb == NULL)
			return -2;
		*buf = nb;
		*cap = (size_t)len + 1;
	}
	return ks_raw_restore(block + off, blen - (size_t)off, (size_t)len, k,
	    *buf) < 0 ? -1 : 0;
}
