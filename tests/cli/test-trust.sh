#!/bin/sh
# Issue 11, one check per wrong answer found: windows, subresources, the
# authorizer's decision, admission refusals, the timeline's modes, option
# mistakes, readable times in the views.  Expected figures come from jq
# over the raw evidence, never from kubesift.
. tests/cli/lib.sh

"$BUILD/gen-audit" --seed 1 --events 20000 --rate 20 \
    --scenario eks-cninodes > "$T/audit.log"
ks import -q "$T/audit.log" fixtures/differential fixtures/eks-1.29/snapshot

# 1. A window selects the denials inside it.  The controller is refused
# from about 10:01 on; the window is a part of that.
since=2024-03-05T10:05:00Z until=2024-03-05T10:10:00.5Z
jqwin='select(.responseStatus.code == 403 and .user.username == "eks:vpc-resource-controller"
    and .requestReceivedTimestamp >= "2024-03-05T10:05:00" and .requestReceivedTimestamp <= "2024-03-05T10:10:00.5")'
want=$(jq -r "$jqwin | .auditID" "$T/audit.log" | sort -u | wc -l)
first=$(jq -r "$jqwin | .requestReceivedTimestamp" "$T/audit.log" | sort | head -1)
all=$(jq -r 'select(.responseStatus.code == 403 and .user.username == "eks:vpc-resource-controller") | .auditID' "$T/audit.log" | sort -u | wc -l)
[ "$want" -gt 0 ] && [ "$want" -lt "$all" ] || fail "the window must hold some of the denials ($want of $all)"
row=$(ks denied --actor eks:vpc-resource-controller --since $since --until $until -o csv | tr -d '\r' | tail -n +2)
eq "denied: count inside the window" "$want" "$(echo "$row" | cut -d, -f7)"
eq "denied: first_seen inside the window" "$(echo "$first" | cut -c1-19)" "$(echo "$row" | cut -d, -f8 | cut -c1-19)"
eq "denied: a group with no denial inside is absent" "" \
    "$(ks denied --actor frank --since $since --until $until -o csv | tail -n +2)"
eq "actors: denials inside the window" "$want" \
    "$(ks actors --actor eks:vpc-resource-controller --since $since --until $until -o csv | tr -d '\r' | tail -n +2 | cut -d, -f4)"
eq "timeline --bucket: denied inside the window" "$want" \
    "$(ks timeline --bucket 1m --actor eks:vpc-resource-controller --since $since --until $until -o csv | tr -d '\r' | tail -n +2 | awk -F, '{ n += $3 } END { print n }')"
eq "summary: audit denials inside the window" "$want" \
    "$(ks summary --actor eks:vpc-resource-controller --since $since --until $until -o csv | tr -d '\r' | grep '^denials,audit,' | cut -d, -f3)"
ks report --since $since --until $until > "$T/report.md"
grep -q "| eks:vpc-resource-controller | patch | vpcresources.k8s.aws | cninodes |  |  | $want |" "$T/report.md" ||
    fail "report: the window's count $want: $(grep 'cninodes |' "$T/report.md")"
echo "ok - report: the window's count"
ks remediate --actor eks:vpc-resource-controller --since $since --until $until -o json > "$T/r.json"
eq "remediate: the window's denials" "$want" "$(jq '.[0].denials' "$T/r.json")"

# 2. --resource RES/SUB is that subresource only; RES takes them all.
want=$(jq -r 'select(.responseStatus.code == 403 and .objectRef.resource == "pods" and .objectRef.subresource == "exec") | .auditID' fixtures/differential/extra.jsonl | sort -u | wc -l)
eq "pods/exec: only exec" "$want" \
    "$(ks denied --resource pods/exec -o csv | tr -d '\r' | tail -n +2 | awk -F, '$5 == "exec" { n += $7 } END { print n + 0 }')"
eq "pods/exec: nothing else" "" \
    "$(ks denied --resource pods/exec -o csv | tr -d '\r' | tail -n +2 | awk -F, '$5 != "exec"')"
