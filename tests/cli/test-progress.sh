# Progress: on a terminal (a pseudo-terminal made by script(1)), import
# redraws a line in place with the share of the file read, and erases it
# before the summary; a report written to a file says it is working.
# Nothing of it reaches a pipe or a file, nor a terminal with -q.
# KUBESIFT_PROGRESS_INTERVAL_MS=0 redraws at every read, so that no timing
# is needed: the input is a few reads long.
. tests/cli/lib.sh

if ! command -v script > /dev/null; then
	echo "SKIP $(basename "$0"): script(1) (util-linux) is not installed"
	exit 0
fi
export KUBESIFT_PROGRESS_INTERVAL_MS=0
ESC=$(printf '\033')
CR=$(printf '\r')

# Four megabytes of audit events: sixteen reads of 256 KiB.
"$BUILD/gen-audit" --events 4000 > "$T/audit.jsonl"
size=$(wc -c < "$T/audit.jsonl" | tr -d ' ')
[ "$size" -gt $((3 * 256 * 1024)) ] || fail "the input is too small to show progress ($size bytes)"
gzip -c "$T/audit.jsonl" > "$T/audit.jsonl.gz"

# tty CMD: run CMD (sh) on a pseudo-terminal; what the terminal showed.
tty() { script -qec "$1" /dev/null < /dev/null; }

tty "\"$KUBESIFT\" -d \"$T/t.db\" import \"$T/audit.jsonl\"" > "$T/tty.out"
grep -q "${CR}${ESC}\[Kimported 1 source: 4000 records" "$T/tty.out" ||
    fail "the import did not finish: $(tr -d "$ESC" < "$T/tty.out" | tail -c 300)"
