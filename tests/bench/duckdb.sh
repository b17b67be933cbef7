# DuckDB beside kubesift in `make bench` (issue 14): the shape's log
# loaded into DuckDB (read_ndjson_auto into a table, tests/bench/duckdb.mjs,
# through Node and @duckdb/node-api, which npm installs into BUILD/duckdb
# on the first run), against kubesift's import, its --no-raw database and
# `denied`.  Goals: import <= DuckDB's load; --no-raw database <= DuckDB's
# file; `denied` (the whole process) <= the same question in DuckDB's
# process.  CPU (user + system, every thread, from process.cpuUsage() on
# DuckDB's side) decides; wall time is printed beside it.  Without Node,
# npm or the package (no registry), a row says so and the run goes on.
#
# Sourced by bench.sh: duck_rows SHAPE reads its variables log (the
# JSON Lines), db (the database imported from it), D, KS, REPEAT,
# BUILD_DIR's path in DUCK_MOD, and the cost files $D/imp.SHAPE (the
# import) and $D/noraw.db (the --no-raw import).
DUCK_MOD="$PWD/$build/duckdb"
DUCK_PKG=@duckdb/node-api@1.5.6-r.1

# duck_ready: 0 when Node can load the package (installed on first use);
# else a reason on standard output.
duck_ready() {
	command -v node > /dev/null || { echo "node is not installed"; return 1; }
	if [ ! -d "$DUCK_MOD/node_modules/@duckdb/node-api" ]; then
		command -v npm > /dev/null ||
		    { echo "npm is not installed"; return 1; }
		say "npm install $DUCK_PKG into $DUCK_MOD"
		mkdir -p "$DUCK_MOD"
		npm install --prefix "$DUCK_MOD" --no-audit --no-fund --silent \
		    "$DUCK_PKG" > /dev/null 2>&1 ||
		    { echo "npm install $DUCK_PKG failed (no registry?)"; return 1; }
	fi
	# Node finds the package beside the script: run a copy in DUCK_MOD.
	cp "$HERE/duckdb.mjs" "$DUCK_MOD/duckdb.mjs"
}

# duck_ratio A B: A / B, two decimals.
duck_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }'
}

# duck_rows SHAPE: DuckDB's rows for the shape.
duck_rows() {
	if ! why=$(duck_ready); then
		say "DuckDB side by side skipped: $why"
		row "$1" "DuckDB side by side: skipped" - - - 0 - - "$why"
		return 0
	fi
	say "$1: DuckDB load of the same events"
	rm -f "$D/duck.db" "$D/duck.db.wal"
	if ! nice node "$DUCK_MOD/duckdb.mjs" "$log" "$D/duck.db" \
	    > "$D/duck.json"; then
		row "$1" "DuckDB side by side: node failed" - - - 0 ">=" 1
		return 0
	fi
	duck_size=$(wc -c < "$D/duck.db")
	rm -f "$D/duck.db" "$D/duck.db.wal"
	jv() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$D/duck.json"; }

	c=$(calc "$(field "$D/imp.$1" 1) / 1e6")
	w=$(calc "$(field "$D/imp.$1" 2) / 1e6")
	dc=$(calc "$(jv load_cpu_ms) / 1000") dw=$(calc "$(jv load_ms) / 1000")
	row "$1" "import vs DuckDB's load" cpu "$c s" "DuckDB $dc s" \
	    "$(duck_ratio "$c" "$dc")" "<=" 1.00
	row "$1" "import vs DuckDB's load" wall "$w s" "DuckDB $dw s" \
	    "$(duck_ratio "$w" "$dw")" "<=" 1.00
	ks_size=$(wc -c < "$D/noraw.db")
	row "$1" "database, --no-raw, vs DuckDB's" size \
	    "$(mib "$ks_size") MiB" "DuckDB $(mib "$duck_size") MiB" \
	    "$(duck_ratio "$ks_size" "$duck_size")" "<=" 1.00

	# denied on the database with raw kept (the one the commands use),
	# -o json to count its refused requests against DuckDB's.
	say "$1: denied -o json, for DuckDB"
	bc=999999999999 bw=999999999999
	for i in $(seq "$REPEAT"); do
		cost "$D/dd.c" "$KS" -q -d "$db" -o json denied
		v=$(field "$D/dd.c" 1)
		[ "$v" -lt "$bc" ] && bc=$v
		v=$(field "$D/dd.c" 2)
		[ "$v" -lt "$bw" ] && bw=$v
	done
	refused=$("$KS" -q -d "$db" -o json denied | awk -F'"count":' '
	    NF > 1 { for (i = 2; i <= NF; i++) { split($i, a, /[,}]/)
	    s += a[1] } } END { print s + 0 }')
	note="$(jv refused) refused requests in $(jv groups) groups"
	[ "$refused" = "$(jv refused)" ] ||
	    note="answers differ: $refused vs $(jv refused) refused"
	row "$1" "denied (whole process) vs DuckDB in process" cpu \
	    "$(calc "$bc / 1000") ms" "DuckDB $(jv denied_cpu_ms) ms" \
	    "$(duck_ratio "$(calc "$bc / 1000")" "$(jv denied_cpu_ms)")" \
	    "<=" 1.00 "$note"
	row "$1" "denied (whole process) vs DuckDB in process" wall \
	    "$(calc "$bw / 1000") ms" "DuckDB $(jv denied_ms) ms" \
	    "$(duck_ratio "$(calc "$bw / 1000")" "$(jv denied_ms)")" \
	    "<=" 1.00
}
