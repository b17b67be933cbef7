# kubesift unused: grants the audit log never saw used, on a hand-written
# fixture (fixtures/unused, counted by hand below), checked against jq and
# plain SQL; the tightened roles of -o yaml and their replay; and sanity
# checks on the real RBAC of ../shared/realdata.
. tests/cli/lib.sh

# The fixture: 5 roles, 6 bindings, 13 audit events from 10:00 to 12:00.
# The grants (subject, binding, rule) and their use, by hand:
#   alice   alice-pods  pod-reader 0 pods get,list,watch  used (ev 1,2,12,13)
#   alice   alice-pods  pod-reader 1 secrets get          unused, dangerous
#   alice   ops-alice   ops 0 configmaps get,list         used (ev 3: get)
#   alice   ops-alice   ops 1 secrets get                 unused, dangerous
#   bob     ops-bob     ops 0                             unused
#   bob     ops-bob     ops 1 secrets get                 used (ev 4), dangerous
#   ci/deployer ci-deployer deployer 0 apps * *           used (ev 5,6,7), dangerous
#   ci/deployer ci-deployer deployer 1 pods/exec create   unused, dangerous
#   support support-impersonate impersonator 0            used (ev 12 impersonates alice), dangerous
#   team-dev (Group) dev/team-cm cm-editor 0 app-config   used by carol (ev 8; ev 9
#                                                         names another configmap)
# ev 10 was refused, ev 11 is a RequestReceived stage alone: no use.
F=$TOP/fixtures/unused
ks import -q "$F/rbac.json" "$F/audit.log"
ks unused -o json > "$T/u.json"
jqv() { jq -r "$1" "$T/u.json"; }

eq "one entry per subject, binding and rule" 10 "$(jqv length)"
eq "unused grants" "alice|alice-pods|1 alice|ops-alice|1 bob|ops-bob|0 deployer|ci-deployer|1" \
    "$(jqv '[.[] | select(.used | not) | "\(.subject)|\(.binding)|\(.rule_index)"] | sort | join(" ")')"
eq "dangerous grants" 6 "$(jqv '[.[] | select(.dangerous)] | length')"
eq "dangerous first, unused first among them" "true,false true,false true,false true,true true,true true,true false,false false,true false,true false,true" \
    "$(jqv '[.[] | "\(.dangerous),\(.used)"] | join(" ")')"
eq "the wildcard rule: what was used under it" "get,patch|apps|deployments.apps,deployments.apps/scale|3" \
    "$(jqv '.[] | select(.role == "deployer" and .rule_index == 0) | "\(.used_verbs | join(","))|\(.used_api_groups | join(","))|\(.used_resources | join(","))|\(.requests)"')"
eq "a group is used by its members" "Group|get|configmaps|1" \
    "$(jqv '.[] | select(.subject == "team-dev") | "\(.subject_kind)|\(.used_verbs | join(","))|\(.used_resources | join(","))|\(.requests)"')"
eq "an impersonator uses impersonate on users" "impersonate|users" \
    "$(jqv '.[] | select(.subject == "support") | "\(.used_verbs | join(","))|\(.used_resources | join(","))"')"
eq "alice's pods: impersonated and own requests" "get,list,watch|4" \
    "$(jqv '.[] | select(.binding == "alice-pods" and .rule_index == 0) | "\(.used_verbs | join(","))|\(.requests)"')"
eq "first and last use of alice's pods" "2026-01-10T10:00:00.000000Z|2026-01-10T12:00:00.000000Z" \
    "$(jqv '.[] | select(.binding == "alice-pods" and .rule_index == 0) | "\(.first_used)|\(.last_used)"')"
eq "no times when unused" "0" "$(jqv '[.[] | select((.used | not) and (.first_used != null or .last_used != null))] | length')"
eq "the span on every entry" "2026-01-10T10:00:00.000000Z|2026-01-10T12:00:00.000000Z|1" \
    "$(jqv '[.[] | "\(.span_from)|\(.span_to)"] | unique | "\(.[0])|\(length)"')"
