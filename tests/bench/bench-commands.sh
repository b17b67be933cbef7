# The query commands at N and GROWTH x N events, on two shapes of
# evidence (issue 14): few denials (eks-cninodes, the main data set) and
# one request in four refused, from 2000 service accounts in 400
# namespaces (gen-audit --scenario denials).  Sourced by bench.sh (its
# helpers: row, ms, import, human, calc, say, get, want).
#
# Each command is timed whole (the process, the best of 5 runs) against
# its target; a narrow question (one namespace, a five-minute window, one
# actor) is timed again on the larger database: its time must not grow
# with the events outside its answer.  timeline without --bucket: the
# first line, then lines per second to a pipe.

# bc_db SHAPE EVENTS: the database of that shape and size, imported once.
bc_db() {
	db="$D/cmd-$1-$2.db"
	if [ ! -f "$db" ]; then
		if [ "$1" = few ] && [ "$2" = "$N" ] && [ -f "$DB" ]; then
			cp "$DB" "$db"
		else
			say "generating $(human "$2") events, shape $1"
			sc=eks-cninodes
			[ "$1" = many ] && sc=denials
			"$GEN" --events "$2" --scenario "$sc" > "$D/cmd.log"
			say "import of $(human "$2") events, shape $1"
			import "$D/cmdimp" "$db" "$D/cmd.log"
			rm -f "$D/cmd.log"
		fi
	fi
	echo "$db"
}

# The start of the data plus m minutes, RFC 3339.
bc_at() {
	date -u -d "@$((1709632800 + $1 * 60))" +%Y-%m-%dT%H:%M:%S.250000Z
}

# A command whose exit status is an answer (can: 1 is "no").
bc_run() { "$@" || :; }

# bc_time DB NAME LIMIT_MS ARGS...: one command against its target; its
# time (ms) into $D/bc.t.
bc_time() {
	db=$1 name=$2 limit=$3
	shift 3
	ms "$D/bc.t" bc_run "$KS" -q -d "$db" -o csv "$@"
	t=$(get bc.t)
	[ "$t" -gt 0 ] || t=1
	echo "$t" > "$D/bc.t"
	row "$name" "$t ms" "$limit ms" "$(calc "$t / $limit")" "<=" 1.00
}

# bc_stream DB LABEL: timeline's first line and its lines per second.
bc_stream() {
	t0=$(date +%s%N)
	"$KS" -q -d "$1" -o csv timeline | head -n 2 > /dev/null
	t1=$(date +%s%N)
	first=$(( (t1 - t0) / 1000000 ))
	[ "$first" -gt 0 ] || first=1
	row "$2 timeline: first line" "$first ms" "50 ms" \
	    "$(calc "$first / 50")" "<=" 1.00
	t0=$(date +%s%N)
	lines=$("$KS" -q -d "$1" -o csv timeline | wc -l)
	t1=$(date +%s%N)
	rate=$(calc "$lines / (($t1 - $t0) / 1e9)" | sed 's/\..*//')
	row "$2 timeline: lines per second" "$rate" "200000" \
	    "$(calc "$rate / 200000")" ">=" 1.00
}

# bc_shape SHAPE: every command on the shape at N, then growth.
bc_shape() {
	shape=$1
	small=$(bc_db "$shape" "$N")
	w1=$(bc_at 30) w2=$(bc_at 35)
	ns=kube-system
	[ "$shape" = many ] && ns=tenant-007
	actor=$("$KS" -q -d "$small" -o csv sql "SELECT actor FROM
	    request_total JOIN rollup_groups ON id = gid GROUP BY 1
	    ORDER BY sum(allowed + denied) DESC LIMIT 1" | sed -n 2p)
	L="$shape, $(human "$N"):"
	for spec in \
	    "denied|50|denied" \
	    "denied, 5-min window|50|denied --since $w1 --until $w2" \
	    "denied --decision forbid|50|denied --decision forbid" \
	    "actors|50|actors" \
	    "actors, 5-min window|50|actors --since $w1 --until $w2" \
	    "actors --decision forbid|50|actors --decision forbid" \
	    "summary|50|summary" \
	    "summary, 5-min window|50|summary --since $w1 --until $w2" \
	    "timeline --bucket 1h|50|timeline --bucket 1h" \
	    "timeline --bucket 1h --decision forbid|50|timeline --bucket 1h --decision forbid" \
	    "who-can get secrets|50|who-can get secrets" \
	    "can|50|can system:serviceaccount:tenant-001:app-0 get secrets -n tenant-001" \
	    "detect|50|detect" \
	    "remediate|300|-o json remediate" \
	    "report -o html|1000|-o html report"; do
		name=${spec%%|*} rest=${spec#*|}
		limit=${rest%%|*} args=${rest#*|}
		say "$L $name"
		# shellcheck disable=SC2086
		bc_time "$small" "$L $name" "$limit" $args
	done
	bc_stream "$small" "$L"
	want growth || return 0
	G=$((N * GROWTH))
	big=$(bc_db "$shape" "$G")
	# Narrow questions: their answers are the same size at both sizes.
	for spec in \
	    "denied -n $ns|denied --namespace $ns --since $w1 --until $w2" \
	    "actors, 5-min window|actors --since $w1 --until $w2" \
	    "one actor per hour|timeline --bucket 1h --actor $actor --until $(bc_at 55)"; do
		name=${spec%%|*} args=${spec#*|}
		# shellcheck disable=SC2086
		bc_time "$small" "$L $name" 50 $args
		a=$(get bc.t)
		# shellcheck disable=SC2086
		bc_time "$big" "$shape, $(human "$G"): $name" 50 $args
		b=$(get bc.t)
		row "$shape: $name, $(human "$G") vs $(human "$N") events" \
		    "$b ms" "$a ms" "$(calc "$b / $a")" "<=" 1.50
	done
	bc_stream "$big" "$shape, $(human "$G"):"
	rm -f "$big"
}

if want commands; then
	bc_shape few
	bc_shape many
fi
