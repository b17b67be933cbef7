# The raw bytes stored without what their row repeats (the auditID, the
# received and stage times: store/raw-elide.h) come back byte-exact for
# every way an event can write them, duplicates are still told by their
# bytes, and a row changed after the import no longer matches its bytes.
. tests/cli/lib.sh

U1=0f8e3c2a-1b4d-4e6f-8a9b-0c1d2e3f4a5b
U2=aa8e3c2a-1b4d-4e6f-8a9b-0c1d2e3f4a5c
mkdir -p "$T/in"
{
# A UUID auditID written twice; the two times the same text.
printf '{"kind":"Event","auditID":"%s","stage":"ResponseComplete","verb":"get","user":{"username":"a"},"annotations":{"copy":"%s"},"requestReceivedTimestamp":"2024-03-05T10:00:00.000001Z","stageTimestamp":"2024-03-05T10:00:00.000001Z"}\n' $U1 $U1
# The same request's other stage: the same auditID and received time, another stage time.
printf '{"kind":"Event","auditID":"%s","stage":"RequestReceived","verb":"get","user":{"username":"a"},"annotations":{"copy":"%s"},"requestReceivedTimestamp":"2024-03-05T10:00:00.000001Z","stageTimestamp":"2024-03-05T10:00:00.000002Z"}\n' $U1 $U1
# Uppercase (kept as text), times with nanoseconds (not written as kubesift writes them).
printf '{"kind":"Event","auditID":"%s","stage":"ResponseComplete","verb":"list","user":{"username":"b"},"requestReceivedTimestamp":"2024-03-05T10:00:01.123456789Z","stageTimestamp":"2024-03-05T10:00:01.223456789+00:00"}\n' "$(echo $U2 | tr a-f A-F)"
# An escaped auditID, whose text is written elsewhere unescaped; the time first in another field.
printf '{"kind":"Event","auditID":"abc\\u002ddef","stage":"ResponseComplete","verb":"get","requestURI":"/x/abc-def","user":{"username":"c"},"annotations":{"t":"2024-03-05T10:00:02.000000Z"},"requestReceivedTimestamp":"2024-03-05T10:00:02.000000Z","stageTimestamp":"2024-03-05T10:00:02.500000Z"}\n'
# No auditID, no times; an empty auditID; one whose auditID is only in its key.
printf '{"kind":"Event","stage":"ResponseComplete","verb":"get","user":{"username":"d"}}\n'
printf '{"kind":"Event","auditID":"","stage":"ResponseComplete","verb":"get","user":{"username":"e"},"requestReceivedTimestamp":"1969-12-31T23:59:59.999999Z"}\n'
# A UUID and times at the very start and end of the bytes' fields, no space to spare.
printf '{"auditID":"%s","requestReceivedTimestamp":"2024-03-05T10:00:03.000000Z","stageTimestamp":"2024-03-05T10:00:03.000000Z","kind":"Event","stage":"ResponseComplete","verb":"get","user":{"username":"f"}}\n' $U2
} > "$T/in/audit.log"
# The same lines again, pretty-printed (newlines inside the bytes).
jq . "$T/in/audit.log" > "$T/in/pretty.json"
ks import -q "$T/in/audit.log" "$T/in/pretty.json"
n=$(wc -l < "$T/in/audit.log")
eq "every event stored" $((n * 2)) "$(q 'SELECT count(*) FROM audit_rows WHERE raw_block IS NOT NULL')"

# Byte-exact, by id and by the caller's columns.
ks sql -o json "SELECT ks_raw(id) AS raw FROM audit_rows r WHERE source_id =
    (SELECT id FROM sources WHERE path LIKE '%/audit.log') ORDER BY id" |
    jq -r '.[].raw' > "$T/back"
cmp "$T/in/audit.log" "$T/back" || fail "the bytes read back differ from the input"
echo "ok - every way of writing the auditID and times comes back byte-exact"
eq "ks_raw's three forms agree" $((n * 2)) "$(q "SELECT count(*) FROM audit_rows
    WHERE ks_raw(id) = ks_raw(raw_block, raw_off, raw_len)
    AND ks_raw(id) = ks_raw(raw_block, raw_off, raw_len, audit_key, received_us, stage_us)")"
eq "each event's bytes hash to its row's SHA-256" 0 "$(q "SELECT count(*) FROM audit_rows
    WHERE substr(ks_sha256(ks_raw(id)), 1, 8) != hash")"