lines=$(tr "$CR" '\n' < "$T/tty.out")
eq "tty: redrawn in place while hashing" yes \
    "$(printf '%s\n' "$lines" | grep -q "^${ESC}\[Kkubesift: hashing audit.jsonl: *[0-9]*% of " && echo yes || echo no)"
reads=$(printf '%s\n' "$lines" | grep -c "^${ESC}\[Kkubesift: reading audit.jsonl: *[0-9]*% of " || :)
[ "$reads" -ge 3 ] || fail "tty: $reads redraws while reading, expected one a read"
echo "ok - tty: redrawn at every read ($reads times)"
# The share ends at 100%, and grows.
shares=$(printf '%s\n' "$lines" | sed -n "s/^${ESC}\[Kkubesift: reading [^:]*: *\([0-9]*\)% .*/\1/p")
eq "tty: the last share read is all of the file" 100 "$(printf '%s\n' "$shares" | tail -1)"
eq "tty: the share never goes back" "$(printf '%s\n' "$shares" | sort -n)" "$shares"
# Erased: the summary follows an erase, and no progress text follows it.
eq "tty: the line is erased before the summary" "${ESC}[Kimported 1 source: 4000 records" \
    "$(printf '%s\n' "$lines" | grep "imported 1 source" | cut -c1-34)"
eq "tty: nothing of the line after the summary" 0 \
    "$(printf '%s\n' "$lines" | sed -n '/imported 1 source/,$p' | grep -c 'kubesift: reading' || :)"

# Compressed input: the share is of the compressed bytes.
tty "\"$KUBESIFT\" -d \"$T/z.db\" import \"$T/audit.jsonl.gz\"" > "$T/z.out"
gz=$(wc -c < "$T/audit.jsonl.gz" | awk '{ printf "%.1f MB", $1 / 1e6 }')
eq "tty, gzip: read up to its compressed size ($gz)" yes \
    "$(tr "$CR" '\n' < "$T/z.out" | grep -q "^${ESC}\[Kkubesift: reading audit.jsonl.gz: 100% of $gz" && echo yes || echo no)"

# Not on a pipe, nor in a file, nor with -q.
ks -d "$T/p.db" import "$T/audit.jsonl" 2> "$T/err" | cat > "$T/out"
eq "pipe: the summary" 1 "$(grep -c '^imported 1 source' "$T/out")"
eq "pipe: no progress on standard error" 0 "$(grep -c "kubesift: \(hashing\|reading\)\|$ESC\|$CR" "$T/err" || :)"
tty "\"$KUBESIFT\" -q -d \"$T/q.db\" import \"$T/audit.jsonl\"" > "$T/q.out"
eq "tty -q: nothing at all" 0 "$(wc -c < "$T/q.out" | tr -d ' ')"
tty "\"$KUBESIFT\" -d \"$T/e.db\" import \"$T/audit.jsonl\" 2> \"$T/e.err\"" > /dev/null
eq "tty, standard error to a file: no progress in it" 0 \
    "$(grep -c "kubesift: \(hashing\|reading\)\|$ESC\|$CR" "$T/e.err" || :)"

# Standard input: no size, so bytes and no share.
tty "\"$KUBESIFT\" -d \"$T/s.db\" import - < \"$T/audit.jsonl\"" > "$T/s.out"
eq "tty, stdin: bytes read, no share" yes \
    "$(tr "$CR" '\n' < "$T/s.out" | grep -q "^${ESC}\[Kkubesift: reading (stdin): [0-9.]* MB" && echo yes || echo no)"

# Queries: report to a file on a terminal says it is working; to the
# terminal itself, or to a pipe, it does not.  (Evidence with refusals:
# on the few of the plain shape the report's queries are each too short
# for SQLite's progress handler to be called at all; and enough of them:
# at 4000 events no query of the report runs 100,000 steps any more.)
"$BUILD/gen-audit" --events 20000 --scenario denials > "$T/den.jsonl"
ks -q -d "$T/w.db" import "$T/den.jsonl"
tty "\"$KUBESIFT\" -d \"$T/w.db\" report -o html > \"$T/r.html\"" > "$T/r.out"
eq "tty: report to a file is working" yes \
    "$(tr "$CR" '\n' < "$T/r.out" | grep -q "^${ESC}\[Kkubesift report: working, [0-9]* s" && echo yes || echo no)"
eq "tty: ... and erases the line at the end" "${ESC}[K" "$(tail -c 3 "$T/r.out")"
grep -q '</html>' "$T/r.html" || fail "the report was not written"
tty "\"$KUBESIFT\" -d \"$T/t.db\" denied | cat" > "$T/d.out"
eq "tty: rows to a pipe, no working line" 0 "$(grep -c 'working' "$T/d.out" || :)"

# A file's name is evidence: its control bytes never reach the terminal.
mkdir "$T/odd"
cp "$T/audit.jsonl" "$T/odd/a${ESC}[31mred.jsonl"
tty "\"$KUBESIFT\" -d \"$T/o.db\" import \"$T/odd\"" > "$T/o.out"
eq "tty: the name shown without its escape" yes \
    "$(tr "$CR" '\n' < "$T/o.out" | grep -q "^${ESC}\[Kkubesift: reading a?\[31mred.jsonl: " && echo yes || echo no)"
eq "tty: no colour from the name" 0 "$(grep -c "${ESC}\[31m" "$T/o.out" || :)"

# export writes files, not rows: on a terminal it says which table it is
# working on, and its "wrote" lines are never mixed with the line.
tty "\"$KUBESIFT\" -d \"$T/t.db\" export \"$T/x\"" > "$T/x.out"
eq "tty: export is working on a table" yes \
    "$(tr "$CR" '\n' < "$T/x.out" | grep -q "^${ESC}\[Kkubesift export audit_events: working, [0-9]* s" && echo yes || echo no)"
eq "tty: export's lines stand alone" "$(ls "$T/x" | wc -l | tr -d ' ')" \
    "$(tr "$CR" '\n' < "$T/x.out" | grep -c "^\(${ESC}\[K\)\{0,1\}wrote $T/x/[a-z_]*\.jsonl ([0-9]* rows\{0,1\})\$" || :)"
