#!/bin/sh
# kubesift detect and the detections view: each rule fires on the Falco
# trace file that triggers its Falco counterpart, imported alone into a
# fresh database, and no other rule does; the twin that must not trigger
# (unprivileged, nohostnetwork, ...) fires nothing of that rule.
. tests/cli/lib.sh

# The impersonation of fixtures/differential (no real data needed):
# admin@example.com acting as the deployer service account, d-003, d-004.
ks import -q "$TOP/fixtures/differential"
ks detect -o json >"$T/d.json"
eq "impersonation: who impersonated" "admin@example.com" \
    "$(jq -r '[.[] | select(.rule == "impersonation") | .actor] | unique | join(",")' "$T/d.json")"
eq "impersonation: whom" "user/system:serviceaccount:shop:deployer" \
    "$(jq -r '[.[] | select(.rule == "impersonation") | .object] | unique | join(",")' "$T/d.json")"
eq "impersonation: the evidence" "d-003 d-004" \
    "$(jq -r '[.[] | select(.rule == "impersonation") | .audit_ids[]] | sort | join(" ")' "$T/d.json")"
eq "detect --actor selects" 0 \
    "$(ks detect --actor nobody@example.com -o json | jq length)"
eq "detect --since selects by first_seen" "d-004" \
    "$(ks detect --since 2024-03-05T12:20:30Z -o json |
	jq -r '[.[] | .audit_ids[]] | join(" ")')"
eq "detect -o json: audit_ids is an array of strings" true \
    "$(jq '[.[] | .audit_ids | type == "array" and length > 0 and
	length <= 10 and all(.[]; type == "string")] | all' "$T/d.json")"
eq "detect -o jsonl: audit_ids is an array" array \
    "$(ks detect -o jsonl | jq -r '.audit_ids | type' | sort -u)"
for f in csv md table jsonl; do
	ks detect -o $f >/dev/null || fail "detect -o $f"
done
echo "ok - detect -o csv, md, table, jsonl"

# detect reads the rows saved at import (detections_saved) only while
# their marks say they are this evidence's: the view's rows either way.
eq "import saves the detections" \
    "$(q "SELECT count(*) FROM detections")" \
    "$(q "SELECT count(*) FROM detections_saved WHERE EXISTS (SELECT 1
	FROM rollup_marks WHERE name = 'detections')")"
ks detect -o json > "$T/view.json"
sqlite3 "$KUBESIFT_DB" "DELETE FROM detections_saved
    WHERE rule = 'impersonation'"
ks detect -o json > "$T/saved.json"
cmp -s "$T/saved.json" "$T/view.json" &&
	fail "detect does not read the saved rows"
for m in detections detections.objects detections.snapshots detections.logs \
    detections.classes; do
	sqlite3 "$KUBESIFT_DB" "UPDATE rollup_marks SET upto = upto + 1
	    WHERE name = '$m'"
	ks detect -o json > "$T/saved.json"
	cmp -s "$T/saved.json" "$T/view.json" ||
		fail "detect read saved rows of other evidence ($m)"
	sqlite3 "$KUBESIFT_DB" "UPDATE rollup_marks SET upto = upto - 1
	    WHERE name = '$m'"
done
ks upgrade -q
eq "a write opened forgets the saved rows, its end saves them again" \
    "$(q "SELECT count(*) FROM detections")" \
    "$(q "SELECT count(*) FROM detections_saved")"
ks detect -o json > "$T/saved.json"
cmp -s "$T/saved.json" "$T/view.json" ||
	fail "detect after upgrade differs from the view's rows"
echo "ok - detect: the saved rows are the view's"

# A class edited by hand in place (same length, same first letters):
# detect reads the view, not the rows saved before the edit; upgrade
# saves the view's rows again.
export KUBESIFT_DB="$T/classes.db"
ks import -q "$TOP/fixtures/detect"
ks detect -o json > "$T/before.json"
sqlite3 "$KUBESIFT_DB" "UPDATE identity_classes SET pattern =
    substr('*@corp.example' || printf('%.60c', '*'), 1, length(pattern))
    WHERE pattern = '*@container-engine-robot.iam.gserviceaccount.com'"
