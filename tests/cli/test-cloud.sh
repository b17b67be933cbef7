# Cloud exports and plain logs.  The same cluster activity seen through
# CloudWatch (filter-log-events, S3 export, subscription envelopes, Logs
# Insights) lands in the same rows as the native audit log; GKE and AKS
# entries map to the same columns; plain controller logs give their RBAC
# denials.  Then the public samples in ../shared/realdata.
. tests/cli/lib.sh

F=$TOP/fixtures/cloud
GEN=${BUILD:-$TOP/build}/gen-audit

use() { export KUBESIFT_DB="$T/$1.db"; }

# imp NAME PATH...: import into NAME.db (warnings to NAME.err); must exit 0.
imp() {
	n=$1; shift
	use "$n"
	ks import -q "$@" 2> "$T/$n.err" || fail "$n: import failed: $(cat "$T/$n.err")"
	accounting_holds
}

# The audit denials, as the issue asks to compare them.
GROUPS403="SELECT username, verb, api_group, resource, code, count(*),
    min(received_us), max(received_us) FROM audit_events WHERE code = 403
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4"
# The same through the denials view (actor, verb, group, resource, count,
# first, last).
DENIALS="SELECT actor, verb, api_group, resource, count(*), min(time),
    max(time) FROM denials GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"

# --- fixtures/cloud: eight events, three of them the cninodes denials ---

# Read from native.log by hand: three patches of cninodes refused between
# 10:12:58.729104 and 10:13:00.395870, and alice's get of a secret.
want='alice,get,"",secrets,403,1,1709633580114000,1709633580114000
eks:vpc-resource-controller,patch,vpcresources.k8s.aws,cninodes,403,3,1709633578729104,1709633580395870'
imp native "$F/native.log"
eq "native: denial groups" "$want" "$(q "$GROUPS403")"
native_denials=$(q "$DENIALS")

# The S3 export as CloudWatch writes it: gzipped, under the stream's name.
S3=exportedlogs/7c1d93a2-6b5e-4b8e-9f3a-2d1c0b9a8f7e/kube-apiserver-audit-1b2c3d4e5f60718293a4b5c6d7e8f901
mkdir -p "$T/s3/$S3"
gzip -c "$F/s3-export/kube-apiserver-audit-1b2c3d4e5f60718293a4b5c6d7e8f901/000000" > "$T/s3/$S3/000000.gz"
(cd "$T/s3" && tar cf "$T/s3.tar" exportedlogs)

for shape in filter-log-events:filter-log-events.json:cloudwatch \
    subscription:subscription.jsonl:cloudwatch \
    s3:s3.tar:cloudwatch-s3; do
	name=${shape%%:*}; rest=${shape#*:}; file=${rest%%:*}; format=${rest#*:}
	case $file in s3.tar) path=$T/$file ;; *) path=$F/$file ;; esac
	imp "$name" "$path"
	eq "$name: format" "$format" "$(q "SELECT DISTINCT format FROM sources WHERE records > 0")"
	eq "$name: 8 events" 8 "$(q 'SELECT count(*) FROM audit_events')"
	eq "$name: denial groups as native" "$want" "$(q "$GROUPS403")"
	eq "$name: denials view as native" "$native_denials" "$(q "$DENIALS")"
	# The message is the event's own text: importing the native log after
	# it finds every event already there.
	ks import -q "$F/native.log" 2>/dev/null
	eq "$name: native events are duplicates" 8 "$(q "SELECT duplicates FROM sources WHERE path LIKE '%native.log'")"
done
grep -q 'CONTROL_MESSAGE skipped' "$T/subscription.err" || fail "subscription: no warning: $(cat "$T/subscription.err")"
echo "ok - subscription: CONTROL_MESSAGE counted in a warning"
eq "s3: stream from the path, line numbers" "3|5|7" \
    "$(q "SELECT group_concat(line, '|') FROM (SELECT line FROM audit_events WHERE code = 403 AND resource = 'cninodes' AND source_id = (SELECT id FROM sources WHERE format = 'cloudwatch-s3') ORDER BY line)")"
eq "filter-log-events: lines of the events in the pages" "17|31|60" \
    "$(use filter-log-events; q "SELECT group_concat(line, '|') FROM (SELECT line FROM audit_events WHERE code = 403 AND resource = 'cninodes' ORDER BY audit_id)")"

