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
