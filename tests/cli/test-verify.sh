# Raw events kept byte-exact in compressed blocks, and kubesift verify:
# the bytes read back against the input lines (cmp, sha256sum), and a byte
# flipped in a block, in a stored hash and in an input, each named.
. tests/cli/lib.sh

# 5000 distinct events (several blocks of at most 1 MiB), some with
# escapes and non-ASCII text, the same bytes as the input must come back.
mkdir -p "$T/in"
awk 'BEGIN { for (i = 0; i < 5000; i++)
    printf "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"v-%d\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":\"u%d\"},\"requestURI\":\"/api/v1/namespaces/n%d/pods?x=1\\u0026y=\\u00e9t\\u00e9\",\"objectRef\":{\"name\":\"p\xc3\xa9-%d\"},\"responseStatus\":{\"code\":%d,\"message\":\"m%d\"},\"requestReceivedTimestamp\":\"2024-03-05T10:%02d:%02d.%06dZ\"}\n",
    i, i % 7, i % 13, i, i % 10 ? 200 : 403, i, (i / 60) % 60, i % 60, i }' > "$T/in/audit.log"
cp -R "$TOP/fixtures/eks-1.29" "$T/in/eks"
ks import -q "$T/in"

# Byte-exact: every event's bytes, in order, are the input's lines.
ks sql -o json 'SELECT ks_raw(e.id) AS raw FROM audit_events e JOIN sources s
    ON s.id = e.source_id WHERE s.path LIKE "%/in/audit.log" ORDER BY e.id' |
    jq -r '.[].raw' > "$T/back"
cmp "$T/in/audit.log" "$T/back" || fail "the raw bytes read back differ from the input"
echo "ok - raw bytes read back are the input's lines"
eq "the same SHA-256 (sha256sum)" "$(sha256sum < "$T/in/audit.log")" "$(sha256sum < "$T/back")"
line=$(sed -n 1234p "$T/in/audit.log")
eq "one event's hash is its line's" "$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)" \
    "$(q "SELECT lower(hex(ks_sha256(ks_raw(id)))) FROM audit_events WHERE audit_id = 'v-1233'")"
eq "its row keeps the hash's first 8 bytes" "$(printf '%s' "$line" | sha256sum | cut -c1-16)" \
    "$(q "SELECT lower(hex(hash)) FROM audit_events WHERE audit_id = 'v-1233'")"
eq "every row with raw bytes keeps 8 bytes of its hash" 0 "$(q "SELECT count(*) FROM audit_rows WHERE length(hash) != 8")"
eq "ks_raw(block, off, len) = ks_raw(id)" 5000 \
    "$(q "SELECT count(*) FROM audit_events WHERE ks_raw(raw_block, raw_off, raw_len) = ks_raw(id) AND audit_id LIKE 'v-%'")"
eq "blocks of at most 4096 events, 1 MiB and one event" 0 "$(q "SELECT count(*) FROM raw_block WHERE n > 4096 OR size > 1048576 + 1000 OR codec != 'zstd-elided'")"
eq "the log takes several blocks" 1 "$(q "SELECT count(DISTINCT raw_block) > 1 FROM audit_events WHERE audit_id LIKE 'v-%'")"
nblk=$(q 'SELECT count(*) FROM raw_block')
eq "the events of a block are consecutive rows" 0 "$(q "SELECT count(*) FROM audit_events e JOIN raw_block b ON b.id = e.raw_block
    WHERE e.id NOT BETWEEN b.first_record AND b.first_record + b.n - 1")"
size=$(wc -c < "$T/in/audit.log")
eq "blocks hold under a tenth of the input" 1 "$(q "SELECT sum(length(bytes)) * 10 < $size FROM raw_block")"
# What the views read is taken at import: the message of a refusal.
eq "message of a refusal, from the raw event" "m10" "$(q "SELECT message FROM audit_events WHERE audit_id = 'v-10'")"
eq "no message kept for a success" 0 "$(q "SELECT count(*) FROM audit_events WHERE code = 200 AND message IS NOT NULL")"

# verify: everything matches.
ks verify > "$T/out" 2> "$T/err" || fail "verify of an intact database: $(cat "$T/err")"
nev=$(q 'SELECT count(*) FROM audit_events')
grep -q "^$nev audit events match their SHA-256 ($nblk raw blocks)" "$T/out" || fail "verify counts: $(cat "$T/out")"
nobj=$(q 'SELECT count(*) FROM objects')
grep -q "; $nobj objects, " "$T/out" || fail "verify objects: $(cat "$T/out")"
nsrc=$(q 'SELECT count(*) FROM sources WHERE parent_id IS NULL')
grep -q "$nsrc inputs read again match, 0 not at their path" "$T/out" || fail "verify inputs: $(cat "$T/out")"
echo "ok - verify: an intact database and its inputs"
cp "$KUBESIFT_DB" "$T/good.db"

