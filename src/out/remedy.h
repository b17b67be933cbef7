/*
 * The faces of a remediation plan (ks_remediate_plan, rbac/remediate.h):
 * readable text, YAML manifests with comments citing the evidence,
 * kubectl commands, and JSON.  Each writes to fp; plan is borrowed.
 */
#ifndef KS_REMEDY_H
#define KS_REMEDY_H

#include <stdio.h>

#include "rbac/remediate.h"

void	ks_remedy_text(FILE *fp, const struct ks_remediate_plan *plan);
void	ks_remedy_yaml(FILE *fp, const struct ks_remediate_plan *plan);
void	ks_remedy_patch(FILE *fp, const struct ks_remediate_plan *plan);
void	ks_remedy_json(FILE *fp, const struct ks_remediate_plan *plan);

/* Denial group g as the readable text's two lines, each after indent
   (remedy-group.c). */
void	ks_remedy_group(FILE *fp, const struct ks_remediate_group *g,
	    const char *indent);

/*
 * The renderer of -o format (text, json or yaml; NULL is text), for a
 * format the dispatcher accepted.
 */
void	(*ks_remedy_render(const char *format))(FILE *,
	    const struct ks_remediate_plan *);

#endif