# Pages of filter-log-events, some compact (jq -c), some pretty-printed, in
# either order: every event read, nothing rejected (a compact first page
# once made the file one value per line, and each pretty line a reject).
# Small pages (the second line starts a value) and large ones (the first
# line longer than what the reader looks at to decide).
jq -c . "$F/filter-log-events.json" > "$T/fle-c.json"
{ sed -n 1p "$T/fle-c.json"; sed -n 2p "$T/fle-c.json" | jq .; } > "$T/fle-cp.json"
{ sed -n 1p "$T/fle-c.json" | jq .; sed -n 2p "$T/fle-c.json"; } > "$T/fle-pc.json"
"$GEN" --events 25000 --format filter-log-events | jq -c . > "$T/fle-big-c.json"
{ sed -n 1p "$T/fle-big-c.json"; sed -n '2,$p' "$T/fle-big-c.json" | jq .; } > "$T/fle-big-cp.json"
for mix in cp:8 pc:8 big-cp:25000; do
	pg=${mix%%:*}; want_n=${mix#*:}
	eq "pages $pg: events in the file (jq)" "$want_n" "$(jq -n '[inputs.events[]] | length' "$T/fle-$pg.json")"
	imp "fle-$pg" "$T/fle-$pg.json"
	eq "pages $pg: every event, nothing rejected" "$want_n|$want_n|0" \
	    "$(q "SELECT records || '|' || imported || '|' || rejected FROM sources")"
done
rm -f "$T"/fle-big-*.json
# The same for a native log: events a line each, then pretty-printed ones
# (jq's), then a line each again: the same events as the log itself, at
# the lines where they start.
"$GEN" --events 40 > "$T/n40.log"
{ sed -n 1,5p "$T/n40.log"; sed -n 6,7p "$T/n40.log" | jq .
  sed -n '8,$p' "$T/n40.log"; } > "$T/n40-mix.log"
EVCOLS="SELECT audit_id, verb, code, received_us, username, resource,
    namespace, name FROM audit_events ORDER BY id"
imp n40 "$T/n40.log"
n40=$(q "$EVCOLS")
imp n40-mix "$T/n40-mix.log"
eq "native lines and pretty events: 40 events, nothing rejected" "40|40|0" \
    "$(q "SELECT records || '|' || imported || '|' || rejected FROM sources")"
eq "native lines and pretty events: the log's events" "$n40" "$(q "$EVCOLS")"
eq "native lines and pretty events: their lines (grep)" \
    "$(grep -n '^{' "$T/n40-mix.log" | cut -d: -f1 | tr '\n' ' ')" \
    "$(q 'SELECT line FROM audit_events ORDER BY id' | tr '\n' ' ')"

# Logs Insights: the three cninodes denials and an authenticator line.
for shape in insights-csv:insights.csv:cloudwatch-csv insights-json:insights.json:cloudwatch; do
	name=${shape%%:*}; rest=${shape#*:}; file=${rest%%:*}; format=${rest#*:}
	imp "$name" "$F/$file"
	eq "$name: format" "$format" "$(q 'SELECT format FROM sources')"
	eq "$name: the cninodes denials" 'eks:vpc-resource-controller,patch,vpcresources.k8s.aws,cninodes,403,3,1709633578729104,1709633580395870' "$(q "$GROUPS403")"
done
eq "insights-csv: the authenticator line holds no denial" 0 "$(use insights-csv; q 'SELECT count(*) FROM log_denials')"

# Messages cut short, other streams, a message that is not an event.
imp truncated "$F/truncated.json"
eq "truncated: two partial rows" "6f1c2a1e-1b7e-4d0e-9a51-0c3f6e0d1a09|6f1c2a1e-1b7e-4d0e-9a51-0c3f6e0d1a10" \
    "$(q "SELECT group_concat(audit_id, '|') FROM (SELECT audit_id FROM audit_events WHERE partial = 1 ORDER BY audit_id)")"
# "[Truncated...]" inside the requestObject: everything before it is read.
eq "truncated: marked cut" "RequestResponse|patch|system:node:ip-10-0-2-14.ec2.internal|nodes|status|200|1709633581240000" \
    "$(q "SELECT level || '|' || verb || '|' || username || '|' || resource || '|' || subresource || '|' || code || '|' || received_us FROM audit_events WHERE audit_id LIKE '%a09'")"
# Cut right after responseStatus: the denial is kept, timed by CloudWatch.
eq "truncated: a cut denial" "eks:vpc-resource-controller|patch|vpcresources.k8s.aws|cninodes|ip-10-0-1-23.ec2.internal|403|1709633581300000" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || name || '|' || code || '|' || received_us FROM audit_events WHERE audit_id LIKE '%a10'")"
eq "truncated: the message that is not an event is rejected" "17|1" \
    "$(q "SELECT line || '|' || (reason LIKE 'invalid JSON%') FROM rejects")"
eq "truncated: the controller-manager stream's denial" "system:serviceaccount:kube-system:generic-garbage-collector|list|vpcresources.k8s.aws|cninodes|1709633581500112" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || time_us FROM log_denials")"
grep -q '2 audit events cut short, kept as partial rows' "$T/truncated.err" || fail "truncated: warning: $(cat "$T/truncated.err")"
echo "ok - truncated: cut events counted in a warning"

# GKE: six Kubernetes requests, a node-pool operation, another service's
# entry, and a container log line with a denial.
imp gke "$F/gke.json"
eq "gke: format" gke "$(q 'SELECT format FROM sources')"
eq "gke: audit rows" 6 "$(q 'SELECT count(*) FROM audit_events')"
eq "gke: the refused secret" "dev-bob@acme.example|get||v1|secrets|payments|stripe-key|403|forbid|198.51.100.23|1709634001104502|b1f1e7d2-0001-4c55-8f0e-6f2a1d9e0001" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || api_version || '|' || resource || '|' || namespace || '|' || name || '|' || code || '|' || decision || '|' || json_extract(source_ips, '$[0]') || '|' || received_us || '|' || audit_id FROM audit_events_text WHERE resource = 'secrets'")"
eq "gke: exec is a subresource" "create|pods|exec|payments|api-7d9c6b5f4-x2k8p|200|allow" \
    "$(q "SELECT verb || '|' || resource || '|' || subresource || '|' || namespace || '|' || name || '|' || code || '|' || decision FROM audit_events WHERE subresource = 'exec'")"
eq "gke: a lease in coordination.k8s.io" "update|coordination.k8s.io|leases|kube-system|kube-scheduler|200" \
    "$(q "SELECT verb || '|' || api_group || '|' || resource || '|' || namespace || '|' || name || '|' || code FROM audit_events WHERE resource = 'leases'")"
eq "gke: a namespace's status" "update|namespaces|status|team-a|team-a" \
    "$(q "SELECT verb || '|' || resource || '|' || subresource || '|' || namespace || '|' || name FROM audit_events WHERE resource = 'namespaces'")"
eq "gke: the code from the Status response" "create|rbac.authorization.k8s.io|clusterrolebindings|dev-admin|409" \
    "$(q "SELECT verb || '|' || api_group || '|' || resource || '|' || name || '|' || code FROM audit_events WHERE resource = 'clusterrolebindings'")"
eq "gke: a non-resource request" "get|/version|401|forbid" \
    "$(q "SELECT verb || '|' || request_uri || '|' || code || '|' || decision FROM audit_events WHERE resource IS NULL")"
eq "gke: the node-pool operation" "gke|google.container.v1.ClusterManager.UpdateNodePool|projects/acme-prod/locations/europe-west1/clusters/prod-1/nodePools/pool-a|platform-team@acme.example|started|1709633700123456" \
    "$(q "SELECT provider || '|' || operation || '|' || resource || '|' || actor || '|' || status || '|' || time_us FROM cluster_events")"
eq "gke: the container log's denial" "system:serviceaccount:cert-manager:cert-manager|list||secrets|payments|1709634009123456" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || namespace || '|' || time_us FROM log_denials")"
grep -q '1 entry of another service skipped' "$T/gke.err" || fail "gke: warning: $(cat "$T/gke.err")"
echo "ok - gke: the compute entry counted in a warning"

# AKS: a kube-audit string, a kube-audit-admin object, a string Azure cut,
# a controller-manager denial, a guard line, an Activity Log record.
imp aks "$F/aks.json"
eq "aks: format" aks "$(q 'SELECT format FROM sources')"
eq "aks: alice's refused get" "alice|get|secrets|default|403|0" \
    "$(q "SELECT username || '|' || verb || '|' || resource || '|' || namespace || '|' || code || '|' || partial FROM audit_events WHERE audit_id LIKE '%a06'")"
eq "aks: properties.log as an object" "eks:addon-manager|update|rbac.authorization.k8s.io|clusterroles|200" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || code FROM audit_events WHERE audit_id LIKE '%a02'")"
eq "aks: the cut string, partial, timed by Azure" "patch|cninodes|ip-10-0-2-14.ec2.internal|1|1709633580398000" \
    "$(q "SELECT verb || '|' || resource || '|' || name || '|' || partial || '|' || received_us FROM audit_events WHERE audit_id LIKE '%a07'")"
eq "aks: the controller-manager denial" "system:serviceaccount:kube-system:namespace-controller|list|apiextensions.k8s.io|customresourcedefinitions|1709633582000001" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || time_us FROM log_denials")"
grep -q '1 entry of another service skipped' "$T/aks.err" || fail "aks: warning: $(cat "$T/aks.err")"
echo "ok - aks: the Activity Log record counted in a warning"
# The object is written back as jansson prints it: the native text.
ks import -q "$F/native.log" 2>/dev/null
eq "aks: two of its events are native duplicates" 2 "$(q "SELECT duplicates FROM sources WHERE path LIKE '%native.log'")"

# --- the Logging API's answer, gcloud's YAML, files of mixed shapes ---

# The columns two imports of the same requests must agree on (all but the
# row's id, source and line).
COLS="SELECT audit_id, stage, level, verb, username, user_groups,
    impersonated_user, impersonated_groups, source_ips, user_agent, resource,
    subresource, api_group, api_version, namespace, name, request_uri, code,
    decision, authz_reason, received_us, stage_us, partial
    FROM audit_events_text ORDER BY audit_id, stage"
OPS="SELECT time_us, provider, operation, resource, actor, status
    FROM cluster_events ORDER BY time_us"

# entries.list: two k8s.io requests (one refused) and a node-pool resize;
# the nextPageToken envelope is not a record.
imp entries "$F/gke-entries.json"
eq "entries: format, records" "gke|3|3" "$(q "SELECT format || '|' || records || '|' || imported FROM sources")"
eq "entries: the refused rolebinding" "system:serviceaccount:ci:deployer|create|rbac.authorization.k8s.io|rolebindings|payments|ci-admin|403|forbid" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || namespace || '|' || name || '|' || code || '|' || decision FROM audit_events WHERE code = 403")"
eq "entries: the resize" "google.container.v1.ClusterManager.SetNodePoolSize|started" "$(q "SELECT operation || '|' || status FROM cluster_events")"
entries_cols=$(q "$COLS"); entries_ops=$(q "$OPS")

# The same three entries as gcloud's default YAML give the same rows.
imp gke-yaml "$F/gke.yaml"
eq "gke yaml: format, records" "gke-yaml|3|3" "$(q "SELECT format || '|' || records || '|' || imported FROM sources")"
eq "gke yaml: audit columns as JSON" "$entries_cols" "$(q "$COLS")"
eq "gke yaml: cluster events as JSON" "$entries_ops" "$(q "$OPS")"
eq "gke yaml: lines of the documents" "3 39 63" "$(q "SELECT group_concat(line, ' ') FROM (SELECT line FROM audit_events UNION ALL SELECT line FROM cluster_events ORDER BY 1)")"

# An EventList in YAML: two events, both at the list's line.
imp eventlist-yaml "$F/eventlist.yaml"
eq "eventlist yaml: format, events" "k8s-audit-yaml|2|2|2" \
    "$(q "SELECT format || '|' || records || '|' || imported || '|' || (SELECT count(*) FROM audit_events WHERE code = 403 AND username = 'mallory' AND line = 2) FROM sources")"

# Configuration files: the Policy is an object; the kubeconfig and the
# empty Pod are rejects, and the kubeconfig's token is nowhere.
imp policy "$F/policy.yaml"
eq "policy: one object, two rejects" "kubectl-yaml|3|1|2" "$(q "SELECT format || '|' || records || '|' || imported || '|' || rejected FROM sources")"
eq "policy: stored as audit.k8s.io/v1 Policy" "audit.k8s.io|v1|Policy|4" "$(q "SELECT api_group || '|' || api_version || '|' || kind || '|' || line FROM objects")"
eq "policy: the kubeconfig refused" "15|configuration that holds credentials (not copied)" "$(q "SELECT line || '|' || reason FROM rejects WHERE line = 15")"
cat "$KUBESIFT_DB"* | grep -c not-a-real-token > /dev/null && fail "policy: the kubeconfig's token was stored"
echo "ok - policy: the kubeconfig's token is not in the database"

# mixed.jsonl, read by hand: line 1 a native event (bob refused), line 2 a
# Cloud Logging entry, line 3 an Azure record with the event as a string,
# line 4 one with the event as an object, line 5 none of these.  Whatever
# shape its first line has (and so whichever format wins), the four
# requests give the same rows.
imp mixed "$F/mixed.jsonl"
eq "mixed: format, records, imported, rejected" "k8s-audit|5|4|1" "$(q "SELECT format || '|' || records || '|' || imported || '|' || rejected FROM sources")"
eq "mixed: every line at its reader" "1|bob|list|403 2|system:serviceaccount:ci:deployer|get|200 3|carol|delete|200 4|system:kube-scheduler|update|200" \
    "$(q "SELECT group_concat(line || '|' || username || '|' || verb || '|' || code, ' ') FROM (SELECT * FROM audit_events ORDER BY line)")"
eq "mixed: line 5 rejected" "5|1" "$(q "SELECT line || '|' || (reason LIKE 'not an audit event%') FROM rejects")"
mixed_cols=$(q "$COLS")
for order in "2 1 3 4:gke" "3 4 1 2:aks" "4 2 1 3:aks"; do
	for i in ${order%:*}; do sed -n "${i}p" "$F/mixed.jsonl"; done > "$T/rot.jsonl"
	imp "rot-${order%%:*}" "$T/rot.jsonl"
	eq "mixed, lines ${order%:*}: format" "${order#*:}|4|4" "$(q "SELECT format || '|' || records || '|' || imported FROM sources")"
	eq "mixed, lines ${order%:*}: the same rows" "$mixed_cols" "$(q "$COLS")"
done

# --- the generator: one simulated incident in four shapes ---
for fmt in native filter-log-events s3 subscription; do
	"$GEN" --events 12000 --scenario eks-cninodes --format $fmt > "$T/gen-$fmt.log"
	imp "gen-$fmt" "$T/gen-$fmt.log"
	rm -f "$T/gen-$fmt.log"
	eq "gen $fmt: 12000 events" 12000 "$(q 'SELECT count(*) FROM audit_events')"
	eq "gen $fmt: nothing rejected" 0 "$(q 'SELECT count(*) FROM rejects')"
	groups=$(q "$GROUPS403")
	[ "$fmt" = native ] && gen_native=$groups
	eq "gen $fmt: 403 groups as native" "$gen_native" "$groups"
done
echo "$gen_native" | grep -q '^eks:vpc-resource-controller,patch,vpcresources.k8s.aws,cninodes,403,' ||
    fail "gen: no cninodes denials: $gen_native"
echo "ok - gen: the cninodes denials are among them"

# --- copies cut short, counted once whatever their times ---
# A CloudWatch export of 51,000 events (its pages made one; a large load:
# the import sets its indexes aside) holding cut copies of events a native log read before it
# holds whole (0, 1), a cut copy before the whole one (100; the whole one
# appended at the end) and a cut event of which no whole copy exists (200).
# Each request counts once, as in the native log alone; the rollups say
# what request_outcomes says.
"$GEN" --events 51000 > "$T/big.log"
"$GEN" --events 51000 --format filter-log-events |
    jq -c -s '[.[].events[]] as $e | {events: ([$e | to_entries[] | .key as $k |
	.value | if ([0, 1, 100, 200] | index($k)) != null
	then .message |= .[0:400] else . end] + [$e[100]])}' \
	> "$T/big.json" ||
    fail "cut copies: jq"
