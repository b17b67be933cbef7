#!/bin/sh
# `make valgrind`: import fixtures/ and ../shared/realdata (when present)
# under valgrind, then run every query command once; any leak or memory
# error fails.  Usage: tests/fuzz/valgrind.sh BUILD_DIR
set -eu
build=$1
ks=${KUBESIFT:-$PWD/$build/kubesift}
real=../shared/realdata
T=$(mktemp -d "${TMPDIR:-/tmp}/kubesift-valgrind.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LC_ALL=C TZ=UTC KUBESIFT_DB="$T/k.db"
status=0
# vg NAME ARGS...: one kubesift run under valgrind, its report in $T/NAME.vg.
vg() {
	name=$1; shift
	if valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
	    --log-file="$T/$name.vg" "$ks" "$@" > "$T/$name.out" 2>&1; then
		echo "valgrind: $name: clean"
	else
		st=$?
		if [ $st -eq 99 ] || [ -s "$T/$name.vg" ]; then
			echo "valgrind: $name: errors or leaks:"
			cat "$T/$name.vg"
			status=1
		else
			echo "valgrind: $name: exit $st (not a valgrind finding):"
			tail -n 5 "$T/$name.out"
		fi
	fi
}
vg import-fixtures import -q fixtures
if [ -d "$real" ]; then
	vg import-realdata import -q "$real"
else
	echo "SKIP valgrind on realdata: $real is absent"
fi
vg sources sources -o json
vg sql sql -o table "SELECT format, count(*), sum(records) FROM sources GROUP BY 1"
for c in summary actors denied timeline report; do
	if "$ks" help | grep -q "^  $c "; then vg "$c" "$c"; fi
done
if "$ks" help | grep -q '^  who-can '; then vg who-can who-can patch cninodes.vpcresources.k8s.aws; fi
if "$ks" help | grep -q '^  remediate '; then vg remediate remediate; fi
if "$ks" help | grep -q '^  can '; then vg can can eks:vpc-resource-controller patch cninodes.vpcresources.k8s.aws; fi
exit $status
