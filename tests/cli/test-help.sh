# Every command answers --help; usage errors exit 2; the man page names all.
. tests/cli/lib.sh

ks --version | grep -q '^kubesift [0-9]' || fail "--version"
echo "ok - --version"
cmds=$(ks help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 {print $1}')
[ -n "$cmds" ] || fail "help lists no commands"
for c in $cmds; do
	ks "$c" --help | head -1 | grep -q "^usage: kubesift $c" ||
	    fail "$c --help"
	grep -q "^\\.It Cm $c\\b\\|^\\.Cm $c\\b\\|\\fB$c\\fR\\|^\\.B $c\$" man/kubesift.1 ||
	    grep -q "Cm $c" man/kubesift.1 || fail "man page lacks $c"
done
echo "ok - --help on every command: $(echo $cmds)"

rc=0; ks no-such-command >/dev/null 2>&1 || rc=$?
eq "unknown command exits 2" 2 "$rc"
rc=0; ks import >/dev/null 2>&1 || rc=$?
eq "missing operand exits 2" 2 "$rc"
rc=0; ks sources --no-such-option >/dev/null 2>&1 || rc=$?
eq "unknown option exits 2" 2 "$rc"
rc=0; ks -o nosuchformat sources >/dev/null 2>&1 || rc=$?
eq "unknown format exits 2" 2 "$rc"
rc=0; ks -d "$T/none.db" sources >/dev/null 2>&1 || rc=$?
eq "missing database exits 1" 1 "$rc"
[ ! -e "$T/none.db" ] || fail "a query created a database"
echo "ok - queries never create a database"

# Every table and view of the schema has its section in kubesift-schema(7).
ks import -q "$TOP/fixtures/import/notes.txt"
for t in $(q "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY 1"); do
	grep -q "^\.Ss $t\$" "$TOP/man/kubesift-schema.7" ||
	    fail "kubesift-schema.7 does not describe $t"
done
echo "ok - kubesift-schema.7 describes every table and view"

# kubesift, -h, --help and help print the overview, exit 0, and name every
# command of the table (the .name of each src/cli/cmd-*.c entry).
table=$(sed -n 's/^[[:space:]]*\.name = "\([a-z-]*\)",.*/\1/p' "$TOP"/src/cli/cmd-*.c | sort)
[ -n "$table" ] || fail "no .name in src/cli/cmd-*.c"
for form in "" -h --help help; do
	rc=0; ks $form >"$T/ov" 2>"$T/ov.err" || rc=$?
	eq "kubesift $form exits 0" 0 "$rc"
	[ ! -s "$T/ov.err" ] || fail "kubesift $form wrote to stderr: $(cat "$T/ov.err")"
	listed=$(sed -n '/^commands:/,/^$/p' "$T/ov" | awk 'NF > 1 {print $1}' | sort)
	eq "kubesift $form lists every command" "$(echo $table)" "$(echo $listed)"
	grep -q 'kubesift(1)' "$T/ov" && grep -q 'kubesift-schema(7)' "$T/ov" &&
	    grep -q 'man -l man/kubesift.1' "$T/ov" ||
	    fail "kubesift $form does not say where the manuals are"
	grep -q -- '--db' "$T/ov" || fail "kubesift $form lacks the global options"
done
rc=0; ks help no-such-command >/dev/null 2>&1 || rc=$?
eq "help of an unknown command exits 2" 2 "$rc"

# Each command's --help names the -o values it takes; the dispatcher takes
# each of them (the command may still fail, never with 2) and refuses any
# other with 2, naming the accepted ones; the man page lists the same.
ks import -q "$TOP/fixtures/remediate"
operands() {
	case $1 in
	who-can) echo "get pods" ;;
	can) echo "alice get pods" ;;
	diff) id=$(q 'SELECT max(id) FROM snapshots'); echo "$id $id" ;;
	sql) echo "SELECT 1" ;;
	export) n=$((n + 1)); echo "$T/export-$n" ;;
	import) echo "$TOP/fixtures/import/notes.txt" ;;
	*) ;;
	esac
}
# run CMD FORMAT: the exit status of CMD -o FORMAT (stderr in $T/run.err).
run() {
	rc=0
	if [ "$1" = sql ]; then
		ks sql -o "$2" "SELECT 1" >/dev/null 2>"$T/run.err" || rc=$?
	else
		ks "$1" -o "$2" $(operands "$1") >/dev/null 2>"$T/run.err" || rc=$?
	fi
	echo "$rc"
}
# prose A B C: "A, B or C".
prose() {
	p=$1; shift
	while [ $# -gt 1 ]; do p="$p, $1"; shift; done
	[ $# -eq 0 ] || p="$p or $1"
	echo "$p"
}
n=0
all="table csv json jsonl md text yaml html timesketch"
: >"$T/help-formats"
for c in $table; do
	ks "$c" --help >"$T/h"
	fmts=$(sed -n 's/^output formats (-o): \([^;]*\);.*/\1/p' "$T/h" |
	    sed 's/, / /g; s/ or / /')
	if [ -z "$fmts" ]; then
		! grep -q -- '--output' "$T/h" || fail "$c --help offers -o without formats"
		eq "$c refuses -o csv" 2 "$(run "$c" csv)"
		grep -q 'takes no -o' "$T/run.err" || fail "$c -o csv: $(cat "$T/run.err")"
		continue
	fi
	echo "$c: $fmts" >>"$T/help-formats"
	for f in $fmts; do
		rc=$(run "$c" "$f")
		[ "$rc" != 2 ] || fail "$c -o $f is listed but refused: $(cat "$T/run.err")"
	done
	for f in $all nosuch; do
		case " $fmts " in *" $f "*) continue ;; esac
		eq "$c refuses -o $f" 2 "$(run "$c" "$f")"
		grep -q "takes $(prose $fmts)\$" "$T/run.err" ||
		    fail "$c -o $f does not name the formats: $(cat "$T/run.err")"
	done
done
echo "ok - every command's --help lists the formats it takes; the others exit 2"
awk '/^\.It Fl o , Fl -output/ { on = 1 } /^\.It Fl q/ { on = 0 }
    on && /^\.It Cm / { c = $3; getline; sub(/^\.Cm /, ""); gsub(/ , /, " ");
    print c ": " $0 }' man/kubesift.1 | sort >"$T/man-formats"
sort "$T/help-formats" >"$T/help-sorted"
diff "$T/help-sorted" "$T/man-formats" ||
    fail "kubesift.1 (-o) and the commands' --help name different formats"
echo "ok - kubesift.1 names each command's formats as its --help does"