ks detect -o json > "$T/after.json"
cmp -s "$T/before.json" "$T/after.json" && fail "the class edit changed no detection"
ks upgrade -q
ks detect -o json > "$T/upgraded.json"
cmp -s "$T/after.json" "$T/upgraded.json" ||
	fail "detect after a class edit: not the view's rows"
echo "ok - detect: a class edited by hand is read, not the saved rows"
export KUBESIFT_DB="$T/k.db"

# The rules that read the evidence's history, on the hand-written
# fixtures of fixtures/detect/RULE/{positive,negative}.jsonl.  Each
# expectation is counted from the fixture itself with jq.
FX=$TOP/fixtures/detect

# fx RULE CASE: import fixtures/detect/RULE/CASE.jsonl alone; the findings
# of RULE as JSON in $T/fx.json.
fx() {
	rm -f "$KUBESIFT_DB"
	ks import -q "$FX/$1/$2.jsonl"
	ks detect -o json | jq --arg r "$1" '[.[] | select(.rule == $r)]' \
	    >"$T/fx.json"
}

# ids JQ FILE: the audit IDs of FILE's events selected by JQ, sorted.
ids() { jq -r "select($1) | .auditID" "$2" | sort | tr '\n' ' '; }

# found: the audit IDs of the findings in $T/fx.json, sorted.
found() { jq -r '.[].audit_ids[]' "$T/fx.json" | sort | tr '\n' ' '; }

fx denial-burst positive
eq "denial-burst fires once, on mallory" "mallory high" \
    "$(jq -r '.[] | .actor + " " + .severity' "$T/fx.json")"
eq "denial-burst: the evidence is mallory's refusals" \
    "$(ids '.user.username == "mallory" and .responseStatus.code == 403' \
	"$FX/denial-burst/positive.jsonl")" "$(found)"
eq "denial-burst: the distinct targets counted" 6 \
    "$(jq -r 'select(.responseStatus.code == 403) | [.objectRef.resource,
	.objectRef.subresource, .objectRef.namespace] | tostring' \
	"$FX/denial-burst/positive.jsonl" | sort -u | wc -l | tr -d ' ')"
jq -r '.[0].summary' "$T/fx.json" | grep -q ' 6 distinct targets in 3 ' ||
    fail "denial-burst: the summary counts targets and namespaces"
eq "denial-burst: the summary counts refusals" \
    "($(jq -r 'select(.responseStatus.code == 403) | .auditID' \
	"$FX/denial-burst/positive.jsonl" | wc -l | tr -d ' ') refusals)." \
    "$(jq -r '.[0].summary | sub(".* \\("; "(")' "$T/fx.json")"
# One finding per burst (positive-bursts): carol's on two days (5
# refusals on 07-01, 5 on 07-03: two bursts, not one of 10), and
# system:anonymous scanning URL paths (/, /.env, /HNAP1 ...).
fx denial-burst positive-bursts
eq "denial-burst: one finding per burst, each high" \
    "$(jq -r 'select(.responseStatus.code == 403) | .user.username + " " +
	.requestReceivedTimestamp[0:10] + " high"' \
	"$FX/denial-burst/positive-bursts.jsonl" | sort -u)" \
    "$(jq -r '.[] | .actor + " " + .first_seen[0:10] + " " + .severity' \
	"$T/fx.json" | sort)"
eq "denial-burst: each burst's first and last refusal (carol, by jq)" \
    "$(jq -r 'select(.user.username | startswith("carol")) |
	.requestReceivedTimestamp' "$FX/denial-burst/positive-bursts.jsonl" |
	sort | awk '{d = substr($0, 1, 10); if (d != p && p != "")
	print f " " l; if (d != p) f = $0; l = $0; p = d} END {print f " " l}')" \
    "$(jq -r '.[] | select(.actor | startswith("carol")) |
	.first_seen + " " + .last_seen' "$T/fx.json" | sort)"
eq "denial-burst: the scanner's sentence names URL paths, no namespace" \
    "system:anonymous was refused on 5 distinct targets, all non-resource URL paths (such as /) within 1 min (probing) (5 refusals)." \
    "$(jq -r '.[] | select(.actor == "system:anonymous") | .summary' \
	"$T/fx.json")"
fx denial-burst negative
# dev: kubectl get all -n team-a, 9 refusals in 0.08 s, one command.
eq "denial-burst: not a controller, not one retried request, not spread," \
    "" "$(jq -r '.[].actor' "$T/fx.json")"
echo "ok - ... nor one command's fan-out ($(jq -r 'select(.user.username ==
    "dev@corp.example") | .objectRef.resource' \
    "$FX/denial-burst/negative.jsonl" | wc -l | tr -d ' ') lists)"

