/*
 * Columns of audit_events stored shorter than they read: the request URI
 * without the path the other columns make (audit_events.uri_tail; the
 * generated column request_uri, sql/001-schema.sql, puts it back), the
 * message of a refusal without the sentence the columns make
 * (message_tail; the generated column message), the stage, level and
 * decision as small numbers (stage_code, level_code, decision_code; the
 * generated columns stage, level and decision).  Only what comes back
 * byte for byte is shortened; anything else is stored whole.
 */
#include <string.h>

#include "store/store-int.h"

/* Append the NUL-ended text p to buf (at *n, of sz); 0, or -1: full. */
static int
put(char *buf, size_t sz, size_t *n, const char *p)
{
	size_t len = strlen(p);

	if (*n + len > sz)
		return -1;
	memcpy(buf + *n, p, len);
	*n += len;
	return 0;
}

/*
 * The path of a resource request as request_uri's expression in
 * sql/001-schema.sql makes it from the columns:
 *   /api/VERSION or /apis/GROUP/VERSION, then /namespaces/NAMESPACE,
 *   /RESOURCE, /NAME, /SUBRESOURCE (each when not NULL).
 * Its length in buf, or -1: no such path (no resource, group or version,
 * or longer than sz).
 */
static int
rebuilt_path(const struct ks_audit_row *r, char *buf, size_t sz)
{
	const struct { const char *v, *before; } parts[] = {
		{ r->namespace, "/namespaces/" }, { r->resource, "/" },
		{ r->name, "/" }, { r->subresource, "/" },
	};
	size_t n = 0;

	if (r->api_group == NULL || r->api_version == NULL ||
	    r->resource == NULL)
		return -1;
	if (r->api_group[0] == '\0')
		put(buf, sz, &n, "/api/");
	else if (put(buf, sz, &n, "/apis/") < 0 ||
	    put(buf, sz, &n, r->api_group) < 0 || put(buf, sz, &n, "/") < 0)
		return -1;
	if (put(buf, sz, &n, r->api_version) < 0)
		return -1;
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		if (parts[k].v != NULL && (put(buf, sz, &n, parts[k].before) <
		    0 || put(buf, sz, &n, parts[k].v) < 0))
			return -1;
	return (int)n;
}

/* Bind v (n bytes) whole, or what follows its first p bytes as a blob. */
static void
bind_rest(sqlite3_stmt *s, int param, const char *v, const char *start,
    int p)
{
	int n = (int)strlen(v);

	if (p >= 0 && p <= n && memcmp(v, start, (size_t)p) == 0)
		sqlite3_bind_blob(s, param, v + p, n - p, SQLITE_STATIC);
	else
		sqlite3_bind_text(s, param, v, n, SQLITE_STATIC);
}

void
ks_store_bind_uri(sqlite3_stmt *s, int param, const struct ks_audit_row *r)
{
	char path[1024];

	if (r->request_uri == NULL)
		sqlite3_bind_null(s, param);
	else
		bind_rest(s, param, r->request_uri, path,
		    rebuilt_path(r, path, sizeof(path)));
}

/*
 * The authorizer's refusal as Kubernetes words it and message's
 * expression in sql/001-schema.sql makes it from the columns:
 *   RESOURCE[.GROUP][ "NAME"] is forbidden: User "ACTOR" cannot VERB
 *   resource "RESOURCE[/SUBRESOURCE]" in API group "GROUP"
 *   (in the namespace "NAMESPACE"| at the cluster scope)
 * Its length in buf, or -1 (a column it needs is NULL, or too long).
 */
static int
rebuilt_refusal(const struct ks_audit_row *r, char *buf, size_t sz)
{
	const char *actor = r->impersonated_user ? r->impersonated_user :
	    r->username;
	size_t n = 0;
	int bad = 0;

	if (r->resource == NULL || r->api_group == NULL || r->verb == NULL ||
	    actor == NULL)
		return -1;
	bad |= put(buf, sz, &n, r->resource);
	if (r->api_group[0] != '\0')
		bad |= put(buf, sz, &n, ".") | put(buf, sz, &n, r->api_group);
	if (r->name != NULL)
		bad |= put(buf, sz, &n, " \"") | put(buf, sz, &n, r->name) |
		    put(buf, sz, &n, "\"");
	bad |= put(buf, sz, &n, " is forbidden: User \"") |
	    put(buf, sz, &n, actor) | put(buf, sz, &n, "\" cannot ") |
	    put(buf, sz, &n, r->verb) | put(buf, sz, &n, " resource \"") |
	    put(buf, sz, &n, r->resource);
	if (r->subresource != NULL)
		bad |= put(buf, sz, &n, "/") | put(buf, sz, &n, r->subresource);
	bad |= put(buf, sz, &n, "\" in API group \"") |
	    put(buf, sz, &n, r->api_group) | put(buf, sz, &n, "\"");
	if (r->namespace != NULL)
		bad |= put(buf, sz, &n, " in the namespace \"") |
		    put(buf, sz, &n, r->namespace) | put(buf, sz, &n, "\"");
	else
		bad |= put(buf, sz, &n, " at the cluster scope");
	return bad ? -1 : (int)n;
}

void
ks_store_bind_message(sqlite3_stmt *s, int param,
    const struct ks_audit_row *r, const char *message)
{
	char text[2048];

	if (message == NULL)
		sqlite3_bind_null(s, param);
	else
		bind_rest(s, param, message, text,
		    rebuilt_refusal(r, text, sizeof(text)));
}

/*
 * The values of stage, level and decision stored as numbers, 1 for the
 * first: the same lists as the CASEs of the generated columns stage,
 * level and decision in sql/001-schema.sql (KS_CODE_* order).
 */
static const char *const stages[] = { "RequestReceived", "ResponseStarted",
    "ResponseComplete", "Panic", NULL };
static const char *const levels[] = { "None", "Metadata", "Request",
    "RequestResponse", NULL };
static const char *const decisions[] = { "allow", "forbid", NULL };
static const char *const *const code_lists[] = { stages, levels,
    decisions };

void
ks_store_bind_code(sqlite3_stmt *s, int param, const char *v, int which)
{
	const char *const *list = code_lists[which];

	if (v == NULL) {
		sqlite3_bind_null(s, param);
		return;
	}
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(v, list[i]) == 0) {
			sqlite3_bind_int(s, param, i + 1);
			return;
		}
	sqlite3_bind_text(s, param, v, -1, SQLITE_STATIC);
}
