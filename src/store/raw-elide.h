/*
 * What an event's raw bytes repeat of its row, left out of the stored
 * bytes and put back when they are read (schema version 13).  An auditID
 * is random: compressed, its 36 characters took 18-19 bytes of the 70-75
 * an event's bytes took; its two times, with their microseconds, about
 * ten more.  The row holds them already (audit_key, received_us,
 * stage_delta), so a block keeps each event's bytes without the first
 * place where each of them is written as kubesift writes it (the auditID
 * as its key gives it back; a time as ks_time_format writes it), and
 * says where they were.  An event whose bytes write one otherwise (an
 * escape, a time with nanoseconds) keeps it.  The bytes given back are
 * the bytes read, whatever the row says: that is proved by their SHA-256
 * (kubesift verify), and a row changed after the import gives bytes that
 * no longer match it.
 *
 * A stored event: three varints (LEB128), each 0 (nothing left out) or
 * one more than the offset in the whole bytes where the auditID, the
 * received time and the stage time were taken out, in that order;
 * then the bytes without them.
 */
#ifndef KS_RAW_ELIDE_H
#define KS_RAW_ELIDE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* What the row says: the auditID's text (NULL: none), the times
   (KS_TIME_NONE: none). */
struct ks_raw_known {
	const char	*id;
	size_t		 idlen;
	int64_t		 received_us, stage_us;
	char		 idbuf[37];	/* the text of a UUID's key */
};

/* The most bytes a stored event takes beyond the bytes themselves. */
#define KS_RAW_ELIDE_MAX	30

/*
 * The known values from an audit_rows row's audit_key, received_us and
 * stage_us (as SQLite values or a statement's columns key, key + 1,
 * key + 2).
 */
void	ks_raw_known_values(struct ks_raw_known *k, sqlite3_value *key,
	    sqlite3_value *received, sqlite3_value *stage);
void	ks_raw_known_columns(struct ks_raw_known *k, sqlite3_stmt *s,
	    int key);

/*
 * The bytes p (n) as stored, into out (n + KS_RAW_ELIDE_MAX bytes): the
 * stored size.
 */
size_t	ks_raw_elide(const char *p, size_t n, const struct ks_raw_known *k,
	    char *out);

/*
 * The whole bytes (len) of the event stored at s (avail bytes to the end
 * of its block), into out (len bytes).  The stored size, or -1 when the
 * stored bytes do not fit what is said of them.
 */
long	ks_raw_restore(const char *s, size_t avail, size_t len,
	    const struct ks_raw_known *k, char *out);

/*
 * The whole bytes (len) of the event stored at off in a decompressed
 * block of blen bytes, put back by what its row k says into *buf (grown
 * as needed; *cap its size).  An event longer than the block's rest plus
 * what k can have taken out is refused before any room is made for it.
 * 0; -1 when the stored bytes do not fit; -2 out of memory.
 */
int	ks_raw_whole(const char *block, size_t blen, int64_t off, int64_t len,
	    const struct ks_raw_known *k, char **buf, size_t *cap);

#endif
