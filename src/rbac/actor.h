/* What the evidence says about an actor (audit events). */
#ifndef KS_ACTOR_H
#define KS_ACTOR_H

#include <sqlite3.h>

/*
 * The groups of actor in its latest audit event, as a new NULL-terminated
 * array of new strings (free with ks_actor_groups_free), or NULL when the
 * evidence has no event of it.
 */
char	**ks_actor_groups(sqlite3 *db, const char *actor, size_t *n);
char	**ks_actor_groups_parse(const char *json, size_t *n);
void	ks_actor_groups_free(char **groups);

#endif
