# who-can --at and can --at: the RBAC as it stood at a time, rebuilt from
# a snapshot and the audit log's RBAC writes (fixtures/rbac-at), against
# counts worked out by hand from the fixture; remediate naming the write
# that removed a permission; and, on ../shared/realdata, --at the
# snapshot's own time giving what no --at gives.
#
# The fixture (fixtures/rbac-at): a snapshot taken at 10:30 (managedFields)
#   ClusterRole ctrl-role (widgets.example.com get, list, patch), bound by
#   ClusterRoleBinding ctrl-binding to SA kube-system/ctrl; in namespace
#   dev, Role dev-reader (pods get) bound by dev-view to carol, Role
#   old-role (configmaps get) bound by old-bind to dave.  The log:
#   10:38 update ctrl-role without patch, by mallory (RequestResponse)
#   10:40-10:42 three refused patches of widgets by SA ctrl
#   10:45 create ClusterRoleBinding dev-admin, Metadata level: unknown
#   10:50 merge patch of dev-view: subjects carol and bob (Request level)
#   10:51 patch of old-bind at Metadata level: unknown, but its roleRef
#         (old-role, configmaps get) cannot have changed
#   10:52 create Role dev-writer (configmaps get), 10:53 its binding to erin
#   10:55 JSON patch of dev-writer: verb update added (Request level)
#   10:57 delete old-role (Metadata level: a delete needs no body)
#   10:59 a refused update of ctrl-role; 10:59:30 a dry-run delete.
# gke-rbac.json: one GKE entry, a ClusterRoleBinding created at 10:33.
. tests/cli/lib.sh

F=$TOP/fixtures/rbac-at
D=2024-03-05T
ks import -q "$F/snapshot" "$F/audit.log"

status() { "$@" > /dev/null 2>&1 && echo 0 || echo $?; }
# known TIME VERB RES [-n NS]: the subjects allowed, sorted, comma-joined.
known() {
	t=$1; shift
	ks who-can "$@" --at "$D$t:00Z" -o json 2>/dev/null | jq -r '[.[] |
	    select(.state == "known") | .subject] | sort | join(",")'
}
# unknown TIME VERB RES [-n NS]: the objects of unknown state listed.
unknown() {
	t=$1; shift
	ks who-can "$@" --at "$D$t:00Z" -o json 2>/dev/null | jq -r '[.[] |
	    select(.state != "known") | (.binding // .role)] | sort |
	    join(",")'
}
W=widgets.example.com
eq "10:35: ctrl may patch widgets" ctrl "$(known 10:35 patch $W)"
eq "10:35: nothing unknown (dev-admin was created later)" "" \
    "$(unknown 10:35 patch $W)"
eq "10:39: the update removed patch" "" "$(known 10:39 patch $W)"
eq "10:46: dev-admin, created at Metadata level, is unknown" dev-admin \
    "$(unknown 10:46 patch $W)"
eq "10:49: dev-view as in the snapshot" carol "$(known 10:49 get pods -n dev)"
eq "10:51: the merge patch added bob" bob,carol \
    "$(known 10:51 get pods -n dev)"
eq "10:54: dev-writer does not update yet" "" \
    "$(known 10:54 update configmaps -n dev)"
eq "10:56: the JSON patch added update" erin \
    "$(known 10:56 update configmaps -n dev)"
eq "10:52: old-bind's patch cannot grant pods (its role does not)" \
    dev-admin "$(unknown 10:52 get pods -n dev)"
eq "10:56: old-bind, patched at Metadata level, no longer known" erin \
    "$(known 10:56 get configmaps -n dev)"
eq "10:56: old-bind could grant get configmaps (old-role does)" \
    dev-admin,old-bind "$(unknown 10:56 get configmaps -n dev)"
eq "10:58: old-role deleted" erin "$(known 10:58 get configmaps -n dev)"
eq "11:00: the refused update and the dry run changed nothing" "" \
    "$(known 11:00 patch $W)"
eq "11:00: the dry-run delete left ctrl-binding" ctrl \
    "$(known 11:00 get $W)"
eq "no --at: the snapshot alone, no state column" \
    "subject_kind,subject,subject_namespace,binding_kind,binding,role_kind,role" \
    "$(ks who-can patch $W -o csv 2>/dev/null | head -1 | tr -d '\r')"

SA=system:serviceaccount:kube-system:ctrl
eq "can 10:35: yes" 0 "$(status ks can $SA patch $W --at ${D}10:35:00Z)"
eq "can 10:39: no" 1 "$(status ks can $SA patch $W --at ${D}10:39:00Z)"
eq "can 10:46: depends on dev-admin: exit 2" 2 \
    "$(status ks can $SA patch $W --at ${D}10:46:00Z)"
eq "can 10:46 get: a known grant is certain" 0 \
    "$(status ks can $SA get $W --at ${D}10:46:00Z)"
ks can $SA patch $W --at ${D}10:46:00Z -o json > "$T/can.json" 2>/dev/null ||
    true
eq "can -o json: allowed is null, the object named" \
    "null|ClusterRoleBinding|dev-admin|a2-crb-meta|alice" \
    "$(jq -r '[.allowed, (.unknown_objects[] | .kind, .name, .audit_id,
    .actor)] | map(tostring) | join("|")' "$T/can.json")"
