# Files under 600 lines, functions under 60 (STYLE.md): a file or a
# function past that is split at a seam.  A function is counted from the
# line after its opening brace at column 0 to the line before its closing
# brace at column 0 (the kernel's and OpenBSD's style, which ours is).
# Usage: sh tests/lint/sizes.sh [SRC].  Prints one FAIL line each.
set -eu
export LC_ALL=C
SRC=${1:-src}
MAX_FILE=600
MAX_FUNC=60
find "$SRC" -type f \( -name '*.c' -o -name '*.h' \) | sort |
    xargs awk -v maxf="$MAX_FILE" -v maxfn="$MAX_FUNC" '
FNR == 1 { if (prev != "" && plines > maxf) report(prev, plines); name = "" }
{ prev = FILENAME; plines = FNR }
# The line before a body names the function: "name(args)" at column 0.
/^[A-Za-z_][A-Za-z_0-9]*\(/ { name = substr($0, 1, index($0, "(") - 1) }
/^\{/ && name != "" { start = FNR; inbody = 1; next }
/^\}/ && inbody {
	n = FNR - start - 1
	if (n > maxfn)
		printf "FAIL: %s:%d: function %s is %d lines (over %d)\n",
		    FILENAME, start, name, n, maxfn
	inbody = 0; name = ""
}
function report(f, n) {
	printf "FAIL: %s: %d lines (over %d)\n", f, n, maxf
}
END { if (plines > maxf) report(prev, plines) }'
