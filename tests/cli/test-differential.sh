#!/bin/sh
# Every filter, every count: kubesift's answers to generated combinations
# of filters, compared with the same questions answered by SQL written
# here, straight on the base tables (audit_events, log_denials), never
# through kubesift's views or its code.  Seeded (DIFF_SEED, DIFF_N) and
# reproducible; a failure prints the combination and both answers.
. tests/cli/lib.sh

SEED=${DIFF_SEED:-20241205}
N=${DIFF_N:-320}
GEN=${GEN_AUDIT:-$TOP/build/gen-audit}
[ -x "$GEN" ] || fail "needs $GEN (make build/gen-audit)"

# The evidence: the EKS case (denials, an RBAC change), a plain cluster an
# hour later, hand-written events (impersonation, admission refusals,
# subresources, non-resource URLs, a request never completed, a 403
# without the decision annotation, a request without a user, a second
# copy of some events with other bytes) and plain logs whose denials
# partly repeat the audit log's.
"$GEN" --seed 7 --events 6000 --rate 4 --scenario eks-cninodes > "$T/a.log"
"$GEN" --seed 8 --events 4000 --rate 1 --start 2024-03-05T11:30:00Z \
    > "$T/b.log"
# Copies of some of a.log's events in a CloudWatch export, their messages
# cut short (partial rows, timed by the envelope: the cut takes the times
# away), at 30 to 70% of their length (before or after the response
# code): some read before a.log, some after it.
"$GEN" --seed 7 --events 6000 --rate 4 --scenario eks-cninodes \
    --format filter-log-events > "$T/a.json"
