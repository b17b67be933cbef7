#!/bin/sh
# make lint: the shape of src/ (issue 12).  Layers (layers.sh: no include
# upward, no circle, declarations in the defining file's header, no
# settings in file statics), sizes (sizes.sh: files under 600 lines,
# functions under 60) and repeats (repeats.sh: no block of six lines
# twice).  A finding listed in tests/lint/accepted, with its reason, is
# printed as known and does not fail; that list only shrinks.
# Usage: sh tests/lint/run.sh [SRC]
set -u
export LC_ALL=C
SRC=${1:-src}
here=$(dirname "$0")
T=$(mktemp -d "${TMPDIR:-/tmp}/kubesift-lint.XXXXXX")
trap 'rm -rf "$T"' EXIT

for c in layers sizes repeats; do
	sh "$here/$c.sh" "$SRC" 2>&1 | grep '^FAIL: ' |
	    grep -v '^FAIL: [0-9]* layer rule' > "$T/$c"
done
cat "$T/layers" "$T/sizes" "$T/repeats" > "$T/all"
# A finding without its line numbers and counts, which edits move.
norm() { sed -e "s|$SRC/||g" -e 's/[0-9][0-9]*/N/g' -e 's/^FAIL: //'; }
grep -v '^#' "$here/accepted" | cut -f1 | sed '/^$/d' > "$T/ok"
known=0 bad=0
while IFS= read -r f; do
	if norm <<EOF_ | grep -qxF -f "$T/ok"; then
$f
EOF_
		known=$((known + 1))
	else
		echo "$f"
		bad=$((bad + 1))
	fi
done < "$T/all"
# An accepted finding that no longer occurs is to be struck off the list.
norm < "$T/all" | sort -u > "$T/now"
stale=$(sort -u "$T/ok" | comm -23 - "$T/now")
if [ -n "$stale" ]; then
	echo "$stale" | sed 's/^/FAIL: accepted but gone (strike it from tests\/lint\/accepted): /'
	bad=$((bad + $(echo "$stale" | wc -l)))
fi
echo "lint: $bad finding(s), $known accepted (tests/lint/accepted)"
[ "$bad" -eq 0 ]