ks can $SA patch $W --at ${D}10:46:00Z > /dev/null 2> "$T/err" || true
grep -q 'ClusterRoleBinding dev-admin: the log holds this write without its body' \
    "$T/err" || fail "stderr names the unknown object"
echo "ok - stderr names the unknown object"
eq "--at and --snapshot: exit 2" 2 \
    "$(status ks who-can get pods --at ${D}10:35:00Z --snapshot 1)"
eq "--at not a time: exit 2" 2 "$(status ks can x get pods --at soon)"
# -30m before the last event (10:59:30) is 10:29:30: before any write.
eq "--at relative, as --since" ctrl "$(known_rel() { ks who-can patch $W \
    --at -30m -o json 2>/dev/null | jq -r '[.[] | .subject] | join(",")'
    }; known_rel)"

# remediate: the snapshot (10:30) allows the patches; the RBAC then did not.
ks remediate -o json > "$T/r.json"
eq "remediate: the gap of the time is a change" 1 \
    "$(jq '[.[] | select(.action == "change")] | length' "$T/r.json")"
eq "the cause: who, when, what, audit ID" \
    "mallory|2024-03-05T10:38:00.000000Z|update|ClusterRole|ctrl-role|a1-remove-rule|120" \
    "$(jq -r '.[] | select(.action == "change") | .cause | [.actor, .time,
    .verb, .kind, .name, .audit_id, .seconds_before] | map(tostring) |
    join("|")' "$T/r.json")"
eq "the fix restores patch on the role as it was then" \
    "ctrl-role|get,list;patch" \
    "$(jq -r '.[] | select(.action == "change") | .manifests[0] |
    .metadata.name + "|" + ([.rules[] | .verbs | join(",")] | join(";"))' \
    "$T/r.json")"
eq "the unknown binding of the end of the log is a warning" 1 \
    "$(jq '[.[] | select(.action == "change") | .warnings[] |
    select(startswith("the state of ClusterRoleBinding dev-admin"))] |
    length' "$T/r.json")"
eq "replayed: 3 of 3" "3|3" "$(jq -r '.[] | select(.action == "change") |
    "\(.allowed_after)|\(.denials)"' "$T/r.json")"
ks remediate | grep -q '^  cause:     update of ClusterRole ctrl-role by mallory at 2024-03-05T10:38:00.000000Z (audit ID a1-remove-rule)' ||
    fail "remediate text names the cause"
echo "ok - remediate text names the cause"
ks report 2>/dev/null | grep -q 'cause:     update of ClusterRole ctrl-role by mallory at 2024-03-05T10:38:00.000000Z (audit ID a1-remove-rule)' ||
    fail "the report's fixes name the cause"
echo "ok - the report's fixes name the cause"

# The same, and ops restores the rule at 10:48: a gap at the time, fixed
# since; remediate proposes nothing for it and names the fix.
export KUBESIFT_DB="$T/fixed.db"
jq -c 'select(.auditID == "a1-remove-rule") | .auditID = "a10-restore" |
    .user.username = "ops" | .requestReceivedTimestamp =
    "2024-03-05T10:48:00.000000Z" | .stageTimestamp =
    .requestReceivedTimestamp | .responseObject.rules[0].verbs = ["get",
    "list", "patch"] | .responseObject.metadata.resourceVersion = "210"' \
    "$F/audit.log" > "$T/restore.log"
ks import -q "$F/snapshot" "$F/audit.log" "$T/restore.log"
ks remediate -o json > "$T/f.json"
eq "fixed since: no change" 0 \
    "$(jq '[.[] | select(.action == "change")] | length' "$T/f.json")"
eq "fixed since: a gap at the time, fixed by ops's update" \
    "true|a10-restore|ops|update" \
    "$(jq -r '.[] | select(.actor == "'"$SA"'") | [.gap_at_time,
    .fixed_by.audit_id, .fixed_by.actor, .fixed_by.verb] | map(tostring) |
    join("|")' "$T/f.json")"
ks remediate | grep -q 'allows it since: fixed by update of ClusterRole ctrl-role by ops' ||
    fail "remediate text names the fix"
echo "ok - remediate text names the fix"

# A snapshot taken after T (11:00): walking back is sound only for
# objects created after T; ctrl-role, updated after T, is unknown then.
L=$T/late
mkdir "$L"
jq '.items[].metadata.managedFields[0].time = "2024-03-05T11:00:00Z" |
    .items[0].rules[0].verbs = ["get", "list"] |
    .items[0].metadata.resourceVersion = "200"' \
    "$F/snapshot/clusterroles.json" > "$L/clusterroles.json"
