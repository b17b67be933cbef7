/*
 * Rebuilding the RBAC at time T from a snapshot and the log's writes, one
 * object at a time (the rules are in rbacat.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rbac/rbacat-int.h"
#include "rbac/rbacpatch.h"
#include "util/jutil.h"
#include "util/timeutil.h"

/* What the evidence says of one object at T. */
enum { ST_ABSENT, ST_PRESENT, ST_UNKNOWN };

struct state {
	int		 st;
	json_t		*body;		/* ST_PRESENT: owned */
	const struct ks_rbac_write *why; /* ST_UNKNOWN: the write, or NULL */
	char		 reason[256];	/* ST_UNKNOWN */
	json_t		*role_ref;	/* ST_UNKNOWN binding: its roleRef,
					   still known (owned, or NULL) */
};

/* The writes of one object, and its copy in the base snapshot. */
struct obj_writes {
	const struct ks_rbac_write **w;	/* in time order */
	size_t		 n;
	const json_t	*copy;		/* NULL: not in the snapshot */
};

/* What every object's rebuilding shares. */
struct rebuild {
	int64_t		 at;
	int		 have_base;
	int64_t		 taken_at;
	long		 applied;
};

static int
effective(const struct ks_rbac_write *w)
{
	return !w->dry_run && (w->code == 0 || (w->code >= 200 &&
	    w->code < 300));
}

static int
is_delete(const struct ks_rbac_write *w)
{
	return strcmp(w->verb, "delete") == 0 ||
	    (strcmp(w->verb, "deletecollection") == 0 && !w->selector);
}

/* Does w, which succeeded, hold the object's whole state after it? */
static int
anchor(const struct ks_rbac_write *w)
{
	return w->code >= 200 && w->code < 300 && !w->dry_run &&
	    (is_delete(w) || ks_rbac_write_body(w) != NULL);
}

/* Make s unknown because of w, for the reason head, then tail (or
   NULL).  Returns -1. */
static int
unknown(struct state *s, const struct ks_rbac_write *w, const char *head,
    const char *tail)
{
	json_decref(s->body);
	json_decref(s->role_ref);
	s->body = s->role_ref = NULL;
	s->st = ST_UNKNOWN;
	s->why = w;
	snprintf(s->reason, sizeof(s->reason), "%s%s", head, tail ? tail : "");
	return -1;
}

static void
set(struct state *s, int st, json_t *body)
{
	json_decref(s->body);
	s->st = st;
	s->body = body;
}

/* Apply one effective write to s; 0, or -1 with s unknown. */
static int
apply_write(struct state *s, const struct ks_rbac_write *w)
{
	struct ks_err err;
	json_t *b;

	if (w->code == 0)
		return unknown(s, w, "its outcome (the response code) is not "
		    "in the log", NULL);
	if (strcmp(w->verb, "deletecollection") == 0 && w->selector)
		return unknown(s, w, "a deletecollection with a selector",
		    NULL);
	if (is_delete(w)) {
		set(s, ST_ABSENT, NULL);
		return 0;
	}
	if ((b = ks_rbac_write_body(w)) != NULL) {
		set(s, ST_PRESENT, json_deep_copy(b));
		return 0;
	}
	if (strcmp(w->verb, "patch") != 0 || w->request == NULL)
		return unknown(s, w, "the log holds this write without its "
		    "body (audit level Metadata)", NULL);
	if (w->apply)
		return unknown(s, w, "a server-side apply recorded without "
		    "its response", NULL);
	if (s->st != ST_PRESENT)
		return unknown(s, w, "a patch of an object not known to "
		    "exist", NULL);
	b = json_is_array(w->request) ? ks_rbac_json_patch(s->body,
	    w->request, &err) : ks_rbac_strategic_patch(s->body, w->request,
	    &err);
	if (b == NULL)
		return unknown(s, w, "the patch does not apply: ", err.msg);
	set(s, ST_PRESENT, b);
	return 0;
}

/*
 * Apply w to s; 0, or -1 with s unknown.  When a write of a binding cannot
 * be applied, its roleRef stays known (s->role_ref): the apiserver refuses
 * to change a roleRef, so whatever the write did, the binding is gone or
 * names the same role.  Not after a create, which may follow a delete.
 */
static int
apply(struct state *s, const struct ks_rbac_write *w)
{
	json_t *ref = json_object_get(s->body, "roleRef");
	int rc;

	ref = s->st == ST_PRESENT && json_is_object(ref) &&
	    strcmp(w->verb, "create") != 0 ? json_deep_copy(ref) : NULL;
	if ((rc = apply_write(s, w)) < 0)
		s->role_ref = ref;
	else
		json_decref(ref);
	return rc;
}

