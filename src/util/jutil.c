#include "util/jutil.h"

const char *
ks_json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

const char *
ks_json_str2(const json_t *obj, const char *k1, const char *k2)
{
	return json_string_value(json_object_get(json_object_get(obj, k1), k2));
}

json_t *
ks_json_obj(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_object(v) ? v : NULL;
}
