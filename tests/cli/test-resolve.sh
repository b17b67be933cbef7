# Resource names as kubectl resolves them, in can and who-can: a CRD's
# plural without its group, short names, an ambiguous name, an unknown
# one; and can's output (-o json, -o csv, -q) and exit status (0 yes, 1 no,
# 2 could not answer).  Expected answers come from the fixtures' own JSON
# (jq), never from kubesift's resolver.
. tests/cli/lib.sh

SNAP=$TOP/fixtures/eks-1.29/snapshot
A=eks:vpc-resource-controller
ks import -q "$SNAP"

# The verbs the controller's ClusterRole grants on cninodes, from the JSON.
verbs=$(jq -r '.items[] | select(.metadata.name == "vpc-resource-controller-role")
    | .rules[] | select((.apiGroups | index("vpcresources.k8s.aws"))
    and (.resources | index("cninodes"))) | .verbs[]' "$SNAP/clusterroles.json" |
    sort -u | paste -sd' ' -)
[ -n "$verbs" ] || fail "the fixture's role has no cninodes rule"
for v in get list watch create update delete patch; do
	want=1
	case " $verbs " in *" $v "*) want=0 ;; esac
	a=0; ks can -q "$A" "$v" cninodes || a=$?
	b=0; ks can -q "$A" "$v" cninodes.vpcresources.k8s.aws || b=$?
	eq "can $v cninodes.vpcresources.k8s.aws" "$want" "$b"
	eq "can $v cninodes (no group) answers the same" "$want" "$a"
done