fx rbac-change-before-denials positive
eq "rbac-change-before-denials: who changed what" \
    "admin roles/gadget-editor
system:serviceaccount:ci:deployer clusterroles/widget-controller" \
    "$(jq -r '.[] | .actor + " " + .object' "$T/fx.json" | sort)"
eq "rbac-change-before-denials: the change, then the controller's refusals" \
    "$(ids '.auditID == "after-change" or (.responseStatus.code == 403 and
	.user.username == "system:serviceaccount:kube-system:widget-controller")' \
	"$FX/rbac-change-before-denials/positive.jsonl")" \
    "$(jq -r '.[] | select(.object == "clusterroles/widget-controller") |
	.audit_ids[]' "$T/fx.json" | sort | tr '\n' ' ')"
eq "rbac-change-before-denials: the change is the first evidence" \
    after-change "$(jq -r '.[] | select(.object ==
	"clusterroles/widget-controller") | .audit_ids[0]' "$T/fx.json")"
fx rbac-change-before-denials negative
eq "rbac-change-before-denials: not an old stream, unrelated, late" \
    "" "$(jq -r '.[].object' "$T/fx.json")"

fx escalation-after-denial positive
# kim: granted by the binding, not by the later update of its role, whose
# rules as written no longer name secrets.
# The service account reporter, a component, granted by admin: low (an
# admin fixing a component's missing permission).
eq "escalation-after-denial: eve by herself (high), dave and kim by admin" \
    "dave medium clusterrolebindings/dave-admin
eve high clusterroles/exec-all
eve high rolebindings/eve-exec
kim medium clusterrolebindings/kim-secrets
system:serviceaccount:shop:reporter low rolebindings/reporter-admin" \
    "$(jq -r '.[] | .actor + " " + .severity + " " + .object' "$T/fx.json" |
	sort)"
eq "escalation-after-denial: dave's evidence, the refusal and the grant" \
    "esc-dave-admin esc-dave-refused" \
    "$(jq -r '.[] | select(.actor == "dave") | .audit_ids[]' "$T/fx.json" |
	sort | tr '\n' ' ' | sed 's/ $//')"
fx escalation-after-denial negative
eq "escalation-after-denial: not before, other resource, user, namespace" \
    "" "$(jq -r '.[].actor' "$T/fx.json")"

fx deleted-audit-evidence positive
eq "deleted-audit-evidence: the deletions" \
    "$(ids '.verb | test("^delete")' "$FX/deleted-audit-evidence/positive.jsonl")" \
    "$(found)"
eq "deleted-audit-evidence: audit configuration is high, events medium" \
    "auditsinks/sink high configmaps/audit-policy high events/* medium secrets/audit-webhook-kubeconfig high" \
    "$(jq -r '.[] | .object + " " + .severity' "$T/fx.json" | sort |
	tr '\n' ' ' | sed 's/ $//')"
