# ClickHouse: an export of every fixture, loaded into a ClickHouse server
# through `export --ddl clickhouse`, answers sql/clickhouse/denied.sql
# exactly as `kubesift denied -o json` does; and split into two shards by
# actor (the sharding key README proposes), the shards' answers together
# are the same answer.  The server runs on 127.0.0.1 on a free port, with
# everything in the scratch folder, and is stopped on exit.
. tests/cli/lib.sh

# The DDL alone, wherever ClickHouse is: a table per exported file, a column
# per column, Nullable exactly where the schema allows NULL.
ks import -q "$TOP"/fixtures/* 2>/dev/null
ks export --ddl clickhouse > "$T/ddl.sql"
eq "ddl: one CREATE TABLE per table" 13 "$(grep -c '^CREATE TABLE' "$T/ddl.sql")"
# (A reference into strings is exported as its text, under the column's
# name without _id; a generated column as its value, not what it is
# computed from.  audit_events is a view over audit_rows, whose keys and
# NOT NULLs its columns have; the stored forms of audit_rows are not
# exported.)
eq "ddl: audit_events column for column" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT group_concat(CASE WHEN f.\"table\" = 'strings' THEN substr(c.name, 1, length(c.name) - 3) ELSE c.name END || ':' || (CASE WHEN b.\"notnull\" OR b.pk THEN 'n' ELSE 'y' END), ' ') FROM pragma_table_xinfo('audit_events') c LEFT JOIN pragma_table_xinfo('audit_rows') b ON b.name = c.name LEFT JOIN pragma_foreign_key_list('audit_rows') f ON f.\"from\" = c.name WHERE c.name NOT IN ('uri_tail', 'stage_code', 'level_code', 'decision_code', 'stage_delta', 'message_tail', 'audit_key', 'user_id', 'impersonated_user_id', 'actor_id')")" \
    "$(sed -n '/^CREATE TABLE IF NOT EXISTS `audit_events`/,/^)/p' "$T/ddl.sql" |
	sed -n 's/^  `\([a-z_0-9]*\)` \(Nullable\)\{0,1\}.*/\1 \2/p' |
	awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $1, ($2 == "" ? "n" : "y") }')"
# The tables are this version's: the DDL needs no database at all.
eq "ddl: the same without a database" "$(cat "$T/ddl.sql")" \
    "$(KUBESIFT_DB="$T/none.db" ks export --ddl clickhouse)"
[ ! -e "$T/none.db" ] || fail "export --ddl created a database"
rc=0; ks export --ddl postgres 2>/dev/null || rc=$?
eq "ddl: an unknown engine is a usage error" 2 "$rc"

if ! command -v clickhouse-server > /dev/null ||
    ! command -v clickhouse-client > /dev/null; then
	echo "SKIP $(basename "$0"): clickhouse-server and clickhouse-client" \
	    "are not installed (apt-get install clickhouse-server" \
	    "clickhouse-client)"
	exit 0
fi
command -v jq > /dev/null || fail "jq is needed"