imp whole "$T/big.log"
whole=$(q "SELECT count(*) FROM request_outcomes")
head -n 2 "$T/big.log" > "$T/first.log"
imp cutbig "$T/first.log" "$T/big.json"
rm -f "$T/big.log" "$T/big.json"
eq "cut copies: four partial rows" 4 \
    "$(q 'SELECT count(*) FROM audit_events WHERE partial = 1')"
eq "cut copies: requests as in the whole log" "$whole" \
    "$(q 'SELECT count(*) FROM request_outcomes')"
eq "cut copies: the rollups as request_outcomes" "$whole" \
    "$(q 'SELECT sum(allowed + denied) FROM request_total')"
eq "cut copies: summary" "requests,audited,$whole" \
    "$(ks -o csv summary | tr -d '\r' | grep '^requests,audited,')"

# An admission refusal in the native log and in a CloudWatch page that
# cut it inside its requestObject (its responseStatus, message included,
# read whole), imported in either order: the refusal is shown from the
# whole record (its message, source and line), as plain SQL over
# audit_rows picks it (a whole refused event before a cut one, then the
# last).  A copy cut inside the message keeps no message.
printf '%s\n' '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"aaaaaaaa-1111-4c1e-9a55-000000000001","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"bob","groups":["system:authenticated"]},"objectRef":{"resource":"pods","namespace":"default","name":"p1","apiVersion":"v1"},"responseStatus":{"metadata":{},"status":"Failure","message":"admission webhook \"deny.example.com\" denied the request: no \u00e9","reason":"Forbidden","code":403},"requestObject":{"kind":"Pod","metadata":{"name":"p1","labels":{"a":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}}},"requestReceivedTimestamp":"2024-03-05T10:00:01.000000Z","stageTimestamp":"2024-03-05T10:00:01.100000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed"}}' > "$T/adm.log"
# cutpage AT: the event as a page, its text cut AT bytes after the start
# of the key given.
cutpage() {
	jq -R --arg k "$1" --argjson n "$2" '{events: [{logStreamName:
	    "kube-apiserver-audit-x", timestamp: 1709632801200, message:
	    (.[0:(index($k) + $n)] + "[Truncated...]")}]}' "$T/adm.log"
}
cutpage '"requestObject"' 30 > "$T/adm-cut.json"
cutpage '"message"' 25 > "$T/adm-cutmsg.json"
REP="SELECT source_id || '|' || line FROM audit_rows
    WHERE code = 403 OR decision = 'forbid' ORDER BY partial, id DESC LIMIT 1"
