# Queries never change the database: `kubesift sql` refuses every statement
# that writes, attaches, sets a pragma, loads an extension or comes second,
# whatever SQL trick carries it; filter values of the query commands are
# values, never SQL.  Each refusal exits 1 with a message, and the file's
# SHA-256 and its folder stay exactly as they were.
. tests/cli/lib.sh

mkdir "$T/db"
export KUBESIFT_DB="$T/db/k.db"
ks import -q "$TOP/fixtures/eks-1.29" "$TOP/fixtures/import" 2>/dev/null
DB=$KUBESIFT_DB
sum() { sha256sum < "$DB" | cut -c1-64; }
listing() { ls -A "$T/db" | tr '\n' ' '; }
SUM=$(sum)
LIST=$(listing)
ROWS=$(q 'SELECT count(*) FROM sources')

# unchanged WHAT: the database file and its folder are as they were.
unchanged() {
	[ "$(sum)" = "$SUM" ] || fail "$1: the database file changed"
	[ "$(listing)" = "$LIST" ] || fail "$1: files appeared: $(listing)"
}

# refused WHAT SQL: exit 1, a message, nothing changed.
refused() {
	st=0
	ks sql "$2" > "$T/out" 2> "$T/err" || st=$?
	[ $st -eq 1 ] || fail "$1: exit $st (expected 1): $(cat "$T/out" "$T/err")"
	grep -q '^kubesift: sql: ' "$T/err" || fail "$1: no message: $(cat "$T/err")"
	unchanged "$1"
	echo "ok - refused: $1 ($(head -n 1 "$T/err" | cut -c 16-80))"
}

# Positive controls: reads work.
eq "a SELECT works" "$ROWS" "$(q 'SELECT count(*) FROM sources')"
eq "a recursive CTE works" 5 "$(q 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT count(*) FROM c')"
eq "a reading pragma works" id "$(ks sql -o csv 'PRAGMA table_info(sources)' | sed -n 2p | cut -d, -f2)"
unchanged "reads"

refused DELETE "DELETE FROM sources"
refused "DELETE with a LIMIT" "DELETE FROM rejects WHERE 1 LIMIT 1"
refused UPDATE "UPDATE sources SET path = 'forged'"
refused INSERT "INSERT INTO rejects(source_id, reason) VALUES (1, 'forged')"
refused "INSERT ... SELECT" "INSERT INTO rejects(source_id, reason) SELECT id, 'x' FROM sources"
refused REPLACE "REPLACE INTO rejects(id, source_id, reason) VALUES (1, 1, 'forged')"
refused UPSERT "INSERT INTO rejects(id, source_id, reason) VALUES (1, 1, 'x') ON CONFLICT(id) DO UPDATE SET reason = 'forged'"
refused "DROP TABLE" "DROP TABLE sources"
refused "DROP VIEW" "DROP VIEW IF EXISTS requests"
refused "DROP INDEX" "DROP INDEX IF EXISTS sources_parent"
refused "CREATE TABLE" "CREATE TABLE t(x)"
refused "CREATE TEMP TABLE" "CREATE TEMP TABLE t(x)"
refused "CREATE TABLE AS" "CREATE TABLE t AS SELECT * FROM sources"
refused "CREATE VIEW" "CREATE VIEW v AS SELECT 1"
refused "CREATE TEMP VIEW" "CREATE TEMP VIEW v AS SELECT 1"
refused "CREATE INDEX" "CREATE INDEX i ON sources(path)"
refused "CREATE TRIGGER" "CREATE TEMP TRIGGER tr AFTER INSERT ON rejects BEGIN SELECT 1; END"
refused "CREATE VIRTUAL TABLE" "CREATE VIRTUAL TABLE temp.f USING fts4(x)"
refused "ALTER TABLE" "ALTER TABLE sources ADD COLUMN forged TEXT"
refused "ALTER TABLE RENAME" "ALTER TABLE sources RENAME TO s2"
refused ATTACH "ATTACH DATABASE '$T/db/other.db' AS o"
refused "ATTACH a URI that creates" "ATTACH 'file:$T/db/other2.db?mode=rwc' AS o"
refused "ATTACH in memory" "ATTACH ':memory:' AS m"
refused DETACH "DETACH DATABASE temp"
refused "PRAGMA writable_schema" "PRAGMA writable_schema = 1"
refused "PRAGMA writable_schema ON" "PRAGMA main.writable_schema = ON"
refused "PRAGMA journal_mode=WAL" "PRAGMA journal_mode = WAL"
refused "PRAGMA journal_mode=DELETE" "PRAGMA journal_mode = DELETE"
refused "PRAGMA user_version=" "PRAGMA user_version = 99"
refused "PRAGMA schema_version=" "PRAGMA schema_version = 1"
refused "PRAGMA query_only=0" "PRAGMA query_only = 0"
refused "PRAGMA trusted_schema=1" "PRAGMA trusted_schema = 1"
refused "PRAGMA cache_size=" "PRAGMA cache_size = 1"
refused "PRAGMA wal_checkpoint" "PRAGMA wal_checkpoint(TRUNCATE)"
refused "PRAGMA optimize" "PRAGMA optimize"
refused "PRAGMA incremental_vacuum" "PRAGMA incremental_vacuum"
refused "PRAGMA temp_store_directory" "PRAGMA temp_store_directory = '$T/db'"
refused "pragma function with an argument" "SELECT * FROM pragma_journal_mode('wal')"
refused "pragma function setting" "SELECT * FROM pragma_user_version(5)"
refused "load_extension()" "SELECT load_extension('$T/db/evil.so')"
refused "load_extension() in a subquery" "SELECT (SELECT load_extension('libc.so.6', 'system'))"
refused VACUUM "VACUUM"
refused "VACUUM INTO" "VACUUM INTO '$T/db/copy.db'"
refused REINDEX "REINDEX"
refused ANALYZE "ANALYZE"
refused BEGIN "BEGIN IMMEDIATE"
refused SAVEPOINT "SAVEPOINT s"
refused "two statements" "SELECT 1; DELETE FROM sources"
refused "two statements, no space" "SELECT 1;DROP TABLE sources"
refused "two statements after a comment" "SELECT 1 /* ; */; UPDATE sources SET path = 'x'"
refused "two reads" "SELECT 1; SELECT 2"
refused "a statement after a line comment" "SELECT 1; -- c
DELETE FROM sources"
# A trailing comment or semicolon is not a second statement.
for tail in "; -- why" "; /* why */ ;" " -- why" ";;"; do
	eq "SELECT 42$tail: answered" 42 "$(ks -o csv sql "SELECT 42$tail" | tr -d "\r" | sed -n 2p)"
	unchanged "SELECT 42$tail"
