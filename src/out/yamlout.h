/*
 * JSON values written as YAML that kubectl and any YAML 1.1/1.2 parser
 * read back to the same value: block style, every string double-quoted
 * (so that "on", "1.30" or "" keep their type), keys in the object's order.
 */
#ifndef KS_YAMLOUT_H
#define KS_YAMLOUT_H

#include <stdio.h>

#include <jansson.h>

/* One document (without the "---" line).  Returns 0, or -1 on a write
   error. */
int	ks_yaml_write(FILE *fp, const json_t *v);

/* A YAML comment: each line of text prefixed with "# ". */
void	ks_yaml_comment(FILE *fp, const char *text);

#endif
