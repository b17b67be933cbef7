# Conformance over ../shared/realdata: the counts the import issue pins.
. tests/cli/lib.sh
need_realdata
R=$REALDATA

one() {	# one NAME PATH: import PATH alone into $T/NAME.db
	export KUBESIFT_DB="$T/$1.db"
	ks import -q "$2" 2>/dev/null || fail "$1: import failed"
	accounting_holds
}

one raw "$R/audit-native/audit2rbac-demo-v1beta1-raw.log"
eq "raw v1beta1: audit rows" 757 "$(q 'SELECT count(*) FROM audit_events')"
eq "raw v1beta1: RequestReceived" 320 "$(q "SELECT count(*) FROM audit_events WHERE stage = 'RequestReceived'")"
eq "raw v1beta1: ResponseComplete" 437 "$(q "SELECT count(*) FROM audit_events WHERE stage = 'ResponseComplete'")"
eq "raw v1beta1: code 403" 11 "$(q 'SELECT count(*) FROM audit_events WHERE code = 403')"
eq "raw v1beta1: every row has a time" 0 "$(q 'SELECT count(*) FROM audit_events WHERE received_us IS NULL')"

one falco "$R/audit-native/falco-k8s_audit-trace-files"
eq "falco: events" 51 "$(q 'SELECT count(*) FROM audit_events')"
eq "falco: one reject" 1 "$(q 'SELECT count(*) FROM rejects')"
eq "falco: the reject is fal_01_003.json" 1 "$(q "SELECT count(*) FROM rejects JOIN sources s ON s.id = source_id WHERE s.path LIKE '%/fal_01_003.json'")"

# kube-audit-rest: 59 AdmissionReview records (counted with jq: 44 CREATE
# of selfsubjectaccessreviews by system:admin, 13 CREATE of events, one
# UPDATE each of endpoints and endpointslices); they carry no time.
one kar "$R/audit-native/kube-audit-rest-admissionreview.log"
eq "kube-audit-rest: format" admission-review "$(q 'SELECT format FROM sources')"
eq "kube-audit-rest: requests" 59 "$(q 'SELECT count(*) FROM audit_events')"
eq "kube-audit-rest: no rejects" 0 "$(q 'SELECT count(*) FROM rejects')"
eq "kube-audit-rest: SSARs by system:admin" 44 "$(q "SELECT count(*) FROM audit_events WHERE verb = 'create' AND resource = 'selfsubjectaccessreviews' AND username = 'system:admin' AND api_group = 'authorization.k8s.io'")"
eq "kube-audit-rest: updates" "endpoints endpointslices" "$(q "SELECT group_concat(resource, ' ') FROM (SELECT resource FROM audit_events WHERE verb = 'update' ORDER BY 1)")"
eq "kube-audit-rest: uid as audit_id" c94a1255-9639-44ba-a716-f88a8cb4d145 "$(q 'SELECT audit_id FROM audit_events WHERE line = 1')"
eq "kube-audit-rest: no denials (a webhook sees allowed requests)" 0 "$(q 'SELECT count(*) FROM denials')"
eq "kube-audit-rest: actors counted without a time" "system:admin,49" "$(ks actors -o csv | tr -d '\r' | sed -n 2p | cut -d, -f1,3)"

# The columns two imports of the same requests must agree on (all but the
# row's id, source and line; the hash too, since the YAML readers store
# compact JSON as the raw text and the JSON samples are compact JSON).
COLS="SELECT audit_id, stage, level, verb, username, user_groups,
    impersonated_user, impersonated_groups, source_ips, user_agent, resource,
    subresource, api_group, api_version, namespace, name, request_uri, code,
    decision, authz_reason, received_us, stage_us, partial, hex(hash)
    FROM audit_events_text ORDER BY audit_id, stage, received_us"
OPS="SELECT time_us, provider, operation, resource, actor, status, hex(hash)
    FROM cluster_events ORDER BY time_us, operation, status"

# khi-testlogs-yaml, 16 files, counted with python's yaml.safe_load_all:
# 12 one-entry LogEntry files (3 with protoPayload.serviceName k8s.io, 9
# container.googleapis.com), 3 Pod manifests, 1 audit.k8s.io/v1 Event.
one khi-yaml "$R/audit-gke/khi-testlogs-yaml"
eq "khi yaml: formats" "gke-yaml 12;k8s-audit-yaml 1;kubectl-yaml 3" \
    "$(q "SELECT group_concat(f, ';') FROM (SELECT format || ' ' || count(*) AS f FROM sources WHERE records > 0 GROUP BY format ORDER BY format)")"
eq "khi yaml: rows (audit, cluster events, Pods), no rejects" "4|9|3|0" \
    "$(q "SELECT (SELECT count(*) FROM audit_events) || '|' || (SELECT count(*) FROM cluster_events) || '|' || (SELECT count(*) FROM objects WHERE kind = 'Pod') || '|' || (SELECT count(*) FROM rejects)")"