/* A create up to a, after the write i that could not be applied, may
   have named another role: the roleRef is not known then. */
static void
ref_after(struct state *s, const struct obj_writes *o, size_t i, size_t a)
{
	for (size_t k = i + 1; k < a; k++)
		if (effective(o->w[k]) && strcmp(o->w[k]->verb, "create") == 0) {
			json_decref(s->role_ref);
			s->role_ref = NULL;
		}
}

/* Applying w twice gives what applying it once does. */
static int
idempotent(const struct ks_rbac_write *w)
{
	return w->code != 0 && (is_delete(w) || ks_rbac_write_body(w) ||
	    (strcmp(w->verb, "patch") == 0 && json_is_object(w->request) &&
	    !w->apply));
}

/* The resourceVersion as an etcd revision, or -1. */
static long long
revision(const json_t *obj)
{
	const char *rv = ks_json_str2(obj, "metadata", "resourceVersion");
	char *end;
	long long n;

	if (rv == NULL || *rv < '0' || *rv > '9')
		return -1;
	n = strtoll(rv, &end, 10);
	return *end == '\0' ? n : -1;
}

enum { HELD_NO, HELD_YES, HELD_MAYBE };

/* The newest managedFields time of obj (the last change the apiserver
   recorded in it, to the second), or KS_TIME_NONE. */
static int64_t
last_managed(const json_t *obj)
{
	const json_t *mf = json_object_get(json_object_get(obj, "metadata"),
	    "managedFields"), *m;
	int64_t best = KS_TIME_NONE, t;
	const char *s;
	size_t i;

	json_array_foreach(mf, i, m)
		if ((s = ks_json_str(m, "time")) != NULL &&
		    ks_time_parse(s, strlen(s), &t) == 0 && t > best)
			best = t;
	return best;
}

/* Does a write after w[i] (re)create the object, or delete it? */
static int
later(const struct obj_writes *o, size_t i, int creates)
{
	for (size_t k = i + 1; k < o->n; k++)
		if (o->w[k]->code >= 200 && o->w[k]->code < 300 &&
		    !o->w[k]->dry_run && (creates ? strcmp(o->w[k]->verb,
		    "create") == 0 : is_delete(o->w[k])))
			return 1;
	return 0;
}

/*
 * Does the snapshot's copy already hold write o->w[i]?  Yes when made
 * before taken_at, or its resourceVersion is not newer than the copy's;
 * no when newer, when made a second or more after the copy's last
 * managedFields time, or when the copy contradicts it (present after a
 * delete, absent after a create, with no later write undoing it).
 */
static int
held(const struct rebuild *r, const struct obj_writes *o, size_t i)
{
	const struct ks_rbac_write *w = o->w[i];
	long long mine, theirs;
	int64_t mf;

	if (w->time <= r->taken_at)
		return HELD_YES;
	if (o->copy != NULL && (mine = revision(o->copy)) >= 0 &&
	    (theirs = revision(w->response)) >= 0)
		return theirs <= mine ? HELD_YES : HELD_NO;
	if (o->copy != NULL && (mf = last_managed(o->copy)) != KS_TIME_NONE &&
	    w->time >= mf + 1000000)
		return HELD_NO;
	if (is_delete(w) && o->copy != NULL && !later(o, i, 1))
		return HELD_NO;
	if (strcmp(w->verb, "create") == 0 && o->copy == NULL &&
	    !later(o, i, 0))
		return HELD_NO;
	return HELD_MAYBE;
}

/* From the snapshot's copy, when no write of the log anchors it. */
static void
from_copy(struct rebuild *r, const struct obj_writes *o, size_t a,
    struct state *s)
{
	char t[KS_TIME_BUFSZ];

	if (!r->have_base) {
		unknown(s, NULL, "no snapshot holds it, and the log does not "
		    "hold its whole state", NULL);
		return;
	}
	for (size_t i = a; i < o->n; i++)
		if (effective(o->w[i]) && held(r, o, i) != HELD_NO) {
			unknown(s, o->w[i], "the snapshot may already hold this "
			    "write, made after the time asked: ", ks_time_format(
			    o->w[i]->time, t));
			return;
		}
	set(s, o->copy ? ST_PRESENT : ST_ABSENT, o->copy ?
	    json_deep_copy(o->copy) : NULL);
	for (size_t i = 0; i < a; i++) {
		int h = effective(o->w[i]) ? held(r, o, i) : HELD_YES;
		if (h == HELD_YES)
			continue;
		/* Only a JSON patch applies but not twice alike; the other
		   writes that are not idempotent cannot be applied at all,
		   and apply() says why. */
		if (h == HELD_MAYBE && !idempotent(o->w[i]) &&
		    json_is_array(o->w[i]->request)) {
			unknown(s, o->w[i], "the snapshot may or may not hold "
			    "this write, which cannot be applied twice", NULL);
			return;
		}
		if (apply(s, o->w[i]) < 0) {
			ref_after(s, o, i, a);
			return;
		}
		r->applied++;
	}
}