for c in actors summary; do
	ks $c --resource pods/exec -o csv > /dev/null || fail "$c --resource pods/exec"
done
eq "pods: with its subresources" "$(jq -r 'select(.responseStatus.code == 403 and .objectRef.resource == "pods") | .auditID' fixtures/differential/extra.jsonl | sort -u | wc -l)" \
    "$(ks denied --resource pods -o csv | tr -d '\r' | tail -n +2 | awk -F, '{ n += $7 } END { print n }')"

# 3. --decision is the authorizer's; an admission refusal is refused_by
# admission, with its message.
adm=$(jq -r 'select(.responseStatus.code == 403 and .annotations["authorization.k8s.io/decision"] == "allow") | .auditID' fixtures/differential/extra.jsonl | sort -u | wc -l)
eq "admission refusals are refused_by admission" "$adm" \
    "$(ks denied -o json | jq '[.[] | select(.refused_by == "admission") | .count] | add')"
eq "--decision allow: the admission refusals" "$adm" \
    "$(ks denied --decision allow -o json | jq '[.[] | .count] | add')"
eq "--decision forbid: none of them" 0 \
    "$(ks denied --decision forbid -o json | jq '[.[] | select(.refused_by == "admission")] | length')"
ks denied --actor bob -o json | jq -r '.[0].message' | grep -q 'admission webhook "policy.example.com" denied' ||
    fail "the admission refusal's message"
echo "ok - the admission refusal's message"

# 4. Admission refusals are not RBAC gaps, with or without a snapshot.
for db in with without; do
	if [ $db = without ]; then
		export KUBESIFT_DB="$T/nosnap.db"
		ks import -q fixtures/differential
	fi
	ks remediate --actor alice --actor bob -o json > "$T/r.json"
	eq "remediate ($db snapshot): no change for an admission refusal" 0 \
	    "$(jq '[.[] | .evidence[]? | select(.verb == "create" and (.resource == "pods" or .resource == "deployments") and .subresource == null)] | length' "$T/r.json")"
	ks remediate --actor alice --actor bob > "$T/r.txt"
	grep -q 'violates PodSecurity' "$T/r.txt" || fail "remediate ($db snapshot) lists the PodSecurity refusal"
	echo "ok - remediate ($db snapshot) lists it with its message"
	eq "rbac_gaps ($db snapshot) holds no admission refusal" 0 \
	    "$(q "SELECT count(*) FROM rbac_gaps WHERE actor IN ('alice', 'bob') AND verb = 'create' AND subresource IS NULL AND resource IN ('pods', 'deployments')")"
done
export KUBESIFT_DB="$T/k.db"

# 15. Every timeline mode takes -o timesketch, with Timesketch's fields.
for mode in "" "--bucket 10m" "--around 2024-03-05T10:05:00Z --window 1m"; do
	ks timeline $mode -o timesketch | head -5 > "$T/ts"
	[ -s "$T/ts" ] || fail "timeline $mode -o timesketch: nothing"
	eq "timeline $mode -o timesketch: Timesketch's fields" 0 \
	    "$(jq -c 'select((.message | type) != "string" or (.datetime | type) != "string" or (.timestamp_desc | type) != "string")' "$T/ts" | wc -l)"
done

# 16. Mistakes are usage errors (2), each with a message; repeated
# filters OR together.
for args in "timeline --bucket -5m" "timeline --bucket 0m" "timeline --window 5m" \
    "timeline --bucket 1m --around 2024-03-05T10:00:00Z" \
    "timeline --around yesterday" "timeline --kind nope" "actors -c humans" \
    "denied --since banana" "denied --until 10:00" "denied --decision maybe" \
    "denied --since 2024-03-05T11:00:00Z --until 2024-03-05T10:00:00Z" \
    "denied --since -5m --since -6m" "summary --resource /healthz"; do
	set +e; ks $args > /dev/null 2> "$T/err"; rc=$?; set -e
	eq "$args: exit 2" 2 "$rc"
	[ -s "$T/err" ] || fail "$args: no message"
