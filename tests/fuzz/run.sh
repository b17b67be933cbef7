#!/bin/sh
# Run fuzz targets one after the other (the machine is shared: one fuzzer
# at a time), each for SECONDS, after replaying its regression inputs.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
# Corpora grow in BUILD_DIR/corpus/TARGET and are kept between runs; crashes
# and hangs land in BUILD_DIR/artifacts/.  Extra libFuzzer options can be
# given in FUZZ_OPTS (for example FUZZ_OPTS=-max_len=4096).
set -eu
# A smaller quarantine than ASan's 256 MB: the import target allocates
# large buffers, and recycling them dominates otherwise.
: "${ASAN_OPTIONS:=quarantine_size_mb=32}"
export ASAN_OPTIONS
build=$1 seconds=$2
shift 2
sh tests/fuzz/seeds.sh "$build/seeds" >/dev/null
mkdir -p "$build/artifacts"
status=0
for t in "$@"; do
	bin=$build/fuzz-$t
	case $t in
	time) maxlen=256 ;;
	denial) maxlen=8192 ;;
	jscan) maxlen=16384 ;;
	import) maxlen=131072 ;;
	*) maxlen=65536 ;;
	esac
	# Regression inputs first (.b64 files are decoded).
	reg=$build/regress/$t
	rm -rf "$reg"; mkdir -p "$reg" "$build/corpus/$t"
	for f in tests/fuzz/regress/"$t"/*; do
		[ -f "$f" ] || continue
		case $f in
		*.b64) base64 -d < "$f" > "$reg/$(basename "$f" .b64)" ;;
		*) cp "$f" "$reg/" ;;
		esac
	done
	if [ -n "$(ls "$reg")" ]; then
		"$bin" -runs=0 "$reg"/* >/dev/null 2>"$build/fuzz-$t.regress.log" ||
		    { cat "$build/fuzz-$t.regress.log"; status=1; continue; }
	fi
	echo "fuzz: $t for ${seconds}s"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=$maxlen -print_final_stats=1 \
	    -dict=tests/fuzz/json.dict \
	    -artifact_prefix="$build/artifacts/$t-" ${FUZZ_OPTS:-} \
	    "$build/corpus/$t" "$build/seeds/$t" \
	    > "$build/fuzz-$t.log" 2>&1 || { status=1; tail -n 60 "$build/fuzz-$t.log"; }
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^Done' \
	    "$build/fuzz-$t.log" || true
done
exit $status
