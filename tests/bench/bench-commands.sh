# The query commands of issue 14 on one database of one shape, each
# against its budget: every query command <= 50 ms, remediate <= 300 ms,
# report -o html <= 1 s, CPU time of the whole process (start included),
# the least of BENCH_REPEAT runs.  Sourced by bench.sh (its helpers: row,
# cost, field, calc, say, get, human; its variables D, KS, N, REPEAT,
# TIMEOUT).
#
# bc_all      every command on a database
# bc_narrow   narrow questions (one namespace, one actor, a five-minute
#             window: answers of the same size at both sizes) on the
#             N-event and the GROWTH x N-event databases: a query's time
#             must not grow with the events outside its answer
# bc_stream   timeline with no bucket, to a pipe: the first line, lines
#             per second, peak memory

# bc_at M: the generated data's start plus M minutes, RFC 3339.
bc_at() {
	date -u -d "@$((1709632800 + $1 * 60))" +%Y-%m-%dT%H:%M:%S.250000Z
}

# A five-minute window in the middle of the N-event data (300 events a
# second of simulated time), inside the larger data too.
bc_m0=$((N / 300 / 60 / 2))
BC_W1=$(bc_at "$bc_m0")
BC_W2=$(bc_at "$((bc_m0 + 5))")

# bc_cost SHAPE DB NAME ARGS...: the least CPU time (us) of REPEAT runs of
# `kubesift -q -d DB ARGS` into $D/bc.t; a note (a kill, an exit status
# that is no answer) into $D/bc.note.  A run over 2 s is not repeated.
bc_cost() {
	bk_bdb=$2 bk_name=$3
	shift 3
	bk_best= bk_note= bk_i=0
	while [ "$bk_i" -lt "$REPEAT" ]; do
		bk_i=$((bk_i + 1))
		bk_st=0
		cost "$D/bc.c" "$KS" -q -d "$bk_bdb" "$@" || bk_st=$?
		case "$bk_st:$bk_name" in
		0:*|1:can*|2:can*) ;;
		124:*) bk_note="killed after $TIMEOUT s";;
		*) bk_note="exit status $bk_st";;
		esac
		bk_v=$(field "$D/bc.c" 1)
		if [ -z "$bk_best" ] || [ "$bk_v" -lt "$bk_best" ]; then
			bk_best=$bk_v
		fi
		[ "$bk_v" -lt 2000000 ] && [ -z "$bk_note" ] || break
	done
	echo "$bk_best" > "$D/bc.t"
	echo "$bk_note" > "$D/bc.note"
}

# bc_ms US: microseconds as milliseconds, or seconds from 10 s.
bc_ms() {
	awk -v t="$1" 'BEGIN { if (t >= 1e7) printf "%.2f s", t / 1e6
	    else printf "%.2f ms", t / 1e3 }'
}

# bc_one SHAPE DB LABEL NAME BUDGET_MS ARGS...: one command against its
# budget.
bc_one() {
	shape=$1 bdb=$2 label=$3 name=$4 limit=$5
	shift 5
	say "$shape, $label: $name"
	bc_cost "$shape" "$bdb" "$name" "$@"
	t=$(get bc.t)
	row "$shape" "$label: $name" cpu "$(bc_ms "$t")" \
	    "budget $limit ms" "$(calc "$t / 1000 / $limit")" "<=" 1.00 \
	    "$(get bc.note)"
}

# bc_actor DB: the actor with the most requests.
bc_actor() {
	"$KS" -q -d "$1" -o csv sql "SELECT actor FROM request_total JOIN
	    rollup_groups ON id = gid GROUP BY 1
	    ORDER BY sum(allowed + denied) DESC LIMIT 1" | sed -n 2p
}