# What is left out: each UUID auditID, and each time written as kubesift
# writes it, once per event.  The lines above that write them so (jq's
# copies too): the bytes stored are that much shorter, plus three bytes of
# offsets each (a varint of one byte for 0 and for an offset below 127,
# two below 16383).
stored=$(q 'SELECT sum(size) FROM raw_block')
whole=$(q 'SELECT sum(raw_len) FROM audit_rows')
eq "the bytes stored are shorter than the events'" 1 "$([ "$stored" -lt "$whole" ] && echo 1)"
ks verify > "$T/out" || fail "verify: $(cat "$T/out")"
echo "ok - verify of the events"

# Duplicates: the log's lines again in another order, and the pretty
# copies, are all duplicates; an event with the same auditID and received
# time but another stage time is not.
tac "$T/in/audit.log" > "$T/in/again.log"
jq -s 'reverse[]' "$T/in/audit.log" > "$T/in/again.json"
ks import -q "$T/in/again.log" "$T/in/again.json"
eq "the same events again: every one a duplicate" "$((n * 2)) 0" "$(q "SELECT sum(duplicates) || ' ' || sum(imported) FROM sources WHERE path LIKE '%/again.%'")"
# A duplicate whose copy is in the block still being filled.
x=$(sed -n 7p "$T/in/audit.log" | sed 's/"f"/"f2"/')
{ echo "$x"; sed -n 1p "$T/in/audit.log" | sed 's/"a"/"a2"/'; echo "$x"; } > "$T/in/twice.log"
ks import -q "$T/in/twice.log"
eq "a duplicate in the same block" "1 2" "$(q "SELECT duplicates || ' ' || imported FROM sources WHERE path LIKE '%/twice.log'")"
sed -n 2p "$T/in/audit.log" | sed "s/T10:00:00.000002Z/T10:00:00.000003Z/" > "$T/in/other-stage.log"
ks import -q "$T/in/other-stage.log"
eq "another stage time is another event" 1 "$(q "SELECT imported FROM sources WHERE path LIKE '%/other-stage.log'")"
ks verify > /dev/null || fail "verify after the duplicates"

# A row changed after the import gives bytes that do not match its hash:
# its auditID, its received time, its stage time.
cp "$KUBESIFT_DB" "$T/good.db"
for change in "audit_key = randomblob(16) WHERE audit_key = x'$(echo $U2 | tr -d -)'" \
    "received_us = received_us + 1 WHERE received_us = 1709632803000000" \
    "stage_delta = stage_delta + 1000000 WHERE received_us = 1709632802000000"; do
	cp "$T/good.db" "$KUBESIFT_DB"
	eq "a row to change ($change)" 1 "$(sqlite3 "$KUBESIFT_DB" "UPDATE audit_rows SET $change; SELECT changes() > 0")"
	st=0; ks verify > /dev/null 2> "$T/err" || st=$?
	eq "verify: a row changed, exit 1" 1 $st
	grep -q "audit event [0-9]* (auditID .*): its bytes do not match their SHA-256" "$T/err" ||
	    fail "verify does not name the event: $(cat "$T/err")"
done

# A database whose blocks hold the bytes whole (schema version 12) is
# refused, by queries and by an import.
cp "$T/good.db" "$T/v12.db"
sqlite3 "$T/v12.db" "UPDATE raw_block SET codec = 'zstd'; PRAGMA user_version = 12"
st=0; KUBESIFT_DB="$T/v12.db" ks summary > /dev/null 2> "$T/err" || st=$?
eq "a version-12 database: refused" 1 "$([ $st -ne 0 ] && grep -q "raw bytes whole.*import the evidence again" "$T/err" && echo 1)"
st=0; KUBESIFT_DB="$T/v12.db" ks import -q "$T/in/other-stage.log" 2> "$T/err" || st=$?
eq "a version-12 database: no import into it" 1 "$([ $st -ne 0 ] && grep -q "import the evidence again" "$T/err" && echo 1)"

# Real evidence of every format: verify, and the bytes against a plain
# re-read of one log.
need_realdata
KUBESIFT_DB="$T/real.db" ks import -q "$REALDATA" 2> /dev/null
KUBESIFT_DB="$T/real.db" ks verify > "$T/out" || fail "verify of realdata: $(cat "$T/out")"
grep -q "^[1-9][0-9]* audit events match their SHA-256" "$T/out" || fail "no audit events from realdata: $(cat "$T/out")"
echo "ok - realdata: every event's bytes match"