for order in "adm.log adm-cut.json" "adm-cut.json adm.log" \
    "adm.log adm-cut.json adm-cutmsg.json" "adm-cutmsg.json adm-cut.json adm.log"; do
	# (One import each: a refusal folded before is met again.)
	for f in $order; do imp adm "$T/$f"; done
	# (As csv: quoted.)
	whole=$(q "SELECT message FROM audit_events WHERE partial = 0")
	eq "$order: the whole record's message" \
	    '"admission webhook ""deny.example.com"" denied the request: no é"' \
	    "$whole"
	eq "$order: the cut copy's message, read whole" "$whole" \
	    "$(q "SELECT message FROM audit_events WHERE partial = 1 AND source_id = (SELECT id FROM sources WHERE path LIKE '%adm-cut.json')")"
	eq "$order: one refusal, from the native log" "1|$(q "$REP")|adm.log" \
	    "$(q "SELECT count(*) || '|' || max(d.source_id) || '|' || max(d.line) || '|' || max(replace(s.path, rtrim(s.path, replace(s.path, '/', '')), '')) FROM denials d JOIN sources s ON s.id = d.source_id")"
	eq "$order: denied shows the message" "$whole" \
	    "$(ks -o csv denied | tr -d '\r' | tail -n 1 | sed 's/^.*,admission,//')"
	rm -f "$KUBESIFT_DB"
