/*
 * YAML streams as JSON documents.  libyaml reads the member one document
 * at a time (documents separated by ---); each is turned into a jansson
 * value as YAML 1.1 reads its plain scalars, and handed to a callback.
 * Every YAML reader uses this one conversion: kubectl manifests, native
 * audit Events, gcloud's Cloud Logging entries (sniff-yaml.c).  Memory is
 * bounded by the largest document.
 */
#ifndef KS_YAMLDOC_H
#define KS_YAMLDOC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"
#include "formats/member.h"

/*
 * Called with each document that is a mapping (v is borrowed for the call)
 * and the 1-based line where its content starts.  Returns 0, or -1 for
 * errors that must stop the import.
 */
typedef int (*ks_yaml_fn)(struct ks_member *m, json_t *v, uint64_t line,
	    void *arg, struct ks_err *err);

/*
 * Read every document of the member.  A document that cannot be read (bad
 * YAML, which ends the stream; aliases expanding past a million nodes) is
 * a reject.  Returns 0, or -1 when the import must stop.
 */
int	ks_yaml_each(struct ks_member *m, ks_yaml_fn fn, void *arg,
	    struct ks_err *err);

/*
 * 1 when a line of head[0..n) starts with key, at column 0 or after "- "
 * (a top-level key of a document, or of a list's first item).
 */
int	ks_yaml_head_has(const unsigned char *head, size_t n, const char *key);

/* 1 when head[0..n) may be YAML text: not JSON, no NUL byte. */
int	ks_yaml_head_text(const unsigned char *head, size_t n, int json);

#endif
