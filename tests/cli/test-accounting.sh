# Accounting and custody (issue #11, items 6-11): a line is a record in
# files of one record per line; per-input figures cover every member at any
# depth; the time span covers every timed row and taken_at comes from the
# evidence; a database that is not kubesift's, or a failed import, is left
# byte-identical; the members of one input are bounded, empty ones cheap;
# a byte-identical copy at another path is recorded, not counted twice.
# Expected figures are counted by hand or with wc, sha256sum and sqlite3.
. tests/cli/lib.sh

ev() {	# ev ID SECONDS: one audit event line
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"alice"},"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2024-03-05T10:%02d:%02d.000000Z","stageTimestamp":"2024-03-05T10:00:00.000000Z"}\n' \
	    "$1" $(($2 / 60 % 60)) $(($2 % 60))
}
sha() { sha256sum < "$1" | cut -c1-64; }

# --- 8. A line is a record: 1,000 good lines and 10 bad ones.
mkdir "$T/in"
L=$T/in/audit.log
bad_lines=""
i=0 n=0
while [ $i -lt 1000 ]; do
	n=$((n + 1))
	case $n in
	7)   echo '{"kind":"Event",}}}' ;;
	100) echo '[1,2,3]' ;;
	200) printf '%s garbage\n' "$(ev trail 1 | tr -d '\n')" ;;
	300) echo 'not json at all' ;;
	400) echo '{"kind":"Event","auditID":"cut"' ;;
	500) echo '{"a":1} {"b":2}' ;;
	600) echo '{"a":1}' ;;
	700) printf '%s}\n' "$(ev brace 2 | tr -d '\n')" ;;
	800) printf '\001\002\n' ;;
	900) echo '"just a string"' ;;
	*)   ev "g$i" $((i % 3000)); i=$((i + 1)); continue ;;
	esac >> "$L"
	bad_lines="$bad_lines${bad_lines:+ }$n"
done >> "$L"
eq "the file has 1,010 lines" 1010 "$(wc -l < "$L" | tr -d ' ')"
ks import -q "$L"
eq "records / imported / duplicates / rejected" "1010|1000|0|10" \
    "$(q "SELECT records||'|'||imported||'|'||duplicates||'|'||rejected FROM sources WHERE path LIKE '%/audit.log'")"
eq "each reject on its bad line" "$bad_lines" \
    "$(q "SELECT group_concat(line, ' ') FROM (SELECT line FROM rejects ORDER BY line)")"
eq "an event with garbage after it is not imported" 0 \
    "$(q "SELECT count(*) FROM audit_events WHERE audit_id IN ('trail', 'brace')")"
eq "audit rows" 1000 "$(q 'SELECT count(*) FROM audit_events')"
accounting_holds

# --- 6. Per-input figures include every member at any depth.
export KUBESIFT_DB="$T/nest.db"
mkdir -p "$T/t/inner" "$T/t/outer"
gzip -c "$L" > "$T/t/outer/audit.log.gz"
{ ev x1 10; echo 'one bad line'; ev x2 11; } > "$T/t/inner/more.log"
gzip -c "$T/t/inner/more.log" > "$T/t/inner/more.log.gz"
tar cf "$T/t/outer/inner.tar" -C "$T/t/inner" more.log.gz
tar cf "$T/nest.tar" -C "$T/t/outer" audit.log.gz inner.tar
ks import -q "$T/nest.tar"
# 1,010 + 3 lines; 1,000 + 2 good; 10 + 1 bad.
eq "inputs view: the tree's records" "1013|1002|0|11" \
    "$(q "SELECT records||'|'||imported||'|'||duplicates||'|'||rejected FROM inputs")"
eq "inputs view: the input's own hash" "$(sha "$T/nest.tar")" "$(q 'SELECT sha256 FROM inputs')"
ks report -o md > "$T/report.md"
grep -q "nest.tar.*| 1013 .*| 11 |" "$T/report.md" ||
    fail "report Evidence: $(grep nest.tar "$T/report.md")"
echo "ok - report Evidence counts every member"

# --- 7. Time span: every timed row; taken_at from the evidence.
export KUBESIFT_DB="$T/span.db"
mkdir "$T/s"
ev s1 0 > "$T/s/audit.log"
echo 'time="2024-03-05T11:30:00Z" level=error msg="pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" at the cluster scope"' > "$T/s/ctl.log"
cat > "$T/s/roles.json" <<'EOF'
{"kind":"List","apiVersion":"v1","items":[
 {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"a","creationTimestamp":"2024-03-01T09:00:00Z","managedFields":[{"manager":"k","time":"2024-03-04T08:00:00Z"}]}},
 {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"b","creationTimestamp":"2024-03-02T09:00:00Z"}}]}
EOF
ks import -q "$T/s"
eq "log denial stored" 1 "$(q 'SELECT count(*) FROM log_denials')"
ks report -o md > "$T/span.md"
sed -n '/Time span/,/^## [^T]/p' "$T/span.md" | grep -q '2024-03-05T11:30:00' ||
    fail "time span ends at the denial: $(sed -n '/Time span/,/^## [^T]/p' "$T/span.md")"
echo "ok - time span covers log denials"
eq "taken_at: the newest managedFields time" "1709539200000000|managedFields" \
    "$(q "SELECT taken_at||'|'||taken_at_source FROM snapshots")"
