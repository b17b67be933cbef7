#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rbac/actor.h"

char **
ks_actor_groups_parse(const char *text, size_t *n)
{
	json_t *a = text ? json_loads(text, 0, NULL) : NULL, *v;
	char **g;
	size_t i, k = 0;

	*n = 0;
	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	if ((g = calloc(json_array_size(a) + 1, sizeof(*g))) == NULL) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			g[k++] = strdup(json_string_value(v));
	*n = k;
	json_decref(a);
	return g;
}

char **
ks_actor_groups(sqlite3 *db, const char *actor, size_t *n)
{
	static const char q[] = "SELECT (SELECT value FROM strings WHERE id ="
	    " CASE WHEN impersonated_user_id IS NOT NULL THEN"
	    " impersonated_groups_id ELSE user_groups_id END) FROM audit_rows"
	    " WHERE actor_id = (SELECT id FROM strings WHERE value = ?1)"
	    " ORDER BY received_us DESC LIMIT 1";
	sqlite3_stmt *st;
	char **g = NULL;

	*n = 0;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		g = ks_actor_groups_parse((const char *)sqlite3_column_text(st,
		    0), n);
	sqlite3_finalize(st);
	return g;
}

void
ks_actor_groups_free(char **g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; g[i] != NULL; i++)
		free(g[i]);
	free(g);
}