done
refused "a write in a CTE" "WITH x AS (SELECT 1) DELETE FROM sources"
refused "an INSERT fed by a CTE" "WITH x(i) AS (SELECT 1) INSERT INTO rejects(source_id, reason) SELECT i, 'forged' FROM x"
refused "an UPDATE under a recursive CTE" "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3) UPDATE sources SET path = 'x' WHERE id IN c"
refused "writefile()" "SELECT writefile('$T/db/w', 'x')"
refused "an unknown table" "SELECT * FROM sqlite_dbpage"
eq "nothing was created beside the database" "" "$(ls -A "$T/db" | grep -v '^k\.db$' || true)"
eq "still every source" "$ROWS" "$(q 'SELECT count(*) FROM sources')"

# A pointer leak and a pointer write: fts3_tokenizer (Debian builds SQLite
# with SQLITE_ENABLE_FTS3_TOKENIZER).
st=0; ks sql "SELECT fts3_tokenizer('simple')" > /dev/null 2>&1 || st=$?
eq "fts3_tokenizer('simple') refused (it would answer with a raw pointer)" 1 $st
unchanged "fts3_tokenizer"

# Queries never create or convert a file.
st=0; ks -d "$T/db/none.db" sql 'SELECT 1' > /dev/null 2>&1 || st=$?
eq "a query on a missing database fails" 1 $st
[ ! -e "$T/db/none.db" ] || fail "a query created a database"
printf 'not a database\n' > "$T/text.db"
st=0; ks -d "$T/text.db" sql 'SELECT 1' > /dev/null 2>&1 || st=$?
eq "a query on a file that is not a database fails" 1 $st
eq "and leaves it alone" "not a database" "$(cat "$T/text.db")"
rm "$T/text.db"
LIST=$(listing)

# A read-only file is queried as it is.
chmod 444 "$DB"
eq "a read-only database is readable" "$ROWS" "$(q 'SELECT count(*) FROM sources')"
chmod 644 "$DB"