# who-can: every subject bound to a ClusterRole with a rule for patch on
# cninodes (wildcards included), from the JSON.
jq -r --slurpfile crb "$SNAP/clusterrolebindings.json" '
    def has(a; x): (a // []) | (index(x) or index("*"));
    [.items[] | select(any(.rules[]?; has(.verbs; "patch") and
        has(.apiGroups; "vpcresources.k8s.aws") and
        has(.resources; "cninodes"))) | .metadata.name] as $roles
    | $crb[0].items[] | select(.roleRef.kind == "ClusterRole" and
        (.roleRef.name as $n | $roles | index($n))) | .subjects[]?
    | .kind + "," + .name' "$SNAP/clusterroles.json" | sort -u > "$T/want"
[ -s "$T/want" ] || fail "no subject may patch cninodes in the fixture"
ks who-can patch cninodes.vpcresources.k8s.aws -o csv | tr -d '\r' |
    tail -n +2 | cut -d, -f1,2 | sort -u > "$T/qualified"
ks who-can patch cninodes -o csv 2> "$T/err" | tr -d '\r' | tail -n +2 |
    cut -d, -f1,2 | sort -u > "$T/bare"
diff "$T/want" "$T/qualified" || fail "who-can patch cninodes.vpcresources.k8s.aws"
diff "$T/want" "$T/bare" || fail "who-can patch cninodes drops subjects"
echo "ok - who-can patch cninodes lists the $(wc -l < "$T/want") subjects of the JSON"
grep -q 'cninodes is cninodes.vpcresources.k8s.aws' "$T/err" ||
    fail "who-can does not say what cninodes stood for: $(cat "$T/err")"
echo "ok - who-can says which group cninodes is in"

# Short names: built-in (from the apiserver's discovery documents) and the
# CRD's own, read from its JSON.
json() { ks can -o json "$@" | jq -r '.api_group + "|" + .resource + "|" + (.subresource // "")'; }
eq "po" "|pods|" "$(json "$A" list po)"
eq "pod/exec" "|pods|exec" "$(json "$A" create pod/exec)"
eq "deploy" "apps|deployments|" "$(json "$A" list deploy)"
eq "deployments.v1.apps" "apps|deployments|" "$(json "$A" list deployments.v1.apps)"
short=$(jq -r '.items[] | select(.metadata.name == "cninodes.vpcresources.k8s.aws")
    | .spec.names.shortNames[0]' "$SNAP/customresourcedefinitions.json")
eq "the CRD's short name $short" "vpcresources.k8s.aws|cninodes|" "$(json "$A" get "$short")"
a=0; ks can -q "$A" list po || a=$?
b=0; ks can -q "$A" list pods || b=$?
eq "can list po answers as can list pods" "$b" "$a"

# can -o json: one object, parsed by jq.
ks can -o json "$A" get cninodes > "$T/yes.json"
eq "json: allowed" "true" "$(jq -r .allowed "$T/yes.json")"
eq "json: subject" "$A" "$(jq -r .subject.user "$T/yes.json")"
eq "json: the grant" "ClusterRole|vpc-resource-controller-role|true" \
    "$(jq -r '.grant.role_kind + "|" + .grant.role + "|" + (.grant.rule.resources | index("cninodes") != null | tostring)' "$T/yes.json")"
eq "json: how" "crd" "$(jq -r .resolved.how "$T/yes.json")"
rc=0; ks can -o json "$A" patch cninodes > "$T/no.json" || rc=$?
eq "json no: exit 1" 1 "$rc"
eq "json: not allowed, the verb misses" "false|verb" \
    "$(jq -r '(.allowed | tostring) + "|" + .closest[0].does_not_match' "$T/no.json")"
eq "json: one object" 1 "$(jq -s length "$T/no.json")"
eq "csv: header and one row" 2 "$(ks can -o csv "$A" get cninodes | wc -l | tr -d ' ')"
eq "csv: allowed, group, resource" "yes,vpcresources.k8s.aws,cninodes" \
    "$(ks can -o csv "$A" get cninodes | tr -d '\r' | tail -1 | cut -d, -f1,4,5)"

# -q prints nothing; exit 0 yes, 1 no.
rc=0; ks can -q "$A" get cninodes > "$T/out" 2>&1 || rc=$?
eq "-q yes: exit" 0 "$rc"
eq "-q yes: nothing printed" "" "$(cat "$T/out")"
rc=0; ks can -q "$A" patch cninodes > "$T/out" 2>&1 || rc=$?
eq "-q no: exit" 1 "$rc"
eq "-q no: nothing printed" "" "$(cat "$T/out")"

# Unknown: a warning on stderr, the assumed group in the answer.
rc=0; ks can "$A" get foos > "$T/out" 2> "$T/err" || rc=$?
eq "unknown: no" 1 "$rc"
grep -q 'warning: no resource named "foos" .*assuming API group ""' "$T/err" ||
    fail "unknown: no warning: $(cat "$T/err")"
grep -q 'resource: foos in API group ""' "$T/out" || fail "unknown: group not said"
eq "unknown: json" '|foos|assumed' \
    "$(ks can -o json "$A" get foos 2>/dev/null | jq -r '.api_group + "|" + .resource + "|" + .resolved.how')"
ks who-can get foos > /dev/null 2> "$T/err"
grep -q 'assuming API group ""' "$T/err" || fail "who-can unknown: no warning"
echo "ok - unknown names are warned about, with the group assumed"

# Could not answer: exit 2.
rc=0; KUBESIFT_DB=$T/none.db ks can "$A" get pods 2>/dev/null || rc=$?
eq "no database: exit 2" 2 "$rc"
rc=0; ks can -o nosuch "$A" get pods 2>/dev/null || rc=$?
eq "unknown format: exit 2" 2 "$rc"
rc=0; ks can "$A" get 2>/dev/null || rc=$?
eq "missing operand: exit 2" 2 "$rc"

# Ambiguous: two CRDs with the same plural and short name, written here.
mkdir "$T/amb"
jq '.items |= (map(select(.metadata.name == "cninodes.vpcresources.k8s.aws"))
    | . + map(.metadata.name = "cninodes.example.com" | .metadata.uid = "u2"
    | .spec.group = "example.com"))' "$SNAP/customresourcedefinitions.json" \
    > "$T/amb/customresourcedefinitions.json"
cp "$SNAP/clusterroles.json" "$SNAP/clusterrolebindings.json" "$T/amb/"
export KUBESIFT_DB="$T/amb.db"
ks import -q "$T/amb"
for c in "can $A get" "who-can get"; do
	for n in cninodes "$short"; do
		rc=0; ks $c "$n" > /dev/null 2> "$T/err" || rc=$?
		eq "$c $n: ambiguous, exit 2" 2 "$rc"
		grep -q 'cninodes.example.com, cninodes.vpcresources.k8s.aws' "$T/err" ||
		    fail "$c $n: candidates not listed: $(cat "$T/err")"
	done
done
rc=0; ks can "$A" get cninodes.vpcresources.k8s.aws > /dev/null || rc=$?
eq "the group settles it" 0 "$rc"

# Real data: k3s ships Traefik's CRDs in two groups (traefik.containo.us
# and traefik.io), so "ingressroutes" alone is ambiguous there.
if [ -d "$REALDATA" ]; then
	export KUBESIFT_DB="$T/k3s.db"
	ks import -q "$REALDATA/support-bundles/troubleshoot-baseline-supportbundle-k3s-v0.123.tar.gz"
	want=$(q "SELECT group_concat(g, ' ') FROM (SELECT DISTINCT
	    json_extract(body, '\$.spec.names.plural') || '.' ||
	    json_extract(body, '\$.spec.group') AS g FROM objects
	    WHERE kind = 'CustomResourceDefinition'
	    AND json_extract(body, '\$.spec.names.plural') = 'ingressroutes'
	    ORDER BY 1)")
	case "$want" in *" "*) ;; *) fail "k3s: expected two ingressroutes CRDs, got '$want'" ;; esac
	rc=0; ks who-can get ingressroutes > /dev/null 2> "$T/err" || rc=$?
	eq "k3s: who-can get ingressroutes: exit 2" 2 "$rc"
	grep -qF "ambiguous: $(echo "$want" | sed 's/ /, /g');" "$T/err" ||
	    fail "k3s: candidates: $(cat "$T/err")"
	echo "ok - k3s: ingressroutes names $want"
	g=$(q "SELECT json_extract(body, '\$.spec.group') FROM objects
	    WHERE kind = 'CustomResourceDefinition'
	    AND json_extract(body, '\$.spec.names.plural') = 'helmcharts' LIMIT 1")
	eq "k3s: helmcharts, a CRD" "$g|helmcharts|crd" \
	    "$(ks can -o json system:admin get helmcharts | jq -r '.api_group + "|" + .resource + "|" + .resolved.how')"
else
	echo "SKIP k3s resource names: ../shared/realdata is absent"
fi