done
imp admmsg "$T/adm-cutmsg.json"
eq "a copy cut inside the message: none kept" "1|" \
    "$(q "SELECT count(*) || '|' || coalesce(max(message), '') FROM audit_events WHERE partial = 1")"

# Two cut copies of one request, no whole one, at envelope times two
# minutes apart, read in either order and in one import or two: it counts
# once, in the minute of the first (jq: the page times).
for ts in 1709632801200 1709632921200; do
	cutpage '"requestObject"' 30 | jq --argjson t $ts '.events[0].timestamp = $t' > "$T/two-$ts.json"
done
first=$(jq -s 'map(.events[0].timestamp) | min * 1000 | floor' "$T"/two-*.json)
for order in "two-1709632921200.json two-1709632801200.json" \
    "two-1709632801200.json two-1709632921200.json" \
    "two-1709632921200.json+two-1709632801200.json"; do
	case $order in
	*+*) imp two "$T/${order%+*}" "$T/${order#*+}" ;;
	*) for f in $order; do imp two "$T/$f"; done ;;
	esac
	eq "$order: two cut copies stored" 2 "$(q 'SELECT count(*) FROM audit_events WHERE partial = 1')"
	eq "$order: one request, at the first" "1|$first|1|1" \
	    "$(q "SELECT count(*) || '|' || max(time) || '|' || (SELECT sum(allowed + denied) FROM request_total) || '|' || (SELECT count(*) FROM request_minute) FROM request_outcomes")"
	eq "$order: the rollups say so" "$first" \
	    "$(q 'SELECT first_us FROM request_total')"
	rm -f "$KUBESIFT_DB"
