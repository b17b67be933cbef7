#!/bin/sh
# Turn sql/*.sql into a C file: an ordered array of {name, text}.
set -eu
echo '/* Generated from sql/NNN-*.sql by mk/embed-sql.sh; do not edit. */'
echo '#include <stddef.h>'
echo '#include "store/sql-assets.h"'
echo 'const struct ks_sql_asset ks_sql_assets[] = {'
for f in "$@"; do
	printf '\t{ "%s",\n' "$(basename "$f")"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
printf '\t{ NULL, NULL }\n'
echo '};'
