# Crash safety: an import killed with SIGKILL (KUBESIFT_FAULT, src/util/fault.h)
# after N records, at the Nth commit, or while indexes are rebuilt, and an
# import that meets a full disk (RLIMIT_FSIZE), each leave a database that
# opens, passes PRAGMA integrity_check and holds whole members only: every
# complete source satisfies records = imported + duplicates + rejected and
# its rows exist.  Importing again then gives the counts of an import that
# was never interrupted.
. tests/cli/lib.sh

# events PREFIX N: N distinct audit events, one per line.
events() {
	awk -v p="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
	    printf "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"%s-%d\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":\"u%d\"},\"requestURI\":\"/api/v1/pods\",\"requestReceivedTimestamp\":\"2024-03-05T10:%02d:%02dZ\"}\n", p, i, i % 7, (i / 60) % 60, i % 60 }'
}

# The evidence: a folder with the import fixtures (kubectl objects, a
# version, audit logs with rejects and a duplicate), a log, and an archive
# holding logs, a kubectl dump and a zip of logs.
IN=$T/in
mkdir -p "$IN" "$T/b/z"
cp -R "$TOP/fixtures/import/." "$IN/"
events plain 60 > "$IN/events.log"
for i in 1 2 3; do events "tar$i" 20 > "$T/b/log$i.log"; done
cp "$TOP/fixtures/import/kubectl/clusterroles.json" "$T/b/"
events zip1 10 > "$T/b/z/a.log"
events zip2 10 > "$T/b/z/b.log"
(cd "$T/b/z" && zip -q ../inner.zip a.log b.log) && rm -r "$T/b/z"
(cd "$T/b" && tar czf "$IN/bundle.tgz" .)

# summary: what an import leaves, without ids and times.
summary() {
	sqlite3 "$KUBESIFT_DB" "SELECT path, coalesce(member, ''), format, records, imported,
	    duplicates, rejected, complete FROM sources ORDER BY path, member, records;
	    SELECT 'audit', count(*) FROM audit_events; SELECT 'raw', count(*), sum(raw_len) FROM audit_events WHERE raw_block IN (SELECT id FROM raw_block); SELECT 'blocks', count(*), sum(n) FROM raw_block;
	    SELECT 'objects', count(*) FROM objects; SELECT 'rejects', count(*) FROM rejects;
	    SELECT 'denials', count(*) FROM log_denials; SELECT 'cluster', count(*) FROM cluster_events;
	    SELECT 'index', name FROM sqlite_master WHERE type = 'index' ORDER BY name"
}
nsnap() { sqlite3 "$KUBESIFT_DB" 'SELECT count(*) FROM snapshots'; }

export KUBESIFT_DB="$T/ref.db"
ks import -q "$IN" 2>/dev/null
summary > "$T/ref"
REFSNAP=$(nsnap)
accounting_holds

# Row counts of one source in the tables that hold records.
ROWS="(SELECT count(*) FROM audit_events a WHERE a.source_id = s.id) +
    (SELECT count(*) FROM objects o WHERE o.source_id = s.id) +
    (SELECT count(*) FROM log_denials l WHERE l.source_id = s.id) +
    (SELECT count(*) FROM cluster_events c WHERE c.source_id = s.id)"

# sound WHAT: the database right after a crash.
sound() {
	# A query first, while a hot journal may still be there: the query
	# rolls it back (what SQLite does on any open that may write).
	ks sources -o csv > "$T/after" 2> "$T/after.err" ||
	    fail "$1: a query right after the crash: $(cat "$T/after.err")"
	echo "ok - $1: a query right after the crash works"
	eq "$1: integrity_check" ok "$(sqlite3 "$KUBESIFT_DB" 'PRAGMA integrity_check')"
	eq "$1: complete sources add up" 0 "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM sources
	    WHERE complete = 1 AND records != imported + duplicates + rejected")"
	eq "$1: every rejected record stored" 0 "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM sources s
	    WHERE complete = 1 AND rejected != (SELECT count(*) FROM rejects r WHERE r.source_id = s.id)")"
	eq "$1: every imported record stored" 0 "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM sources s
	    WHERE complete = 1 AND format != 'k8s-version' AND imported != $ROWS")"
	eq "$1: no records of an unfinished source" 0 "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM sources s
	    WHERE complete = 0 AND $ROWS > 0")"
	eq "$1: no orphans" 0 "$(sqlite3 "$KUBESIFT_DB" "SELECT
	    (SELECT count(*) FROM audit_events WHERE source_id NOT IN (SELECT id FROM sources)) +
	    (SELECT count(*) FROM objects WHERE source_id NOT IN (SELECT id FROM sources)) +
	    (SELECT count(*) FROM rejects WHERE source_id NOT IN (SELECT id FROM sources)) +
	    (SELECT count(*) FROM raw_block WHERE id NOT IN (SELECT raw_block FROM audit_events WHERE raw_block IS NOT NULL)) +
	    (SELECT count(*) FROM audit_events WHERE raw_block NOT IN (SELECT id FROM raw_block)) +
	    (SELECT count(*) FROM sources WHERE parent_id NOT IN (SELECT id FROM sources))")"
}

