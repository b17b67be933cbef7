/*
 * A plan's denial groups as JSON (remediate.h), made only where JSON is
 * printed, and the plan's end: the groups are plain structs while the
 * plan is made and written as text.
 */
#include <stdlib.h>

#include "rbac/remediate.h"
#include "rbac/remediate-int.h"

const char *const ks_remediate_list_names[KS_PLAN_LISTS] = { "held_back",
    "needs_decision", "not_rbac_gaps", "not_remediated" };

/* s as a JSON string; null for NULL. */
static json_t *
str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
ks_remediate_group_json(const struct ks_remediate_group *g)
{
	json_t *o = json_object(), *ex = json_array();

	json_object_set_new(o, "actor", str(g->actor));
	json_object_set_new(o, "verb", str(g->verb));
	json_object_set_new(o, "api_group", str(g->api_group));
	json_object_set_new(o, "resource", str(g->resource));
	json_object_set_new(o, "subresource", str(g->subresource));
	json_object_set_new(o, "namespace", str(g->namespace));
	json_object_set_new(o, "path", str(g->path));
	json_object_set_new(o, "count", json_integer(g->count));
	json_object_set_new(o, "first_seen", str(g->first_seen));
	json_object_set_new(o, "last_seen", str(g->last_seen));
	for (size_t i = 0; i < g->nexamples; i++)
		json_array_append_new(ex, str(g->examples[i]));
	json_object_set_new(o, "examples", ex);
	json_object_set_new(o, "groups", g->groups ? json_incref(g->groups) :
	    json_null());
	json_object_set_new(o, "origin", str(g->origin));
	json_object_set_new(o, "refusal_reason", str(g->refusal_reason));
	json_object_set_new(o, "refused_by", str(g->refused_by));
	json_object_set_new(o, "message", str(g->message));
	if (g->gap_at_time)
		json_object_set_new(o, "gap_at_time", json_true());
	if (g->has_fixed_by)
		json_object_set_new(o, "fixed_by", g->fixed_by ?
		    json_incref(g->fixed_by) : json_null());
	if (g->allowed_by != NULL)
		json_object_set_new(o, "allowed_by", json_string(
		    g->allowed_by));
	if (g->explanation != NULL)
		json_object_set_new(o, "explanation", json_string(
		    g->explanation));
	if (g->class != NULL)
		json_object_set_new(o, "class", json_string(g->class));
	if (g->reason != NULL)
		json_object_set_new(o, "reason", json_string(g->reason));
	return o;
}

const struct ks_remediate_list *
ks_remediate_evidence(const struct ks_remediate_plan *p, const json_t *c)
{
	static const struct ks_remediate_list none;
	json_int_t i = json_integer_value(json_object_get(c, "evidence"));

	return i >= 0 && (size_t)i < p->nevidence ? &p->evidence[i] : &none;
}

json_t *
ks_remediate_change_json(const struct ks_remediate_plan *p, const json_t *c)
{
	const struct ks_remediate_list *l = ks_remediate_evidence(p, c);
	json_t *o = json_copy((json_t *)c), *ev = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(ev, ks_remediate_group_json(l->v[i]));
	/* (Set in place: the key keeps its position.) */
	json_object_set_new(o, "evidence", ev);
	return o;
}

void
ks_remediate_plan_free(struct ks_remediate_plan *p)
{
	struct ks_remediate_store *s;

	if (p == NULL)
		return;
	for (int k = 0; k < KS_PLAN_LISTS; k++)
		free(p->lists[k].v);
	for (size_t i = 0; i < p->nevidence; i++)
		free(p->evidence[i].v);
	free(p->evidence);
	json_decref(p->json);
	if ((s = p->store) != NULL) {
		for (size_t i = 0; i < s->n; i++) {
			json_decref(s->v[i]->fixed_by);
			free(s->v[i]->allowed_by);
		}
		ks_remediate_groups_free(s);
		ks_remediate_intern_free(&s->in);
		json_decref(s->parsed);
		free(s);
	}
	free(p);
}

int
ks_remediate_list_add(struct ks_remediate_list *l, struct ks_remediate_group *g)
{
	struct ks_remediate_group **nv;

	if (l->n == l->cap) {
		if ((nv = realloc(l->v, (l->cap * 2 + 16) * sizeof(*nv))) ==
		    NULL)
			return -1;
		l->v = nv;
		l->cap = l->cap * 2 + 16;
	}
	l->v[l->n++] = g;
	return 0;
}