eq "rule fields" '{"verbs":["get","update"],"api_groups":[""],"resources":["configmaps"],"resource_names":["app-config"],"non_resource_urls":[]}' \
    "$(jqv '.[] | select(.role == "cm-editor") | .rule | tojson')"

# The table says the span and its strength first.
ks unused -o table > "$T/u.txt"
head -1 "$T/u.txt" | grep -q "^Audit log span: 2026-01-10T10:00:00.000000Z to 2026-01-10T12:00:00.000000Z (2h 0m, events on 1 day, 11 allowed requests). Evidence: weak" ||
    fail "table's span line: $(head -1 "$T/u.txt")"
echo "ok - the table begins with the span: 2 hours, weak"
# Fully used (every verb and resource, no wildcard): alice's pod-reader 0
# and bob's ops 1; the tables leave them out unless --all.
eq "fully used" "alice|pod-reader|0 bob|ops|1" \
    "$(jqv '[.[] | select(.fully_used) | "\(.subject)|\(.role)|\(.rule_index)"] | sort | join(" ")')"
eq "csv rows: those not fully used" 8 "$(ks unused -o csv 2>/dev/null | tail -n +2 | wc -l)"
eq "csv --all rows: json's" 10 "$(ks unused --all -o csv 2>/dev/null | tail -n +2 | wc -l)"
grep -q "^2 of 10 grants, every verb and resource of them used, are not shown (--all shows them).$" "$T/u.txt" ||
    fail "table: what is left out"
ks unused -o csv 2>"$T/err" >/dev/null
grep -q "Evidence: weak" "$T/err" || fail "csv: the span on stderr"
ks -q unused -o csv 2>"$T/err" >/dev/null
[ ! -s "$T/err" ] || fail "csv -q: $(cat "$T/err")"
echo "ok - csv: the span on stderr, not with -q"
eq "md rows" 10 "$(ks unused -o md | grep -c '^|')"
eq "jsonl" 10 "$(ks unused -o jsonl | jq -c . | wc -l)"

# JSON against plain SQL on audit_events: for each User or ServiceAccount
# subject, the verb+resource pairs it used (its entries' union) are the
# pairs of its allowed, final-stage requests (every one of them is allowed
# by this RBAC, but carol's is a group's).
sqlpairs=$(sqlite3 "$KUBESIFT_DB" "SELECT group_concat(p, ' ') FROM (SELECT DISTINCT coalesce(impersonated_user, username) || '|' || verb || '|' || resource || coalesce('.' || nullif(api_group, ''), '') || coalesce('/' || subresource, '') AS p FROM audit_events WHERE coalesce(stage, 'ResponseComplete') = 'ResponseComplete' AND coalesce(decision, 'allow') = 'allow' AND username != 'carol' ORDER BY p)")
jqpairs=$(jqv '[.[] | select(.subject_kind != "Group" and .used) | .subject_user as $u | .used_verbs[] as $v | .used_resources[] as $r | select($v != "impersonate") | select(($v == "patch") == ($r == "deployments.apps")) | "\($u)|\($v)|\($r)"] | unique | join(" ")')
eq "used pairs = allowed requests (SQL)" "$sqlpairs" "$jqpairs"
eq "unused per subject = bound rules - used (SQL)" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM rbac_grants")|6" \
    "$(jqv 'length')|$(jqv '[.[] | select(.used)] | length')"