# Duplicates whose stored copies are in blocks read in turn (two halves of
# the log imported apart, then the whole log, interleaving them): each one
# told by its bytes, none stored twice.
awk 'NR % 2' "$T/in/audit.log" > "$T/odd.log"
awk 'NR % 2 == 0' "$T/in/audit.log" > "$T/even.log"
KUBESIFT_DB="$T/halves.db" ks import -q "$T/odd.log" "$T/even.log"
KUBESIFT_DB="$T/halves.db" ks import "$T/in/audit.log" > "$T/out" 2>&1 || fail "import of the whole log after its halves"
grep -q "5000 records, 0 new, 5000 duplicates" "$T/out" || fail "the whole log after its halves: $(cat "$T/out")"
eq "each half in blocks of its own" 1 "$(KUBESIFT_DB="$T/halves.db" q "SELECT count(DISTINCT source_id) = 2 AND count(*) >= 2 FROM raw_block b JOIN audit_rows r ON r.id = b.first_record")"
KUBESIFT_DB="$T/halves.db" ks verify > /dev/null || fail "verify after the halves"

# A byte flipped inside a compressed block, in the file itself.
at=$(grep -obUaP '\x28\xb5\x2f\xfd' "$KUBESIFT_DB" | head -n 1 | cut -d: -f1)
[ -n "$at" ] || fail "no zstd frame found in the database file"
old=$(od -An -tu1 -j $((at + 40)) -N1 "$KUBESIFT_DB" | tr -d ' ')
printf "\\$(printf '%03o' $(( (old + 1) % 256 )))" |
    dd of="$KUBESIFT_DB" bs=1 seek=$((at + 40)) conv=notrunc 2> /dev/null
st=0; ks verify > /dev/null 2> "$T/err" || st=$?
eq "verify: a flipped byte in a block, exit 1" 1 $st
grep -q '^kubesift: verify: raw block [0-9]*: \|^kubesift: verify: audit event [0-9]* (auditID v-' "$T/err" ||
    fail "verify does not name the block or event: $(cat "$T/err")"
# Every reader notices, not only verify (each frame carries a checksum):
# of 40 single-byte flips across a frame, none may export altered bytes.
cp "$KUBESIFT_DB" "$T/flipped.db"
ks -q --db "$T/good.db" export "$T/x-good"
altered=0; i=0
while [ $i -lt 40 ]; do
	cp "$T/good.db" "$T/f.db"
	pos=$((at + 20 + i * 97))
	b=$(od -An -tu1 -j $pos -N1 "$T/f.db" | tr -d ' ')
	printf "\\$(printf '%03o' $(( b ^ 16 )))" |
	    dd of="$T/f.db" bs=1 seek=$pos conv=notrunc 2> /dev/null
	rm -rf "$T/x-f"
	if ks -q --db "$T/f.db" export "$T/x-f" 2> /dev/null &&
	    ! cmp -s "$T/x-good/audit_raw.jsonl" "$T/x-f/audit_raw.jsonl"; then
		altered=$((altered + 1))
	fi
	i=$((i + 1))
done
eq "export: no flipped byte comes out as altered evidence" 0 $altered
cp "$T/flipped.db" "$KUBESIFT_DB"