export KUBESIFT_DB="$T/span2.db"
mkdir "$T/s2"
echo '{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"c","creationTimestamp":"2024-03-02T09:00:00Z"}}' > "$T/s2/r.json"
echo '{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"d"}}' > "$T/s2/d.json"
ks import -q "$T/s2/r.json" "$T/s2/d.json"
eq "taken_at: creationTimestamp" "1709370000000000|creationTimestamp" \
    "$(q "SELECT taken_at||'|'||taken_at_source FROM snapshots ORDER BY id LIMIT 1")"
eq "taken_at unknown: no file time" "NULL|NULL" \
    "$(q "SELECT quote(taken_at)||'|'||quote(taken_at_source) FROM snapshots ORDER BY id DESC LIMIT 1")"

# --- 9. Not a kubesift database, or a failed import: byte-identical.
mkdir "$T/db"
sqlite3 "$T/db/user.db" "CREATE TABLE mine(x); INSERT INTO mine VALUES (42);"
before=$(sha "$T/db/user.db")
rc=0; ks import -d "$T/db/user.db" "$L" 2> "$T/err" || rc=$?
eq "not a kubesift database: exit 1" 1 "$rc"
grep -q 'not a kubesift database' "$T/err" || fail "message: $(cat "$T/err")"
eq "not a kubesift database: byte-identical" "$before" "$(sha "$T/db/user.db")"
rc=0; ks import -d "$T/db/new.db" "$T/missing" 2> "$T/err" || rc=$?
eq "missing operand: exit 1" 1 "$rc"
[ ! -e "$T/db/new.db" ] || fail "a failed import created a database"
echo "ok - a failed import creates no database"
ks import -q -d "$T/db/k.db" "$T/s2/r.json"
before=$(sha "$T/db/k.db")
rc=0; ks import -d "$T/db/k.db" "$T/s/audit.log" "$T/missing" 2> "$T/err" || rc=$?
eq "missing operand beside a good one: exit 1" 1 "$rc"
eq "failed import: database byte-identical" "$before" "$(sha "$T/db/k.db")"
if [ "$(id -u)" != 0 ]; then
	cp "$T/s/audit.log" "$T/db/locked.log" && chmod 000 "$T/db/locked.log"
	rc=0; ks import -d "$T/db/k.db" "$T/db/locked.log" 2> "$T/err" || rc=$?
	eq "unreadable operand: exit 1" 1 "$rc"
	eq "unreadable operand: byte-identical" "$before" "$(sha "$T/db/k.db")"
fi

# --- 10. Members per input bounded; empty members cheap.
export KUBESIFT_DB="$T/many.db"
mkdir "$T/m" "$T/m/empty" "$T/m/full"
j=0
while [ $j -lt 40 ]; do
	: > "$T/m/empty/e$j"
	ev "m$j" "$j" > "$T/m/full/f$j.log"
	j=$((j + 1))
done
ev alone 59 > "$T/m/alone.log"
(cd "$T/m/empty" && tar cf "$T/m/empty.tar" e*)
(cd "$T/m/full" && tar cf "$T/m/full.tar" f*)
ks import -q "$T/m/empty.tar"
eq "40 empty members: no row each" 1 "$(q "SELECT count(*) FROM sources")"
eq "40 empty members: counted on the archive" 40 "$(q "SELECT empty_members FROM sources")"
ks import --max-members 15 "$T/m/full.tar" "$T/m/alone.log" > "$T/out" 2> "$T/err"
grep -q 'full.tar: 15 members read.*--max-members' "$T/err" || fail "warning: $(cat "$T/err")"
echo "ok - the member limit is a warning with its counts"
eq "stopped after 15 members" 15 "$(q "SELECT count(*) FROM sources WHERE path LIKE '%full.tar!%'")"
eq "the limit is a reject of the archive" 1 "$(q "SELECT rejected FROM sources WHERE path LIKE '%full.tar'")"
eq "the next input still imported" 1 "$(q "SELECT count(*) FROM audit_events WHERE audit_id = 'alone'")"
accounting_holds

# --- 11. A byte-identical copy at another path: recorded, not counted twice.
export KUBESIFT_DB="$T/copy.db"
mkdir "$T/c" "$T/c/elsewhere"
cp "$T/m/full.tar" "$T/c/a.tar" && cp "$T/c/a.tar" "$T/c/elsewhere/a.tar"
ev c1 1 > "$T/c/x.log" && cp "$T/c/x.log" "$T/c/elsewhere/x.log"
ks import -q "$T/c/a.tar" "$T/c/x.log"
rows=$(q 'SELECT count(*) FROM sources')
ks import -q "$T/c/elsewhere/a.tar" "$T/c/elsewhere/x.log"
eq "archive copy: one row, no member read again" $((rows + 2)) "$(q 'SELECT count(*) FROM sources')"
eq "archive copy: recorded with its hash, a copy of the first" \
    "copy|$(sha "$T/c/a.tar")|0" \
    "$(q "SELECT c.format||'|'||c.sha256||'|'||c.records FROM sources c JOIN sources o ON c.copy_of = o.id WHERE c.path LIKE '%elsewhere/a.tar' AND o.path = '$T/c/a.tar'")"
eq "plain copy: read again, its records duplicates" "1|0|1" \
    "$(q "SELECT records||'|'||imported||'|'||duplicates FROM sources WHERE path LIKE '%elsewhere/x.log' AND copy_of IS NOT NULL")"
eq "events not counted twice" 41 "$(q 'SELECT count(*) FROM audit_events')"
ks import -q "$T/c/elsewhere/a.tar" "$T/c/a.tar"
eq "same path again: nothing added" $((rows + 2)) "$(q 'SELECT count(*) FROM sources')"
accounting_holds
