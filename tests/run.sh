#!/bin/sh
# Run every test: the cmocka unit binaries, then the command-line scripts.
# Usage: tests/run.sh BUILD_DIR.  Exits non-zero if any test failed.
set -u
build=${1:-build}
export KUBESIFT="$PWD/$build/kubesift" BUILD="$PWD/$build" LC_ALL=C TZ=UTC
failed=""
pass=0
for t in "$build"/test-*; do
	[ -x "$t" ] || continue
	if "$t" >"$build/$(basename "$t").log" 2>&1; then
		pass=$((pass + 1))
	else
		cat "$build/$(basename "$t").log"
		failed="$failed $(basename "$t")"
	fi
done
for t in tests/cli/test-*.sh; do
	name=$(basename "$t" .sh)
	# cli-: the unit binaries have some of the same names (test-cloud).
	if sh "$t" >"$build/cli-$name.log" 2>&1; then
		pass=$((pass + 1))
		grep '^SKIP' "$build/cli-$name.log" || true
	else
		cat "$build/cli-$name.log"
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all $pass test programs passed"
