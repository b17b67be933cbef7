/*
 * The known issues a change's denials match (remediate-int.h): the
 * issues' patterns read once per plan, each group matched against them
 * in C, and only a group that may match looked up in the view.
 */
#include <string.h>

#include "util/jutil.h"
#include "rbac/remediate-int.h"

json_t *
ks_remediate_known_keys(sqlite3 *db)
{
	/* The known issues' patterns, their server versions not asked:
	   a group whose columns match one's is looked up in the view
	   (known), the view's join not made for every group. */
	static const char q[] = "SELECT actor, api_group, resource, verbs"
	    " FROM known_issues";
	json_t *pats = json_array(), *verbs;
	sqlite3_stmt *st;
	const char *c[3];
	int rc;

	if (pats == NULL || sqlite3_prepare_v2(db, q, -1, &st, NULL) !=
	    SQLITE_OK) {
		json_decref(pats);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++)
			c[i] = (const char *)sqlite3_column_text(st, i);
		if (c[0] == NULL || c[1] == NULL || c[2] == NULL)
			continue;	/* (GLOB NULL holds for nothing) */
		/* (Verbs that are not an array of strings: null, every verb
		   may match.) */
		verbs = json_loads(sqlite3_column_text(st, 3) ? (const char *)
		    sqlite3_column_text(st, 3) : "", JSON_DECODE_ANY, NULL);
		if (!json_is_array(verbs)) {
			json_decref(verbs);
			verbs = json_null();
		}
		json_array_append_new(pats, json_pack("[s,s,s,o]", c[0], c[1],
		    c[2], verbs));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(pats);
		return NULL;
	}
	return pats;
}

/* Is verb among verbs (a JSON array: its strings; null: any verb)? */
static int
verb_in(const json_t *verbs, const char *verb)
{
	const char *s;
	size_t i;
	json_t *v;

	if (!json_is_array(verbs))
		return 1;
	json_array_foreach(verbs, i, v)
		if ((s = json_string_value(v)) == NULL || strcmp(s, verb) == 0)
			return 1;	/* (not a string: let the view say) */
	return 0;
}

/* May group g match a known issue (do its columns match the patterns of
   one of f's known issues, as known_issue_matches compares them)? */
static int
may_match(const struct ks_remediate_fix *f,
    const struct ks_remediate_group *g)
{
	const json_t *pats = f->memo->known_keys, *k;
	const char *grp = g->api_group ? g->api_group : "";
	size_t i;

	if (pats == NULL)
		return 1;
	if (g->actor == NULL || g->verb == NULL || g->resource == NULL)
		return 0;	/* "=" never holds for NULL */
	json_array_foreach(pats, i, k)
		if (sqlite3_strglob(json_string_value(json_array_get(k, 0)),
		    g->actor) == 0 && sqlite3_strglob(json_string_value(
		    json_array_get(k, 1)), grp) == 0 && sqlite3_strglob(
		    json_string_value(json_array_get(k, 2)), g->resource) == 0 &&
		    verb_in(json_array_get(k, 3), g->verb))
			return 1;
	return 0;
}

json_t *
ks_remediate_known(struct ks_remediate_fix *f)
{
	static const char q[] = "SELECT id, title, fix, fixed_in, refs FROM"
	    " known_issue_matches WHERE actor = ?1 AND verb = ?2 AND"
	    " coalesce(api_group, '') = coalesce(?3, '') AND resource = ?4";
	json_t *out = json_array();
	const struct ks_remediate_group *g;
	sqlite3_stmt *st;

	for (size_t i = 0; i < f->groups.n; i++) {
		g = f->groups.v[i];
		if (!may_match(f, g))
			continue;
		/* Prepared once per plan, when a group may match. */
		if (f->memo->known_st == NULL && sqlite3_prepare_v2(
		    f->memo->db, q, -1, &f->memo->known_st, NULL) != SQLITE_OK)
			return out;
		st = f->memo->known_st;
		sqlite3_bind_text(st, 1, g->actor, -1, NULL);
		sqlite3_bind_text(st, 2, g->verb, -1, NULL);
		sqlite3_bind_text(st, 3, g->api_group, -1, NULL);
		sqlite3_bind_text(st, 4, g->resource, -1, NULL);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			json_t *k;
			size_t j;
			int dup = 0;
			json_array_foreach(out, j, k)
				dup |= strcmp(ks_json_str(k, "id"), id) == 0;
			if (!dup)
				json_array_append_new(out, json_pack("{s:s,s:s,"
				    "s:s,s:s?,s:o?}", "id", id, "title",
				    sqlite3_column_text(st, 1), "fix",
				    sqlite3_column_text(st, 2), "fixed_in",
				    sqlite3_column_text(st, 3), "references",
				    json_loads((const char *)sqlite3_column_text(
				    st, 4) ? (const char *)sqlite3_column_text(st,
				    4) : "null", JSON_DECODE_ANY, NULL)));
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return out;
}