# A stored hash changed.
cp "$T/good.db" "$KUBESIFT_DB"
sqlite3 "$KUBESIFT_DB" "UPDATE audit_rows SET hash = zeroblob(32) WHERE audit_key = 'v-77'"
st=0; ks verify > /dev/null 2> "$T/err" || st=$?
eq "verify: a changed hash, exit 1" 1 $st
eq "verify names the event" 1 "$(grep -c "audit event [0-9]* (auditID v-77, raw block" "$T/err")"
eq "verify names it alone" 2 "$(wc -l < "$T/err")"

# A row pointed at the next event's bytes, with that event's hash: each row
# matches its bytes, but the block's digest (over its events' SHA-256, in
# order) does not.
cp "$T/good.db" "$KUBESIFT_DB"
sqlite3 "$KUBESIFT_DB" "UPDATE audit_rows SET (raw_off, raw_len, hash) =
    (SELECT n.raw_off, n.raw_len, n.hash FROM audit_rows n WHERE n.id = audit_rows.id + 1)
    WHERE audit_key = 'v-78'"
eq "the row moved stays in its block" 1 "$(q "SELECT count(*) FROM audit_rows a JOIN audit_rows b ON b.id = a.id + 1 WHERE a.audit_key = 'v-78' AND a.raw_block = b.raw_block")"
st=0; ks verify > /dev/null 2> "$T/err" || st=$?
eq "verify: a row moved to another event's bytes, exit 1" 1 $st
grep -q "raw block [0-9]*: its events' SHA-256 do not make its digest" "$T/err" ||
    fail "verify does not name the block: $(cat "$T/err")"

# A block's digest spoilt, with an event taken away: the rest of the block
# matches.
cp "$T/good.db" "$KUBESIFT_DB"
sqlite3 "$KUBESIFT_DB" "DELETE FROM audit_rows WHERE audit_key = 'v-79';
    UPDATE raw_block SET n = n - 1, digest = x'00' WHERE id = (SELECT raw_block FROM audit_rows WHERE audit_key = 'v-78')"
st=0; ks verify > /dev/null 2> "$T/err" || st=$?
eq "verify: a block without its digest, exit 1" 1 $st
grep -q "raw block [0-9]*: no digest of its events" "$T/err" ||
    fail "verify does not name the block without a digest: $(cat "$T/err")"

# An object's body changed.
cp "$T/good.db" "$KUBESIFT_DB"
id=$(q 'SELECT min(id) FROM objects')
sqlite3 "$KUBESIFT_DB" "UPDATE objects SET body = body || ' ' WHERE id = $id"
st=0; ks verify > /dev/null 2> "$T/err" || st=$?
eq "verify: a changed object, exit 1" 1 $st
grep -q "objects $id: its body does not match" "$T/err" || fail "verify does not name the object: $(cat "$T/err")"

# A byte flipped in an input file.
cp "$T/good.db" "$KUBESIFT_DB"
printf 'X' | dd of="$T/in/audit.log" bs=1 seek=100 conv=notrunc 2> /dev/null
st=0; ks verify > /dev/null 2> "$T/err" || st=$?
eq "verify: a changed input, exit 1" 1 $st
grep -q "source [0-9]*: $T/in/audit.log: its bytes are not those imported" "$T/err" ||
    fail "verify does not name the input: $(cat "$T/err")"
# An input no longer there is counted, not a difference.
rm "$T/in/audit.log"
ks verify > "$T/out" || fail "verify with an input gone"
grep -q ", 1 not at its path" "$T/out" || fail "the input gone is not counted: $(cat "$T/out")"

# --no-raw: hashes only, nothing to decompress, verify still exits 0.
export KUBESIFT_DB="$T/noraw.db"
ks import -q --no-raw "$T/in/eks"
eq "--no-raw: no block" 0 "$(q 'SELECT count(*) FROM raw_block')"
eq "--no-raw: hashes kept" 0 "$(q 'SELECT count(*) FROM audit_events WHERE hash IS NULL OR raw_block IS NOT NULL')"
eq "--no-raw: all 32 bytes of each hash" 0 "$(q 'SELECT count(*) FROM audit_rows WHERE length(hash) != 32')"
ks verify > "$T/out" || fail "verify of a --no-raw database"
grep -q "^0 audit events match their SHA-256 (0 raw blocks), $(q 'SELECT count(*) FROM audit_events') kept without raw bytes" "$T/out" ||
    fail "--no-raw verify counts: $(cat "$T/out")"
echo "ok - verify: --no-raw"

# A database of the older format (raw events in a table) is refused with
# a message saying to import again.
sqlite3 "$KUBESIFT_DB" "CREATE TABLE audit_raw(id INTEGER PRIMARY KEY, raw TEXT NOT NULL)"
st=0; ks upgrade 2> "$T/err" || st=$?
eq "older format: upgrade refused" 1 $st
grep -q 'import the evidence again into a new database' "$T/err" || fail "older format: $(cat "$T/err")"
eq "older format: one line" 1 "$(wc -l < "$T/err")"

# A Secret's values stay in the raw bytes: no column, view or --no-raw
# database holds them (the dump is every table as text; the raw blocks are
# compressed), yet the evidence gives them back.
S="$TOP/fixtures/secrets/secret-writes.jsonl"
for keep in raw no-raw; do
	rm -f "$T/s.db"
	if [ $keep = raw ]; then ks --db "$T/s.db" import -q "$S"
	else ks --db "$T/s.db" import -q --no-raw "$S"; fi
	eq "secrets ($keep): both writes stored" 2 "$(sqlite3 "$T/s.db" "SELECT count(*) FROM audit_events WHERE request_object IS NOT NULL")"
	eq "secrets ($keep): no value outside the raw bytes" 0 \
	    "$(sqlite3 "$T/s.db" .dump | grep -c 'aHVudGVyMg==\|czNjcjN0\|"admin"')"
done
rm -rf "$T/sx"; ks -q --db "$T/s.db" export "$T/sx"
eq "secrets (no-raw): no raw bytes kept" 0 "$(ks --db "$T/s.db" sql -o csv "SELECT count(*) FROM audit_events WHERE raw_block IS NOT NULL" | tail -1 | tr -d '\r')"
rm -f "$T/s.db"; ks --db "$T/s.db" import -q "$S"; rm -rf "$T/sx"; ks -q --db "$T/s.db" export "$T/sx"
eq "secrets: the evidence keeps them" 2 "$(jq -r .raw "$T/sx/audit_raw.jsonl" | grep -c 'aHVudGVyMg==\|czNjcjN0')"