# (7a816f5c... is the native Event's auditID: not among the 12 entries.)
khi_gke=$(q "$COLS" | grep -v '^7a816f5c'); khi_ops=$(q "$OPS")
# khi-testlogs-converted.jsonl is the JSON of the same 12 entries.
one khi-json "$R/audit-gke/khi-testlogs-converted.jsonl"
eq "khi yaml: audit columns as the JSON's" "$(q "$COLS")" "$khi_gke"
eq "khi yaml: cluster events as the JSON's" "$(q "$OPS")" "$khi_ops"

# oss_test-log.yaml is khi-oss-test-log-RequestResponse.json in YAML.
one oss-yaml "$R/audit-gke/khi-testlogs-yaml/oss_test-log.yaml"
oss_yaml=$(q "$COLS")
one oss-json "$R/audit-native/khi-oss-test-log-RequestResponse.json"
eq "oss yaml: one event, columns as the JSON's" "1|$(q "$COLS")" "$(echo "$oss_yaml" | wc -l | tr -d ' ')|$oss_yaml"

# The audit Policy (kind, apiVersion, rules, no metadata) is an object.
one policy "$R/audit-native/audit2rbac-demo-policy.yaml"
eq "audit policy: an object" "kubectl-yaml|1|1|0|audit.k8s.io/v1 Policy" \
    "$(q "SELECT format || '|' || records || '|' || imported || '|' || rejected || '|' || (SELECT api_group || '/' || api_version || ' ' || kind FROM objects) FROM sources")"

# The mixed log, by hand (jq -c 'keys' per line): lines 1-3 native Events,
# line 4 a k8s.io LogEntry, line 5 an Azure kube-audit-admin record with
# properties.log an object; lines 2 and 3 are the same bytes (sha256sum),
# so 5 records are 4 rows and 1 duplicate.
one mixed "$R/audit-native/elastic-integrations-kubernetes-test-audit-mixed.log"
eq "mixed: records, imported, duplicates, rejected" "k8s-audit|5|4|1|0" \
    "$(q "SELECT format || '|' || records || '|' || imported || '|' || duplicates || '|' || rejected FROM sources")"
eq "mixed: the GKE and AKS lines" "4|system:gke-master-healthcheck|get|200 5|aksService|update|200" \
    "$(q "SELECT group_concat(line || '|' || username || '|' || verb || '|' || code, ' ') FROM (SELECT * FROM audit_events WHERE line > 3 ORDER BY line)")"

one kind "$R/kubectl-json/kubehound-kind-collect-2023"
eq "kind: ClusterRoles" 66 "$(q "SELECT count(*) FROM objects WHERE kind = 'ClusterRole'")"
eq "kind: ClusterRoleBindings" 51 "$(q "SELECT count(*) FROM objects WHERE kind = 'ClusterRoleBinding'")"
eq "kind: Nodes" 3 "$(q "SELECT count(*) FROM objects WHERE kind = 'Node'")"

one k3s "$R/support-bundles/troubleshoot-testdata-support-bundle-k3s-v0.50.tar.gz"
eq "k3s bundle: ClusterRoles" 69 "$(q "SELECT count(*) FROM objects WHERE kind = 'ClusterRole'")"
eq "k3s bundle: server version" v1.24.4+k3s1 "$(q 'SELECT server_version FROM snapshots')"

one sono "$R/support-bundles/sonobuoy-results-0.10-aws.tar.gz"
eq "sonobuoy: ClusterRoles, kind inferred" 44 "$(q "SELECT count(*) FROM objects WHERE kind = 'ClusterRole' AND body NOT LIKE '%\"kind\":\"ClusterRole\"%'")"
eq "sonobuoy: ClusterRoleBindings, kind inferred" 39 "$(q "SELECT count(*) FROM objects WHERE kind = 'ClusterRoleBinding'")"
eq "sonobuoy: server version" v1.8.4 "$(q 'SELECT server_version FROM snapshots')"

one apple "$R/support-bundles/sonobuoy-results-0.8-appledouble.tar.gz"
apple="(member GLOB '._*' OR member GLOB '*/._*')"
eq "AppleDouble members unrecognised" 0 "$(q "SELECT count(*) FROM sources WHERE $apple AND format != 'unrecognised'")"
[ "$(q "SELECT count(*) FROM sources WHERE $apple")" -gt 10 ] || fail "AppleDouble members not recorded"
echo "ok - AppleDouble members recorded"

# Everything at once: no crash, identity holds, hashes match sha256sum.
one all "$R"
for f in audit-native/audit2rbac-demo.log support-bundles/sonobuoy-results-0.10-aws.tar.gz; do
	eq "sha256 of $f" "$(sha256sum < "$R/$f" | cut -c1-64)" \
	    "$(q "SELECT sha256 FROM sources WHERE path = '$(cd "$R" && pwd -P)/$f'")"
done
