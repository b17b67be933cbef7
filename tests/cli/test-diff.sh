# kubesift diff: two snapshots of the EKS fixture, the second edited here
# (a rule added, a binding subject removed, a Deployment's image changed, a
# Node deleted, heartbeats moved on, a Role given a second resourceName, a
# non-resource URL bound two ways, a Secret applied by kubectl), and what
# diff says against the edits, in jq; then the kind dump's aggregated roles.
. tests/cli/lib.sh

S=$TOP/fixtures/eks-1.29/snapshot
A=$T/a
B=$T/b
mkdir "$A" "$B"
cp "$S"/*.json "$A"/
cp "$S"/*.json "$B"/

# A Deployment the fixture lacks, in both; B runs a newer image.
deploy() {
	cat <<DEPLOY
{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"apps/v1",
 "kind":"Deployment","metadata":{"name":"web","namespace":"shop",
 "resourceVersion":"$2","generation":$3,"uid":"0d1f5b4e-web"},
 "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web",
 "image":"$1"}]}}}}]}
DEPLOY
}
deploy nginx:1.25 100 1 > "$A/deployments.json"
deploy nginx:1.27 200 2 > "$B/deployments.json"
# A Secret whose password changed: only its hash may show.
secret() {
	printf '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1",'
	printf '"kind":"Secret","metadata":{"name":"db","namespace":"shop"},'
	printf '"data":{"password":"%s"}}]}\n' "$(printf %s "$1" | base64)"
}
secret hunter2 > "$A/secrets.json"
secret swordfish > "$B/secrets.json"

edit() { jq "$2" "$B/$1" > "$T/tmp.json" && mv "$T/tmp.json" "$B/$1"; }
# The rule the EKS case lacks.
edit clusterroles.json '(.items[] | select(.metadata.name ==
    "vpc-resource-controller-role") | .rules) += [{"apiGroups":
    ["vpcresources.k8s.aws"],"resources":["cninodes"],"verbs":["patch"]}]'
# The third rule of view is gone: one change, not every rule after it.
gone_rule=$(jq -c -S '.items[] | select(.metadata.name == "view") |
    .rules[2]' "$S/clusterroles.json")
edit clusterroles.json '(.items[] | select(.metadata.name == "view") |
    .rules) |= del(.[2])'
# system:unauthenticated is no longer a subject of public-info-viewer.
edit clusterrolebindings.json '(.items[] | select(.metadata.name ==
    "system:public-info-viewer") | .subjects) |= map(select(.name !=
    "system:unauthenticated"))'
# The last Node is gone; the others' heartbeats and versions moved on.
gone=$(jq -r '.items[-1].metadata.name' "$S/nodes.json")
edit nodes.json 'del(.items[-1]) | .items[] |= (.metadata.resourceVersion
    += "9" | .status.conditions[] |= (.lastHeartbeatTime =
    "2030-01-01T00:00:00Z"))'
nodes=$(jq '.items | length' "$B/nodes.json")

# A Role limited to one Secret by name, bound to a service account and a
# group (whose stray namespace field means nothing); B lets it read a second
# name.  A ClusterRole of a non-resource URL, bound to bob by a RoleBinding
# (which grants no URL) and to carol by a ClusterRoleBinding.
# add DIR FILE ITEM: one more object in a List of the snapshot.
add() {
	jq --argjson it "$3" '.items += [$it]' "$1/$2" > "$T/tmp.json" &&
	    mv "$T/tmp.json" "$1/$2"
}
RBAC=rbac.authorization.k8s.io
role() {
	echo '{"apiVersion":"'$RBAC'/v1","kind":"Role","metadata":{"name":
	    "secret-reader","namespace":"shop"},"rules":[{"apiGroups":[""],
	    "resources":["secrets"],"verbs":["get"],"resourceNames":'"$1"'}]}'
}
add "$A" roles.json "$(role '["db"]')"
add "$B" roles.json "$(role '["db","api-key"]')"
rb='{"apiVersion":"'$RBAC'/v1","kind":"RoleBinding","metadata":{"name":
 "read-secrets","namespace":"shop"},"roleRef":{"apiGroup":"'$RBAC'","kind":
 "Role","name":"secret-reader"},"subjects":[{"kind":"ServiceAccount","name":
 "web","namespace":"shop"},{"kind":"Group","name":"devs","namespace":"shop",
 "apiGroup":"'$RBAC'"}]}'
add "$A" rolebindings.json "$rb"
add "$B" rolebindings.json "$rb"
add "$B" rolebindings.json '{"apiVersion":"'$RBAC'/v1","kind":"RoleBinding",
    "metadata":{"name":"bob-metrics","namespace":"shop"},"roleRef":{
    "apiGroup":"'$RBAC'","kind":"ClusterRole","name":"metrics-urls"},
    "subjects":[{"kind":"User","name":"bob","apiGroup":"'$RBAC'"}]}'
add "$B" clusterroles.json '{"apiVersion":"'$RBAC'/v1","kind":"ClusterRole",
    "metadata":{"name":"metrics-urls"},"rules":[{"nonResourceURLs":
    ["/metrics"],"verbs":["get"]}]}'
add "$B" clusterrolebindings.json '{"apiVersion":"'$RBAC'/v1","kind":
    "ClusterRoleBinding","metadata":{"name":"carol-metrics"},"roleRef":{
    "apiGroup":"'$RBAC'","kind":"ClusterRole","name":"metrics-urls"},
    "subjects":[{"kind":"User","name":"carol","apiGroup":"'$RBAC'"}]}'
# The Secret as kubectl apply leaves it: its data in clear in an annotation.
applied() {
	jq --arg v "$(printf %s "$1" | base64)" '.items[0].metadata.annotations =
	    {"kubectl.kubernetes.io/last-applied-configuration": ({"apiVersion":
	    "v1","kind":"Secret","data":{"password":$v},"stringData":{"token":
	    "tok-\($v)"}} | tojson)} | .items[0].stringData = {"token":
	    "tok-\($v)"}' "$2/secrets.json" > "$T/tmp.json" &&
	    mv "$T/tmp.json" "$2/secrets.json"
}
applied hunter2 "$A"
applied swordfish "$B"

status() { "$@" > /dev/null 2>&1 && echo 0 || echo $?; }

ks import -q "$A"
eq "one snapshot: diff is a usage error" 2 "$(status ks diff)"
ks import -q "$B"
eq "two snapshots" 2 "$(q 'SELECT count(*) FROM snapshots')"
eq "unknown snapshot: exit 2" 2 "$(status ks diff 1 99)"
eq "one operand: exit 2" 2 "$(status ks diff 1)"

ks diff -o csv > "$T/d.csv"
ks diff 1 2 -o csv | cmp -s - "$T/d.csv" || fail "default is the two latest"
echo "ok - the default pair is the two latest"
ks diff -o json > "$T/d.json"
jqd() { jq -r "$1" "$T/d.json"; }

eq "RBAC first" "ClusterRole" "$(jqd '.[0].kind')"
eq "the rule gained, as a field" \
    'ClusterRole|vpc-resource-controller-role|changed|/rules/9||{"apiGroups":["vpcresources.k8s.aws"],"resources":["cninodes"],"verbs":["patch"]}' \
    "$(jqd '.[] | select(.name == "vpc-resource-controller-role") |
    [.kind, .name, .change, .path, .old // "", .new] | join("|")')"
eq "the subject lost, as a field" \
    'changed|/subjects/1|{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:unauthenticated"}|' \
    "$(jqd '.[] | select(.name == "system:public-info-viewer") |
    [.change, .path, .old, .new // ""] | join("|")')"
eq "a rule removed from the middle" "changed|/rules/2|$gone_rule|" \
    "$(jqd '.[] | select(.name == "view") | [.change, .path, .old,
    .new // ""] | join("|")')"
eq "the image" "changed|/spec/template/spec/containers/0/image|\"nginx:1.25\"|\"nginx:1.27\"" \
    "$(jqd '.[] | select(.kind == "Deployment") | select(.path |
    endswith("image")) | [.change, .path, .old, .new] | join("|")')"
eq "the secret as a hash change" "changed|/data/password|sha256|sha256" \
    "$(jqd '.[] | select(.kind == "Secret" and .path == "/data/password") |
    [.change, .path,
    (.old | fromjson | .[0:6]), (.new | fromjson | .[0:6])] | join("|")')"
! grep -q "$(printf %s swordfish | base64)\|swordfish" "$T/d.json" ||
    fail "the secret's value is in the diff"
echo "ok - the secret's value is not"
eq "the Node removed" "Node|$gone|removed|" \
    "$(jqd '.[] | select(.change == "removed") | [.kind, .name, .change,
    .path // ""] | join("|")')"
eq "added: the URL role and its two bindings" \
    "ClusterRole metrics-urls,ClusterRoleBinding carol-metrics,RoleBinding shop/bob-metrics" \
    "$(jqd '[.[] | select(.change == "added") | "\(.kind) \(.namespace //
    "" | if . == "" then "" else . + "/" end)\(.name)"] | join(",")')"
eq "no noise by default" 0 "$(jqd '[.[] | select(.path // "" | test(
    "resourceVersion|generation|managedFields|lastHeartbeatTime"))] | length')"
eq "nodes with only noise are not changed" 0 \
    "$(jqd '[.[] | select(.kind == "Node" and .change == "changed")] | length')"
eq "every change counted" 12 "$(jqd 'length')"

ks diff --all -o json > "$T/all.json"
eq "--all: each node's heartbeats" \
    "$(jq '[.items[] | .status.conditions | length] | add' "$B/nodes.json")" \
    "$(jq '[.[] | select(.path // "" | endswith("/lastHeartbeatTime"))] |
    length' "$T/all.json")"
eq "--all: each node's resourceVersion" "$nodes" \
    "$(jq '[.[] | select(.kind == "Node" and .path ==
    "/metadata/resourceVersion")] | length' "$T/all.json")"
eq "--all: the Deployment's generation" '1|2' \
    "$(jq -r '.[] | select(.path == "/metadata/generation") |
    "\(.old)|\(.new)"' "$T/all.json")"

eq "--kind" "Deployment" "$(ks diff --kind deployment -o json |
    jq -r '[.[].kind] | unique | join(",")')"
eq "--namespace" "shop" "$(ks diff -n shop -o json |
    jq -r '[.[].namespace] | unique | join(",")')"

# --rbac: the effective change per subject.
ks diff --rbac -o json > "$T/r.json"
eq "gained patch cninodes through the ClusterRole" \
    'User|eks:vpc-resource-controller|gained|patch|vpcresources.k8s.aws|cninodes||ClusterRole vpc-resource-controller-role through ClusterRoleBinding vpc-resource-controller-rolebinding' \
    "$(jq -r '.[] | select(.resource == "cninodes") | [.subject_kind, .subject,
    .change, .verb, .api_group, .resource, .namespace // "", .via] |
    join("|")' "$T/r.json")"
urls=$(jq -r '.items[] | select(.metadata.name ==
    "system:public-info-viewer") | .rules[] | .verbs[] as $v |
    .nonResourceURLs[] | "\($v) \(.)"' "$S/clusterroles.json" | sort | tr '\n' ,)
eq "system:unauthenticated lost the public info URLs" "$urls" \
    "$(jq -r '.[] | select(.change == "lost") | select(.subject ==
    "system:unauthenticated") | "\(.verb) \(.resource)"' "$T/r.json" |
    sort | tr '\n' ,)"
eq "nothing else lost but through view" 0 "$(jq '[.[] | select(.change ==
    "lost" and .subject != "system:unauthenticated" and
    (.via | startswith("ClusterRole view ") | not))] | length' "$T/r.json")"
ks diff --rbac | grep -q "gained.*patch.*cninodes.*ClusterRole vpc-resource-controller-role" ||
    fail "table: gained patch cninodes"
echo "ok - the table names the gain"
ks diff 2 1 --rbac -o json | jq -e '.[] | select(.change == "lost" and
    .resource == "cninodes")' > /dev/null || fail "the other way: lost"
echo "ok - B to A loses what A to B gains"

# resourceNames, subjects, non-resource URLs, --kind and -n with --rbac.
sub='[.[] | select(.resource == "secrets")] | sort_by(.subject) | .[] |
    [.subject_kind, .subject, .subject_namespace // "", .change, .verb,
    .resource, .resource_name // "", .namespace, .via] | join("|")'
eq "a rule gaining a name: that name gained, by each subject" \
    "Group|devs||gained|get|secrets|api-key|shop|Role shop/secret-reader through RoleBinding shop/read-secrets
ServiceAccount|web|shop|gained|get|secrets|api-key|shop|Role shop/secret-reader through RoleBinding shop/read-secrets" \
    "$(jq -r "$sub" "$T/r.json")"
eq "the URL: carol through her ClusterRoleBinding, bob through none" \
    "carol|get|/metrics|null" "$(jq -r '.[] | select(.resource ==
    "/metrics") | [.subject, .verb, .resource, .api_group // "null"] |
    join("|")' "$T/r.json")"
eq "the other way: the name lost" "lost|api-key" "$(ks diff 2 1 --rbac \
    -o json | jq -r '.[] | select(.subject == "devs") |
    "\(.change)|\(.resource_name)"')"
for k in Role ClusterRole RoleBinding ClusterRoleBinding; do
	case $k in
	*Binding) g="* through $k *" ;;
	*) g="$k *" ;;
	esac
	eq "--rbac --kind $k: the changes through a $k" \
	    "$(jq -c --arg g "$g" '[.[] | select(.via | test("^" + ($g |
	    gsub("\\*"; ".*")) + "$"))]' "$T/r.json")" \
	    "$(ks diff --rbac --kind "$(echo $k | tr A-Z a-z)" -o json | jq -c .)"
done
eq "--rbac --kind Role: the two names" 2 \
    "$(ks diff --rbac --kind Role -o json | jq length)"
eq "--rbac --kind Deployment: usage error" 2 \
    "$(status ks diff --rbac --kind Deployment)"
ks diff --rbac --kind Deployment 2>&1 | grep -q "Role, ClusterRole" ||
    fail "--rbac --kind Deployment: no reason given"
echo "ok - --rbac --kind Deployment says why"
eq "--rbac -n shop: the permissions held in shop" \
    "$(jq -c '[.[] | select(.namespace == "shop")]' "$T/r.json")" \
    "$(ks diff --rbac -n shop -o json | jq -c .)"
eq "--rbac -n shop: not empty" 2 "$(ks diff --rbac -n shop -o json | jq length)"

# The secret's values in no output, even with --all (the annotation).
for o in table csv json jsonl md; do
	for f in "" --all --rbac; do
		ks diff $f -o $o > "$T/out.$o" 2>&1
		for v in hunter2 swordfish; do
			b64=$(printf %s "$v" | base64)
			! grep -q -e "$v" -e "$b64" "$T/out.$o" ||
			    fail "-o $o $f: the secret $v is in the output"
		done
	done
done
echo "ok - no secret value in any format"
eq "--all: the annotation as a hash change" "sha256|sha256" \
    "$(ks diff --all -o json | jq -r '.[] | select(.kind == "Secret" and
    (.path | endswith("last-applied-configuration"))) |
    [(.old | fromjson | .[0:6]), (.new | fromjson | .[0:6])] | join("|")')"
COLS="subject_kind, subject, subject_namespace, change, verb, api_group, resource, resource_name, namespace, via"
eq "--rbac is the rbac_grant_diff view for the pair" \
    "$(sqlite3 -json "$KUBESIFT_DB" "SELECT DISTINCT $COLS FROM rbac_grant_diff
    WHERE snapshot_a = 1 AND snapshot_b = 2" | jq -c 'sort')" \
    "$(jq -c sort "$T/r.json")"

# Real evidence: a kind dump and a k3s support bundle as two snapshots.
need_realdata
export KUBESIFT_DB="$T/real.db"
ks import -q "$REALDATA/kubectl-json/kubehound-kind-collect-2023" \
    "$REALDATA/support-bundles/troubleshoot-testdata-support-bundle-k3s-v0.50.tar.gz"
eq "two real snapshots" 2 "$(q 'SELECT count(*) FROM snapshots')"
ks diff -o json > "$T/ab.json"
ks diff 2 1 -o json > "$T/ba.json"
eq "added one way is removed the other" \
    "$(jq -c '[.[] | select(.change == "added") | [.kind, .namespace, .name]] | sort' "$T/ab.json")" \
    "$(jq -c '[.[] | select(.change == "removed") | [.kind, .namespace, .name]] | sort' "$T/ba.json")"
eq "a changed field's old one way is its new the other" \
    "$(jq -c '[.[] | select(.change == "changed") | [.kind, .namespace, .name, .path, .old, .new]] | sort' "$T/ab.json")" \
    "$(jq -c '[.[] | select(.change == "changed") | [.kind, .namespace, .name, .path, .new, .old]] | sort' "$T/ba.json")"
eq "RBAC kinds first" "" "$(jq -r '[.[].kind | IN("ClusterRole", "Role",
    "ClusterRoleBinding", "RoleBinding")] | map(tostring) | join("") |
    sub("^(true)*(false)*$"; "")' "$T/ab.json")"
ks diff --rbac -o json > "$T/rab.json"
ks diff 2 1 --rbac -o json > "$T/rba.json"
[ "$(jq length "$T/rab.json")" -gt 0 ] || fail "no RBAC change between kind and k3s"
eq "gained one way is lost the other" \
    "$(jq -c '[.[] | select(.change == "gained") | del(.change)] | sort' "$T/rab.json")" \
    "$(jq -c '[.[] | select(.change == "lost") | del(.change)] | sort' "$T/rba.json")"

# Aggregated ClusterRoles on the kind dump: edit, bound to alice in default,
# and view, bound to the group auditors everywhere.  The rules the
# aggregation controller put in them are in the dump; each (verb, group,
# resource, name) of them is gained, counted here with jq.
export KUBESIFT_DB="$T/kind.db"
KIND=$REALDATA/kubectl-json/kubehound-kind-collect-2023
CR=$KIND/clusterroles.rbac.authorization.k8s.io.json
eq "edit and view are aggregated, with rules" "2|true" \
    "$(jq -r '[.items[] | select(.metadata.name | IN("edit", "view")) |
    select(.aggregationRule != null)] | "\(length)|\(all(.rules |
    length > 0))"' "$CR")"
cp -R "$KIND" "$T/kindA"
cp -R "$KIND" "$T/kindB"
add "$T/kindB" default/rolebindings.rbac.authorization.k8s.io.json \
    '{"apiVersion":"'$RBAC'/v1","kind":"RoleBinding","metadata":{"name":
    "alice-edit","namespace":"default"},"roleRef":{"apiGroup":"'$RBAC'",
    "kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"User","name":
    "alice","apiGroup":"'$RBAC'"}]}'
add "$T/kindB" clusterrolebindings.rbac.authorization.k8s.io.json \
    '{"apiVersion":"'$RBAC'/v1","kind":"ClusterRoleBinding","metadata":{
    "name":"auditors-view"},"roleRef":{"apiGroup":"'$RBAC'","kind":
    "ClusterRole","name":"view"},"subjects":[{"kind":"Group","name":
    "auditors","apiGroup":"'$RBAC'"}]}'
ks import -q "$T/kindA"
ks import -q "$T/kindB"
ks diff --rbac -o json > "$T/kind.json"
atoms() {
	jq -c --arg r "$1" '[.items[] | select(.metadata.name == $r) |
	    .rules[] | select(.resources != null) | .verbs[] as $v |
	    .apiGroups[] as $g | .resources[] as $res | (if (.resourceNames //
	    [] | length) > 0 then .resourceNames[] else null end) as $n |
	    [$v, $g, $res, $n]] | unique' "$CR"
}
for s in "alice edit default" "auditors view null"; do
	set -- $s
	[ "$(atoms "$2" | jq length)" -gt 9 ] || fail "$2: too few rules"
	eq "$1 gained each rule of the aggregated $2" "$(atoms "$2")" \
	    "$(jq -c --arg s "$1" --argjson ns "$(echo $3 | sed 's/^default$/"default"/')" \
	    '[.[] | select(.subject == $s and .change == "gained" and
	    .namespace == $ns) | [.verb, .api_group, .resource,
	    .resource_name]] | unique' "$T/kind.json")"
done
eq "nothing else changed" 0 "$(jq '[.[] | select(.subject |
    IN("alice", "auditors") | not)] | length' "$T/kind.json")"