# A TCP port nobody listens on, from /proc/net/tcp{,6} (state 0A = LISTEN).
free_port() {
	used=$(awk '$4 == "0A" { split($2, a, ":"); print a[2] }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	p=$(( 20000 + $$ % 20000 ))
	while printf '%s\n' "$used" | grep -qix "$(printf '%04X' "$p")"; do
		p=$((p + 1))
	done
	echo "$p"
}

CH=$T/ch
mkdir -p "$CH/data" "$CH/tmp" "$CH/files"
PORT=$(free_port)
cat > "$CH/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH/server.log</log>
    <errorlog>$CH/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$PORT</tcp_port>
  <path>$CH/data/</path>
  <tmp_path>$CH/tmp/</tmp_path>
  <user_files_path>$CH/files/</user_files_path>
  <format_schema_path>$CH/files/</format_schema_path>
  <users_config>$CH/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
</yandex>
EOF
cat > "$CH/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
  <users><default><password></password>
    <networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF

SERVER=
stop() {
	if [ -n "$SERVER" ]; then
		kill "$SERVER" 2>/dev/null || :
		wait "$SERVER" 2>/dev/null || :
	fi
	rm -rf "$T"
}
trap stop EXIT
trap 'exit 1' HUP INT PIPE TERM	# through stop, too
clickhouse-server --config-file="$CH/config.xml" > "$CH/out" 2>&1 &
SERVER=$!

ch() { clickhouse-client --host 127.0.0.1 --port "$PORT" "$@"; }

# Ready when the client gets an answer: a bounded number of tries, each a
# connection attempt, as long as the server is alive.
tries=0
until ch -q "SELECT 1" > /dev/null 2>&1; do
	kill -0 "$SERVER" 2>/dev/null ||
	    fail "clickhouse-server exited: $(cat "$CH/out" "$CH/server.err.log" 2>/dev/null | tail -5)"
	tries=$((tries + 1))
	[ "$tries" -lt 600 ] || fail "clickhouse-server did not answer"
	sleep 0.1
done
echo "ok - clickhouse-server answers on 127.0.0.1:$PORT"

ks -q export "$T/x"

# load DATABASE: the tables of the DDL, the rows of the export.
load() {
	ch -q "CREATE DATABASE $1"
	ch -d "$1" --multiquery < "$T/ddl.sql"
	for f in "$T"/x/*.jsonl; do
		[ -s "$f" ] || continue
		ch -d "$1" -q "INSERT INTO $(basename "$f" .jsonl) FORMAT JSONEachRow" < "$f"
	done
}
load ks
for t in sources objects audit_events log_denials rejects activity_minute \
    resource_short_names; do
	eq "$t: every row loaded" "$(q "SELECT count(*) FROM $t")" \
	    "$(ch -d ks -q "SELECT count() FROM $t")"
done
# audit_raw holds every event whose bytes were kept, as read.
eq "audit_raw: every stored event loaded" \
    "$(q "SELECT count(*) FROM audit_events WHERE raw_block IS NOT NULL")" \
    "$(ch -d ks -q "SELECT count() FROM audit_raw")"

# denied DATABASE: sql/clickhouse/denied.sql's rows as one JSON array.
denied() {
	ch -d "$1" --output_format_json_quote_64bit_integers=0 \
	    --format JSONEachRow --multiquery < "$TOP/sql/clickhouse/denied.sql" |
	    jq -s .
}
ks denied -o json | jq . > "$T/want.json"
denied ks > "$T/got.json"
[ "$(jq length "$T/want.json")" -gt 20 ] || fail "too few denial groups to compare"
jq -e 'any(.[]; .refused_by == "log") and any(.[]; .message != null)' \
    "$T/want.json" > /dev/null || fail "fixtures without log or admission denials"
eq "denied.sql: kubesift denied's rows, in its order" "$(cat "$T/want.json")" \
    "$(cat "$T/got.json")"

# Two shards by actor: every table a request or a log denial is judged
# from goes where its actor's hash says; the rest is copied to both.
for s in 0 1; do
	ch -q "CREATE DATABASE s$s"
	ch -d "s$s" --multiquery < "$T/ddl.sql"
	ch -d "s$s" -q "INSERT INTO audit_events SELECT * FROM ks.audit_events
	    WHERE cityHash64(ifNull(ifNull(impersonated_user, username), '')) % 2 = $s"
	ch -d "s$s" -q "INSERT INTO audit_raw SELECT * FROM ks.audit_raw
	    WHERE id IN (SELECT id FROM s$s.audit_events)"
	ch -d "s$s" -q "INSERT INTO log_denials SELECT * FROM ks.log_denials
	    WHERE cityHash64(ifNull(username, '')) % 2 = $s"
	denied "s$s" > "$T/s$s.json"
done
[ "$(jq length "$T/s0.json")" -gt 0 ] && [ "$(jq length "$T/s1.json")" -gt 0 ] ||
    fail "a shard holds no denial"
eq "two shards by actor: the same groups" "$(jq -S 'sort' "$T/want.json")" \
    "$(jq -s -S 'add | sort' "$T/s0.json" "$T/s1.json")"