done

# --- plain logs ---

# The EKS controller's own log, alone, is enough for denied and remediate.
imp controller "$TOP/fixtures/eks-1.29/controller.log"
eq "controller.log: format" log "$(q 'SELECT format FROM sources')"
# Counted by hand: 19 lines say "cannot patch resource", all the same.
eq "controller.log: the cninodes denials" "eks:vpc-resource-controller|patch|vpcresources.k8s.aws|cninodes|(cluster)|19" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || coalesce(namespace, '(cluster)') || '|' || count(*) FROM log_denials GROUP BY username, verb, api_group, resource, namespace")"
# Its klog lines take the year of the JSON lines around them (2024).
eq "controller.log: every line in 2024" "0" "$(q "SELECT count(*) FROM log_denials WHERE time_us NOT BETWEEN 1704067200000000 AND 1735689599999999")"
# (How many refusals those lines are is the denials view's to say.)
ks denied -o csv | grep -q '^eks:vpc-resource-controller,patch,vpcresources.k8s.aws,cninodes,,,[0-9]' ||
    fail "controller.log: denied: $(ks denied -o csv)"
echo "ok - controller.log: denied shows the group"

# klog lines alone take the year of their file's last change, or the year
# before for a time after that change: a log of 31 December in a file last
# written on 2 January.
{ printf 'E1231 23:59:00.000000 1 x.go:1] User "u" cannot get resource "pods" in API group "" in the namespace "n"\n'
  printf 'E0101 00:01:00.000000 1 x.go:1] User "u" cannot list resource "pods" in API group "" in the namespace "n"\n'; } > "$T/newyear.log"
