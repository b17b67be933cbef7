# export: every table as JSONL or CSV, rows and columns as in the database.
. tests/cli/lib.sh

ks import -q "$TOP/fixtures/import"
ks -q export "$T/x"
for t in sources snapshots objects audit_events rejects activity_minute resource_kinds resource_short_names; do
	eq "$t: one line per row" "$(q "SELECT count(*) FROM $t")" "$(wc -l < "$T/x/$t.jsonl" | tr -d ' ')"
done
# The raw events come out as read (not the view's stand-in): each one's
# SHA-256, computed here, is the hash exported with its event, and begins
# with the 8 bytes its row keeps.
eq "audit_raw: one line per stored event" "$(q "SELECT count(*) FROM audit_events WHERE raw_block IS NOT NULL")" \
    "$(wc -l < "$T/x/audit_raw.jsonl" | tr -d ' ')"
i=0
while [ $i -lt 8 ] && IFS= read -r line; do
	i=$((i + 1))
	id=$(printf '%s' "$line" | jq .id)
	sum=$(printf '%s' "$line" | jq -j .raw | sha256sum | cut -d' ' -f1)
	eq "raw event $id: its exported hash" "$sum" \
	    "$(jq -r "select(.id == $id) | .hash" "$T/x/audit_events.jsonl")"
	eq "raw event $id: its stored hash" "$(printf '%s' "$sum" | cut -c1-16)" \
	    "$(q "SELECT lower(hex(hash)) FROM audit_rows WHERE id = $id")"
done < "$T/x/audit_raw.jsonl"
eq "hashes as hex" 64 "$(head -1 "$T/x/audit_events.jsonl" | sed 's/.*"hash":"\([0-9a-f]*\)".*/\1/' | tr -d '\n' | wc -c | tr -d ' ')"
eq "columns named as the schema" "$(sqlite3 "$KUBESIFT_DB" "SELECT group_concat(name, ',') FROM pragma_table_info('sources')")" \
    "$(head -1 "$T/x/sources.jsonl" | sed 's/"\([a-z_0-9]*\)":/\n\1:/g' | sed -n 's/^\([a-z_0-9]*\):.*/\1/p' | paste -sd, -)"
ks -q export -o csv "$T/c"
eq "csv: header and rows" "$(( $(q 'SELECT count(*) FROM objects') + 1 ))" "$(wc -l < "$T/c/objects.csv" | tr -d ' ')"
rc=0; ks -q export "$T/x" 2>/dev/null || rc=$?
eq "existing files are not overwritten" 1 "$rc"