# Filters: --actor selects subjects (a service account also by its
# username), --namespace the RoleBindings of a namespace.
eq "--actor bob" "ops-bob|0 ops-bob|1" "$(ks unused --actor bob -o json | jq -r '[.[] | "\(.binding)|\(.rule_index)"] | sort | join(" ")')"
eq "--actor system:serviceaccount:ci:*" 2 "$(ks unused --actor 'system:serviceaccount:ci:*' -o json | jq length)"
eq "--namespace dev" "team-cm" "$(ks unused --namespace dev -o json | jq -r '[.[].binding] | unique | join(" ")')"
eq "--namespace ''" 9 "$(ks unused --namespace '' -o json | jq length)"
# The window: from 10:32 alice's configmap read (10:10) and bob's secret
# read (10:15) are out of it, so both rules are unused.
eq "--since" "false|false" "$(ks unused --since 2026-01-10T10:32:00Z -o json | jq -r '[.[] | select(.role == "ops" and .used)] | length as $n | "\($n == 1)|\($n == 2)"')"
eq "--since: the span starts with the window's first event" "2026-01-10T10:35:00.000000Z" \
    "$(ks unused --since 2026-01-10T10:32:00Z -o json | jq -r '.[0].span_from')"
rc=0; ks unused --verb get >/dev/null 2>&1 || rc=$?
eq "--verb does not apply: usage error" 2 "$rc"

# -o yaml: each role cut to what was used, the window replayed.
ks unused -o yaml > "$T/all.yaml"
for r in pod-reader deployer ops impersonator cm-editor; do
	grep -q "^  name: \"$r\"" "$T/all.yaml" || fail "yaml lacks $r"
done
eq "every replay refused nothing" 5 "$(grep -c 'the 10 allowed requests of the window that RBAC grants, replayed against the tightened roles: 0 refused' "$T/all.yaml")"
! grep -q "kept as it was" "$T/all.yaml" || fail "nothing is kept when every subject is judged"
echo "ok - yaml: 5 roles tightened, 10 requests replayed (carol's update of another configmap is not RBAC's), none refused"
# Imported back as a snapshot, the tightened RBAC leaves unused only what a
# shared role must keep (ops: alice uses one rule, bob the other), and
# still allows every request (can says yes for each).
export KUBESIFT_DB="$T/tight.db"
ks import -q "$F/rbac.json" "$F/audit.log"
ks import -q "$T/all.yaml"
sid=$(q "SELECT max(id) FROM snapshots")
eq "the tightened roles import" 5 "$(q "SELECT count(*) FROM objects WHERE snapshot_id = $sid")"
eq "tightened: unused left, the shared role's" "alice|ops-alice|1 bob|ops-bob|0" \
    "$(ks unused -o json | jq -r '[.[] | select(.used | not) | "\(.subject)|\(.binding)|\(.rule_index)"] | sort | join(" ")')"
eq "tightened: the wildcard is gone" '[{"apiGroups":["apps"],"resources":["deployments/scale"],"verbs":["get"]},{"apiGroups":["apps"],"resources":["deployments"],"verbs":["patch"]}]' \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT json(json_extract(body, '\$.rules')) FROM objects WHERE snapshot_id = $sid AND name = 'deployer'")"
for r in "alice get pods -n default" "alice list pods" "alice watch pods -n default" "alice get configmaps -n kube-system" \
    "bob get secrets -n default" "system:serviceaccount:ci:deployer patch deployments.apps -n ci" \
    "system:serviceaccount:ci:deployer get deployments.apps/scale -n ci" "support impersonate users"; do
	# shellcheck disable=SC2086
	ks -q can $r >/dev/null || fail "tightened: can $r says no"
done
ks -q can carol get configmaps -n dev --name app-config --group team-dev >/dev/null ||
    fail "tightened: carol's group read"
for r in "alice list configmaps -n kube-system" "system:serviceaccount:ci:deployer delete deployments.apps -n ci" \
    "system:serviceaccount:ci:deployer create pods/exec -n ci" "support impersonate groups"; do
	# shellcheck disable=SC2086
	! ks -q can $r >/dev/null || fail "tightened: can $r still says yes"
done
echo "ok - tightened: every used permission still allowed, unused ones gone"

# A shared role tightened for one of its subjects: ops is bound to alice
# and bob; cut to alice's use, bob's get secrets would be refused, so the
# replay keeps that rule, and says why.
export KUBESIFT_DB="$T/k.db"
ks unused --actor alice -o yaml > "$T/alice.yaml"
grep -q '^# rule 1 kept as it was: the tightened role would refuse bob get secrets in namespace default (1 allowed request in the window)$' "$T/alice.yaml" ||
    fail "the kept rule: $(cat "$T/alice.yaml")"