touch -d '2024-01-02 10:00:00 UTC' "$T/newyear.log"
use newyear; ks import -q "$T/newyear.log"
eq "klog across the new year" "get 2023-12-31 23:59:00/list 2024-01-01 00:01:00" \
    "$(q "SELECT group_concat(verb || ' ' || datetime(time_us / 1000000, 'unixepoch'), '/') FROM (SELECT * FROM log_denials ORDER BY time_us)")"

# 29 February in a file last written in a year without one: the leap year
# before.
printf 'E0229 12:00:00.000000 1 x.go:1] User "u" cannot get resource "pods" in API group "" in the namespace "n"\n' > "$T/leap.log"
touch -d '2025-01-02 10:00:00 UTC' "$T/leap.log"
use leap; ks import -q "$T/leap.log"
eq "klog: 29 February" "2024-02-29 12:00:00" \
    "$(q "SELECT datetime(time_us / 1000000, 'unixepoch') FROM log_denials")"

# A line longer than the record limit is scanned in its first bytes.
{ printf 'E0305 10:12:51.152871 1 x.go:1] %s ' 'User "u" cannot get resource "pods" in API group "" in the namespace "n"'
  head -c 3000000 /dev/zero | tr '\0' 'a'; printf '\nok\n'; } > "$T/long.log"
use long; ks import -q --max-record 1M "$T/long.log" 2> "$T/long.err"
eq "long line: its denial" "u|get|pods|n" "$(q "SELECT username || '|' || verb || '|' || resource || '|' || namespace FROM log_denials")"
grep -q '1 line longer than the record-size limit' "$T/long.err" || fail "long line: warning: $(cat "$T/long.err")"
echo "ok - long line: reported"

# --- ../shared/realdata ---
need_realdata
R=$REALDATA

# 56 lines; the denial parser's own test (tests/unit/test-denial.c) reads
# 49 of them as denials, line by line.
imp lines "$R/denial-log-lines/rbac-denial-lines.log"
eq "denial lines: format" log "$(q 'SELECT format FROM sources')"
eq "denial lines: one row per denial line" 49 "$(q 'SELECT count(*) FROM log_denials')"
eq "denial lines: not on the lines without one" "" \
    "$(q "SELECT group_concat(line) FROM log_denials WHERE line IN (2, 10, 40, 41, 42, 43, 55)")"

# GKE.  Counts from jq over the files:
#  panther: 48 entries; 47 have methodName io.k8s.* (all with a principal),
#  45 of them name a versioned resource (the two io.k8s.readyz do not), 16
#  have a protoPayload.status (2 of them code 7), 16 a timestamp; the 48th
#  holds only operation.producer "k8s.io" and is rejected.
imp gke-panther "$R/audit-gke/panther-analysis-gke-audit-rule-tests.jsonl"
eq "gke panther: rows, users, verbs, resources, codes, 403s, times" "47|47|45|45|16|2|16" \
    "$(q "SELECT count(*) || '|' || count(username) || '|' || count(verb) || '|' || count(resource) || '|' || count(code) || '|' || sum(code = 403) || '|' || count(received_us) FROM audit_events")"
eq "gke panther: the rejected entry" "48" "$(q 'SELECT line FROM rejects')"
# The object of a write is protoPayload.request: kept, as a native event's
# requestObject is, for the writes that succeeded on a resource itself (jq
# counts them: create/update/patch methods, no subresource, no error status,
# not refused by the authorizer).
eq "gke panther: the objects written" \
    "$(jq -s '[.[] | select(.protoPayload.request != null and (.protoPayload.methodName | test("^io[.]k8s[.].*[.](create|update|patch)$")) and (.protoPayload.methodName | test("[.](exec|status|log|attach|binding|eviction|scale|proxy)[.]") | not) and ((.protoPayload.status.code // 0) == 0) and ((.labels["authorization.k8s.io/decision"] // (if any(.protoPayload.authorizationInfo[]?; .granted == false) then "forbid" else "allow" end)) != "forbid"))] | length' "$R/audit-gke/panther-analysis-gke-audit-rule-tests.jsonl")" \
    "$(q 'SELECT count(request_object) FROM audit_events')"
ks detect -o csv | grep -q '^privileged-pod,high,john.doe@company.com,' ||
    fail "gke panther: the privileged pod it was written for: $(ks detect -o csv)"
