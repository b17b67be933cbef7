/*
 * A denial group of a remediation plan as readable text (remedy.h): its
 * count and request, then its span and examples, each line after indent.
 */
#include <stdio.h>
#include <string.h>

#include "out/remedy.h"
#include "out/textesc.h"

/*
 * A denial group's lines, gathered before one write (tens of thousands
 * of groups, a dozen pieces each: stdio's calls cost more than the
 * bytes).
 */
struct line {
	FILE	*fp;
	size_t	 n;
	char	 b[2048];
};

static void
l_flush(struct line *l)
{
	fwrite(l->b, 1, l->n, l->fp);
	l->n = 0;
}

/* The n bytes at s, as they are. */
static void
l_raw(struct line *l, const char *s, size_t n)
{
	if (n > sizeof(l->b) - l->n) {
		l_flush(l);
		if (n > sizeof(l->b)) {
			fwrite(s, 1, n, l->fp);
			return;
		}
	}
	memcpy(l->b + l->n, s, n);
	l->n += n;
}

static void
l_str(struct line *l, const char *s)
{
	l_raw(l, s, strlen(s));
}

/* Evidence text, escaped (put's). */
static void
l_put(struct line *l, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n > 0 && ks_textesc_plain(s, n, 0) == n)
		l_raw(l, s, n);
	else if (s != NULL) {
		l_flush(l);
		ks_textesc_fputs(l->fp, s, n, 0);
	}
}

/* "patch cninodes.vpcresources.k8s.aws/status in namespace x" */
static void
put_request(struct line *l, const struct ks_remediate_group *g)
{
	const char *grp = g->api_group;

	l_put(l, g->verb);
	l_raw(l, " ", 1);
	if (g->resource != NULL) {
		l_put(l, g->resource);
		if (grp && *grp) {
			l_raw(l, ".", 1);
			l_put(l, grp);
		}
		if (g->subresource) {
			l_raw(l, "/", 1);
			l_put(l, g->subresource);
		}
	} else
		l_put(l, g->path);
	if (g->namespace) {
		l_str(l, " in namespace ");
		l_put(l, g->namespace);
	} else if (g->resource)
		l_str(l, " at cluster scope");
}

/* v in decimal (fprintf's "%lld", without its cost: once a group). */
static void
put_count(struct line *l, long long v)
{
	char b[24], *p = b + sizeof(b);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--p = '-';
	l_raw(l, p, (size_t)(b + sizeof(b) - p));
}

void
ks_remedy_group(FILE *fp, const struct ks_remediate_group *g,
    const char *indent)
{
	struct line l = { .fp = fp };

	l_str(&l, indent);
	put_count(&l, g->count);
	l_str(&l, g->count == 1 ? " denial: " : " denials: ");
	put_request(&l, g);
	l_raw(&l, "\n", 1);
	l_str(&l, indent);
	l_str(&l, "  from ");
	l_str(&l, g->first_seen ? g->first_seen : "?");
	l_str(&l, " to ");
	l_str(&l, g->last_seen ? g->last_seen : "?");
	if (g->nexamples > 0) {
		l_str(&l, ", e.g. audit ID ");
		for (size_t i = 0; i < g->nexamples; i++) {
			l_str(&l, i ? ", " : "");
			l_put(&l, g->examples[i]);
		}
	}
	if (g->origin && strcmp(g->origin, "log") == 0)
		l_str(&l, " (from log lines)");
	l_raw(&l, "\n", 1);
	l_flush(&l);
}