KUBESIFT_DB="$T/alice.db" ks import -q "$F/rbac.json" "$T/alice.yaml"
eq "ops keeps configmaps get and secrets get" '[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get"]},{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]' \
    "$(sqlite3 "$T/alice.db" "SELECT json(json_extract(body, '\$.rules')) FROM objects WHERE name = 'ops' ORDER BY id DESC LIMIT 1")"
ks unused --actor bob -o yaml > "$T/bob.yaml"
eq "--actor bob: alice's configmaps rule kept, as it was" \
    "# rule 0 kept as it was: the tightened role would refuse alice get configmaps in namespace kube-system (1 allowed request in the window)|0" \
    "$(grep 'kept as it was' "$T/bob.yaml")|$(grep -c '^kind:' "$T/bob.yaml" || true)"
grep -q "^# Left as it is:" "$T/bob.yaml" || fail "--actor bob: ops is left as it is"
grep -q "ClusterRole ops: 2 rules before, 2 after; the 10 allowed requests of the window that RBAC grants, replayed against the tightened roles: 0 refused" "$T/alice.yaml" ||
    fail "the replay after keeping"
echo "ok - yaml --actor alice: bob's rule kept, replay refuses nothing"

# Roles that are not theirs to change are left alone, each with why; and
# with no audit log at all, nothing is used and nothing tightened.
export KUBESIFT_DB="$T/skip.db"
ks import -q "$F/skip.json"
ks unused -o json > "$T/skip.json"
eq "no evidence: every grant unused, span null" "3|0|null|null" \
    "$(jq -r '"\(length)|\([.[] | select(.used)] | length)|\(.[0].span_from)|\(.[0].span_to)"' "$T/skip.json")"
ks unused -o yaml > "$T/none.yaml"
grep -q "^# Audit log span: none. Evidence: none" "$T/none.yaml" && grep -q "^# No role is tightened on no evidence.$" "$T/none.yaml" &&
    ! grep -q "^kind:" "$T/none.yaml" || fail "no evidence: $(cat "$T/none.yaml")"
echo "ok - no evidence: no role tightened"
ks import -q "$F/audit.log"
ks unused -o yaml > "$T/skip.yaml"
for s in "#   ClusterRole view-agg: an aggregated ClusterRole" \
    "#   ClusterRole view-ext: its rules are aggregated into ClusterRole view-agg" \
    "#   ClusterRole boot: a bootstrap role (autoupdate)"; do
	grep -q "^$s" "$T/skip.yaml" || fail "skip.yaml lacks: $s"
done
! grep -q "^kind:" "$T/skip.yaml" || fail "skip.yaml proposes a role"
echo "ok - aggregated, aggregated-into and autoupdate roles are left alone, with why"
export KUBESIFT_DB="$T/k.db"

