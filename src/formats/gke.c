#include <string.h>

#include "formats/gke.h"

#define MAXPARTS	24	/* dot- or slash-separated parts read */

/* One part of a name: s[0..n). */
struct part {
	const char	*s;
	size_t		 n;
};

/* The gRPC codes (google.rpc.Code) and the HTTP codes they stand for. */
static const struct {
	const char	*name;
	int		 http;
} codes[] = {
	{ "OK", 200 }, { "CANCELLED", 499 }, { "UNKNOWN", 500 },
	{ "INVALID_ARGUMENT", 400 }, { "DEADLINE_EXCEEDED", 504 },
	{ "NOT_FOUND", 404 }, { "ALREADY_EXISTS", 409 },
	{ "PERMISSION_DENIED", 403 }, { "RESOURCE_EXHAUSTED", 429 },
	{ "FAILED_PRECONDITION", 400 }, { "ABORTED", 409 },
	{ "OUT_OF_RANGE", 400 }, { "UNIMPLEMENTED", 501 },
	{ "INTERNAL", 500 }, { "UNAVAILABLE", 503 }, { "DATA_LOSS", 500 },
	{ "UNAUTHENTICATED", 401 },
};

#define NCODES	((long)(sizeof(codes) / sizeof(codes[0])))

int
ks_gke_http_code(long grpc)
{
	return grpc >= 0 && grpc < NCODES ? codes[grpc].http : 0;
}

const char *
ks_gke_code_name(long grpc)
{
	return grpc >= 0 && grpc < NCODES ? codes[grpc].name : NULL;
}

static const char *const verbs[] = {
	"get", "list", "watch", "create", "update", "patch", "delete",
	"deletecollection", "proxy", "connect", "post", "put", "head",
	"options", NULL
};

/* Groups older than the k8s.io suffix, and Panther's short rbac. */
static const struct {
	const char	*short_name, *group;
} legacy[] = {
	{ "core", "" }, { "apps", "apps" }, { "batch", "batch" },
	{ "autoscaling", "autoscaling" }, { "policy", "policy" },
	{ "extensions", "extensions" }, { "rbac", "rbac.authorization.k8s.io" },
};

static int
part_is(struct part p, const char *s)
{
	return p.n == strlen(s) && memcmp(p.s, s, p.n) == 0;
}

/* v1, v2, v1beta1, v1alpha2: a Kubernetes API version. */
static int
is_version(struct part p)
{
	size_t i = 1;

	if (p.n < 2 || p.s[0] != 'v' || p.s[1] < '1' || p.s[1] > '9')
		return 0;
	while (i < p.n && p.s[i] >= '0' && p.s[i] <= '9')
		i++;
	if (i == p.n)
		return 1;
	if (p.n - i > 4 && memcmp(p.s + i, "beta", 4) == 0)
		i += 4;
	else if (p.n - i > 5 && memcmp(p.s + i, "alpha", 5) == 0)
		i += 5;
	else
		return 0;
	while (i < p.n && p.s[i] >= '0' && p.s[i] <= '9')
		i++;
	return i == p.n;
}

static int
split(const char *s, char sep, struct part *parts)
{
	int n = 0;

	while (s != NULL && n < MAXPARTS) {
		const char *e = strchr(s, sep);
		parts[n].s = s;
		parts[n].n = e != NULL ? (size_t)(e - s) : strlen(s);
		n++;
		s = e != NULL ? e + 1 : NULL;
	}
	return n;
}

