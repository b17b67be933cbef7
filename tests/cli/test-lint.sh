#!/bin/sh
# make lint can fail: on a copy of src/, each kind of mistake it guards
# against is made once, and the check must name it.
. tests/cli/lib.sh

cp -R src "$T/src"
cp -R tests/lint "$T/lint"
lint() { sh "$T/lint/run.sh" "$T/src" > "$T/out" 2>&1; }
lint || fail "lint fails on src/ as it is: $(cat "$T/out")"
echo "ok - src/ as it is passes"

expect() {	# WHAT PATTERN: lint must fail and say PATTERN
	if lint; then fail "$1: lint passed"; fi
	grep -q -- "$2" "$T/out" || fail "$1: lint did not say '$2': $(cat "$T/out")"
	echo "ok - $1"
	rm -rf "$T/src" && cp -R src "$T/src"
}

echo '#include "cli/cmd.h"' >> "$T/src/util/err.c"
expect "an include from a higher layer" "util/err.c.*includes cli/cmd.h"

printf 'int ks_cmd_main(int, char **);\n' >> "$T/src/store/db.c"
expect "a prototype written in a .c file" "prototype of ks_cmd_main"

printf 'static int counter;\n' >> "$T/src/cli/cmd-sql.c"
expect "a setting in a file static" "writable file static (counter)"

awk 'BEGIN { print "int"; print "ks_long(void)"; print "{"; for (i = 0; i < 61; i++) print "\t(void)0;"; print "\treturn 0;"; print "}" }' \
    >> "$T/src/util/err.c"
expect "a function over 60 lines" "function ks_long is"

i=0; while [ $i -lt 610 ]; do echo "/* line $i */"; i=$((i + 1)); done >> "$T/src/util/utf8.c"
expect "a file over 600 lines" "util/utf8.c: [0-9]* lines (over 600)"

sed -n '/^ks_time_span(/,/^}/p' src/util/timeutil.c | sed 's/^ks_time_span/ks_time_span2/' > "$T/dup"
{ echo "int ks_time_span2(const char *s, int64_t *us);"; echo "int"; cat "$T/dup"; } >> "$T/src/util/timeutil.c"
expect "a repeated block" "repeat of"

mkdir "$T/src/extra" && echo "int x;" > "$T/src/extra/x.c"
expect "a folder that is not a layer" "extra/ is not a layer"