fx deleted-audit-evidence negative
# Nor roles or pods named *audit* (audit2rbac's roles, auditbeat's pods,
# a role auditor-readonly), nor a controller's deletion of the policy.
eq "deleted-audit-evidence: not a cleanup, another configmap, refused" \
    "" "$(jq -r '.[].object' "$T/fx.json")"

# The gap: a log of one request every STEP seconds for N requests, then
# silence for GAP seconds, then the same again (from 2024-06-01 10:00).
# paced FILE STEP N GAP
paced() {
	i=0 t=1717236000
	while [ $i -lt $((2 * $3)) ]; do
		[ $i -eq $3 ] && t=$((t + $4 - $2))
		printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"p-%d","stage":"ResponseComplete","requestURI":"/api/v1/nodes","verb":"list","user":{"username":"system:node:n1"},"objectRef":{"resource":"nodes","apiVersion":"v1"},"responseStatus":{"code":200},"requestReceivedTimestamp":"%s","stageTimestamp":"%s"}\n' \
		    $i "$(date -u -d @$t +%Y-%m-%dT%H:%M:%SZ)" \
		    "$(date -u -d @$t +%Y-%m-%dT%H:%M:%SZ)"
		i=$((i + 1)) t=$((t + $2))
	done >"$1"
}
# gap STEP N GAP: the audit IDs of the gap findings on such a log.
gap() {
	paced "$T/paced.jsonl" "$@"
	rm -f "$KUBESIFT_DB"
	ks import -q "$T/paced.jsonl"
	ks detect -o json | jq -r '[.[] | select(.rule ==
	    "deleted-audit-evidence") | .audit_ids[]] | join(" ")'
}
eq "the gap: 40 requests 5 s apart, 10 minutes of silence, 40 more" \
    "p-39 p-40" "$(gap 5 40 600)"
eq "the gap: 4 minutes of silence is not one" "" "$(gap 5 40 240)"
eq "the gap: a quiet log (one request a minute) has none" "" \
    "$(gap 60 40 600)"
# More than 5 minutes, not 5 minutes; and a silence after a busy stretch
# longer than 5 minutes (the view walks the log in steps of up to 5
# minutes: none may step over it).
eq "the gap: 5 minutes of silence is not one" "" "$(gap 5 40 300)"
eq "the gap: 5 minutes and 1 s of silence is one" "p-39 p-40" \
    "$(gap 5 40 301)"
eq "the gap: after 400 requests 1 s apart" "p-399 p-400" \
    "$(gap 1 400 400)"
# A request is judged by its ResponseComplete stage, else its last one,
# whichever stage a rule would fire on: x-1 was let through when its
# response started (101) but refused in the end; x-2 let through, its
# RequestReceived stored after; x-3 only received.  Only x-2 ran exec.
# stage AUDITID STAGE CODE: one pods/exec event of alice.
stage() {
	code=
	[ -n "${3:-}" ] && code="\"responseStatus\":{\"code\":$3},"
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s","stage":"%s","requestURI":"/api/v1/namespaces/d/pods/p/exec","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"d","name":"p","subresource":"exec","apiVersion":"v1"},%s"requestReceivedTimestamp":"2024-06-01T10:00:00Z","stageTimestamp":"2024-06-01T10:00:01Z"}\n' \
	    "$1" "$2" "$code"
}
{ stage x-1 ResponseStarted 101; stage x-1 ResponseComplete 403
  stage x-2 ResponseComplete 200; stage x-2 RequestReceived
  stage x-3 RequestReceived; } >"$T/stages.jsonl"
rm -f "$KUBESIFT_DB"
ks import -q "$T/stages.jsonl"
eq "exec-or-attach: each request by its final stage" "x-2" \
    "$(ks detect -o json | jq -r '[.[] | select(.rule ==
    "exec-or-attach") | .audit_ids[]] | join(" ")')"
