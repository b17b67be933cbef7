# The strings stored once (table strings, src/store/dict.c): several
# imports into one database, one of them cut short, must give back every
# event's groups, impersonated groups, source IPs, user agent and reason
# exactly as the input holds them (by jq), in the audit_events_text view,
# the requests view and the denials view; NULL stays NULL.
. tests/cli/lib.sh
BUILD=${BUILD:-build}

"$BUILD/gen-audit" --scenario denials --events 3000 --seed 5 > "$T/a.log"
"$BUILD/gen-audit" --events 3000 --seed 6 \
    --start 2024-03-06T10:00:00Z > "$T/b.log"
# Impersonation, events without groups, agent or reason.
cp fixtures/differential/extra.jsonl "$T/c.log"

ks import -q "$T/a.log"
# An import of b killed half-way (as a power cut would), then done again:
# the strings it had added are gone with its transaction.
st=0
KUBESIFT_FAULT=record:1500 "$KUBESIFT" import -q "$T/b.log" 2>/dev/null ||
    st=$?
[ $st -ne 0 ] || fail "record:1500 did not kill the import"
ks import -q "$T/b.log" "$T/c.log"
# Two imports at once, each with its own cache, adding values the other
# may add too (one waits for the other's transaction).
"$BUILD/gen-audit" --scenario denials --events 2000 --seed 7 \
    --start 2024-03-07T10:00:00Z > "$T/d.log"
"$BUILD/gen-audit" --scenario denials --events 2000 --seed 8 \
    --start 2024-03-08T10:00:00Z > "$T/e.log"
ks import -q "$T/d.log" & p1=$!
ks import -q "$T/e.log" & p2=$!
wait $p1 || fail "import of d"
wait $p2 || fail "import of e"
eq "every event stored" "$(cat "$T"/[a-e].log | wc -l | tr -d ' ')" \
    "$(q 'SELECT count(*) FROM audit_events')"

# The five strings of the event on each line, as jq reads them (arrays as
# compact JSON text).
JQ='def t: if type == "array" then tojson else . end;
    [.user.groups, .impersonatedUser.groups, .sourceIPs, .userAgent,
     .annotations["authorization.k8s.io/reason"]] | map(t)'
for f in a b c d e; do
	jq -c "$JQ" "$T/$f.log" > "$T/$f.want"
	ks sql -o json "SELECT user_groups, impersonated_groups,
	    source_ips, user_agent, authz_reason FROM audit_events_text e
	    JOIN sources s ON s.id = e.source_id
	    WHERE s.path = '$T/$f.log' ORDER BY e.line" |
	    jq -c '.[] | [.user_groups, .impersonated_groups, .source_ips,
	    .user_agent, .authz_reason]' > "$T/$f.got"
	cmp -s "$T/$f.want" "$T/$f.got" ||
	    fail "$f: audit_events_text differs from the input: $(diff \
	    "$T/$f.want" "$T/$f.got" | head -5)"
	echo "ok - $f: every event's strings as the input has them"
done

# Each value once; every reference names a row.
eq "strings: each value once" 0 \
    "$(q 'SELECT count(*) - count(DISTINCT value) FROM strings')"
eq "audit_events: no reference without its string" 0 \
    "$(q 'SELECT count(*) FROM audit_events e WHERE EXISTS (SELECT 1
	FROM (SELECT e.user_groups_id AS r UNION ALL
	    SELECT e.impersonated_groups_id UNION ALL
	    SELECT e.source_ips_id UNION ALL SELECT e.user_agent_id
	    UNION ALL SELECT e.authz_reason_id)
	WHERE r IS NOT NULL AND r NOT IN (SELECT id FROM strings))')"
eq "NULL stays NULL: events without user agent" \
    "$(cat "$T"/[a-e].log |
    jq -s '[.[] | select(.userAgent == null)] | length')" \
    "$(q 'SELECT count(*) FROM audit_events WHERE user_agent_id IS NULL')"

# The views read the strings of the row they show: requests (the groups
# of the impersonated user when there is one) and denials.
JQR='def t: if type == "array" then tojson else . end;
    [input_filename, input_line_number,
     ((if .impersonatedUser then .impersonatedUser.groups
       else .user.groups end) | t),
     .annotations["authorization.k8s.io/reason"], .userAgent,
     (.sourceIPs | t)] | @json'