/* Copy s[0..n) into c->buf; NULL when it does not fit. */
static const char *
keep(struct ks_gke_call *c, const char *s, size_t n)
{
	char *p = c->buf + c->used;

	if (n + 1 > sizeof(c->buf) - c->used)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

static const char *
keep_part(struct ks_gke_call *c, struct part p)
{
	return keep(c, p.s, p.n);
}

/* The API group of methodName parts g[0..n), reversed into c->buf. */
static const char *
method_group(struct ks_gke_call *c, const struct part *g, int n)
{
	char name[512];
	size_t len = 0;

	if (n == 3 && part_is(g[0], "io") && part_is(g[1], "k8s"))
		for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
			if (part_is(g[2], legacy[i].short_name))
				return keep(c, legacy[i].group,
				    strlen(legacy[i].group));
	for (int i = n - 1; i >= 0; i--) {
		if (len + g[i].n + 1 >= sizeof(name))
			return NULL;
		memcpy(name + len, g[i].s, g[i].n);
		len += g[i].n;
		if (i > 0)
			name[len++] = '.';
	}
	return keep(c, name, len);
}

static int
known_verb(struct part p)
{
	for (int i = 0; verbs[i] != NULL; i++)
		if (part_is(p, verbs[i]))
			return 1;
	return 0;
}

/* A non-resource methodName: "io.k8s.get", or Panther's "io.k8s.readyz". */
static void
method_nonresource(struct ks_gke_call *c, const struct part *p, int n)
{
	struct part last = p[n - 1];
	char path[256];

	if (known_verb(last)) {
		c->verb = keep_part(c, last);
	} else if (last.n + 2 <= sizeof(path)) {
		path[0] = '/';
		memcpy(path + 1, last.s, last.n);
		c->path = keep(c, path, last.n + 1);
	}
}

static void
method(struct ks_gke_call *c, const char *m)
{
	struct part p[MAXPARTS];
	int n = split(m, '.', p), v = -1, after;

	for (int i = 1; i < n && v < 0; i++)
		if (is_version(p[i]))
			v = i;
	if (v < 0) {
		if (n >= 2)
			method_nonresource(c, p, n);
		return;
	}
	c->api_group = method_group(c, p, v);
	c->api_version = keep_part(c, p[v]);
	after = n - v - 1;
	if (after >= 1)
		c->resource = keep_part(c, p[v + 1]);
	if (after >= 3)
		c->subresource = keep_part(c, p[v + 2]);
	if (after >= 2)
		c->verb = keep_part(c, p[n - 1]);
}

/* GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE...]]. */
static void
resource_name(struct ks_gke_call *c, const char *r, int have_method)
{
	struct part p[MAXPARTS], *rest;
	int n = split(r, '/', p), k;

	if (n < 3 || !is_version(p[1]))
		return;
	c->api_group = part_is(p[0], "core") ? "" : keep_part(c, p[0]);
	c->api_version = keep_part(c, p[1]);
	rest = p + 2;
	k = n - 2;
	if (part_is(rest[0], "namespaces") && k >= 2) {
		c->namespace = keep_part(c, rest[1]);
		/* A namespace's own status and finalize are its subresources. */
		if (k >= 3 && !part_is(rest[2], "status") &&
		    !part_is(rest[2], "finalize")) {
			rest += 2;
			k -= 2;
		}
	}
	if (!have_method || c->resource == NULL)
		c->resource = keep_part(c, rest[0]);
	if (k >= 2 && rest[1].n > 0)
		c->name = keep_part(c, rest[1]);
	if (k >= 3 && c->subresource == NULL && !have_method)
		c->subresource = keep_part(c, rest[2]);
}

void
ks_gke_call(const char *m, const char *r, struct ks_gke_call *c)
{
	memset(c, 0, sizeof(*c));
	if (m != NULL)
		method(c, m);
	if (r != NULL)
		resource_name(c, r, c->resource != NULL);
	/* A non-resource request: its path is the resource name. */
	if (c->resource == NULL && r != NULL && r[0] != '\0' &&
	    c->path == NULL) {
		if (r[0] == '/')
			c->path = keep(c, r, strlen(r));
		else if (strlen(r) + 2 <= sizeof(c->buf) - c->used) {
			c->path = c->buf + c->used;
			c->buf[c->used] = '/';
			c->used++;
			keep(c, r, strlen(r));
		}
	}
}