# resumed WHAT [SNAPSHOTS]: import again; the same as the reference.
resumed() {
	ks import -q "$IN" 2> "$T/re.err" || fail "$1: the import after the crash failed: $(cat "$T/re.err")"
	summary > "$T/got"
	diff "$T/ref" "$T/got" > "$T/diff" || fail "$1: not the uninterrupted result:
$(head -n 20 "$T/diff")"
	echo "ok - $1: importing again completes it"
	eq "$1: the snapshots of an uninterrupted import" "$REFSNAP" "$(nsnap)"
}

# crash POINT:N: kill there, check, resume.
crash() {
	export KUBESIFT_DB="$T/crash.db"
	rm -f "$KUBESIFT_DB" "$KUBESIFT_DB-journal"
	st=0
	KUBESIFT_FAULT=$1 "$KUBESIFT" import -q "$IN" 2>/dev/null || st=$?
	[ $st -eq 137 ] || fail "$1: expected a SIGKILL, got exit $st (is the point past the end?)"
	sound "$1"
	resumed "$1"
}

for n in 1 2 9 17 40 61 90 121 155; do crash record:$n; done
for n in 1 2 3 5 8 12 16 18 20; do crash commit:$n; done

# A crash into a database that already holds evidence keeps it whole.
export KUBESIFT_DB="$T/two.db"
ks import -q "$TOP/fixtures/eks-1.29" 2>/dev/null
summary > "$T/before"
KUBESIFT_FAULT=commit:6 "$KUBESIFT" import -q "$IN" 2>/dev/null && fail "commit:6 did not kill"
sound "second input"
ks import -q "$IN" 2>/dev/null
eq "first input untouched by the crash of the second" \
    "$(grep -c "$TOP/fixtures/eks-1.29" "$T/before")" "$(summary | grep -c "$TOP/fixtures/eks-1.29")"

# While indexes are rebuilt: a member large enough to set them aside.
events big 50001 > "$T/big.log"
export KUBESIFT_DB="$T/idx.db"
ks import -q "$IN" 2>/dev/null
summary > "$T/idx.before"
st=0
KUBESIFT_FAULT=index:1 "$KUBESIFT" import -q "$T/big.log" 2>/dev/null || st=$?
if [ $st -eq 137 ]; then
	sound index:1
	summary > "$T/idx.after"
	diff "$T/idx.before" "$T/idx.after" > /dev/null || fail "index:1: the state before the member is not intact"
	echo "ok - index:1: the state before the member, indexes included"
	ks import -q "$T/big.log" 2>/dev/null || fail "index:1: importing again failed"
	eq "index:1: importing again completes it" 50001 "$(q "SELECT count(*) FROM audit_events WHERE audit_id LIKE 'big-%'")"
	eq "index:1: indexes back" "$(grep -c '^index|' "$T/idx.before")" "$(summary | grep -c '^index|')"
else
	echo "SKIP index:1: no index rebuilt for a 50001-event member (exit $st)"
	rm -f "$T/idx.db"
fi

# A full disk: RLIMIT_FSIZE makes writes fail with EFBIG.
export KUBESIFT_DB="$T/full.db"
ks import -q "$IN" 2>/dev/null
summary > "$T/full.before"
blocks=$(($(wc -c < "$KUBESIFT_DB") / 512))
for extra in 8 300 3000; do
	st=0
	(ulimit -f $((blocks + extra)); exec "$KUBESIFT" import -q "$T/big.log") 2> "$T/full.err" || st=$?
	eq "full disk (+$extra blocks): exit 1" 1 $st
	[ "$(grep -c '^kubesift: ' "$T/full.err")" -ge 1 ] || fail "full disk: no message"
	grep -qi 'full\|space\|too large' "$T/full.err" ||
	    fail "full disk: the message does not say why: $(cat "$T/full.err")"
	sound "full disk (+$extra blocks)"
	summary > "$T/full.after"
	diff "$T/full.before" "$T/full.after" > /dev/null || fail "full disk (+$extra blocks): the state before the member is not intact"
	echo "ok - full disk (+$extra blocks): the state before the member"
done
ks import -q "$T/big.log" 2>/dev/null || fail "after the full disk: the import failed"
eq "after the full disk: a later import completes" 50001 "$(q "SELECT count(*) FROM audit_events WHERE audit_id LIKE 'big-%'")"
eq "after the full disk: integrity_check" ok "$(sqlite3 "$KUBESIFT_DB" 'PRAGMA integrity_check')"
accounting_holds