# input_line_number: the event's own line (one event a line).
jq -r "$JQR" "$T"/[a-e].log > "$T/all.want"
ks sql -o json "SELECT s.path, r.line, r.groups, r.authz_reason,
    r.user_agent, r.source_ips FROM requests r
    JOIN sources s ON s.id = r.source_id" |
    jq -r '.[] | [.path, .line, .groups, .authz_reason, .user_agent,
    .source_ips] | @json' | sort > "$T/req.got"
n=$(wc -l < "$T/req.got" | tr -d ' ')
[ "$n" -gt 1000 ] || fail "requests: only $n rows"
sort "$T/all.want" > "$T/all.sorted"
comm -12 "$T/all.sorted" "$T/req.got" | wc -l | tr -d ' ' > "$T/req.n"
eq "requests: groups, reason, agent and IPs of each request as the input" \
    "$n" "$(cat "$T/req.n")"
ks sql -o json "SELECT s.path, d.line, d.groups, d.reason, d.user_agent
    FROM denials d JOIN sources s ON s.id = d.source_id
    WHERE d.origin = 'audit'" |
    jq -r '.[] | [.path, .line, .groups, .reason, .user_agent] | @json' |
    sort > "$T/den.got"
n=$(wc -l < "$T/den.got" | tr -d ' ')
[ "$n" -gt 100 ] || fail "denials: only $n rows"
jq -r '.[0:5] | @json' "$T/all.want" | sort > "$T/den.want"
comm -12 "$T/den.want" "$T/den.got" | wc -l | tr -d ' ' > "$T/den.n"
eq "denials: groups, reason and agent of each refusal as the input" \
    "$n" "$(cat "$T/den.n")"

# A database of the older layout (each event's strings inline in
# audit_events) is refused by upgrade and import, in one line saying to
# import again.
sqlite3 "$KUBESIFT_DB" "DROP VIEW audit_events;
    CREATE TABLE audit_events (id INTEGER PRIMARY KEY, user_groups TEXT)"
st=0; ks upgrade 2> "$T/err" || st=$?
eq "older layout: upgrade refused" 1 $st
grep -q 'import the evidence again into a new database' "$T/err" ||
    fail "older layout: $(cat "$T/err")"
eq "older layout: one line" 1 "$(wc -l < "$T/err" | tr -d ' ')"
st=0; ks import -q "$T/a.log" 2> "$T/err" || st=$?
eq "older layout: import refused" 1 $st
# A query of such a database (of an older version) says the same, not to
# upgrade (which would refuse it).
sqlite3 "$KUBESIFT_DB" "PRAGMA user_version = 6"
st=0; ks denied > /dev/null 2> "$T/err" || st=$?
eq "older layout: a query refused" 1 $st
grep -q 'import the evidence again into a new database' "$T/err" ||
    fail "older layout, a query: $(cat "$T/err")"

# Schema version 8 kept auditIDs and users as text in a table named
# audit_events (now a view over audit_rows): refused the same way.
export KUBESIFT_DB="$T/v8.db"
ks import -q "$T/a.log"
sqlite3 "$KUBESIFT_DB" "DROP VIEW audit_events;
    CREATE TABLE audit_events (id INTEGER PRIMARY KEY, username TEXT,
	uri_tail BLOB); PRAGMA user_version = 8"
st=0; ks denied > /dev/null 2> "$T/err" || st=$?
eq "version 8: a query refused" 1 $st
grep -q 'auditID and users as text.*import the evidence again' "$T/err" ||
    fail "version 8, a query: $(cat "$T/err")"
st=0; ks import -q "$T/a.log" 2> "$T/err" || st=$?
eq "version 8: import refused" 1 $st

# Schema version 10 kept each event's stage time whole (stage_us, now
# computed from stage_delta): refused the same way.
export KUBESIFT_DB="$T/v10.db"
sqlite3 "$KUBESIFT_DB" "CREATE TABLE audit_rows (id INTEGER PRIMARY KEY,
    received_us INTEGER, stage_us INTEGER, decision_code BLOB);
    PRAGMA user_version = 10"
st=0; ks denied > /dev/null 2> "$T/err" || st=$?
eq "version 10: a query refused" 1 $st
grep -q 'stage time whole.*import the evidence again' "$T/err" ||
    fail "version 10, a query: $(cat "$T/err")"
st=0; ks import -q "$T/a.log" 2> "$T/err" || st=$?
eq "version 10: import refused" 1 $st
