# RBAC remediation: the EKS case end to end, each kind of denial, who-can
# and can on real RBAC, and the report's HTML page in a real browser.
. tests/cli/lib.sh

jq_() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$2') AS j)"; }

# The EKS 1.29 case: exactly one change, on the existing ClusterRole.
"$BUILD/gen-audit" --seed 1 --events 20000 --scenario eks-cninodes --summary \
    > "$T/audit.log" 2> "$T/summary"
n=$(sed -n 's/^denials=//p' "$T/summary")
ks import -q "$T/audit.log" "$TOP/fixtures/eks-1.29/snapshot"
ks remediate --actor eks:vpc-resource-controller -o json > "$T/r.json"
eq "one change" 1 "$(jq_ "json_array_length(j)" "$T/r.json")"
eq "target" "ClusterRole|vpc-resource-controller-role|1|" \
    "$(jq_ "json_extract(j, '\$[0].target_kind') || '|' || json_extract(j, '\$[0].target_name') || '|' || json_extract(j, '\$[0].target_exists') || '|' || coalesce(json_extract(j, '\$[0].target_namespace'), '')" "$T/r.json")"
eq "the rule" '[{"apiGroups":["vpcresources.k8s.aws"],"resources":["cninodes"],"verbs":["patch"]}]' \
    "$(jq_ "json_extract(j, '\$[0].rules')" "$T/r.json")"
eq "denials" "$n" "$(jq_ "json_extract(j, '\$[0].denials')" "$T/r.json")"
# The known issue's counts (read from the rollup) are the generator's, and
# those of the refused events themselves.
eq "known issue: its denials and span, as the refused events'" \
    "$n|$(sqlite3 "$KUBESIFT_DB" "SELECT min(received_us) || '|' || max(received_us) FROM audit_events WHERE username = 'eks:vpc-resource-controller' AND code = 403 AND stage = 'ResponseComplete' AND resource = 'cninodes'")" \
    "$(q "SELECT denials || '|' || first_seen || '|' || last_seen FROM known_issue_matches WHERE actor = 'eks:vpc-resource-controller' AND verb = 'patch'")"
eq "allowed_after equals the denials" "$n" "$(jq_ "json_extract(j, '\$[0].allowed_after')" "$T/r.json")"
eq "the known issue is named" "eks-1.29-vpc-resource-controller-cninodes" \
    "$(jq_ "json_extract(j, '\$[0].known_issues[0].id')" "$T/r.json")"
eq "the CRD exists and is established" "1|1" \
    "$(jq_ "json_extract(j, '\$[0].resources[0].exists') || '|' || json_extract(j, '\$[0].resources[0].established')" "$T/r.json")"
ks remediate --actor eks:vpc-resource-controller > "$T/r.txt"
grep -q "$n of $n denials would now be allowed" "$T/r.txt" || fail "text replay line"
echo "ok - text says all denials would now be allowed"
ks remediate --actor eks:vpc-resource-controller --patch > "$T/r.sh"
grep -q "^kubectl patch clusterrole 'vpc-resource-controller-role' --type=json -p '\[{\"op\":\"add\",\"path\":\"/rules/-\",\"value\":{\"apiGroups\":\[\"vpcresources.k8s.aws\"\],\"resources\":\[\"cninodes\"\],\"verbs\":\[\"patch\"\]}}\]'$" "$T/r.sh" ||
    fail "kubectl patch command: $(cat "$T/r.sh")"
echo "ok - kubectl patch command"

# The report, made before the fix: its Fixes propose the controller's rule
# only; alice's refused secrets read is a decision, not a change.
ks report > "$T/report.md"

# The YAML parses (libyaml, through kubesift's own YAML reader), carries all
# of the role's rules, and imported as a new snapshot leaves no gap.
ks remediate --actor eks:vpc-resource-controller -o yaml > "$T/fix.yaml"
rules=$(q "SELECT json_array_length(body, '\$.rules') FROM objects WHERE name = 'vpc-resource-controller-role'")
ks import -q "$T/fix.yaml"
eq "the manifest imports as one object" "kubectl-yaml|1|1" \
    "$(q "SELECT format || '|' || records || '|' || imported FROM sources WHERE path LIKE '%fix.yaml'")"