# A database from elsewhere whose views try what queries may not do.
cp "$DB" "$T/hostile.db"
sqlite3 "$T/hostile.db" "DROP VIEW IF EXISTS timeline; CREATE VIEW timeline AS SELECT load_extension('$T/evil.so') AS x;
    CREATE VIEW v_attach AS SELECT * FROM pragma_user_version(7);
    CREATE VIEW v_tok AS SELECT fts3_tokenizer('simple') AS p;"
HSUM=$(sha256sum < "$T/hostile.db" | cut -c1-64)
for v in timeline v_attach v_tok; do
	st=0; ks -d "$T/hostile.db" sql "SELECT * FROM $v" > "$T/out" 2>&1 || st=$?
	[ $st -eq 1 ] || fail "hostile view $v: exit $st: $(cat "$T/out")"
	echo "ok - hostile view $v refused: $(head -n 1 "$T/out" | cut -c 1-70)"
done
eq "hostile database unchanged" "$HSUM" "$(sha256sum < "$T/hostile.db" | cut -c1-64)"
rm "$T/hostile.db"

# Filter values are values: an injection gives what an unknown name gives.
inj1="nobody' OR '1'='1"
inj2='nobody"; DROP TABLE sources; --'
inj3="x') UNION SELECT path, sha256, 1, 1, 1, 1, 1, 1 FROM sources --"
for c in denied timeline actors remediate report; do
	ks help | grep -q "^  $c " || continue
	for opt in --actor --resource --namespace; do
		ks $c --help 2>&1 | grep -q -- "$opt " || continue
		st0=0; ks $c $opt nobody > "$T/plain" 2>&1 || st0=$?
		vals="inj1 inj3"
		[ $opt = --actor ] && vals="inj1 inj2 inj3"
		for iv in $vals; do
			eval "v=\$$iv"
			st=0; ks $c $opt "$v" > "$T/inj" 2>&1 || st=$?
			[ $st -eq $st0 ] || fail "$c $opt '$v': exit $st, but $st0 for an unknown name: $(head -n 3 "$T/inj")"
			# The same rows as an unknown name (messages may quote it).
			[ "$(grep -vc 'nobody\|x.)' "$T/inj" || true)" = "$(grep -vc 'nobody' "$T/plain" || true)" ] ||
			    fail "$c $opt '$v': not the answer for an unknown name: $(head -n 5 "$T/inj")"
		done
	done
	unchanged "$c filters"
	echo "ok - $c: filter values are not SQL"
done
if ks help | grep -q '^  who-can '; then
	for v in "$inj1" "$inj2" "$inj3"; do
		st=0; ks who-can get "$v" > /dev/null 2>&1 || st=$?
		[ $st -le 1 ] || fail "who-can RESOURCE injection: exit $st"
		st=0; ks who-can "$v" pods > /dev/null 2>&1 || st=$?
		[ $st -le 1 ] || fail "who-can VERB injection: exit $st"
		st=0; ks who-can get pods -n "$v" > /dev/null 2>&1 || st=$?
		[ $st -le 1 ] || fail "who-can -n injection: exit $st"
	done
	unchanged "who-can"
	echo "ok - who-can: operands are not SQL"
fi
if ks help | grep -q '^  can '; then
	for v in "$inj1" "$inj2" "$inj3"; do
		st=0; ks can "$v" get pods > /dev/null 2>&1 || st=$?
		[ $st -le 1 ] || fail "can ACTOR injection: exit $st"
		st=0; ks can system:anonymous get pods -n "$v" > /dev/null 2>&1 || st=$?
		[ $st -le 1 ] || fail "can -n injection: exit $st"
	done
	unchanged "can"
	echo "ok - can: operands are not SQL"
fi
eq "the evidence is as imported" "$SUM" "$(sum)"

# Table-valued functions read (json_each declares its columns as a schema
# change would); the schema itself still cannot be written.
eq "sql: json_each reads" "1 2" "$(ks sql -o csv "SELECT value FROM json_each('[1,2]')" | tail -n +2 | tr -d '\r' | paste -sd' ')"
eq "sql: json_tree reads" 4 "$(ks sql -o csv "SELECT count(*) FROM json_tree('{\"a\":[1,2]}')" | tail -1 | tr -d '\r')"
st=0; ks sql "UPDATE sqlite_master SET type = 'x'" > /dev/null 2>&1 || st=$?
eq "sql: sqlite_master is not written" 1 "$st"
eq "the evidence is still as imported" "$SUM" "$(sum)"