# Sanity checks that hold on any evidence, by plain SQL (the sqlite3 shell
# on the database, the JSON read with readfile): sanity NAME JSON.
sanity() {
	s3() { sqlite3 "$KUBESIFT_DB" "$1"; }
	# The subject condition on audit event a for entry u (k, s, ns).
	who="CASE u.k WHEN 'User' THEN coalesce(a.impersonated_user, a.username) = u.s
	    WHEN 'ServiceAccount' THEN coalesce(a.impersonated_user, a.username) = 'system:serviceaccount:' || u.ns || ':' || u.s
	    WHEN 'Group' THEN EXISTS (SELECT 1 FROM json_each(CASE WHEN a.impersonated_user IS NOT NULL THEN a.impersonated_groups ELSE a.user_groups END) g WHERE g.value = u.s) END"
	allowed="coalesce(a.stage, 'ResponseComplete') IN ('ResponseComplete', 'Panic') AND CASE WHEN a.decision IN ('allow', 'forbid') THEN a.decision WHEN a.code = 403 THEN 'forbid' ELSE 'allow' END = 'allow'"
	ent="WITH u AS (SELECT json_extract(value, '\$.subject_kind') AS k, json_extract(value, '\$.subject') AS s,
	    json_extract(value, '\$.subject_namespace') AS ns, json_extract(value, '\$.binding_kind') AS bk,
	    json_extract(value, '\$.binding') AS b, json_extract(value, '\$.binding_namespace') AS bns,
	    json_extract(value, '\$.used') AS used, json_extract(value, '\$.used_verbs') AS uv,
	    json_extract(value, '\$.rule') AS r, json_extract(value, '\$.aggregated_from') AS agg
	    FROM json_each(readfile('$2')))"
	n=$(s3 "$ent SELECT count(*) FROM u")
	[ "$n" -gt 0 ] || fail "$1: no entries"
	eq "$1: every subject listed is bound in the snapshot ($n entries)" 0 \
	    "$(s3 "$ent SELECT count(*) FROM u WHERE NOT EXISTS (SELECT 1 FROM rbac_bindings rb WHERE rb.subject_kind = u.k AND rb.subject = u.s AND rb.subject_namespace IS u.ns AND rb.binding_kind = u.bk AND rb.binding = u.b AND rb.binding_namespace IS u.bns)")"
	eq "$1: one entry per stored rule of rbac_grants" \
	    "$(s3 "SELECT count(*) FROM rbac_grants")" "$(s3 "$ent SELECT count(*) FROM u WHERE agg IS NULL")"
	eq "$1: each used entry has an allowed request of its subject with a used verb" 0 \
	    "$(s3 "$ent SELECT count(*) FROM u WHERE used AND uv != '[\"impersonate\"]' AND NOT EXISTS (SELECT 1 FROM audit_events_text a WHERE $allowed AND ($who) AND a.verb IN (SELECT value FROM json_each(u.uv)))")"
	# An unused simple rule (no wildcard, names or URLs) has no allowed
	# request of its subject that it matches, by plain SQL.
	simple="NOT used AND instr(json_extract(r, '\$.verbs') || json_extract(r, '\$.api_groups') || json_extract(r, '\$.resources'), '*') = 0
	    AND json_array_length(r, '\$.resource_names') = 0 AND json_array_length(r, '\$.non_resource_urls') = 0"
	eq "$1: no unused simple rule matches an allowed request of its subject" 0 \
	    "$(s3 "$ent SELECT count(*) FROM u WHERE $simple AND EXISTS (SELECT 1 FROM audit_events_text a WHERE $allowed AND ($who)
	        AND a.verb IN (SELECT value FROM json_each(u.r, '\$.verbs'))
	        AND coalesce(a.api_group, '') IN (SELECT value FROM json_each(u.r, '\$.api_groups'))
	        AND a.resource || coalesce('/' || a.subresource, '') IN (SELECT value FROM json_each(u.r, '\$.resources'))
	        AND (u.bk = 'ClusterRoleBinding' OR a.namespace = u.bns))")"
	eq "$1: the span is the audit log's" \
	    "$(s3 "SELECT coalesce(strftime('%Y-%m-%dT%H:%M:%S', min(received_us) / 1000000, 'unixepoch') || printf('.%06dZ', min(received_us) % 1000000), 'null') || '|' || coalesce(strftime('%Y-%m-%dT%H:%M:%S', max(received_us) / 1000000, 'unixepoch') || printf('.%06dZ', max(received_us) % 1000000), 'null') FROM audit_events")" \
	    "$(jq -r '.[0] | "\(.span_from)|\(.span_to)"' "$2")"
	eq "$1: uses lie within the span" 0 \
	    "$(jq '[.[] | select(.used and (.first_used < .span_from or .last_used > .span_to or .first_used > .last_used))] | length' "$2")"
	eq "$1: dangerous entries first" 0 \
	    "$(jq '[.[].dangerous] | . as $d | [range(1; length) | select($d[.] and ($d[. - 1] | not))] | length' "$2")"
}
sanity fixture "$T/u.json"

