# Concurrency: queries during an import see whole members only, and two
# imports into one database either serialize or fail cleanly ("database is
# busy" or "locked"), leaving the counts of two imports one after the other.
# The import under test reads a tar from a FIFO, so the test decides how far
# it has gone: a write to a FIFO returns only once the reader has taken all
# but a pipe's worth (64 KiB) of it.  No sleeps.
. tests/cli/lib.sh

events() {
	awk -v p="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
	    printf "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"%s-%d\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":\"u%d\"},\"requestURI\":\"/api/v1/pods\",\"requestReceivedTimestamp\":\"2024-03-05T10:%02d:%02dZ\"}\n", p, i, i % 7, (i / 60) % 60, i % 60 }'
}

summary() {
	sqlite3 "$KUBESIFT_DB" "SELECT path, coalesce(member, ''), format, records, imported,
	    duplicates, rejected, complete FROM sources ORDER BY path, member;
	    SELECT 'audit', count(*) FROM audit_events; SELECT 'raw', count(*), sum(raw_len) FROM audit_events WHERE raw_block IN (SELECT id FROM raw_block); SELECT 'blocks', count(*), sum(n) FROM raw_block;
	    SELECT 'objects', count(*) FROM objects; SELECT 'rejects', count(*) FROM rejects"
}

# consistent WHAT: through kubesift's own read-only queries, every complete
# source adds up and has its rows, and no record of an unfinished one shows.
consistent() {
	ks sources -o csv > "$T/q.sources" 2> "$T/q.err" || fail "$1: sources: $(cat "$T/q.err")"
	eq "$1: complete sources add up" 0 "$(q "SELECT count(*) FROM sources s WHERE complete = 1 AND
	    (records != imported + duplicates + rejected OR
	     rejected != (SELECT count(*) FROM rejects r WHERE r.source_id = s.id) OR
	     (format NOT IN ('k8s-version', 'archive') AND format NOT LIKE 'archive/%' AND
	      imported != (SELECT count(*) FROM audit_events a WHERE a.source_id = s.id) +
	                  (SELECT count(*) FROM objects o WHERE o.source_id = s.id)))")"
	eq "$1: no record of an unfinished source" 0 "$(q "SELECT count(*) FROM audit_events
	    WHERE source_id IN (SELECT id FROM sources WHERE complete = 0)")"
}
seen() { q "SELECT count(*) FROM audit_events WHERE audit_id LIKE '$1-%'"; }

# The evidence: a tar of four members of 6000 events (about 1.4 MB each),
# and a log of 500 more for a second import.
mkdir "$T/s"
for i in 1 2 3 4; do events "s$i" 6000 > "$T/s/m$i.log"; done
(cd "$T/s" && tar cf "$T/stream.tar" m1.log m2.log m3.log m4.log)
events other 500 > "$T/other.log"
M=$(wc -c < "$T/s/m1.log")	# bytes per member
PM=$(((M + 511) / 512 * 512))	# in the tar: padded, after a 512-byte header
# Pause 1 halfway through m1; pause 2 at 1 MiB into m3 (of 1.4 MB).
P1=$((512 + M / 2))
P2=$((3 * 512 + 2 * PM + 1048576))
head -c $P1 "$T/stream.tar" > "$T/chunk1"
tail -c +$((P1 + 1)) "$T/stream.tar" | head -c $((P2 - P1)) > "$T/chunk2"
tail -c +$((P2 + 1)) "$T/stream.tar" > "$T/chunk3"

export KUBESIFT_DB="$T/ref.db"
ks import -q - < "$T/stream.tar"
ks import -q "$T/other.log"
summary > "$T/ref"

# --- One import read through a FIFO; queries and a second import meanwhile.
export KUBESIFT_DB="$T/k.db"
ks import -q "$TOP/fixtures/import/notes.txt"	# the database exists
mkfifo "$T/fifo"
ks import -q - < "$T/fifo" > "$T/a.out" 2> "$T/a.err" &
A=$!
exec 3> "$T/fifo"
# Pause 1: m1 is half written, so its import cannot have ended.
cat "$T/chunk1" >&3
consistent "during member 1"
eq "during member 1: none of it visible" 0 "$(seen s1)"
# A second import while the first holds its member open.
ks import -q "$T/other.log" > "$T/b.out" 2> "$T/b.err" &
B=$!
# Pause 2: m1 and m2 written and 1 MiB of m3 (more than the reader's
# buffers and the pipe hold), so m1 and m2 are committed and m3 is not.
cat "$T/chunk2" >&3
consistent "during member 3"
eq "during member 3: member 1 whole" 6000 "$(seen s1)"
eq "during member 3: member 2 whole" 6000 "$(seen s2)"
eq "during member 3: none of member 3" 0 "$(seen s3)"
for c in summary denied actors timeline; do
	if ks help | grep -q "^  $c "; then
		ks $c > /dev/null 2> "$T/q.err" || fail "$c during an import: $(cat "$T/q.err")"
	fi
