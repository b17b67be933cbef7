# Duplicates found without a query (src/store/store-recent.c): an event
# whose time and auditID no stored row can have skips the probe's query.
# Byte-identical copies must still be found: one read again after more
# events than the import remembers (pushed out of its memory), one read
# in a later import (below the database's latest time at the start), and
# copies read at once; the counts against sort -u.
. tests/cli/lib.sh
BUILD=${BUILD:-build}

"$BUILD/gen-audit" --scenario denials --events 40000 --seed 11 > "$T/g.log"
n=$(wc -l < "$T/g.log" | tr -d ' ')
[ "$n" -gt 36000 ] || fail "too few events generated: $n"
# a: the log, its first line again at the end (40000 rows later) and its
# 100th line twice in a row.
{ cat "$T/g.log"; head -n 1 "$T/g.log"; sed -n 100p "$T/g.log"; } > "$T/a.log"
ks import -q "$T/a.log"
want=$(sort -u "$T/a.log" | wc -l | tr -d ' ')
eq "a: events stored as sort -u counts them" "$want" \
    "$(q 'SELECT count(*) FROM audit_events')"
eq "a: duplicates" "$(( $(wc -l < "$T/a.log") - want ))" \
    "$(q "SELECT duplicates FROM sources WHERE path LIKE '%/a.log'")"
# b: in a later import, five events of a (and the last of it) among new
# ones of later times.
"$BUILD/gen-audit" --events 300 --seed 12 --start 2030-01-01T00:00:00Z \
    > "$T/new.log"
{ sed -n '1,150p' "$T/new.log"; sed -n '2000,2004p' "$T/g.log";
    tail -n 1 "$T/g.log"; sed -n '151,300p' "$T/new.log"; } > "$T/b.log"
ks import -q "$T/b.log"
eq "b: duplicates of a's events" 6 \
    "$(q "SELECT duplicates FROM sources WHERE path LIKE '%/b.log'")"
want=$(cat "$T/a.log" "$T/b.log" | sort -u | wc -l | tr -d ' ')
eq "a and b: events stored as sort -u counts them" "$want" \
    "$(q 'SELECT count(*) FROM audit_events')"
eq "no two rows with the same bytes" 0 "$(q 'SELECT count(*) - count(DISTINCT
    ks_raw(id)) FROM audit_events')"