eq "the manifest keeps every rule and adds one" "$rules|$((rules + 1))" \
    "$(q "SELECT group_concat(json_array_length(body, '\$.rules'), '|') FROM (SELECT body FROM objects WHERE name = 'vpc-resource-controller-role' ORDER BY id)")"
ks remediate --actor eks:vpc-resource-controller -o json > "$T/after.json" 2>/dev/null
eq "no change left after the fix" 0 "$(jq_ "(SELECT count(*) FROM json_each(j) WHERE json_extract(value, '\$.action') = 'change')" "$T/after.json")"
ks can eks:vpc-resource-controller patch cninodes.vpcresources.k8s.aws > /dev/null ||
    fail "can: still no after the fix"
echo "ok - can says yes after the fix"

# The report: Markdown names the gap and the fix; the HTML page loads in
# headless Chromium and draws one series per denied actor.
for s in "vpc-resource-controller-role" "would now be allowed" "EKS 1.29: eks:vpc-resource-controller is denied patch on cninodes" "Needs a decision" "\[person\] alice [0-9]* denials*: get secrets"; do
	grep -q "$s" "$T/report.md" || fail "report lacks: $s"
done
eq "the report proposes one change" "Change 1 of 1:" "$(grep -o 'Change [0-9]* of [0-9]*:' "$T/report.md" | sort -u)"
echo "ok - the report names the gap, the fix and the known issue"
ks report -o html > "$T/report.html"
actors=$(q "SELECT count(DISTINCT actor) FROM denials")
if command -v chromium > /dev/null; then
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$T/chromium" --dump-dom "file://$T/report.html" \
	    2>/dev/null > "$T/dom.html"
	grep -q '<h1>kubesift incident report</h1>' "$T/dom.html" || fail "the page did not load"
	eq "one chart series per denied actor" "$actors" "$(grep -o 'class="series"' "$T/dom.html" | wc -l)"
else
	echo "SKIP chromium: not installed (make check installs it as root)"
fi

# Each kind of denial, from fixtures/remediate (expectations from reading
# its RBAC): a namespaced ServiceAccount extends its Role; a user reached
# only through a group gets a new ClusterRole and binding; a subresource
# extends the user's Role (with a warning); a denial RBAC allows is not a
# gap; a role also bound to system:authenticated is never widened.  The
# users are people: they get changes only when asked (--include-people),
# and erin's pods/exec only with --allow-dangerous.
export KUBESIFT_DB="$T/fx.db"
ks import -q "$TOP/fixtures/remediate"
ks remediate --include-people --allow-dangerous -o json > "$T/fx.json" 2>/dev/null
row() { jq_ "(SELECT json_extract(value, '\$.target_kind') || '|' || json_extract(value, '\$.target_name') || '|' || coalesce(json_extract(value, '\$.target_namespace'), '') || '|' || json_extract(value, '\$.target_exists') || '|' || json_extract(value, '\$.rules') FROM json_each(j) WHERE json_extract(value, '\$.actor') = '$1' AND json_extract(value, '\$.action') = 'change')" "$T/fx.json"; }
eq "ServiceAccount: extend Role ci/deployer, verbs merged" \
    'Role|deployer|ci|1|[{"apiGroups":["apps"],"resources":["deployments"],"verbs":["create","patch"]}]' \
    "$(row system:serviceaccount:ci:deployer)"
eq "group-bound user: new ClusterRole" \
    'ClusterRole|kubesift-remediate-dana||0|[{"apiGroups":[""],"resources":["nodes"],"verbs":["list"]}]' \
    "$(row dana)"
eq "subresource: extend Role web/web-dev" \
    'Role|web-dev|web|1|[{"apiGroups":[""],"resources":["pods/exec"],"verbs":["create"]}]' \
    "$(row erin)"
jq_ "(SELECT json_extract(value, '\$.warnings') FROM json_each(j) WHERE json_extract(value, '\$.actor') = 'erin')" "$T/fx.json" |
    grep -q 'pods/exec' || fail "no danger warning for pods/exec"
echo "ok - pods/exec is flagged as dangerous"
eq "broad group role not widened" 'ClusterRole|kubesift-remediate-gina||0|[{"apiGroups":[""],"resources":["namespaces"],"verbs":["list"]}]' \
    "$(row gina)"