done
echo "ok - the query commands run during an import"
cat "$T/chunk3" >&3
exec 3>&-
sta=0; wait $A || sta=$?
stb=0; wait $B || stb=$?
eq "the FIFO import: exit 0" 0 $sta
case $stb in
0)	echo "ok - the second import waited its turn" ;;
1)	grep -qi 'busy\|locked' "$T/b.err" || fail "second import: exit 1 without 'busy': $(cat "$T/b.err")"
	echo "ok - the second import failed cleanly: $(head -n 1 "$T/b.err")"
	ks import -q "$T/other.log" ;;
*)	fail "second import: exit $stb: $(cat "$T/b.err")" ;;
esac
eq "integrity_check" ok "$(sqlite3 "$KUBESIFT_DB" 'PRAGMA integrity_check')"
consistent "after both"
summary | grep -v 'notes.txt' > "$T/got"
diff "$T/ref" "$T/got" > "$T/diff" || fail "not the counts of one import after the other:
$(head -n 20 "$T/diff")"
echo "ok - the counts of one import after the other"

# --- Two imports into a new database at once.
export KUBESIFT_DB="$T/new.db"
ks import -q - < "$T/stream.tar" 2> "$T/a.err" &
A=$!
ks import -q "$T/other.log" 2> "$T/b.err" &
B=$!
sta=0; wait $A || sta=$?
stb=0; wait $B || stb=$?
for x in "a $sta" "b $stb"; do
	set -- $x
	case $2 in
	0) ;;
	1) grep -qi 'busy\|locked' "$T/$1.err" || fail "new database, import $1: $(cat "$T/$1.err")" ;;
	*) fail "new database, import $1: exit $2" ;;
	esac
done
[ $sta -eq 0 ] || ks import -q - < "$T/stream.tar"
[ $stb -eq 0 ] || ks import -q "$T/other.log"
eq "new database: integrity_check" ok "$(sqlite3 "$KUBESIFT_DB" 'PRAGMA integrity_check')"
summary > "$T/got"
diff "$T/ref" "$T/got" > "$T/diff" || fail "new database: wrong counts:
$(head -n 20 "$T/diff")"
echo "ok - two imports into a new database: serialized"

# --- The same archive imported twice at once: one copy, nothing orphaned.
mkdir "$T/same"
i=0
while [ $i -lt 60 ]; do events "same$i" 3 > "$T/same/m$i.log"; i=$((i + 1)); done
(cd "$T/same" && tar cf "$T/same.tar" .)
# Three tries: the outcome depends on how the two runs interleave.
for try in 1 2 3; do
	export KUBESIFT_DB="$T/same$try.db"
	ks import -q "$TOP/fixtures/import/notes.txt"
	ks import -q "$T/same.tar" 2> "$T/a.err" &
	A=$!
	ks import -q "$T/same.tar" 2> "$T/b.err" &
	B=$!
	sta=0; wait $A || sta=$?
	stb=0; wait $B || stb=$?
	[ $sta -le 1 ] && [ $stb -le 1 ] || fail "same archive twice: exits $sta and $stb"
	eq "same archive twice ($try): integrity_check" ok "$(sqlite3 "$KUBESIFT_DB" 'PRAGMA integrity_check')"
	accounting_holds
	eq "same archive twice ($try): no orphans" 0 "$(q "SELECT count(*) FROM sources WHERE parent_id NOT IN (SELECT id FROM sources)")"
	eq "same archive twice ($try): every event once" 180 "$(q 'SELECT count(*) FROM audit_events')"
	eq "same archive twice ($try): its members once" 60 "$(q "SELECT count(*) FROM sources WHERE parent_id IS NOT NULL")"
	eq "same archive twice ($try): one copy, the other skipped" 1 "$(q "SELECT count(*) FROM sources WHERE parent_id IS NULL AND path LIKE '%same.tar'")"
done