jq '.items[].metadata.managedFields[0].time = "2024-03-05T11:00:00Z"' \
    "$F/snapshot/clusterrolebindings.json" > "$L/clusterrolebindings.json"
export KUBESIFT_DB="$T/late.db"
ks import -q "$L" "$F/audit.log"
eq "late snapshot, 10:35: ctrl-role is unknown" ctrl-role \
    "$(unknown 10:35 patch $W)"
eq "late snapshot, 10:35: can says unknown" 2 \
    "$(status ks can $SA patch $W --at ${D}10:35:00Z)"
eq "late snapshot, 10:40: known again (the update holds it)" 1 \
    "$(status ks can $SA patch $W --at ${D}10:40:00Z)"
eq "late snapshot, 10:51: dev-writer created after T: absent, known" "" \
    "$(unknown 10:51 get configmaps -n dev | tr ',' '\n' |
    grep -x dev-writer || true)"

# The log alone (no snapshot): what it holds whole is known, a refusal
# never is (any binding it never wrote could exist).
export KUBESIFT_DB="$T/log.db"
ks import -q "$F/audit.log"
eq "log alone, 10:56: erin's grant, created in the log, is known" 0 \
    "$(status ks can erin update configmaps -n dev --at ${D}10:56:00Z)"
eq "log alone, 10:56: bob's refusal is unknown" 2 \
    "$(status ks can bob update configmaps -n dev --at ${D}10:56:00Z)"

# Imported with --no-raw: no write has its body; the update that removed
# patch makes ctrl-role unknown, and a warning says why.
export KUBESIFT_DB="$T/noraw.db"
ks import -q --no-raw "$F/snapshot" "$F/audit.log"
eq "--no-raw, 10:39: ctrl-role unknown" ctrl-role "$(unknown 10:39 patch $W)"
ks who-can patch $W --at ${D}10:39:00Z > /dev/null 2> "$T/err"
grep -q 'warning: no RBAC write of the log has a body' "$T/err" ||
    fail "--no-raw: the warning"
echo "ok - --no-raw: the warning"

# A GKE Cloud Logging entry: the bodies are protoPayload.request/response
# (with "@type"); gke-admin binds ctrl-role to gina at 10:33.
export KUBESIFT_DB="$T/gke.db"
ks import -q "$F/snapshot" "$F/gke-rbac.json"
eq "GKE: before the create" ctrl "$(known 10:32 get $W)"
eq "GKE: after it" ctrl,gina@acme.example "$(known 10:34 get $W)"

# Real RBAC: --at the snapshot's own time gives what no --at gives.
if [ -d "$REALDATA" ]; then
	for src in kubectl-json/kubehound-kind-collect-2023 \
	    support-bundles/troubleshoot-testdata-support-bundle-k3s-v0.50.tar.gz; do
		export KUBESIFT_DB="$T/real.db"
		rm -f "$KUBESIFT_DB"
		ks import -q "$REALDATA/$src" 2>/dev/null
		at=$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', taken_at / 1000000, 'unixepoch', '+1 second') FROM snapshots")
		for vr in "get secrets" "list pods" "create clusterrolebindings.rbac.authorization.k8s.io" "get nodes" "update leases.coordination.k8s.io -n kube-system"; do
			# shellcheck disable=SC2086
			a=$(ks who-can $vr -o csv 2>/dev/null | tr -d '\r' | sort | md5sum)
			# shellcheck disable=SC2086
			b=$(ks who-can $vr --at "$at" -o csv 2>/dev/null |
			    tr -d '\r' | cut -d, -f1-7 | sort | md5sum)
			eq "$(basename "$src"): who-can $vr --at $at" "$a" "$b"
		done
		for c in "system:kube-scheduler get pods" \
		    "system:kube-controller-manager create serviceaccounts/token -n kube-system" \
		    "system:serviceaccount:kube-system:coredns list endpointslices.discovery.k8s.io" \
		    "nobody get secrets -n kube-system"; do
			# shellcheck disable=SC2086
			eq "$(basename "$src"): can $c --at: as without" \
			    "$(status ks can $c)" "$(status ks can $c --at "$at")"
		done
		n=$(ks who-can get secrets --at "$at" -o csv 2>/dev/null |
		    grep -c ',known' || true)
		[ "$n" -gt 0 ] || fail "$(basename "$src"): no subject may get secrets"
		eq "$(basename "$src"): as many rows as the grants the SQL view lists" \
		    "$(q "SELECT count(*) FROM rbac_grants g WHERE EXISTS (SELECT 1 FROM json_each(g.verbs) WHERE value IN ('get', '*')) AND EXISTS (SELECT 1 FROM json_each(g.resources) WHERE value IN ('secrets', '*')) AND EXISTS (SELECT 1 FROM json_each(g.api_groups) WHERE value IN ('', '*')) AND g.scope_namespace IS NULL AND coalesce(json_array_length(g.resource_names), 0) = 0")" \
		    "$n"
	done
else
	echo "SKIP realdata part: ../shared/realdata is absent"
fi
