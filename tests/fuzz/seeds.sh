#!/bin/sh
# Make the seed inputs of every fuzz target from fixtures/ and, when it is
# there, ../shared/realdata.  Usage: tests/fuzz/seeds.sh OUTDIR
# Writes OUTDIR/TARGET/ (replaced each time); run from the repository root.
set -eu
out=$1
real=../shared/realdata
rm -rf "$out"
for t in jscan sniff time denial rbac import; do mkdir -p "$out/$t"; done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kubesift-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# byte N: one raw byte of value N (0-255).
byte() { printf "\\$(printf %03o "$1")"; }

# Evidence files: fixtures always, realdata when present.
{ find fixtures -type f; [ -d "$real" ] && find "$real" -type f; } |
    grep -v 'PROVENANCE\|\.tsv$' | sort > "$tmp/files"

n=0
while read -r f; do
	n=$((n + 1))
	base=$(basename "$f")
	# jscan: whole reads vs 4-byte reads, records up to 1 MiB; jscan
	# (24) and the envelope splitter (88).
	{ byte 24; head -c 16384 "$f"; } > "$out/jscan/$n"
	{ byte 88; head -c 16384 "$f"; } > "$out/jscan/s$n"
	# sniff: "NAME\nHEAD".
	{ printf '%s\n' "$base"; head -c 65536 "$f"; } > "$out/sniff/$n"
	# rbac: whole JSON documents.
	case $f in
	*.json|*.jsonl) [ "$(wc -c < "$f")" -le 262144 ] && cp "$f" "$out/rbac/$n" ;;
	esac
	# import: the byte that names the file (see fuzz-import.c), then it.
	case $base in
	*.tar.gz|*.tgz) k=5 ;;
	*.gz) k=1 ;;
	*.log|*.jsonl) k=0 ;;
	version.json|cluster-info.json) k=4 ;;
	*[Rr]ole*.json) k=3 ;;
	core_v1_*.json|*_v1_*.json) k=7 ;;
	*.json) k=2 ;;
	*) k=11 ;;
	esac
	if [ "$(wc -c < "$f")" -le 131072 ]; then
		{ byte $k; cat "$f"; } > "$out/import/$n"
	fi
done < "$tmp/files"

# Archives for the import path, small, of each kind the walk opens.
(cd fixtures/import && tar cf "$tmp/a.tar" . && gzip -c "$tmp/a.tar" > "$tmp/a.tgz" &&
    xz -c "$tmp/a.tar" > "$tmp/a.txz" && zip -qr "$tmp/a.zip" .)
gzip -c fixtures/import/audit/audit.log > "$tmp/audit.gz"
bzip2 -c fixtures/import/audit/audit.log > "$tmp/audit.bz2"
zstd -q -c fixtures/import/audit/audit.log > "$tmp/audit.zst"
(cd "$tmp" && tar czf nested.tgz a.tgz audit.gz)
for a in "12 a.tar" "5 a.tgz" "13 a.txz" "6 a.zip" "1 audit.gz" "14 audit.bz2" \
    "15 audit.zst" "5 nested.tgz"; do
	set -- $a
	{ byte "$1"; cat "$tmp/$2"; } > "$out/import/arc-$2"
done

# denial: one log line per seed.
{ cat fixtures/eks-1.29/controller.log
  [ -d "$real/denial-log-lines" ] && cat "$real"/denial-log-lines/*.log; } |
    head -n 1000 > "$tmp/lines" || true
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" > "$out/denial/$i"
done < "$tmp/lines"

# time: every RFC 3339 time in the evidence, and the line times of the logs.
{ grep -rhoE '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:]{8}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})' \
    fixtures $( [ -d "$real" ] && echo "$real") 2>/dev/null | sort -u | head -n 300
  head -c 200 "$tmp/lines" | head -n 5; } > "$tmp/times" || true
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" > "$out/time/$i"
done < "$tmp/times"
for t in jscan sniff time denial rbac import; do
	echo "seeds: $t: $(ls "$out/$t" | wc -l) inputs"
done
