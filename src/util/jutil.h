/* Small jansson helpers.  Returned strings are borrowed from the json_t. */
#ifndef KS_JUTIL_H
#define KS_JUTIL_H

#include <jansson.h>

/* The string at obj[key], or NULL when absent or not a string. */
const char *ks_json_str(const json_t *obj, const char *key);

/* The string at obj[k1][k2], or NULL. */
const char *ks_json_str2(const json_t *obj, const char *k1, const char *k2);

/* obj[key] when it is an object, else NULL. */
json_t	*ks_json_obj(const json_t *obj, const char *key);

#endif