eq "allowed denial is no change" "" "$(row frank)"
ks remediate > "$T/fx.txt"
grep -A3 '^  - \[not-rbac\] frank' "$T/fx.txt" | grep -q 'denied by webhook policy-bot' || fail "not-a-gap lacks the recorded reason"
grep -q 'allowed by RoleBinding web/web-dev -> Role web/web-dev' "$T/fx.txt" || fail "not-a-gap lacks the grant"
echo "ok - the RBAC-allowed denial is listed as not an RBAC gap, with its grant"
rc=0; ks can dana list nodes > /dev/null || rc=$?
eq "can: no exits 1" 1 "$rc"
ks can dana list pods -n web > "$T/can" || fail "can: yes must exit 0"
grep -q 'allowed by ClusterRoleBinding oncall-view -> ClusterRole oncall-view' "$T/can" || fail "can: reason"
echo "ok - can explains the grant"
# The rbac_gaps view, plain SQL, agrees with the evaluator: the gaps are
# the denials remediate changes RBAC for (verbs counted apart), and frank's
# denial, which a grant allows, is not one.
eq "rbac_gaps: the actors remediate fixes" \
    "$(jq_ "(SELECT group_concat(a, ' ') FROM (SELECT DISTINCT json_extract(value, '\$.actor') AS a FROM json_each(j) WHERE json_extract(value, '\$.action') = 'change' ORDER BY 1))" "$T/fx.json")" \
    "$(q "SELECT group_concat(actor, ' ') FROM (SELECT DISTINCT actor FROM rbac_gaps ORDER BY 1)")"
eq "rbac_gaps: one row per denied verb and scope" \
    "dana list nodes -|erin create pods/exec web|gina list namespaces -|system:serviceaccount:ci:deployer create deployments ci|system:serviceaccount:ci:deployer patch deployments ci" \
    "$(q "SELECT group_concat(g, '|') FROM (SELECT actor || ' ' || verb || ' ' || resource || coalesce('/' || subresource, '') || ' ' || coalesce(namespace, '-') AS g FROM rbac_gaps ORDER BY 1)")"

# who-can on a real dump; the answers derived by hand from its JSON (see
# tests/unit/test-rbac.c for the derivation).
if [ -d "$REALDATA" ]; then
	export KUBESIFT_DB="$T/kind.db"
	ks import -q "$REALDATA/kubectl-json/kubehound-kind-collect-2023"
	ks who-can list secrets -n kube-system -o csv | tr -d '\r' | cut -d, -f1,2,3,5 | sort > "$T/got"
	sort > "$T/want" <<'WANT'
Group,system:masters,,cluster-admin
ServiceAccount,generic-garbage-collector,kube-system,system:controller:generic-garbage-collector
ServiceAccount,namespace-controller,kube-system,system:controller:namespace-controller
ServiceAccount,resourcequota-controller,kube-system,system:controller:resourcequota-controller
User,system:kube-controller-manager,,system:kube-controller-manager
ServiceAccount,bootstrap-signer,kube-system,system:controller:bootstrap-signer
ServiceAccount,token-cleaner,kube-system,system:controller:token-cleaner
subject_kind,subject,subject_namespace,binding
WANT
	diff "$T/want" "$T/got" || fail "who-can list secrets -n kube-system"
	echo "ok - who-can list secrets -n kube-system"
	eq "who-can create pods/exec -n default" "Group,system:masters,,ClusterRoleBinding,cluster-admin,ClusterRole,cluster-admin" \
	    "$(ks who-can create pods/exec -n default -o csv | tr -d '\r' | tail -n +2)"
else
	echo "SKIP who-can on realdata: ../shared/realdata is absent"
fi

# Only the controller's own log as evidence (no audit log): the denial and
# the fix are found all the same.  controller.log holds 19 denial lines for
# 10 refused patches (each logged twice in the same second).
export KUBESIFT_DB="$T/log.db"
ks import -q "$TOP/fixtures/eks-1.29/controller.log" "$TOP/fixtures/eks-1.29/snapshot"
eq "log only: the denial group" "eks:vpc-resource-controller,patch,vpcresources.k8s.aws,cninodes,,,10" \
    "$(ks denied -o csv | tr -d '\r' | tail -n +2 | cut -d, -f1-7)"
ks remediate -o json > "$T/log.json"
eq "log only: one change on the role, all allowed after" "vpc-resource-controller-role|10|10" \
    "$(jq_ "json_extract(j, '\$[0].target_name') || '|' || json_extract(j, '\$[0].denials') || '|' || json_extract(j, '\$[0].allowed_after')" "$T/log.json")"