# Two copies of one log (20 requests 10 s apart on each side: 40 rows,
# 20 requests) are no busier than one.
paced "$T/paced.jsonl" 10 20 600
cp "$T/paced.jsonl" "$T/paced-copy.jsonl"
rm -f "$KUBESIFT_DB"
ks import -q "$T/paced.jsonl" "$T/paced-copy.jsonl"
eq "the gap: two copies of a sparse log count once" "40 " \
    "$(ks sql 'SELECT count(*) FROM audit_events' | tail -1 |
    tr -d '\r') $(ks detect -o json | jq -r '[.[] |
    select(.rule == "deleted-audit-evidence")] | length | select(. > 0)')"
eq "the gap: low, and the summary names the audit policy" "low 1" \
    "$(gap 5 40 600 >/dev/null; ks detect -o json | jq -r '[.[] |
    select(.rule == "deleted-audit-evidence")] | (map(.severity) | unique |
    join(",")) + " " + (map(select(.summary | test("audit policy")))
    | length | tostring)')"

# The pods a snapshot holds (fixtures/detect/snapshot-pods): the same
# three pod rules, with no actor and no audit ID; high, but info in
# kube-system (the cluster's own agents).  A pod with an owner (not a
# static pod's Node) is named by it: a DaemonSet's replicas are one
# finding.  Privileged and host namespaces by jq on the fixture; the
# sensitive mount by reading it (docker.sock).
rm -f "$KUBESIFT_DB"
ks import -q "$FX/snapshot-pods"
SP=$FX/snapshot-pods/pods.json
sev='if .metadata.namespace == "kube-system" then "info" else "high" end'
# owner: the object a finding names, by jq.
owner='([.metadata.ownerReferences[]? | select(.kind != "Node")] |
    if length > 0 then (.[0].kind | ascii_downcase) + "s/" + .[0].name
    else "pods/" + $p.metadata.name end)'
expect=$( {
	jq -r ".items[] | . as \$p | select([.spec.containers[]?,
	    .spec.initContainers[]?, .spec.ephemeralContainers[]?] |
	    any(.securityContext.privileged == true)) |
	    \"privileged-pod \" + ($sev) + \" \" + $owner" "$SP"
	jq -r ".items[] | . as \$p | select(.spec.hostNetwork or .spec.hostPID or
	    .spec.hostIPC) | \"host-network \" + ($sev) + \" \" + $owner" "$SP"
	echo "sensitive-mount high pods/docker-sock"
} | sort -u)
eq "snapshot pods: the findings" "$expect" \
    "$(ks detect -o json | jq -r '.[] | .rule + " " + .severity + " " + .object' | sort)"
eq "snapshot pods: no actor, no audit ID, counted in pods" \
    "0 0 daemonsets/log-agent=2 pods,pods/docker-sock=1 pod" \
    "$(ks detect -o json | jq -r '[(map(select(.actor != null)) | length),
	(map(.audit_ids | length) | add),
	([.[] | select(.object == "pods/docker-sock" or (.object ==
	"daemonsets/log-agent" and .rule == "host-network")) | .object +
	"=" + (.summary | capture("\\((?<n>[0-9]+ pods?)\\)").n)] | sort |
	join(","))] | join(" ")')"
eq "snapshot pods: a DaemonSet's replicas, one finding of each rule" \
    "$(jq '[.items[] | select(.metadata.ownerReferences[0].kind ==
	"DaemonSet")] | length' "$SP") $(jq '[.items[] |
	select(.metadata.ownerReferences[0].kind == "DaemonSet")] | length' "$SP")" \
    "$(ks detect -o json | jq -r '[.[] | select(.object ==
	"daemonsets/log-agent") | .count] | join(" ")')"

need_realdata