echo "ok - gke panther: the privileged pod is detected from protoPayload.request"
#  khi: 12 entries, 3 from k8s.io (a pod created, its status patched twice),
#  9 from container.googleapis.com (cluster and node-pool operations).
imp gke-khi "$R/audit-gke/khi-testlogs-converted.jsonl"
eq "gke khi: audit rows" "create|pods||200;patch|pods|status|200;patch|pods|status|200" \
    "$(q "SELECT group_concat(verb || '|' || resource || '|' || coalesce(subresource, '') || '|' || code, ';') FROM (SELECT * FROM audit_events ORDER BY line)")"
eq "gke khi: cluster events" 9 "$(q 'SELECT count(*) FROM cluster_events')"
eq "gke khi: the failed creation" "INVALID_ARGUMENT" "$(q "SELECT substr(status, 1, 16) FROM cluster_events WHERE status LIKE 'INVALID%'")"
imp gke-elastic "$R/audit-gke/elastic-integrations-gcp-audit-k8s-nonmatching-resourcename.log"
eq "gke elastic: the anonymous probe" "system:anonymous|get|/HNAP1|403|forbid" \
    "$(q "SELECT username || '|' || verb || '|' || request_uri || '|' || code || '|' || decision FROM audit_events")"
imp gke-otel "$R/audit-gke/otel-contrib-gke-cluster-data-access-pretty.json"
eq "gke otel: GetCluster as a cluster event" "google.container.v1beta1.ClusterManager.GetCluster" "$(q 'SELECT operation FROM cluster_events')"
# The folder: 47 panther + 3 khi + 1 elastic rows; khi-testlogs-yaml holds
# the khi entries again (duplicates: the YAML's JSON is converted.jsonl's
# text) and one native Event (oss_test-log.yaml), row 52.
imp gke-all "$R/audit-gke"
eq "gke folder: audit rows" 52 "$(q 'SELECT count(*) FROM audit_events')"

# AKS.  jq: every panther record is kube-audit with properties.log a JSON
# string; all 34 events have user, verb, resource and code, one a 403.
imp aks-panther "$R/audit-aks/panther-analysis-aks-kube-audit-rule-tests.jsonl"
eq "aks panther: rows, users, verbs, resources, codes, 403s" "34|34|34|34|34|1" \
    "$(q "SELECT count(*) || '|' || count(username) || '|' || count(verb) || '|' || count(resource) || '|' || count(code) || '|' || sum(code = 403) FROM audit_events")"
imp aks-elastic "$R/audit-aks/elastic-integrations-kubernetes-test-kube-audit-aks.log"
eq "aks elastic: the lease update" "aksService|update|coordination.k8s.io|leases|200" \
    "$(q "SELECT username || '|' || verb || '|' || api_group || '|' || resource || '|' || code FROM audit_events")"
imp aks-arc "$R/audit-aks/panther-analysis-azure-activity-arc-k8s-rule-tests.jsonl"
eq "aks arc: Activity Log records are not records" "aks|0" "$(q "SELECT format || '|' || records FROM sources")"
grep -q '5 entries of other services skipped' "$T/aks-arc.err" || fail "aks arc: warning: $(cat "$T/aks-arc.err")"
echo "ok - aks arc: 5 Activity Log records counted in a warning"

# EKS.  The panther file is native events (the k8s-audit reader's); jq
# over its distinct lines: 185 events, 154 with a user, 175 a verb, 174 a
# resource, 180 a code, 37 of them 403; two lines repeat another, one has
# no auditID, verb or requestURI.
imp eks-panther "$R/audit-eks/panther-analysis-eks-audit-rule-tests.jsonl"
eq "eks panther: rows, users, verbs, resources, codes, 403s" "185|154|175|174|180|37" \
    "$(q "SELECT count(*) || '|' || count(username) || '|' || count(verb) || '|' || count(resource) || '|' || count(code) || '|' || sum(code = 403) FROM audit_events")"
eq "eks panther: accounting" "188|185|2|1" "$(q "SELECT records || '|' || imported || '|' || duplicates || '|' || rejected FROM sources")"
# A subscription envelope whose three events are CloudTrail's.
imp eks-otel "$R/audit-eks/otel-contrib-cloudwatch-subscription-filter-envelope-NOT-EKS.json"
eq "eks otel: an envelope, no records" "cloudwatch|0" "$(q "SELECT format || '|' || records FROM sources")"
grep -q '3 entries of other logs' "$T/eks-otel.err" || fail "eks otel: warning: $(cat "$T/eks-otel.err")"
echo "ok - eks otel: 3 CloudTrail events counted in a warning"