/* The object's state at r->at. */
static void
rebuild_one(struct rebuild *r, const struct obj_writes *o, struct state *s)
{
	size_t a = 0, j;

	memset(s, 0, sizeof(*s));
	while (a < o->n && o->w[a]->time <= r->at)
		a++;
	for (j = a; j-- > 0; )
		if (anchor(o->w[j]))
			break;
	if (j != (size_t)-1) {
		set(s, ST_ABSENT, NULL);
		for (size_t i = j; i < a; i++) {
			if (!effective(o->w[i]))
				continue;
			if (apply(s, o->w[i]) < 0) {
				ref_after(s, o, i, a);
				return;
			}
			r->applied++;
		}
		return;
	}
	for (j = a; j < o->n && !effective(o->w[j]); j++)
		;
	if (j < o->n && strcmp(o->w[j]->verb, "create") == 0 &&
	    o->w[j]->code >= 200 && o->w[j]->code < 300) {
		set(s, ST_ABSENT, NULL);	/* created after T */
		return;
	}
	from_copy(r, o, a, s);
}

/* The objects of one rebuild, by key. */
struct objects {
	json_t		*index;		/* "Kind/ns/name" -> position */
	struct obj_writes *v;
	struct { const char *kind, *ns, *name; } *id;
	size_t		 n, cap;
};

/* The entry for (kind, ns, name), made on first use; NULL if no memory. */
static struct obj_writes *
entry(struct objects *os, const char *kind, const char *ns,
    const char *name)
{
	char key[1024];
	json_t *pos;

	snprintf(key, sizeof(key), "%s/%s/%s", kind, ns ? ns : "", name);
	if ((pos = json_object_get(os->index, key)) != NULL)
		return &os->v[json_integer_value(pos)];
	if (os->n == os->cap) {
		size_t cap = os->cap ? os->cap * 2 : 256;
		void *v = realloc(os->v, cap * sizeof(*os->v));
		void *id = v ? realloc(os->id, cap * sizeof(*os->id)) : NULL;
		if (v != NULL)
			os->v = v;
		if (id == NULL)
			return NULL;
		os->id = id;
		os->cap = cap;
	}
	memset(&os->v[os->n], 0, sizeof(os->v[0]));
	os->id[os->n].kind = kind;
	os->id[os->n].ns = ns;
	os->id[os->n].name = name;
	json_object_set_new(os->index, key, json_integer((json_int_t)os->n));
	return &os->v[os->n++];
}

static int
push(struct obj_writes *o, const struct ks_rbac_write *w)
{
	const struct ks_rbac_write **v = realloc(o->w, (o->n + 1) *
	    sizeof(*v));

	if (v == NULL)
		return -1;
	o->w = v;
	o->w[o->n++] = w;
	return 0;
}

static int
by_time(const void *a, const void *b)
{
	const struct ks_rbac_write *x = *(const struct ks_rbac_write *const *)a;
	const struct ks_rbac_write *y = *(const struct ks_rbac_write *const *)b;

	return x < y ? -1 : x > y;	/* the history is in time order */
}

