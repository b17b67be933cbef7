#include <stdio.h>
#include <string.h>

#include "formats/ingest.h"
#include "formats/member.h"

/* Parse one record; on failure store a reject and return NULL. */
static json_t *
parse(struct ks_member *m, const struct ks_jrec *r, int *fatal,
    struct ks_err *err)
{
	json_error_t je;
	json_t *v;
	char why[256];

	v = json_loadb(r->data, r->len, JSON_DECODE_ANY, &je);
	if (v != NULL)
		return v;
	snprintf(why, sizeof(why), "invalid JSON: %s (line %d, column %d of "
	    "the record)", je.text, je.line, je.column);
	if (ks_emit_reject(m, r->line, why, r->data, r->len, err) < 0)
		*fatal = 1;
	return NULL;
}

int
ks_ingest_json(struct ks_member *m, const char *const *keys,
    ks_json_fn on_value, ks_json_fn on_end, void *arg, struct ks_err *err)
{
	struct ks_jscan_limits lim = { m->lim->max_record,
	    m->lim->max_json_depth };
	struct ks_jscan *js = ks_jscan_new(m->in, &lim, keys);
	struct ks_jrec r;
	json_t *v;
	int rc = 0, fatal = 0, got;

	if (js == NULL)
		return ks_err_set(err, "out of memory");
	while (!fatal && (got = ks_jscan_next(js, &r)) == 1) {
		if (r.type == KS_JREC_REJECT) {
			fatal = ks_emit_reject(m, r.line, r.reason, r.data,
			    r.len, err) < 0;
			continue;
		}
		if (r.type == KS_JREC_END && on_end == NULL)
			continue;
		if ((v = parse(m, &r, &fatal, err)) == NULL)
			continue;
		if (r.type == KS_JREC_END)
			fatal = on_end(m, v, &r, arg, err) < 0;
		else
			fatal = on_value(m, v, &r, arg, err) < 0;
		json_decref(v);
	}
	if (fatal)
		rc = -1;
	ks_jscan_free(js);
	return rc;
}
