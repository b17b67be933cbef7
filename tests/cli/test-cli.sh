# The command line: global options in every form, before or after the
# command; sql - ; write errors said once; export's messages; plurals.
. tests/cli/lib.sh

notes=$TOP/fixtures/import/notes.txt
mkdir "$T/w"
cd "$T/w"

# Each form of -d, before and after the command, names the database used:
# the import creates that file and no other, and a query reads it.
i=0
for form in "-d x.db" "-dx.db" "--db=x.db" "--db x.db"; do
	for where in before after; do
		i=$((i + 1))
		opt=$(echo "$form" | sed "s/x\\.db/db$i.db/")
		if [ $where = before ]; then
			ks -q $opt import "$notes" >/dev/null ||
			    fail "kubesift $opt import refused"
			got=$(ks $opt -o csv sql 'SELECT count(*) AS n FROM sources' | tail -1 | tr -d '\r')
		else
			ks import "$notes" -q $opt >/dev/null ||
			    fail "kubesift import ... $opt refused"
			got=$(ks sql 'SELECT count(*) AS n FROM sources' $opt -o csv | tail -1 | tr -d '\r')
		fi
		eq "$opt $where the command: the query reads that database" 1 "$got"
		eq "$opt $where the command: that database and no other" "db$i.db" "$(ls)"
		rm "db$i.db"
	done
done
[ ! -e "$KUBESIFT_DB" ] || fail "\$KUBESIFT_DB was used although -d was given"
echo "ok - \$KUBESIFT_DB untouched"

# -o and -q before the command too.
ks import -q "$notes"
eq "-o json before the command" '[{"a":1}]' "$(ks -o json sql 'SELECT 1 AS a' | tr -d '\n ')"
eq "--output=jsonl after the command" '{"a":1}' "$(ks sql 'SELECT 1 AS a' --output=jsonl)"
eq "-q before the command" "" "$(ks -q export "$T/e0" 2>&1)"

# Usage errors exit 2 before or after the command; --version exits 0.
for args in "-x sources" "sources -x" "--nope sources" "sources --nope" \
    "sources -d" "-d" "--db" "denied --since" "sources extra"; do
	rc=0; ks $args >/dev/null 2>"$T/err" || rc=$?
	eq "kubesift $args exits 2" 2 "$rc"
	eq "kubesift $args: one line" 1 "$(grep -c '^kubesift: ' "$T/err")"
done
rc=0; ks --version >/dev/null || rc=$?
eq "--version exits 0" 0 "$rc"

# sql - reads the statement from standard input.
ks import -q "$TOP/fixtures/remediate"
stmt="SELECT path, size, format FROM sources ORDER BY id"
ks sql -o json "$stmt" >"$T/arg"
printf '%s;\n' "$stmt" | ks sql -o json - >"$T/stdin" || fail "sql - failed"
cmp -s "$T/arg" "$T/stdin" || fail "sql - and sql 'Q' differ"
[ -s "$T/arg" ] || fail "sql printed nothing"
echo "ok - sql - reads the statement from standard input"
rc=0; printf 'SELECT 1; SELECT 2;' | ks sql - >/dev/null 2>&1 || rc=$?
eq "sql - with two statements exits 1" 1 "$rc"

# A write error (a full disk) is said once, and exits 1.
if [ -w /dev/full ]; then
	for args in "denied -o csv" "sources -o json" "sql -o table SELECT\ 1" \
	    "remediate -o yaml" "summary -o md"; do
		rc=0
		eval "ks $args" >/dev/full 2>"$T/err" || rc=$?
		eq "$args > /dev/full exits 1" 1 "$rc"
		eq "$args > /dev/full: one error line" 1 "$(wc -l < "$T/err" | tr -d ' ')"
		grep -q 'write error' "$T/err" || fail "$args: $(cat "$T/err")"
	done
else
	echo "SKIP /dev/full tests: no writable /dev/full"
fi

# export reports each file as information, with its rows; -q silences it.
ks export "$T/e1" 2>"$T/err"
! grep -q '^kubesift' "$T/err" || fail "export messages look like errors: $(cat "$T/err")"
eq "export: one line per file" "$(ls "$T/e1" | wc -l | tr -d ' ')" "$(wc -l < "$T/err" | tr -d ' ')"
n=$(q 'SELECT count(*) FROM sources')
grep -qx "wrote $T/e1/sources.jsonl ($n rows)" "$T/err" ||
    fail "export: no 'wrote .../sources.jsonl ($n rows)': $(cat "$T/err")"
grep -qx "wrote $T/e1/snapshots.jsonl (1 row)" "$T/err" ||
    fail "export: no 'wrote .../snapshots.jsonl (1 row)': $(cat "$T/err")"
eq "export -q says nothing" "" "$(ks export -q "$T/e2" 2>&1)"

# Plurals: one of a thing is singular.
export KUBESIFT_DB="$T/one.db"
ks import "$notes" >"$T/out"
grep -q '^imported 1 source: 0 records, 0 new, 0 duplicates, 0 rejected; 0 unrecognised members$' "$T/out" ||
    fail "import summary: $(cat "$T/out")"
ks import "$notes" "$notes" >"$T/out"
grep -q '; 2 inputs already imported, skipped$' "$T/out" || fail "import summary: $(cat "$T/out")"
ks import "$notes" >"$T/out"
grep -q '; 1 input already imported, skipped$' "$T/out" || fail "import summary: $(cat "$T/out")"
grep -q '^imported 0 sources: ' "$T/out" || fail "import summary: $(cat "$T/out")"
eq "summary: 1 input" "1 (1 input)" "$(ks summary -o csv | tr -d '\r' | sed -n 's/^evidence,sources,//p')"
echo "ok - plurals"