eq "log only: rbac_gaps has the gap" "eks:vpc-resource-controller|patch|vpcresources.k8s.aws|cninodes|10" \
    "$(q "SELECT actor || '|' || verb || '|' || api_group || '|' || resource || '|' || denials FROM rbac_gaps")"

# The replay when a rule names objects (resourceNames: then each refused
# request's name is read, once per plan, by group): every change's
# refusals in a window, each allowed by the changed RBAC, are the
# actor's refusals in that window by jq on the log (one per final stage).
export KUBESIFT_DB="$T/names.db"
"$BUILD/gen-audit" --seed 5 --events 4000 --scenario denials > "$T/den.log" 2>/dev/null
cat > "$T/names.json" <<'J'
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
  "metadata": {"name": "named", "uid": "n-1", "resourceVersion": "1"},
  "rules": [{"apiGroups": [""], "resources": ["configmaps"],
   "resourceNames": ["app-config"], "verbs": ["get"]}]},
 {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
  "metadata": {"name": "named", "uid": "n-2", "resourceVersion": "1"},
  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
   "name": "named"},
  "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io",
   "name": "nobody-in-the-log"}]}]}
J
ks import -q "$T/den.log" "$T/names.json"
since=$(jq -r 'select(.responseStatus.code == 403) | .requestReceivedTimestamp' "$T/den.log" | sort | sed -n '100p')
ks remediate --include-people --allow-dangerous --since "$since" -o json > "$T/names.out"
jq -r '[.[] | select(.action == "change") | .actor] | unique | .[]' "$T/names.out" > "$T/names.actors"
[ "$(wc -l < "$T/names.actors")" -gt 5 ] || fail "names: too few changes to judge"
eq "names: each change's refusals are all allowed after it" 0 \
    "$(jq '[.[] | select(.action == "change" and .allowed_after != .denials)] | length' "$T/names.out")"
eq "names: the actors' refusals in the window, as jq counts them" \
    "$(jq -r --arg s "$since" 'select(.stage == "ResponseComplete" and .responseStatus.code == 403 and .requestReceivedTimestamp >= $s) | .user.username' "$T/den.log" | grep -Fxf "$T/names.actors" | sort | uniq -c | awk '{ print $2 "=" $1 }')" \
    "$(jq -r '[.[] | select(.action == "change")] | group_by(.actor)[] | "\(.[0].actor)=\(map(.allowed_after) | add)"' "$T/names.out")"

# Schema version 12: each refused request keeps its event's auditID key,
# groups (the impersonated user's when impersonated) and reason, as
# audit_rows has them (plain sqlite3 against the events' own columns).
eq "denial_requests: each row's auditID, groups and reason are its event's" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM denial_requests")|0" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) || '|' || sum(r.audit_key IS NOT e.audit_key OR r.groups_id IS NOT (CASE WHEN e.impersonated_user_id IS NOT NULL THEN e.impersonated_groups_id ELSE e.user_groups_id END) OR r.reason_id IS NOT e.authz_reason_id) FROM denial_requests r JOIN audit_rows e ON e.id = r.id")"
[ "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM denial_requests WHERE groups_id IS NOT NULL AND audit_key IS NOT NULL")" -gt 100 ] ||
    fail "denial_requests: too few rows with their auditID and groups to judge"
# A database of schema version 10 or 11 (a development build's:
# denial_requests without them) is refused, by a query and by an import,
# with "import again".
for v in 10 11; do
	cp "$KUBESIFT_DB" "$T/v$v.db"
	sqlite3 "$T/v$v.db" "ALTER TABLE denial_requests DROP COLUMN audit_key;
	    ALTER TABLE denial_requests DROP COLUMN groups_id;
	    ALTER TABLE denial_requests DROP COLUMN reason_id;
	    PRAGMA user_version = $v"
	st=0; "$KUBESIFT" -d "$T/v$v.db" remediate > /dev/null 2> "$T/err" ||
	    st=$?
	eq "version $v: remediate refused" 1 $st
	grep -q 'without its auditID, groups and reason; import the evidence again' "$T/err" ||
	    fail "version $v, a query: $(cat "$T/err")"
	st=0; "$KUBESIFT" -q -d "$T/v$v.db" import "$T/den.log" 2> "$T/err" ||
	    st=$?
	eq "version $v: import refused" 1 $st
done
