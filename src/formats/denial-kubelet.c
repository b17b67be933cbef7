/*
 * The kubelet's (and kube-rbac-proxy's) denial,
 * `Forbidden (user=U, verb=V, [namespace=N, ]resource=R, subresource=S)`:
 * unquoted key=value pairs, none of them escaped, no API group.
 */
#include <errno.h>
#include <string.h>

#include "formats/denial.h"

#define MAXVALUE	256	/* longest value read */

enum { K_USER, K_VERB, K_NAMESPACE, K_RESOURCE, K_SUBRESOURCE, K_N };

/* One value: s[b..e). */
struct kv {
	size_t	b, e;
	int	set;
};

/*
 * Read the key=value pairs at s[p] (just after "Forbidden (") into v[],
 * up to the closing ')'; *end is just past it.
 */
static int
pairs(const char *s, size_t len, size_t p, struct kv *v, size_t *end)
{
	static const char *const keys[K_N] = { "user", "verb", "namespace",
	    "resource", "subresource" };
	size_t eq, e;

	for (;;) {
		for (eq = p; eq < len && eq - p < 16 && s[eq] >= 'a' &&
		    s[eq] <= 'z'; eq++)
			;
		if (eq >= len || s[eq] != '=')
			return 0;
		for (e = eq + 1; e < len && e - eq <= MAXVALUE && s[e] != ')' &&
		    s[e] != '\0' && s[e] != '\n' &&
		    !(s[e] == ',' && e + 1 < len && s[e + 1] == ' '); e++)
			;
		if (e >= len || (s[e] != ')' && s[e] != ','))
			return 0;
		for (int i = 0; i < K_N; i++)
			if (eq - p == strlen(keys[i]) &&
			    memcmp(s + p, keys[i], eq - p) == 0)
				v[i] = (struct kv){ eq + 1, e, 1 };
		if (s[e] == ')') {
			*end = e + 1;
			return 1;
		}
		p = e + 2;
	}
}

/* Copy value v into *dst; an absent value, or an empty one if drop, is NULL. */
static int
copy(char **dst, const char *s, const struct kv *v, int drop)
{
	if (!v->set || (drop && v->e == v->b))
		return 0;
	*dst = ks_denial_unescape(s + v->b, v->e - v->b, 0,
	    KS_DENIAL_MAX_FIELD);
	return *dst == NULL ? -1 : 0;
}

int
ks_denial_kubelet(const char *s, size_t len, struct ks_denial *d)
{
	struct kv v[K_N];
	const char *hit;
	size_t p = 0, end;
	int tries = 0;

	memset(d, 0, sizeof(*d));
	while (p < len && tries++ < KS_DENIAL_MAX_TRIES &&
	    (hit = memmem(s + p, len - p, "Forbidden (user=", 16)) != NULL) {
		p = (size_t)(hit - s) + 1;
		memset(v, 0, sizeof(v));
		if (!pairs(s, len, p + 10, v, &end) || !v[K_USER].set ||
		    v[K_VERB].e == v[K_VERB].b ||
		    v[K_RESOURCE].e == v[K_RESOURCE].b)
			continue;
		d->form = KS_DENIAL_KUBELET;
		d->start = p - 1;
		d->end = end;
		if (copy(&d->user, s, &v[K_USER], 0) < 0 ||
		    copy(&d->verb, s, &v[K_VERB], 0) < 0 ||
		    copy(&d->resource, s, &v[K_RESOURCE], 0) < 0 ||
		    copy(&d->subresource, s, &v[K_SUBRESOURCE], 1) < 0 ||
		    copy(&d->namespace, s, &v[K_NAMESPACE], 1) < 0) {
			ks_denial_clear(d);
			errno = ENOMEM;
			return -1;
		}
		return 1;
	}
	return 0;
}
