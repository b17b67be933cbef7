/*
 * The three faces of a remediation plan (the JSON of ks_remediate_plan,
 * rbac/remediate.h): readable text, YAML manifests with comments citing
 * the evidence, and kubectl commands.  Each writes to fp; plan is borrowed.
 */
#ifndef KS_REMEDY_H
#define KS_REMEDY_H

#include <stdio.h>

#include <jansson.h>

void	ks_remedy_text(FILE *fp, json_t *plan);
void	ks_remedy_yaml(FILE *fp, json_t *plan);
void	ks_remedy_patch(FILE *fp, json_t *plan);
void	ks_remedy_json(FILE *fp, json_t *plan);

/*
 * The renderer of -o format (text, json or yaml; NULL is text), for a
 * format the dispatcher accepted.
 */
void	(*ks_remedy_render(const char *format))(FILE *, json_t *);

#endif
