/*
 * Resource names as users type them — "pods", "pod", "po", "pods/exec",
 * "deployments.apps", "deployments.v1.apps", "cninodes", "cnin",
 * "cninodes.vpcresources.k8s.aws/status" — resolved to an API group and a
 * plural resource the way kubectl resolves them (its shortcut expander and
 * priority REST mapper, and `kubectl auth can-i`'s resourceFor), from the
 * database's resource_names view: the built-in resources of resource_kinds
 * with their singulars and resource_short_names, and the
 * CustomResourceDefinitions of every snapshot (spec.names.plural, singular,
 * shortNames).
 *
 * The rules, in order:
 *
 *  1. Case does not matter (kubectl lowers the argument).  Text after the
 *     first '/' is the subresource, kept as written.
 *  2. NAME.VERSION.GROUP (a middle part like v1, v2beta1) and NAME.GROUP
 *     name the group: NAME is looked up in that group alone (plural,
 *     singular or short name).  Found: KS_RESNAME_QUALIFIED.  Not found:
 *     KS_RESNAME_ASSUMED, with NAME as the resource and GROUP as written.
 *  3. A NAME without a group is looked up as a plural or singular first;
 *     only when none matches, as a short name (kubectl does not expand a
 *     short name that is some resource's full name).
 *  4. Among the matches, built-in resources win over CRDs (the apiserver
 *     lists Kubernetes' groups before CRD groups in discovery: kubectl
 *     picks the higher priority and warns about the rest); among built-ins
 *     the core group wins ("events" and "ev" are core events, not
 *     events.k8s.io).  CRDs win over other rows of resource_kinds.
 *  5. Two or more different (group, resource) left at the winning level
 *     — two CRD groups with the same plural or short name — is ambiguous:
 *     -1, with every candidate in out->cand and in err.  kubectl would
 *     take the first in discovery order; a forensic answer must not guess.
 *  6. No match: KS_RESNAME_ASSUMED, group "" (core), NAME as the resource
 *     — as `kubectl auth can-i` does with an unknown type.  The caller
 *     warns.
 *
 * "*" is passed through as resource "*" in group "" (KS_RESNAME_QUALIFIED).
 * A non-resource URL ("/healthz") is not a resource: KS_RESNAME_URL, and
 * nothing else is filled.
 *
 * Databases made before resource_names existed and opened read-only: a
 * qualified name is taken as written (KS_RESNAME_QUALIFIED); an
 * unqualified one is an error saying to import again.
 */
#ifndef KS_RESNAME_H
#define KS_RESNAME_H

#include <stddef.h>

#include <sqlite3.h>

#include "util/err.h"

/* How a name was resolved (struct ks_resname's how). */
enum ks_resname_how {
	KS_RESNAME_BUILTIN,	/* a built-in resource, by name */
	KS_RESNAME_CRD,		/* a CRD of the snapshot, by name */
	KS_RESNAME_TABLE,	/* another row of resource_kinds, by name */
	KS_RESNAME_QUALIFIED,	/* NAME.GROUP, found in that group (or "*") */
	KS_RESNAME_ASSUMED,	/* not found: the group is assumed */
	KS_RESNAME_URL,		/* a non-resource URL: nothing resolved */
	KS_RESNAME_AMBIGUOUS	/* -1: several candidates, see cand */
};

#define KS_RESNAME_MAXCAND	8	/* candidates kept */
#define KS_RESNAME_GROUPSZ	256	/* a DNS subdomain is at most 253 */
#define KS_RESNAME_NAMESZ	128
#define KS_RESNAME_CANDSZ	(KS_RESNAME_NAMESZ + KS_RESNAME_GROUPSZ)

/*
 * The answer.  Plain arrays: nothing to free, safe to copy.  Strings are
 * always NUL-terminated.
 */
struct ks_resname {
	enum ks_resname_how how;
	char	 api_group[KS_RESNAME_GROUPSZ];	/* "" = core */
	char	 resource[KS_RESNAME_NAMESZ];	/* plural, lower case */
	char	 subresource[KS_RESNAME_NAMESZ]; /* "" = none */
	char	 kind[KS_RESNAME_NAMESZ];	/* "" when not known */
	char	 matched[16];			/* "plural", "singular",
						   "short", or "" */
	/* AMBIGUOUS: every candidate; otherwise the lower-priority matches
	   that lost (kubectl warns about those), each "resource.group" or
	   "resource" for core, sorted. */
	char	 cand[KS_RESNAME_MAXCAND][KS_RESNAME_CANDSZ];
	size_t	 ncand;				/* kept in cand */
	size_t	 ncand_total;			/* found, possibly more */
};

/*
 * Resolve arg (see the rules above) into *out, which is fully written.
 * Returns 0 (out->how says how, ASSUMED included), or -1 with err: an
 * ambiguous name (out->how KS_RESNAME_AMBIGUOUS, err "cninodes is
 * ambiguous: cninodes.example.com, cninodes.vpcresources.k8s.aws; name
 * the group"), an empty or overlong name, or an SQLite error.  Reads db
 * only.  Prints nothing.
 */
int	ks_resname_resolve(sqlite3 *db, const char *arg, struct ks_resname *out,
	    struct ks_err *err);

/* "builtin", "crd", "table", "qualified", "assumed", "url", "ambiguous". */
const char *ks_resname_how_str(enum ks_resname_how how);

/* "resource[.group][/subresource]" of a resolved name into buf (always
   NUL-terminated); returns buf. */
char	*ks_resname_str(const struct ks_resname *r, char *buf, size_t sz);

#endif
