# Issue 6's figures, on request (BENCH_ONLY naming workers, memory, list
# or queries), on the few-refusals shape.  Sourced by bench.sh (its
# helpers and variables; log, db and n of the shape being run).
#
#   workers  import of the log as a tar.gz with 2 workers against 1
#            (wall: a speed-up)
#   memory   peak memory importing a 1 GB log against a 100 MB one
#   list     peak memory importing a 300 MB `kubectl get pods -A -o json`
#            List (tests/bench/gen-pods.sh)
#   queries  SQL answers (the refused requests; one actor's and every
#            actor's hourly requests from the rollup) against grep + jq
#            over the log, whose answers must agree

# older_rows SHAPE: the groups asked for, when SHAPE is few.
older_rows() {
	[ "$1" = few ] || return 0
	want workers && older_workers
	want memory && older_memory
	want list && older_list
	want queries && older_queries
	return 0
}

older_workers() {
	say "few: import of a tar.gz, 2 workers and 1"
	mkdir -p "$D/tgz"
	cp "$log" "$D/tgz/audit.log"
	tar -C "$D/tgz" -czf "$D/events.tar.gz" audit.log
	rm -rf "$D/tgz"
	import "$D/w2" "$D/w.db" "$D/events.tar.gz"
	import "$D/w1" "$D/w.db" --workers 1 "$D/events.tar.gz"
	rm -f "$D/w.db" "$D/events.tar.gz"
	a=$(secs "$D/w2" 2) b=$(secs "$D/w1" 2)
	row few "import tar.gz, 2 workers vs 1 (speed-up)" wall "$a s" \
	    "1 worker $b s" "$(calc "$b / $a")" ">=" 1.60
}

older_memory() {
	big=$((1000 * 1000 * 1000 / (bytes / n)))
	"$GEN" --events "$big" > "$D/big.log"
	head -n "$((big / 10))" "$D/big.log" > "$D/small.log"
	say "few: import of a 1 GB log and of a 100 MB one"
	import "$D/big" "$D/mem.db" "$D/big.log"
	import "$D/small" "$D/mem.db" "$D/small.log"
	rm -f "$D/mem.db" "$D/big.log" "$D/small.log"
	a=$(field "$D/big" 3) b=$(field "$D/small" 3)
	row few "peak RSS, 1 GB audit log vs 100 MB one" rss \
	    "$(calc "$a / 1024") MiB" "$(calc "$b / 1024") MiB" \
	    "$(calc "$a / $b")" "<=" 1.10
}

older_list() {
	sh "$HERE/gen-pods.sh" 300000000 > "$D/pods.json"
	say "few: import of a $(calc "$(wc -c < "$D/pods.json") / 1e6") MB List"
	import "$D/list" "$D/list.db" "$D/pods.json"
	rm -f "$D/list.db" "$D/pods.json"
	a=$(field "$D/list" 3)
	row few "peak RSS, 300 MB kubectl List vs 256 MiB" rss \
	    "$(calc "$a / 1024") MiB" "256 MiB" "$(calc "$a / 262144")" "<=" 1.00
}

# older_sum N: the sum of column N of CSV rows (after the header).
older_sum() { awk -F, -v c="$1" 'NR > 1 { s += $c } END { print s + 0 }'; }

older_queries() {
	actor=$(bc_actor "$db")
	qa=$(printf '%s' "$actor" | sed "s/'/''/g")
	JQ_ACTOR='(.impersonatedUser.username // .user.username)'
	JQ_FINAL='(.requestReceivedTimestamp // .timestamp) != null and
	    (.stage == null or .stage == "ResponseComplete" or
	    .stage == "Panic")'
	for spec in \
	    "refused requests grouped|5|SELECT coalesce(impersonated_user, username), verb, resource, namespace, count(*) FROM audit_events WHERE code = 403 OR decision = 'forbid' GROUP BY 1, 2, 3, 4" \
	    "one actor's hourly requests|2|SELECT minute / 3600000000, sum(allowed + denied) FROM activity_minute WHERE actor = '$qa' GROUP BY 1" \
	    "every actor's hourly requests|3|SELECT actor, minute / 3600000000, sum(allowed + denied) FROM activity_minute GROUP BY 1, 2"; do
		name=${spec%%|*} rest=${spec#*|}
		col=${rest%%|*} sql=${rest#*|}
		say "few: $name, SQL and grep + jq"
		bc_cost few "$db" sql -o csv sql "$sql"
		a=$(get bc.t)
		case $name in
		refused*) ref="grep -E '\"code\":403|\"authorization.k8s.io/decision\":\"forbid\"' '$log' |
		    jq -r 'select(.responseStatus.code == 403 or
		    .annotations[\"authorization.k8s.io/decision\"] == \"forbid\") |
		    [$JQ_ACTOR, .verb, .objectRef.resource,
		    .objectRef.namespace] | @tsv' | sort | uniq -c";;
		one*) ref="grep -F '\"username\":\"$actor\"' '$log' |
		    jq -r --arg a '$actor' 'select($JQ_ACTOR == \$a and
		    $JQ_FINAL) | .requestReceivedTimestamp[0:13]' | sort | uniq -c";;
		*) ref="jq -r 'select($JQ_FINAL) | [$JQ_ACTOR,
		    .requestReceivedTimestamp[0:13]] | @tsv' '$log' | sort | uniq -c";;
		esac
		cost "$D/ref.c" sh -c "$ref > '$D/ref.out'"
		b=$(field "$D/ref.c" 1)
		x=$("$KS" -q -d "$db" -o csv sql "$sql" | older_sum "$col")
		y=$(awk '{ s += $1 } END { print s + 0 }' "$D/ref.out")
		note=
		[ "$x" = "$y" ] || note="answers differ: $x vs $y"
		row few "$name: SQL vs grep + jq" cpu "$(calc "$a / 1000") ms" \
		    "grep+jq $(calc "$b / 1000") ms" "$(calc "$b / $a")" ">=" 20 \
		    "$note"
	done
}
