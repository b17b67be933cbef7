# timeline without --bucket or --around streams its rows (requests read in
# time order through an index, merged with the other rows): the same rows
# as the timeline view (requests folded with window functions), in time,
# kind, source and line order, under every filter.
. tests/cli/lib.sh

"$BUILD/gen-audit" --seed 3 --events 3000 --scenario eks-cninodes \
    > "$T/audit.log"
ks import -q "$T/audit.log" "$TOP/fixtures/eks-1.29/snapshot" \
    "$TOP/fixtures/cloud" "$TOP/fixtures/admission" 2>/dev/null
# Requests whose auditID is at more than one received time, or also
# without one (the same request in two cloud envelopes): folded whole.
split=$(q "SELECT count(*) FROM (SELECT audit_id FROM audit_events
    WHERE audit_id IS NOT NULL GROUP BY audit_id
    HAVING count(DISTINCT received_us) > 1
        OR count(received_us) NOT IN (0, count(*)))")
[ "$split" -ge 1 ] || fail "the evidence has no auditID split over times"
cols="time_utc AS time, kind, actor, verb, api_group, resource,
    subresource, namespace, name, code, message, source_id, line"
order="ORDER BY timeline.time, kind, source_id, line, message"

# same NAME WHERE [timeline options...]: the streamed rows against the view's.
same() {
	name=$1 where=$2
	shift 2
	ks timeline -o csv "$@" | tr -d '\r' > "$T/got"
	ks sql -o csv "SELECT $cols FROM timeline WHERE timeline.time IS NOT
	    NULL $where $order" | tr -d '\r' > "$T/want"
	[ "$(wc -l < "$T/want")" -gt 1 ] || fail "$name: no rows to compare"
	cmp -s "$T/want" "$T/got" || fail "$name: streamed rows differ:
$(diff "$T/want" "$T/got" | head -5)"
	echo "ok - $name ($(($(wc -l < "$T/got") - 1)) rows)"
}

same "every row" ""
same "--kind request" "AND kind = 'request'" --kind request
same "--kind created" "AND kind = 'created'" --kind created
same "--decision forbid" "AND decision = 'forbid'" --decision forbid
same "--decision allow" "AND decision = 'allow'" --decision allow
same "--actor and --verb" "AND actor = 'eks:vpc-resource-controller'
    AND verb = 'patch'" --actor eks:vpc-resource-controller --verb patch
same "--namespace" "AND namespace = 'kube-system'" --namespace kube-system
# --actor NAME reads the actor's events and the auditIDs folded whole;
# --decision forbid those at the refused requests' times.
sa=$(q "SELECT actor FROM timeline_requests WHERE fid IN (SELECT id
    FROM audit_events WHERE audit_key IN (SELECT audit_key FROM timeline_split))
    AND actor IS NOT NULL LIMIT 1")
[ -n "$sa" ] || fail "no actor of an auditID folded whole"
same "--actor of an auditID folded whole" "AND actor = '$sa'" --actor "$sa"
sb=$(q "SELECT actor FROM timeline_requests WHERE actor != '$sa'
    GROUP BY actor ORDER BY count(*) LIMIT 1")
same "--actor twice" "AND actor IN ('$sa', '$sb')" --actor "$sa" --actor "$sb"
same "--actor and --decision forbid" "AND actor = 'eks:vpc-resource-controller'
    AND decision = 'forbid'" --actor eks:vpc-resource-controller \
    --decision forbid
since=$(q "SELECT time_utc FROM timeline WHERE kind = 'request'
    ORDER BY time LIMIT 1 OFFSET 500")
until=$(q "SELECT time_utc FROM timeline WHERE kind = 'request'
    ORDER BY time LIMIT 1 OFFSET 900")
same "--since and --until" "AND timeline.time BETWEEN
    (SELECT min(time) FROM timeline WHERE time_utc = '$since') AND
    (SELECT min(time) FROM timeline WHERE time_utc = '$until')" \
    --since "$since" --until "$until"

# Timesketch: the same rows, in the same order.
ks timeline -o timesketch | jq -r '[.timestamp, .kind, .line, .message] |
    @tsv' > "$T/got"
ks sql -o csv "SELECT time FROM timeline WHERE time IS NOT NULL $order" |
    tail -n +2 | tr -d '\r' > "$T/want"
eq "timesketch: the timeline's times in order" "$(md5sum < "$T/want")" \
    "$(cut -f1 "$T/got" | md5sum)"

# Times written in C (ks_sqltime_text; denied's ks_utc) and times before
# 1970, which SQLite writes: denied's times as the input says them (a
# fraction before 1970 is after the second before it, not negative).
ev() {
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"%s","user":{"username":"u"},"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"code":403},"requestReceivedTimestamp":"%s","stageTimestamp":"%s"}\n' "$@"
}
{
	ev t-1 list 1969-12-31T23:59:59.5Z 1969-12-31T23:59:59.6Z
	ev t-2 get 1950-06-01T10:00:00.123456Z 1950-06-01T10:00:00.2Z
	ev t-3 watch 2024-02-29T23:59:59.999999Z 2024-03-01T00:00:00Z
} > "$T/times.jsonl"
KUBESIFT_DB="$T/times.db" ks import -q "$T/times.jsonl"
eq "denied: times as the input has them" \
    "get,1950-06-01T10:00:00.123456Z
list,1969-12-31T23:59:59.500000Z
watch,2024-02-29T23:59:59.999999Z" \
    "$(KUBESIFT_DB="$T/times.db" ks denied -o csv | tail -n +2 |
	cut -d, -f2,8 | sort)"
eq "timeline, views: times as the input has them" \
    "1950-06-01T10:00:00.123456Z 1969-12-31T23:59:59.500000Z 2024-02-29T23:59:59.999999Z
1950-06-01T10:00:00.200000Z 1969-12-31T23:59:59.600000Z 2024-03-01T00:00:00.000000Z" \
    "$(KUBESIFT_DB="$T/times.db" ks timeline -o csv | awk -F, '$2 == "request" { print $1 }' | paste -sd' ' -)
$(KUBESIFT_DB="$T/times.db" q "SELECT group_concat(stage_utc, ' ') FROM (SELECT stage_utc FROM audit_events_text ORDER BY received_us)")"
