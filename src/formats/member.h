/*
 * The member a format reads, and the sink its records leave through.  The
 * formats know nothing of the database: they hand each record, reject and
 * warning to the member's sink, a table of callbacks the store fills
 * (store/store.c, ks_store_member).
 */
#ifndef KS_MEMBER_H
#define KS_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"
#include "input/input.h"
#include "input/limits.h"

struct ks_audit_row;
struct ks_audit_json;
struct ks_denial;
struct ks_member;
struct ks_sniffer;

/* Record accounting: records = imported + duplicates + rejected. */
struct ks_tally {
	uint64_t	 records, imported, duplicates, rejected;
};

/* A cloud provider's operation on the cluster. */
struct ks_cluster_event {
	int64_t		 time_us;	/* KS_TIME_NONE when unknown */
	const char	*provider, *operation, *resource, *actor, *status;
};

/*
 * Where a format's records go; each returns 0, or -1 to stop (database
 * errors).  The meaning of each is that of the store's writer of the same
 * name (store/store.h: ks_store_reject, ks_store_audit, ...).
 */
struct ks_sink {
	int	(*reject)(struct ks_member *m, uint64_t line,
		    const char *reason, const char *excerpt, size_t len,
		    struct ks_err *err);
	int	(*audit)(struct ks_member *m, const struct ks_audit_row *row,
		    const char *raw, size_t rawlen, uint64_t line,
		    struct ks_err *err);
	int	(*audit_parsed)(struct ks_member *m,
		    const struct ks_audit_row *row,
		    const struct ks_audit_json *arrays, const int *len,
		    const uint8_t *hash, const char *raw, size_t rawlen,
		    uint64_t line, struct ks_err *err);
	int	(*object)(struct ks_member *m, json_t *obj, const char *kind,
		    const char *api_version, uint64_t line, uint64_t item,
		    struct ks_err *err);
	int	(*object_kinds)(struct ks_member *m, const char *kind,
		    const char *api_version, struct ks_err *err);
	int	(*denial)(struct ks_member *m, const struct ks_denial *d,
		    const char *text, size_t len, uint64_t line,
		    struct ks_err *err);
	int	(*cluster_event)(struct ks_member *m,
		    const struct ks_cluster_event *ev, const char *raw,
		    size_t rawlen, uint64_t line, struct ks_err *err);
	int	(*server_version)(struct ks_member *m, const char *version,
		    struct ks_err *err);
	/* The kind of resource in group: 1 with kind filled, 0 unknown. */
	int	(*kind_of)(struct ks_member *m, const char *group,
		    const char *resource, char *kind, size_t kindsz);
	void	(*warn)(struct ks_member *m, const char *msg);
};

/* The member being read by a format. */
struct ks_member {
	struct ks_input	*in;		/* its bytes */
	const char	*path;		/* display path, ARCHIVE!MEMBER */
	const char	*name;		/* its own name (last path element) */
	int64_t		 mtime_us;	/* KS_TIME_NONE when unknown */
	const struct ks_limits *lim;	/* borrowed: the run's limits */
	/* borrowed: every format, NULL-terminated (sniff.h), for
	   ks_sniff_record (sniffer.h) */
	const struct ks_sniffer *const *formats;
	const struct ks_sink *sink;	/* borrowed: where records go */
	void		*sink_arg;	/* the sink's (the store's import) */
	int64_t		 source_id;	/* the store's; formats never read it */
	struct ks_tally	 tally;
};

/* A warning through the sink (formatted). */
void	ks_member_warn(struct ks_member *m, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

static inline int
ks_emit_reject(struct ks_member *m, uint64_t line, const char *reason,
    const char *excerpt, size_t len, struct ks_err *err)
{
	return m->sink->reject(m, line, reason, excerpt, len, err);
}

static inline int
ks_emit_audit(struct ks_member *m, const struct ks_audit_row *row,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	return m->sink->audit(m, row, raw, rawlen, line, err);
}

static inline int
ks_emit_audit_parsed(struct ks_member *m, const struct ks_audit_row *row,
    const struct ks_audit_json *arrays, const int *len, const uint8_t *hash,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	return m->sink->audit_parsed(m, row, arrays, len, hash, raw, rawlen,
	    line, err);
}

static inline int
ks_emit_object(struct ks_member *m, json_t *obj, const char *kind,
    const char *api_version, uint64_t line, uint64_t item,
    struct ks_err *err)
{
	return m->sink->object(m, obj, kind, api_version, line, item, err);
}

static inline int
ks_emit_object_kinds(struct ks_member *m, const char *kind,
    const char *api_version, struct ks_err *err)
{
	return m->sink->object_kinds(m, kind, api_version, err);
}

static inline int
ks_emit_denial(struct ks_member *m, const struct ks_denial *d,
    const char *text, size_t len, uint64_t line, struct ks_err *err)
{
	return m->sink->denial(m, d, text, len, line, err);
}

static inline int
ks_emit_cluster_event(struct ks_member *m, const struct ks_cluster_event *ev,
    const char *raw, size_t rawlen, uint64_t line, struct ks_err *err)
{
	return m->sink->cluster_event(m, ev, raw, rawlen, line, err);
}

static inline int
ks_emit_server_version(struct ks_member *m, const char *version,
    struct ks_err *err)
{
	return m->sink->server_version(m, version, err);
}

static inline int
ks_member_kind_of(struct ks_member *m, const char *group,
    const char *resource, char *kind, size_t kindsz)
{
	return m->sink->kind_of(m, group, resource, kind, kindsz);
}

#endif
