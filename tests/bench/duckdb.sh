#!/bin/sh
# DuckDB beside kubesift in `make bench` (issue 14): the same audit log
# loaded into DuckDB (read_ndjson_auto into a table, tests/bench/duckdb.mjs,
# through Node and @duckdb/node-api installed into BUILD/duckdb by npm),
# against kubesift's import, database size (--no-raw) and `denied`.
# Prints rows of bench.sh's table (figure, measured, reference, ratio,
# target, verdict; tab-separated) on standard output and exits 1 when one
# misses its target.  Without Node, npm or the package (no registry), it
# says so on standard error, prints nothing and exits 0.
#
# Usage: sh tests/bench/duckdb.sh BUILD DIR AUDIT_LOG IMPORT_SECONDS
#   DIR: bench.sh's scratch folder; AUDIT_LOG: the JSON Lines kubesift
#   imported, as a tar.gz, in IMPORT_SECONDS.  BENCH_ONLY without
#   "duckdb" skips it.
set -eu
export LC_ALL=C TZ=UTC

build=$1 dir=$2 log=$3 t_import=${4:-}
KS="$PWD/$build/kubesift"
HERE=$(cd "$(dirname "$0")" && pwd)
MOD="$PWD/$build/duckdb"
PKG=@duckdb/node-api@1.5.6-r.1

skip() { echo "bench: DuckDB side by side skipped: $*" >&2; exit 0; }
case " ${BENCH_ONLY:-duckdb} " in *" duckdb "*) ;; *) exit 0;; esac
[ -n "$t_import" ] && [ -s "$log" ] || skip "no import was timed"
command -v node > /dev/null || skip "node is not installed"
if [ ! -d "$MOD/node_modules/@duckdb/node-api" ]; then
	command -v npm > /dev/null || skip "npm is not installed"
	echo "bench: npm install $PKG into $MOD" >&2
	mkdir -p "$MOD"
	npm install --prefix "$MOD" --no-audit --no-fund --silent "$PKG" \
	    > /dev/null 2>&1 || skip "npm install $PKG failed (no registry?)"
fi
# Node finds the package beside the script: run a copy in MOD.
cp "$HERE/duckdb.mjs" "$MOD/duckdb.mjs"

echo "bench: DuckDB load of the same events" >&2
rm -f "$dir/duck.db" "$dir/duck.db.wal"
node "$MOD/duckdb.mjs" "$log" "$dir/duck.db" > "$dir/duck.json"
duck_size=$(wc -c < "$dir/duck.db")
rm -f "$dir/duck.db" "$dir/duck.db.wal"
jv() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$dir/duck.json"; }

echo "bench: kubesift import --no-raw and denied, for DuckDB" >&2
db="$dir/duck-ks.db"
rm -f "$db"
"$KS" -q -d "$db" import --no-raw "$log"
ks_size=$(wc -c < "$db")
best=
for i in 1 2 3 4 5; do
	a=$(date +%s%N)
	"$KS" -q -d "$db" -o json denied > "$dir/duck-denied.json"
	b=$(date +%s%N)
	v=$(( (b - a) / 1000 ))
	[ -n "$best" ] && [ "$best" -le "$v" ] || best=$v
done
ks_ms=$(awk -v us="$best" 'BEGIN { printf "%.1f", us / 1000 }')
ks_refused=$(awk -F'"count":' 'NF > 1 { split($2, a, ","); s += a[1] }
    END { print s + 0 }' "$dir/duck-denied.json")
rm -f "$db" "$dir/duck-denied.json"

# line FIGURE MEASURED REFERENCE RATIO TARGET [NOTE]: a row, ratio <= target.
missed=0
line() {
	v=ok
	awk -v r="$4" -v t="$5" 'BEGIN { exit !(r + 0 <= t + 0) }' ||
	    { v=MISSED; missed=1; }
	printf '%s\t%s\t%s\t%s\t<= %s%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
	    "${6:+ ($6)}" "$v"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }'; }

load_s=$(awk -v ms="$(jv load_ms)" 'BEGIN { printf "%.2f", ms / 1000 }')
line "import tar.gz vs DuckDB load of the log" "$t_import s" "$load_s s" \
    "$(ratio "$t_import" "$load_s")" 1.00
line "database size, --no-raw, vs DuckDB's" \
    "$(ratio "$ks_size" 1048576) MiB" "$(ratio "$duck_size" 1048576) MiB" \
    "$(ratio "$ks_size" "$duck_size")" 1.00
note=
[ "$ks_refused" = "$(jv refused)" ] ||
    note="answers differ: $ks_refused vs $(jv refused) refused"
line "denied (whole process) vs DuckDB in process" "$ks_ms ms" \
    "$(jv denied_ms) ms" "$(ratio "$ks_ms" "$(jv denied_ms)")" 1.00 "$note"
exit "$missed"
