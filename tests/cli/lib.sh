# Shared set-up for command-line tests (after jq's tests/setup): strict
# shell, C locale, UTC, a scratch folder removed on exit, and helpers.
set -eu
export LC_ALL=C TZ=UTC
: "${KUBESIFT:=$PWD/build/kubesift}"
TOP=$PWD
REALDATA=$TOP/../shared/realdata
T=$(mktemp -d "${TMPDIR:-/tmp}/kubesift-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export KUBESIFT_DB="$T/k.db"

ks() { "$KUBESIFT" "$@"; }

# q SQL: one value (csv without header).
q() { "$KUBESIFT" sql -o csv "$1" | tail -n +2 | tr -d '\r'; }

fail() { echo "FAIL: $*" >&2; exit 1; }

# eq WHAT EXPECTED ACTUAL
eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
	echo "ok - $1"
}

# The accounting identity on every source.
accounting_holds() {
	eq "records = imported + duplicates + rejected" 0 \
	    "$(q 'SELECT count(*) FROM sources WHERE records != imported + duplicates + rejected')"
}

need_realdata() {
	if [ ! -d "$REALDATA" ]; then
		echo "SKIP $(basename "$0"): ../shared/realdata is absent"
		exit 0
	fi
}
