# Blocks of six or more lines that repeat elsewhere in src/: the same
# lines, blank lines, comments and lone braces left out, indentation
# ignored.  A repeat is usually a function waiting to be shared; the ones
# we keep are listed, each with its reason, in tests/lint/accepted.
# Usage: sh tests/lint/repeats.sh [SRC].  Prints one FAIL line per block.
set -eu
export LC_ALL=C
SRC=${1:-src}
WINDOW=6
find "$SRC" -type f \( -name '*.c' -o -name '*.h' \) | sort |
    xargs awk -v w="$WINDOW" '
{
	s = $0
	gsub(/^[ \t]+|[ \t]+$/, "", s)
	gsub(/[ \t]+/, " ", s)
	if (s == "" || s ~ /^(\/\*|\*|\/\/)/ || s ~ /^[{}();]*$/ ||
	    s == "break;" || s == "return 0;" || s == "return -1;" ||
	    s == "goto out;" || s == "out:" || s == "else" ||
	    s ~ /^#(endif|else|include)/)
		next
	n++; text[n] = s; file[n] = FILENAME; line[n] = FNR
}
END {
	for (i = 1; i + w - 1 <= n; i++) {
		if (file[i] != file[i + w - 1])
			continue
		k = text[i]
		for (j = 1; j < w; j++)
			k = k "\n" text[i + j]
		if (!(k in first)) {
			first[k] = i
			continue
		}
		a = first[k]
		# Overlapping windows of one file are one stretch, not a repeat.
		if (file[a] == file[i] && i - a < w)
			continue
		# A window that continues the last repeat extends it.
		if (a == pa + 1 && i == pi + 1) {
			len[nb]++; pa = a; pi = i
			continue
		}
		nb++; ba[nb] = a; bi[nb] = i; len[nb] = w; pa = a; pi = i
	}
	for (b = 1; b <= nb; b++)
		printf "FAIL: repeat of %d lines: %s:%d and %s:%d\n", len[b],
		    file[ba[b]], line[ba[b]], file[bi[b]], line[bi[b]]
}'