# A real snapshot (KubeHound's kind cluster, 2023): its attack pods in
# default are high; kube-system's agents (kube-proxy, kindnet, the static
# control-plane pods) are info.  Expected by jq over its pods.json files.
rm -f "$KUBESIFT_DB"
KH=$REALDATA/kubectl-json/kubehound-kind-collect-2023
ks import -q "$KH"
khexpect=$(cat "$KH"/*/pods.json | jq -r -s '
    def sev: if .metadata.namespace == "kube-system" then "info" else "high" end;
    def owner: .metadata.name as $n | [.metadata.ownerReferences[]? |
	select(.kind != "Node")] | if length > 0 then
	(.[0].kind | ascii_downcase) + "s/" + .[0].name else $n end;
    def sensitive: ("/" + (ltrimstr("/") | rtrimstr("/"))) as $p |
	$p == "/" or ($p | test("^/(proc|etc|root|var/run/containerd|var/lib/kubelet|var/lib/etcd)(/|$)")) or
	$p == "/var/run/docker.sock";
    .[].items[] |
    (select([.spec.containers[]?, .spec.initContainers[]?] |
	any(.securityContext.privileged == true)) | "privileged-pod " + sev + " " + owner),
    (select(.spec.hostNetwork or .spec.hostPID or .spec.hostIPC) |
	"host-network " + sev + " " + owner),
    (select([.spec.volumes[]?.hostPath.path // empty] | any(sensitive)) |
	"sensitive-mount " + sev + " " + owner)' | sort -u)
eq "KubeHound's snapshot: the pod findings" "$khexpect" \
    "$(ks detect -o json | jq -r '.[] | .rule + " " + .severity + " " + (.object | ltrimstr("pods/"))' | sort)"
eq "KubeHound's snapshot: the high ones are its attack pods" \
    "hostpath-pod priv-hostpid-pod priv-pod" \
    "$(ks detect -o json | jq -r '[.[] | select(.severity == "high") | .object | ltrimstr("pods/")] | unique | join(" ")')"

FALCO=$REALDATA/audit-native/falco-k8s_audit-trace-files

# rules FILE: the rules that fire on FILE alone, sorted, comma-separated.
rules() {
	rm -f "$KUBESIFT_DB"
	ks import -q "$FALCO/$1.json"
	ks detect -o json | jq -r '[.[].rule] | unique | join(",")'
}

# fires RULE FILE: exactly RULE fires on FILE.
fires() { eq "$1 fires on $2" "$1" "$(rules "$2")"; }

# quiet RULE FILE: RULE does not fire on FILE.
quiet() {
	case ",$(rules "$2")," in
	*",$1,"*) fail "$1 fires on $2" ;;
	esac
	echo "ok - $1 does not fire on $2"
}

# All the traces in one database: they hold no refusal, and their
# deletions (configmaps, secrets, roles, a namespace...) touch neither
# events nor audit configuration, so no history rule fires; the rules of
# one request fire on their own traces as below.
rm -f "$KUBESIFT_DB"
ks import -q "$FALCO"
eq "no refusal in the Falco traces (by jq)" 0 \
    "$(cat "$FALCO"/*.json | jq -s '[.[] | select(.responseStatus.code == 403)] | length')"
eq "the Falco traces together: no history rule" "" \
    "$(ks detect -o json | jq -r '[.[] | select(.rule | test("^(denial-burst|rbac-change-before-denials|escalation-after-denial|deleted-audit-evidence)$")) | .rule] | unique | join(",")')"

fires exec-or-attach exec_pod
fires exec-or-attach attach_pod
quiet exec-or-attach create_nginx_pod_unprivileged
fires cluster-admin-binding attach_cluster_admin_role
quiet cluster-admin-binding create_clusterrolebinding
fires wildcard-role create_cluster_role_wildcard_verbs
fires wildcard-role create_cluster_role_wildcard_resources
quiet wildcard-role create_clusterrole
fires write-role create_cluster_role_pod_exec
quiet write-role create_clusterrole
# Falco's write-privileges trace grants delete on non-resource URLs only;
# write-role is about RBAC objects, secrets and pods/exec.
quiet write-role create_cluster_role_write_privileges
quiet write-role modify_cluster_role_node_problem_detector
fires system-role-modified modify_cluster_role_node_problem_detector
fires system-role-modified delete_cluster_role_kube_aggregator
quiet system-role-modified delete_clusterrole
quiet system-role-modified create_clusterrole
fires anonymous-allowed anonymous_creates_namespace_foo
quiet anonymous-allowed some-user_creates_namespace_foo
fires privileged-pod create_nginx_pod_privileged
fires privileged-pod create_nginx_pod_privileged_2nd_container
fires privileged-pod \
    create_nginx_pod_no_secctx_1st_container_privileged_2nd_container
quiet privileged-pod create_nginx_pod_unprivileged
fires host-network create_nginx_pod_hostnetwork
quiet host-network create_nginx_pod_nohostnetwork
fires sensitive-mount create_nginx_pod_sensitive_mount
fires sensitive-mount create_nginx_pod_sensitive_mount_2nd_container
quiet sensitive-mount create_nginx_pod_unsensitive_mount
fires nodeport-service create_nginx_service_nodeport
fires sensitive-configmap create_configmap_sensitive_values
quiet sensitive-configmap create_configmap_no_sensitive_values
quiet sensitive-configmap create_configmap
rules create_configmap_sensitive_values >/dev/null
ks detect -o json >"$T/cm.json"
! grep -q 'MY-KEY' "$T/cm.json" || fail "detect prints a configmap's value"
eq "sensitive-configmap names the key" \
    "minikube-user created configmaps/my-config with credentials in access.properties (6 requests)." \
    "$(jq -r '.[0].summary' "$T/cm.json")"
quiet nodeport-service create_nginx_service_nonodeport
fires sa-in-system-namespace create_serviceaccount_kube_system_namespace
fires sa-in-system-namespace create_serviceaccount_kube_public_namespace
quiet sa-in-system-namespace create_serviceaccount
# Falco's pod-in-kube-namespace traces are created by the replicaset
# controller, a component: the rule is about people, so they stay quiet.
quiet pod-in-system-namespace create_pod_kube_system_namespace
quiet pod-in-system-namespace create_pod_kube_public_namespace
# minikube-user is a person; the trace reads no secret, it creates one.
quiet secret-read-by-person create_secret

# Rules with no Falco trace of their own: events made from a trace, one
# field changed (a new audit ID, so that each is its own request).
# made NAME FILE JQ: FILE, changed by JQ, saved as $T/NAME.json.
made() {
	jq -c ".auditID = \"made-$1\" | $3" "$FALCO/$2.json" >"$T/$1.json"
}

# mrules NAME: the rules that fire on $T/NAME.json alone.
mrules() {
	rm -f "$KUBESIFT_DB"
	ks import -q "$T/$1.json"
	ks detect -o json | jq -r '[.[].rule] | unique | join(",")'
}

made portforward exec_pod '.objectRef.subresource = "portforward"'
eq "port-forward fires on pods/portforward" port-forward \
    "$(mrules portforward)"
made forward-refused exec_pod '.objectRef.subresource = "portforward" |
    .responseStatus.code = 403 |
    .annotations["authorization.k8s.io/decision"] = "forbid"'
eq "port-forward does not fire when refused" "" "$(mrules forward-refused)"
made secret-get create_secret '.verb = "get" | .requestObject = null |
    .objectRef.name = "db-password"'
eq "secret-read-by-person fires on a person's get" secret-read-by-person \
    "$(mrules secret-get)"
made secret-get-sa create_secret '.verb = "get" | .requestObject = null |
    .user.username = "system:serviceaccount:default:app"'
eq "secret-read-by-person does not fire on a service account" "" \
    "$(mrules secret-get-sa)"
made pod-person create_pod_kube_system_namespace \
    '.user.username = "minikube-user"'
eq "pod-in-system-namespace fires on a person's pod" \
    pod-in-system-namespace "$(mrules pod-person)"
made healthz anonymous_creates_namespace_foo '.verb = "get" |
    .requestURI = "/healthz" | del(.objectRef) | .requestObject = null'
eq "anonymous-allowed does not fire on /healthz" "" "$(mrules healthz)"
made role-secrets create_clusterrole \
    '.requestObject.rules[0].resources = ["secrets"] |
    .requestObject.rules[0].verbs = ["get", "update"]'
eq "write-role fires on update of secrets" write-role \
    "$(mrules role-secrets)"
# Falco's token secret is created by kube-controller-manager, a component.
quiet token-request create_service_account_token_secret
quiet token-request create_secret
made sa-token create_secret '.objectRef.resource = "serviceaccounts" |
    .objectRef.subresource = "token" | .objectRef.name = "default"'
eq "token-request fires on serviceaccounts/token by a person" \
    token-request "$(mrules sa-token)"
made token-secret create_secret \
    '.requestObject = {type: "kubernetes.io/service-account-token"}'
eq "token-request fires on a token secret by a person" token-request \
    "$(mrules token-secret)"
made imp create_secret '.impersonatedUser = {username: "bob"}'
eq "impersonation fires with impersonatedUser" impersonation \
    "$(mrules imp)"
eq "impersonation: the impersonator is the actor" minikube-user \
    "$(ks detect -o json | jq -r '.[0].actor')"
quiet impersonation create_secret
made debug exec_pod '.objectRef.subresource = "ephemeralcontainers" |
    .verb = "patch"'
eq "ephemeral-container fires on pods/ephemeralcontainers" \
    ephemeral-container "$(mrules debug)"
made debug-priv exec_pod '.objectRef.subresource = "ephemeralcontainers" |
    .verb = "patch" | .level = "Request" | .requestObject = {spec:
    {ephemeralContainers: [{name: "d", securityContext: {privileged: true}}]}}'
eq "a privileged ephemeral container is a privileged pod" \
    "ephemeral-container,privileged-pod" "$(mrules debug-priv)"
made debug-refused exec_pod '.objectRef.subresource = "ephemeralcontainers" |
    .verb = "patch" | .responseStatus.code = 403 |
    .annotations["authorization.k8s.io/decision"] = "forbid"'
eq "ephemeral-container does not fire when refused" "" \
    "$(mrules debug-refused)"
made helm modify_cluster_role_node_problem_detector \
    '.userAgent = "Helm/3.14.0"'
eq "system-role-modified: a Helm upgrade is low, and says so" \
    "system-role-modified low 1" \
    "$(mrules helm >/dev/null; ks detect -o json | jq -r '.[] | .rule + " " +
	.severity + " " + (.summary | [match("with Helm")] | length |
	tostring)')"
made reconcile modify_cluster_role_node_problem_detector \
    '.user.username = "system:apiserver"'
eq "system-role-modified does not fire on the API server's reconciling" "" \
    "$(mrules reconcile)"

# remediate: a refusal of an actor with a critical finding is filed as
# suspicious, with the rule named.
made refused create_secret '.verb = "list" | .objectRef.resource = "nodes" |
    del(.objectRef.namespace) | .requestObject = null |
    .responseStatus.code = 403 |
    .annotations["authorization.k8s.io/decision"] = "forbid"'
rm -f "$KUBESIFT_DB"
ks import -q "$FALCO/attach_cluster_admin_role.json" "$T/refused.json"
ks remediate -o json >"$T/r.json"
eq "remediate: the actor of cluster-admin-binding is suspicious" \
    "suspicious" "$(jq -r '[.. | objects | select(.actor? == "minikube-user")
	| .class? // empty] | unique | join(",")' "$T/r.json")"
grep -q 'detection cluster-admin-binding' "$T/r.json" ||
    fail "remediate does not name the detection"
echo "ok - remediate names the detection"