if [ ! -d "$REALDATA" ]; then
	echo "SKIP unused on realdata: ../shared/realdata is absent"
	exit 0
fi
# The kind dump (66 ClusterRoles, 51 ClusterRoleBindings) judged against
# the audit2rbac demo log (a real 1.7 apiserver): system:admin, in
# system:masters, uses cluster-admin's resource rule (its own requests, and
# impersonating bob and others); they, in system:authenticated, use
# system:discovery's URLs; nothing else of kind's is used.
export KUBESIFT_DB="$T/kind.db"
ks import -q "$REALDATA/kubectl-json/kubehound-kind-collect-2023" \
    "$REALDATA/audit-native/audit2rbac-demo-v1beta1-raw.log"
ks unused -o json > "$T/kind.json"
sanity kind "$T/kind.json"
eq "kind: used grants" "Group|system:authenticated|system:discovery|0 Group|system:masters|cluster-admin|0" \
    "$(jq -r '[.[] | select(.used) | "\(.subject_kind)|\(.subject)|\(.role)|\(.rule_index)"] | sort | join(" ")' "$T/kind.json")"
ok_sql="stage = 'ResponseComplete' AND coalesce(decision, CASE WHEN code = 403 THEN 'forbid' ELSE 'allow' END) = 'allow'"
eq "kind: cluster-admin's requests, by plain SQL" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(DISTINCT audit_id) FROM audit_events_text WHERE stage = 'ResponseComplete' AND user_groups LIKE '%\"system:masters\"%' AND ((impersonated_user IS NULL AND $ok_sql) OR impersonated_user IS NOT NULL)")" \
    "$(jq '.[] | select(.role == "cluster-admin" and .used) | .requests' "$T/kind.json")"
eq "kind: system:discovery's requests, by plain SQL" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(DISTINCT audit_id) FROM audit_events_text WHERE resource IS NULL AND $ok_sql AND CASE WHEN impersonated_user IS NOT NULL THEN impersonated_groups ELSE user_groups END LIKE '%\"system:authenticated\"%'")" \
    "$(jq '.[] | select(.role == "system:discovery" and .used) | .requests' "$T/kind.json")"
ks unused -o yaml > "$T/kind.yaml"
grep -q "^# Audit log span: 2017-09-11T19:55:05.000000Z to 2017-09-11T20:29:04.000000Z (33m 59s, events on 1 day, [0-9]* allowed requests). Evidence: weak" "$T/kind.yaml" ||
    fail "kind: yaml span: $(head -1 "$T/kind.yaml")"
[ "$(grep -c 'replayed against the tightened roles' "$T/kind.yaml")" -gt 0 ] || fail "kind: no role tightened"
eq "kind: the replay refuses nothing" "" "$(grep 'replayed against the tightened roles' "$T/kind.yaml" | grep -v ': 0 refused$' || true)"

# The k3s support bundle (troubleshoot v0.50) with falco's minikube audit
# trace files: events on 4 days over 544 days, so the evidence is moderate,
# not strong.
export KUBESIFT_DB="$T/k3s.db"
ks import -q "$REALDATA/support-bundles/troubleshoot-testdata-support-bundle-k3s-v0.50.tar.gz" \
    "$REALDATA/audit-native/falco-k8s_audit-trace-files"
ks unused -o json > "$T/k3s.json"
sanity k3s "$T/k3s.json"
ks unused -o csv 2>"$T/k3s.err" >/dev/null
grep -q "(544d 3h, events on 4 days, [0-9]* allowed requests). Evidence: moderate" "$T/k3s.err" ||
    fail "k3s: span: $(cat "$T/k3s.err")"
echo "ok - k3s: 544 days with events on 4: moderate"
ks unused -o yaml > "$T/k3s.yaml"
eq "k3s: the replay refuses nothing" "" "$(grep 'replayed against the tightened roles' "$T/k3s.yaml" | grep -v ': 0 refused$' || true)"