cut() {
	jq "{events: [.events | to_entries[] | select(.key as \$k | $1 |
	    index(\$k)) | .value | .message |= .[0:(length * (3 + length % 5) / 10 | floor)]]}" \
	    "$T/a.json"
}
# And copies of denials cut after their response (the code kept, the
# times lost): refused requests with a cut copy read before or after the
# whole one, whose representative must be the whole one (not among the
# first 40 denials: a-again.log, below, holds other copies of those).
cutcode() {
	jq "{events: [.events | to_entries[] | select(.key as \$k | $1 |
	    index(\$k)) | .value | .message |=
	    .[0:index(\",\\\"requestReceivedTimestamp\\\"\")]]}" \
	    "$T/a.json"
}
# And requests known only from cut copies, two of each at envelope times
# two minutes apart (another auditID: no whole copy), the later read
# first: each counts once, by its first in time.
lone() {
	jq "{events: [.events | to_entries[] | select(.key as \$k | $1 |
	    index(\$k)) | .value | .timestamp += $2 | .message |=
	    (sub(\"\\\"auditID\\\":\\\"[0-9a-f]{4}\"; \"\\\"auditID\\\":\\\"c0de\")
	    | .[0:index(\",\\\"requestReceivedTimestamp\\\"\")])]}" "$T/a.json"
}
{ cut '[10, 11, 12, 1218, 1224]'; cutcode '[1584, 1593]'
  lone '[1610, 1700, 1702]' 120000; } > "$T/cut-first.json"
{ cut '[20, 21, 22, 1231, 1242, 1250, 3000]'; cutcode '[1599, 1604]'
  lone '[1610, 1700, 1702]' 0; } > "$T/cut-after.json"
[ "$(jq -s '[.[].events[]] | length' "$T/cut-after.json")" = 12 ] ||
    fail "the cut copies were not made"
[ "$(jq -s '[.[].events[].message | select(test("\"code\":403}$"))] |
    length' "$T/cut-first.json" "$T/cut-after.json")" = 6 ] ||
    fail "the copies cut after their code were not made"
# In four imports, so that the rollups kept at import are extended, and
# the last brings other bytes of requests already counted (the same
# auditIDs and times: nothing new to count, but their denials recomputed).
ks import -q "$T/cut-first.json" 2> /dev/null
ks import -q "$T/a.log"
ks import -q "$T/b.log" "$T/cut-after.json" fixtures/differential \
    fixtures/eks-1.29/controller.log fixtures/eks-1.29/snapshot 2> /dev/null
eq "the cut copies are partial rows" 22 \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM audit_events WHERE partial = 1")"
grep '"code":403' "$T/a.log" | head -n 40 | sed 's/"level":"/"level": "/' \
    > "$T/a-again.log"
ks import -q "$T/a-again.log"
# Actors no fixed-size key would hold apart: 3000 bytes, the same with
# one more, and names with the unit separator (\u001f) in them.
long=$(head -c 3000 /dev/zero | tr '\0' a)
odd() {
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"odd-%s","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/n/pods","verb":"list","user":{"username":"%s"},"objectRef":{"resource":"pods","namespace":"n","apiVersion":"v1"},"responseStatus":{"code":%s},"requestReceivedTimestamp":"2024-03-05T10:20:0%sZ","stageTimestamp":"2024-03-05T10:20:0%sZ"}\n' "$1" "$2" "$3" "$1" "$1"
}
{ odd 1 "$long" 403; odd 2 "${long}b" 403; odd 3 'x\u001fy' 200
  odd 4 'x\u001f' 403; odd 5 'x' 200; } > "$T/odd.log"
# (In a database of their own: the commands show \u001f escaped.)
KUBESIFT_DB="$T/odd.db" ks import -q "$T/odd.log"
eq "actors of any length and bytes: the rollups as the requests say" \
    "$(sqlite3 "$T/odd.db" "SELECT hex(actor), decision, count(*), sum(refused) FROM request_outcomes GROUP BY actor, decision ORDER BY 1, 2")" \
    "$(sqlite3 "$T/odd.db" "SELECT hex(actor), decision, allowed + denied, denied FROM request_actor ORDER BY 1, 2")"
eq "actors of any length and bytes: one group each" 5 \
    "$(sqlite3 "$T/odd.db" "SELECT count(DISTINCT actor) FROM rollup_groups r JOIN request_total t ON t.gid = r.id")"
accounting_holds

# The test's own reading of the rules in kubesift(1) and
# kubesift-schema(7), on the base tables.  A request is counted once, by
# its final stage; its time is requestReceivedTimestamp; it is refused when
# any of those rows says 403 or forbid.  dec is the authorizer's decision:
# the annotation, else forbid for a 403.  Log denials: one per object per
# second, none when an audit denial of the same actor, verb and resource
# lies within five seconds.
cat > "$T/base.sql" <<'SQL'
CREATE TEMP VIEW t_counted AS
SELECT coalesce(impersonated_user, username) AS actor, verb, api_group,
    resource, subresource, namespace, received_us AS t,
    CASE WHEN code = 403 OR decision = 'forbid' THEN 1 ELSE 0 END AS refused,
    CASE WHEN decision = 'forbid' THEN 'forbid'
         WHEN decision = 'allow' THEN 'allow'
         WHEN code = 403 THEN 'forbid' ELSE 'allow' END AS dec,
    'audit' AS origin
FROM audit_events e
WHERE (stage IS NULL OR stage IN ('ResponseComplete', 'Panic'))
    -- The same request read twice (another copy of the log): the first,
    -- a whole record before one a cloud cut short; a record cut short
    -- not at all when a whole final stage of its auditID is stored
    -- (whatever its time: the cut copy's is often its envelope's).
    AND e.id = (SELECT c.id FROM audit_events c
	WHERE ((c.audit_key = e.audit_key AND c.received_us IS e.received_us)
	    OR c.id = e.id)
	AND (c.stage IS NULL OR c.stage IN ('ResponseComplete', 'Panic'))
	ORDER BY c.partial, c.id LIMIT 1)
    AND NOT (e.partial = 1 AND EXISTS (SELECT 1 FROM audit_events w
	WHERE w.audit_key = e.audit_key AND w.partial = 0
	AND (w.stage IS NULL OR w.stage IN ('ResponseComplete', 'Panic'))))
    -- Cut copies alone: the first in time (then the first stored, above).
    AND NOT (e.partial = 1 AND EXISTS (SELECT 1 FROM audit_events c
	WHERE c.audit_key = e.audit_key AND c.partial = 1
	AND (c.stage IS NULL OR c.stage IN ('ResponseComplete', 'Panic'))
	AND (c.received_us < e.received_us OR (e.received_us IS NULL
	    AND c.received_us IS NOT NULL))));
CREATE TEMP VIEW t_logden AS
SELECT username AS actor, verb, api_group, resource, subresource, namespace,
    min(time_us) AS t, 1 AS refused, 'forbid' AS dec, 'log' AS origin
FROM log_denials l
WHERE NOT EXISTS (SELECT 1 FROM audit_events a
    WHERE coalesce(a.impersonated_user, a.username) = l.username
    AND a.verb = l.verb AND a.resource IS l.resource
    AND (a.code = 403 OR a.decision = 'forbid')
    AND (l.time_us IS NULL OR abs(a.received_us - l.time_us) <= 5000000))
GROUP BY username, verb, api_group, resource, subresource, namespace, name,
    path, CASE WHEN time_us IS NULL THEN -line ELSE time_us / 1000000 END;
CREATE TEMP VIEW t_auditden AS
SELECT coalesce(impersonated_user, username) AS actor, verb, api_group,
    resource, subresource, namespace, min(received_us) AS t,
    CASE WHEN sum(decision = 'allow') > 0 AND
        coalesce(sum(decision = 'forbid'), 0) = 0
        THEN 'allow' ELSE 'forbid' END AS dec
FROM audit_events WHERE code = 403 OR decision = 'forbid'
GROUP BY CASE WHEN audit_id IS NULL THEN 'row:' || id ELSE audit_id END;
CREATE TEMP VIEW t_denials AS
SELECT actor, verb, api_group, resource, subresource, namespace, t, dec,
    CASE dec WHEN 'allow' THEN 'admission' ELSE 'authorizer' END AS by
FROM t_auditden
UNION ALL SELECT actor, verb, api_group, resource, subresource, namespace,
    t, dec, 'log' FROM t_logden;
CREATE TEMP VIEW t_requests AS
SELECT * FROM t_counted UNION ALL SELECT * FROM t_logden;
SQL

latest=$(sqlite3 "$KUBESIFT_DB" "SELECT max(t) FROM (SELECT max(received_us)
    AS t FROM audit_events UNION ALL SELECT max(time_us) FROM log_denials)")
fmt() { echo "strftime('%Y-%m-%dT%H:%M:%S', ($1) / 1000000, 'unixepoch') ||
    '.' || substr('00000' || (($1) % 1000000), -6) || 'Z'"; }

# expected W BUCKET_US: the four answers, by SQL, into $T/want.*
expected() {
	w=$1; b=$2
	{
		cat "$T/base.sql"
		echo ".headers off"
		echo ".mode csv"
		echo ".output $T/want.denied"
		echo "SELECT actor, verb, api_group, resource, subresource,
		    namespace, count(*), $(fmt 'min(t)'), $(fmt 'max(t)'), by
		    FROM t_denials WHERE $w GROUP BY actor, verb, api_group,
		    resource, subresource, namespace, by
		    ORDER BY count(*) DESC, actor, verb, resource, namespace,
		    by, api_group, subresource;"
		echo ".output $T/want.actors"
		echo "SELECT actor, count(*), sum(refused),
		    CASE WHEN min(t) IS NULL THEN NULL ELSE $(fmt 'min(t)') END,
		    CASE WHEN max(t) IS NULL THEN NULL ELSE $(fmt 'max(t)') END
		    FROM t_requests WHERE $w GROUP BY actor;"
		echo ".output $T/want.timeline"
		echo "SELECT $(fmt "t - t % $b"), sum(1 - refused), sum(refused)
		    FROM t_requests WHERE t IS NOT NULL AND ($w)
		    GROUP BY t - t % $b ORDER BY t - t % $b;"
		echo ".output $T/want.summary"
		echo "SELECT 'requests', 'first', $(fmt 'min(t)')
		    FROM t_requests WHERE t IS NOT NULL AND ($w);"
		echo "SELECT 'requests', 'last', $(fmt 'max(t)')
		    FROM t_requests WHERE t IS NOT NULL AND ($w);"
		echo "SELECT 'requests', 'audited', count(*) FROM t_counted
		    WHERE $w;"
		echo "SELECT 'denials', 'audit', count(*) FROM t_denials
		    WHERE by != 'log' AND ($w);"
		echo "SELECT 'denials', 'only in logs', count(*) FROM t_denials
		    WHERE by = 'log' AND ($w);"
	} | sqlite3 -bail "$KUBESIFT_DB" || fail "the test's SQL: $w"
	# sqlite3's csv mode ends lines with CRLF, as kubesift's does.
	for f in denied actors timeline summary; do
		tr -d '\r' < "$T/want.$f" > "$T/x" && mv "$T/x" "$T/want.$f"
	done
	tr -d '"' < "$T/want.summary" > "$T/x" && mv "$T/x" "$T/want.summary"
}

# run NAME CMD...: kubesift's answer, as csv without its header, into
# $T/got.NAME; a refusal is an answer that differs.
run() {
	name=$1; shift
	if ks "$@" -q -o csv > "$T/out" 2> "$T/err"; then
		tr -d '\r' < "$T/out" | tail -n +2 > "$T/got.$name"
	else
		echo "kubesift exited $?: $(cat "$T/err")" > "$T/got.$name"
	fi
}

# got ARGS: kubesift's four answers into $T/got.*
got() {
	eval "set -- $1"
	run denied denied "$@"
	awk -F, -v OFS=, '{ print $1,$2,$3,$4,$5,$6,$7,$8,$9,$11 }' \
	    "$T/got.denied" > "$T/x" && mv "$T/x" "$T/got.denied"
	run actors actors "$@"
	awk -F, -v OFS=, '{ print $1,$3,$4,$5,$6 }' "$T/got.actors" \
	    > "$T/x" && mv "$T/x" "$T/got.actors"
	run timeline timeline --bucket "$bucket" "$@"
	# Quoting differs on a space alone; no value here holds a comma.
	run summary summary "$@"
	tr -d '"' < "$T/got.summary" | grep -E '^(requests|denials),' \
	    > "$T/x" || :
	mv "$T/x" "$T/got.summary"
}

# The actors come in an order with ties: compare sorted.  The denials'
# order has none (a group is one of each column of the order).
same() {
	if [ "${2:-}" = sorted ]; then
		sort "$T/want.$1" > "$T/a"; sort "$T/got.$1" > "$T/b"
	else
		cp "$T/want.$1" "$T/a"; cp "$T/got.$1" "$T/b"
	fi
	cmp -s "$T/a" "$T/b" && return 0
	echo "FAIL: combination $i (seed $SEED): $1 $args" >&2
	echo "  condition: $w" >&2
	diff "$T/a" "$T/b" | head -20 | sed 's/^/  /' >&2
	return 1
}

# The rollups themselves against the base tables: every request counted
# per minute and decision, every refusal per group and minute.
minute='(t / 60000000) * 60000000'
{
	cat "$T/base.sql"
	echo ".headers off"
	echo ".mode csv"
	echo ".output $T/want.rollup"
	echo "SELECT $minute, actor, verb, api_group, resource, subresource,
	    namespace, dec, sum(1 - refused), sum(refused), min(t), max(t)
	    FROM t_counted WHERE t IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;"
	echo "SELECT actor, verb, api_group, resource, subresource, namespace,
	    dec, sum(1 - refused), sum(refused), min(t), max(t)
	    FROM t_counted WHERE t IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7;"
	echo "SELECT $minute, dec, sum(1 - refused), sum(refused), min(t),
	    max(t) FROM t_counted WHERE t IS NOT NULL GROUP BY 1, 2;"
	echo "SELECT 'actor', actor, dec, sum(1 - refused), sum(refused),
	    min(t), max(t) FROM t_counted WHERE t IS NOT NULL GROUP BY 2, 3;"
	echo "SELECT $minute, actor, verb, api_group, resource, subresource,
	    namespace, by, count(*), min(t), max(t) FROM t_denials
	    WHERE by != 'log' AND t IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;"
	echo "SELECT actor, verb, api_group, resource, subresource, namespace,
	    by, count(*), min(t), max(t) FROM t_denials WHERE by != 'log'
	    GROUP BY 1, 2, 3, 4, 5, 6, 7;"
	# Each refused request by its last whole refused event (its last cut
	# one when it has none, whichever was read first): its first time,
	# greatest code, its columns and the decision of its events.
	echo "SELECT r.last, r.t, r.code, coalesce(e.impersonated_user,
	    e.username), e.verb, e.api_group, e.resource, e.subresource,
	    e.namespace, r.dec
	    FROM (SELECT max(CASE WHEN rn = 1 THEN id END) AS last,
		min(received_us) AS t, max(code) AS code,
		CASE WHEN sum(decision = 'allow') > 0 AND
		    coalesce(sum(decision = 'forbid'), 0) = 0
		    THEN 'allow' ELSE 'forbid' END AS dec
		FROM (SELECT *, row_number() OVER (PARTITION BY k
		    ORDER BY partial, id DESC) AS rn
		    FROM (SELECT *, CASE WHEN audit_id IS NULL
			THEN 'row:' || id ELSE audit_id END AS k
			FROM audit_events
			WHERE code = 403 OR decision = 'forbid'))
		GROUP BY k) r
	    JOIN audit_events e ON e.id = r.last;"
	echo "SELECT 'groups', 0;"
	echo ".output $T/got.rollup"
	# The rollups name their group by its id (rollup_groups), one row
	# per group.
	g='JOIN rollup_groups g ON g.id = gid'
	echo "SELECT minute, actor, verb, api_group, resource, subresource,
	    namespace, decision, allowed, denied, first_us, last_us
	    FROM request_minute $g;"
	echo "SELECT actor, verb, api_group, resource, subresource, namespace,
	    decision, allowed, denied, first_us, last_us FROM request_total $g;"
	echo "SELECT minute, decision, allowed, denied, first_us, last_us
	    FROM request_minute_all;"
	echo "SELECT 'actor', actor, decision, allowed, denied, first_us,
	    last_us FROM request_actor;"
	by="CASE decision WHEN 'allow' THEN 'admission' ELSE 'authorizer' END"
	echo "SELECT minute, actor, verb, api_group, resource, subresource,
	    namespace, $by, n, first_us, last_us FROM denial_minute $g;"
	echo "SELECT actor, verb, api_group, resource, subresource, namespace,
	    $by, n, first_us, last_us FROM denial_total $g;"
	echo "SELECT r.id, time, code, actor, verb, api_group, resource,
	    subresource, namespace, decision FROM denial_requests r $g;"
	echo "SELECT 'groups', count(*) - (SELECT count(*) FROM (SELECT 1
	    FROM rollup_groups GROUP BY actor, verb, api_group, resource,
	    subresource, namespace, decision)) FROM rollup_groups;"
} | sqlite3 -bail "$KUBESIFT_DB" || fail "the rollup checks' SQL"
sort "$T/want.rollup" > "$T/a"; sort "$T/got.rollup" > "$T/b"
[ "$(wc -l < "$T/a")" -gt 100 ] || fail "too few rollup rows: $(wc -l < "$T/a")"
cmp -s "$T/a" "$T/b" || { diff "$T/a" "$T/b" | head -20 >&2;
    fail "the rollups differ from the base tables"; }