static int
same_ns(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Every object of the base snapshot and of the log, with its writes. */
static int
gather(const struct ks_rbac_hist *h, int64_t base, struct objects *os)
{
	struct obj_writes *o;

	for (size_t i = 0; i < h->nobjs; i++) {
		const struct ks_rbac_obj *b = &h->objs[i];
		if (b->snapshot_id != base || b->kind == NULL || b->name == NULL)
			continue;
		if ((o = entry(os, b->kind, b->namespace, b->name)) == NULL)
			return -1;
		o->copy = b->body;
	}
	for (size_t i = 0; i < h->nwrites; i++) {
		const struct ks_rbac_write *w = &h->writes[i];
		if (w->name == NULL || strcmp(w->verb, "deletecollection") == 0)
			continue;
		if ((o = entry(os, w->kind, w->namespace, w->name)) == NULL ||
		    push(o, w) < 0)
			return -1;
	}
	for (size_t i = 0; i < h->nwrites; i++) {
		const struct ks_rbac_write *w = &h->writes[i];
		if (strcmp(w->verb, "deletecollection") != 0)
			continue;
		for (size_t k = 0; k < os->n; k++)
			if (os->id[k].kind == w->kind && (w->namespace == NULL ||
			    same_ns(os->id[k].ns, w->namespace)) &&
			    push(&os->v[k], w) < 0)
				return -1;
	}
	for (size_t k = 0; k < os->n; k++)
		if (os->v[k].n > 1)
			qsort(os->v[k].w, os->v[k].n, sizeof(*os->v[k].w),
			    by_time);
	return 0;
}

/* The object of state s is unknown: list it, with its roleRef if known. */
static void
add_state(struct ks_rbac_at *at, const char *kind, const char *ns,
    const char *name, const struct state *s)
{
	json_t *u;

	ks_rbac_at_unknown_add(at, kind, ns, name, s->why, s->reason);
	u = json_array_get(at->unknown, json_array_size(at->unknown) - 1);
	if (s->role_ref != NULL && u != NULL)
		json_object_set(u, "role_ref", s->role_ref);
}

/* The base: the snapshot taken last at or before T, else the first
   after it.  Snapshots without a time are not used. */
static const struct ks_rbac_snap *
base_of(const struct ks_rbac_hist *h, int64_t t)
{
	const struct ks_rbac_snap *best = NULL;

	for (size_t i = 0; i < h->nsnaps; i++) {
		if (h->snaps[i].taken_at == KS_TIME_NONE)
			continue;
		if (h->snaps[i].taken_at <= t || best == NULL)
			best = &h->snaps[i];
		if (h->snaps[i].taken_at > t)
			break;
	}
	return best;
}

static int
rebuild_all(struct ks_rbac_at *at, struct objects *os, struct rebuild *r)
{
	struct ks_err skip;
	struct state s;

	for (size_t k = 0; k < os->n; k++) {
		rebuild_one(r, &os->v[k], &s);
		if (s.st == ST_UNKNOWN)
			add_state(at, os->id[k].kind, os->id[k].ns,
			    os->id[k].name, &s);
		else if (s.st == ST_PRESENT)
			/* A malformed object grants nothing (as in a load). */
			ks_rbac_add_kind(at->rbac, s.body, os->id[k].kind,
			    &skip);
		json_decref(s.body);
		json_decref(s.role_ref);
	}
	return 0;
}

struct ks_rbac_at *
ks_rbac_at_build(const struct ks_rbac_hist *h, int64_t at_us,
    struct ks_err *err)
{
	struct ks_rbac_at *at = calloc(1, sizeof(*at));
	struct objects os = { .index = json_object() };
	const struct ks_rbac_snap *base = base_of(h, at_us);
	struct rebuild r = { .at = at_us, .have_base = base != NULL,
	    .taken_at = base ? base->taken_at : KS_TIME_NONE };
	int rc = -1;

	if (at == NULL || os.index == NULL ||
	    (at->rbac = ks_rbac_new()) == NULL ||
	    (at->unknown = json_array()) == NULL ||
	    (at->warnings = json_array()) == NULL) {
		ks_err_set(err, "out of memory");
		goto out;
	}
	at->at = at_us;
	at->snapshot_id = base ? base->id : 0;
	at->snapshot_at = base ? base->taken_at : KS_TIME_NONE;
	if (base == NULL && h->nwrites == 0) {
		ks_err_set(err, "no snapshot has a time and the audit log holds "
		    "no RBAC write: nothing to rebuild the RBAC at that time "
		    "from");
		goto out;
	}
	if (gather(h, at->snapshot_id, &os) < 0 ||
	    rebuild_all(at, &os, &r) < 0 ||
	    ks_rbac_resolve(at->rbac, err) < 0) {
		ks_err_set(err, "out of memory");
		goto out;
	}
	at->applied = r.applied;
	ks_rbac_at_notes(h, at);
	rc = 0;
out:
	for (size_t k = 0; k < os.n; k++)
		free(os.v[k].w);
	free(os.v);
	free(os.id);
	json_decref(os.index);
	if (rc < 0) {
		ks_rbac_at_free(at);
		return NULL;
	}
	return at;
}

void
ks_rbac_at_free(struct ks_rbac_at *at)
{
	if (at == NULL)
		return;
	ks_rbac_free(at->rbac);
	json_decref(at->unknown);
	json_decref(at->warnings);
	free(at);
}