done
a=$(ks denied --actor alice -o csv | tail -n +2 | wc -l)
b=$(ks denied --actor bob -o csv | tail -n +2 | wc -l)
eq "--actor alice --actor bob: both" $((a + b)) \
    "$(ks denied --actor alice --actor bob -o csv | tail -n +2 | wc -l)"

# 18. The views carry readable times beside the integers.
eq "denials.time_utc" "2024-03-05T12:20:00.000000Z" \
    "$(q "SELECT time_utc FROM denials WHERE audit_id = 'd-003'")"
eq "identities.first_seen_utc is first_seen" 0 \
    "$(q "SELECT count(*) FROM identities WHERE first_seen IS NOT NULL AND first_seen_utc != strftime('%Y-%m-%dT%H:%M:%S', first_seen / 1000000, 'unixepoch') || '.' || substr('00000' || (first_seen % 1000000), -6) || 'Z'")"

# 19. An empty selection says so.
ks remediate --actor nobody > "$T/r.txt"
grep -q "no denial matches the selection" "$T/r.txt" || fail "remediate --actor nobody: $(cat "$T/r.txt")"
echo "ok - remediate --actor nobody says nothing matched"

# Found in review.  The replay counts each denial once, also when a
# controller's log repeats some of them (a group per refuser).
export KUBESIFT_DB="$T/eks.db"
ks import -q "$T/audit.log" fixtures/eks-1.29/controller.log fixtures/eks-1.29/snapshot
ks remediate --actor eks:vpc-resource-controller -o json > "$T/r.json"
eq "replay: allowed_after is the denials" "$(jq '.[0].denials' "$T/r.json")" \
    "$(jq '.[0].allowed_after' "$T/r.json")"
eq "replay: the denials are denied's" \
    "$(ks denied --actor eks:vpc-resource-controller -o json | jq '[.[] | .count] | add')" \
    "$(jq '.[0].denials' "$T/r.json")"
# A created object is named by its plural resource, as requests are.
# (A valid time only: the fixture has one CNINode created at 16:27:64.)
valid='[.items[] | select(.metadata.creationTimestamp | test("T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"))] | length'
eq "timeline --kind created --resource nodes" \
    "$(jq "$valid" fixtures/eks-1.29/snapshot/nodes.json)" \
    "$(ks timeline --kind created --resource nodes -o csv | tail -n +2 | wc -l)"
eq "timeline --kind created --resource cninode" \
    "$(jq "$valid" fixtures/eks-1.29/snapshot/cninodes.json)" \
    "$(ks timeline --kind created --resource cninode -o csv | tail -n +2 | wc -l)"
# An unknown snapshot is a usage error, not an empty RBAC.
for args in "remediate --snapshot 99" "who-can get pods --snapshot 99" \
    "can alice get pods --snapshot 99"; do
	set +e; ks $args > /dev/null 2>&1; rc=$?; set -e
	eq "$args: exit 2" 2 "$rc"
done
export KUBESIFT_DB="$T/k.db"
# RES/SUB with one --group looks RES up in that group.
eq "--resource deployments/scale --group apps" \
    "$(ks timeline --resource deployments/scale -o csv | tail -n +2 | wc -l)" \
    "$(ks timeline --resource deployments/scale --group apps -o csv | tail -n +2 | wc -l)"
# A database of an older schema: queries refuse it with one line saying
# what to do, and upgrade brings it up to date.
cp "$T/k.db" "$T/old.db"
sqlite3 "$T/old.db" "PRAGMA user_version = 1"
set +e; ks -d "$T/old.db" denied > /dev/null 2> "$T/err"; rc=$?; set -e
eq "an older database: exit 1" 1 "$rc"
grep -q "upgrade" "$T/err" || fail "the message says to upgrade: $(cat "$T/err")"
ks -q -d "$T/old.db" upgrade
eq "upgraded: the same answers" "$(ks denied -o csv | md5sum)" \
    "$(ks -d "$T/old.db" denied -o csv | md5sum)"