echo "ok - the rollups hold what the base tables say ($(wc -l < "$T/a") rows)"
# Among them, refused requests of which a cut copy (refused too) was read
# before the whole one and after it: the representative is the whole one.
for when in "<" ">"; do
	n=$(sqlite3 "$KUBESIFT_DB" "SELECT count(DISTINCT w.audit_id)
	    FROM audit_events w JOIN audit_events c ON c.audit_id = w.audit_id
	    WHERE w.partial = 0 AND c.partial = 1 AND c.code = 403
	    AND (w.code = 403 OR w.decision = 'forbid') AND c.id $when w.id")
	[ "$n" -gt 0 ] || fail "no refused request with a cut copy read $when its whole one"
done
echo "ok - refused requests with cut copies read before and after the whole ones"

awk -v SEED="$SEED" -v N="$N" -v LATEST_US="$latest" \
    -f tests/diff/combos.awk > "$T/combos"
[ "$(wc -l < "$T/combos")" -eq "$N" ] || fail "the generator wrote too few"
# Windows whose edge minutes lie mostly inside them (counted as the
# minute's rollup less its part outside), at 4 and 1 requests a second:
# groups with requests on both sides of an edge.
b=1709632800000000 D=2024-03-05T	# $b: ${D}10:00:00Z
# fixed ARGS SINCE UNTIL COND BUCKET BUCKET_US (SINCE, UNTIL: from $b, in
# microseconds, - for none).
fixed() {
	w=1
	[ "$2" = - ] || w="$w AND (t >= $((b + $2)))"
	[ "$3" = - ] || w="$w AND (t <= $((b + $3)))"
	[ -z "$4" ] || w="$w AND ($4)"
	printf '%s\t%s\t%s\t%s\n' "$1" "$w" "$5" "$6" >> "$T/combos"
}
fixed "--since ${D}10:03:00.250000Z --until ${D}10:08:59.750000Z" \
    180250000 539750000 "" 1m 60000000
fixed "--since ${D}10:03:10.5Z --until ${D}10:05:50Z --verb get" \
    190500000 350000000 "verb = 'get'" 90s 90000000
fixed "--since ${D}11:31:05Z --until ${D}11:40:45.5Z --decision forbid" \
    5465000000 6045500000 "dec = 'forbid'" 10m 600000000
fixed "--since ${D}10:04:01.000001Z" 241000001 - "" 1h 3600000000
fixed "--until ${D}11:33:58.999999Z" - 5638999999 "" 1m 60000000
N=$((N + 5))
i=0; bad=0; rows=0
while IFS="$(printf '\t')" read -r args w bucket bucket_us; do
	i=$((i + 1))
	expected "$w" "$bucket_us"
	got "$args"
	same denied || bad=$((bad + 1))
	for c in actors summary; do
		same "$c" sorted || bad=$((bad + 1))
	done
	same timeline || bad=$((bad + 1))
	rows=$((rows + $(cat "$T/want.denied" "$T/want.actors" \
	    "$T/want.timeline" | wc -l)))
done < "$T/combos"
eq "combinations run" "$N" "$i"
eq "combinations whose answers differ" 0 "$bad"
# A test that compares empty answers proves nothing.
[ "$rows" -gt $((N * 5)) ] || fail "too few rows compared: $rows"
echo "ok - $rows answer rows compared over $N combinations"

# timeline --around: the first and last denial of each denial group (its
# actor, verb, group, resource, subresource and namespace; both decisions
# and the logs' refusals together) when it lies within the window, with
# the group's count, against t_denials: 2 minutes each side of the first
# denial, one in the middle and the last, and a day each side of the
# first (every group).
fmt_at() { sqlite3 "$KUBESIFT_DB" "SELECT $(fmt "$1")"; }
n=0
for spec in "min(t) 2" "CAST(avg(t) AS INTEGER) 2" "max(t) 2" "min(t) 1440"; do
	pick=${spec% *} mins=${spec##* }
	{ cat "$T/base.sql"; echo "SELECT $pick FROM t_denials;"; } |
	    sqlite3 -bail "$KUBESIFT_DB" > "$T/at" || fail "the test's SQL: at"
	at=$(cat "$T/at")
	lo=$((at - mins * 60000000)) hi=$((at + mins * 60000000))
	{
		cat "$T/base.sql"
		echo ".mode tabs"
		for e in "min first" "max last"; do
			set -- $e
			echo "SELECT $(fmt "$1(t)"), '$2-denial', actor, count(*)
			    FROM t_denials GROUP BY actor, verb, api_group,
			    resource, subresource, namespace
			    HAVING $1(t) BETWEEN $lo AND $hi;"
		done
	} | sqlite3 -bail "$KUBESIFT_DB" | sort > "$T/want.around" ||
	    fail "the test's SQL: around"
	ks timeline --around "$(fmt_at "$at")" --window "${mins}m" -o json |
	    jq -r '.[] | select(.what | test("-denial$")) | [.time, .what,
	    .actor, (.message | capture("^[a-z]+ of (?<n>[0-9]+) ").n)] |
	    @tsv' | sort > "$T/got.around"
	if ! cmp -s "$T/want.around" "$T/got.around"; then
		diff "$T/want.around" "$T/got.around" | head -20
		fail "--around $(fmt_at "$at") --window ${mins}m: first and last denials differ"
	fi
	n=$((n + $(wc -l < "$T/want.around")))
done
[ "$n" -gt 20 ] || fail "--around: too few denials compared ($n)"
echo "ok - timeline --around: $n first and last denials as the base tables say"
