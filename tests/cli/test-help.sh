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