# bc_all SHAPE DB LABEL: every query command of issue 14.
bc_all() {
	w="--since $BC_W1 --until $BC_W2"
	sa=system:serviceaccount:tenant-001:app-0
	for spec in \
	    "denied|50|-o csv denied" \
	    "denied, 5-min window|50|-o csv denied $w" \
	    "denied --decision forbid|50|-o csv denied --decision forbid" \
	    "actors|50|-o csv actors" \
	    "actors, 5-min window|50|-o csv actors $w" \
	    "actors --decision forbid|50|-o csv actors --decision forbid" \
	    "summary|50|-o csv summary" \
	    "summary, 5-min window|50|-o csv summary $w" \
	    "timeline --bucket 1h|50|-o csv timeline --bucket 1h" \
	    "timeline --bucket 1h --decision forbid|50|-o csv timeline --bucket 1h --decision forbid" \
	    "who-can get secrets|50|-o csv who-can get secrets" \
	    "can (a service account) get secrets|50|-o csv can $sa get secrets -n tenant-001" \
	    "detect|50|-o csv detect" \
	    "remediate|300|remediate" \
	    "report -o html|1000|-o html report"; do
		name=${spec%%|*} rest=${spec#*|}
		limit=${rest%%|*} args=${rest#*|}
		# shellcheck disable=SC2086
		bc_one "$1" "$2" "$3" "$name" "$limit" $args
	done
}

# bc_narrow SHAPE SMALL_DB BIG_DB SMALL_LABEL BIG_LABEL: the narrow
# questions on both databases; the larger one's time against the
# smaller's (and their answers compared: the larger log begins with the
# smaller's events, but a long request received in the window may end
# after the smaller log does, so at 200k, whose window ends 1.5 minutes
# before the log, "answers differ" can be the data's; at 1M they agree).
bc_narrow() {
	ns=kube-system
	[ "$1" = many ] && ns=tenant-007
	actor=$(bc_actor "$2")
	w="--since $BC_W1 --until $BC_W2"
	for spec in \
	    "denied, 5-min window|-o csv denied $w" \
	    "denied -n $ns, 5-min window|-o csv denied --namespace $ns $w" \
	    "actors, 5-min window|-o csv actors $w" \
	    "one actor's 5-min window per hour|-o csv timeline --bucket 1h --actor $actor $w"; do
		name=${spec%%|*} args=${spec#*|}
		say "$1: $name, $5 against $4"
		# shellcheck disable=SC2086
		bc_cost "$1" "$2" "$name" $args
		a=$(get bc.t)
		# shellcheck disable=SC2086
		bc_cost "$1" "$3" "$name" $args
		b=$(get bc.t)
		note=$(get bc.note)
		# shellcheck disable=SC2086
		"$KS" -q -d "$2" $args > "$D/bc.a" || :
		# shellcheck disable=SC2086
		"$KS" -q -d "$3" $args > "$D/bc.b" || :
		cmp -s "$D/bc.a" "$D/bc.b" || note="${note:+$note; }answers differ"
		row "$1" "$name, $5 vs $4" cpu "$(calc "$b / 1000") ms" \
		    "$4 $(calc "$a / 1000") ms" "$(calc "$b / $a")" "<=" 1.25 \
		    "$note"
	done
}

# bc_stream SHAPE DB LABEL: `timeline -o csv` (every request) read from a
# pipe, REPEAT times (once if a run takes over 20 s): the first row's
# wall time (the header skipped), lines per wall second, peak memory.
# Keeps the figures in $D/stream.SHAPE.LABEL; a second LABEL of the same
# shape is compared with the first's memory.
bc_stream() {
	bs_out="$D/stream.$1.$3"
	: > "$bs_out"
	i=0
	while [ "$i" -lt "$REPEAT" ]; do
		i=$((i + 1))
		say "$1, $3: timeline to a pipe, run $i"
		st=0
		cost "$D/bc.s" -l 2 "$KS" -q -d "$2" -o csv timeline || st=$?
		[ "$st" -eq 0 ] || { say "timeline: exit status $st"; break; }
		cat "$D/bc.s" >> "$bs_out"
		[ "$(field "$D/bc.s" 2)" -lt 20000000 ] || break
	done
	[ -s "$bs_out" ] || { row "$1" "$3: timeline" - failed - 0 ">=" 1 \
	    "exit status $st"; return 0; }
	# cpu wall rss first lines, over the runs: least first line, best
	# rate, highest memory.
	set -- "$1" "$2" "$3" "$(awk '{ if (NR == 1 || $4 < f) f = $4
	    r = $5 / ($2 / 1e6); if (r > rate) { rate = r; c = $5 / ($1 / 1e6) }
	    if ($3 > m) m = $3 }
	    END { printf "%.1f %d %d %d %d", f / 1000, rate, c, m, $5 }' "$bs_out")"
	# shellcheck disable=SC2086
	set -- "$1" "$2" "$3" $4
	row "$1" "$3: timeline, first row" wall "$4 ms" "budget 50 ms" \
	    "$(calc "$4 / 50")" "<=" 1.00
	row "$1" "$3: timeline to a pipe, lines/s" wall "$5" "200000" \
	    "$(calc "$5 / 200000")" ">=" 1.00 "$8 lines; $6/s CPU"
	row "$1" "$3: timeline peak RSS vs 64 MiB" rss \
	    "$(calc "$7 / 1024") MiB" "64 MiB" "$(calc "$7 / 65536")" "<=" 1.00
	[ -f "$D/stream1.$1" ] || echo "$3" > "$D/stream1.$1"
	first=$(cat "$D/stream1.$1")
	if [ "$first" != "$3" ]; then
		m1=$(awk '$3 > m { m = $3 } END { print m }' \
		    "$D/stream.$1.$first")
		row "$1" "timeline peak RSS, $3 vs $first" rss \
		    "$(calc "$7 / 1024") MiB" "$(calc "$m1 / 1024") MiB" \
		    "$(calc "$7 / $m1")" "<=" 1.10
	fi
}
