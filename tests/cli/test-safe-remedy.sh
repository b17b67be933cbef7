# Safe remediation (issue 13, section 1): only components get changes by
# default; people are "needs a decision"; dangerous permissions are held
# back, with a reason, unless --allow-dangerous.  The expectations come
# from the evidence itself (the generator's summary, the fixtures' JSON),
# not from kubesift.
. tests/cli/lib.sh

# 1. The EKS demo bundle (tests/demo.sh builds the same): exactly one
# change, for the controller; every entry has a class and a reason.
"$BUILD/gen-audit" --seed 1 --events 20000 --scenario eks-cninodes \
    2>/dev/null | gzip -n > "$T/kube-apiserver-audit.log.gz"
tar -cf "$T/eks-bundle.tar" -C "$TOP/fixtures/eks-1.29" snapshot controller.log \
    -C "$T" kube-apiserver-audit.log.gz
ks import -q "$T/eks-bundle.tar"
ks remediate -o json > "$T/r.json"
eq "demo: one change, for the controller" "eks:vpc-resource-controller" \
    "$(jq -r '[.[] | select(.action == "change") | .actor] | join(",")' "$T/r.json")"
eq "demo: the change is the controller's rule" \
    '[{"apiGroups":["vpcresources.k8s.aws"],"resources":["cninodes"],"verbs":["patch"]}]' \
    "$(jq -c '[.[] | select(.action == "change")][0].rules' "$T/r.json")"
eq "demo: every entry has a class and a reason" 0 \
    "$(jq '[.[] | select((.class | type) != "string" or (.reason | type) != "string" or (.reason | length) == 0)] | length' "$T/r.json")"
eq "demo: the classes are the four of the design" "" \
    "$(jq -r '.[] | .class' "$T/r.json" | grep -vx 'component\|person\|not-rbac\|suspicious')"
# The people denied in the audit log (by the log itself: users that are
# not system: identities) are each "needs a decision", and nothing more.
people=$(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -r 'select(.responseStatus.code == 403 and .annotations["authorization.k8s.io/decision"] == "forbid") | .user.username' |
    grep -v '^system:\|^eks:' | sort -u | tr '\n' ' ')
[ -n "$people" ] || fail "the demo's audit log has no denied person"
eq "demo: people need a decision" "$people" \
    "$(jq -r '[.[] | select(.action == "needs-decision" and .class == "person") | .actor] | unique | .[]' "$T/r.json" | tr '\n' ' ')"
eq "demo: no person gets a change" 0 \
    "$(jq '[.[] | select(.action == "change" and .class != "component")] | length' "$T/r.json")"
ks remediate > "$T/r.txt"
grep -q '^  class:     component' "$T/r.txt" || fail "text: the change's class"
grep -q '^  - \[person\] alice ' "$T/r.txt" || fail "text: alice as [person]"
echo "ok - text shows the class of each entry"
ks report > "$T/report.md"
eq "report: the Fixes propose one change" "Change 1 of 1:" \
    "$(grep -o 'Change [0-9]* of [0-9]*:' "$T/report.md" | sort -u)"

# 2. Named, or --include-people: alice's secrets read is held back as
# dangerous, with a reason; --allow-dangerous lets it through.
for args in "--actor alice" "--include-people"; do
	ks remediate $args -o json > "$T/a.json"
	eq "$args: alice gets no change for secrets" 0 \
	    "$(jq '[.[] | select(.actor == "alice" and .action == "change")] | length' "$T/a.json")"
	jq -r '.[] | select(.actor == "alice" and .action == "held-back" and .resource == "secrets") | .reason' "$T/a.json" |
	    grep -q 'reading secrets' || fail "$args: no held-back reason for secrets"
	echo "ok - $args: secrets held back, saying why"
done
ks remediate --actor alice --allow-dangerous -o json > "$T/a.json"
eq "--allow-dangerous: alice's secrets change" '[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]' \
    "$(jq -c '[.[] | select(.actor == "alice" and .action == "change")][0].rules' "$T/a.json")"
eq "--allow-dangerous: a person, named" "person" \
    "$(jq -r '[.[] | select(.actor == "alice" and .action == "change")][0].class' "$T/a.json")"

# 3. Human probing (fixtures/differential): no person gets a change.
export KUBESIFT_DB="$T/d.db"
ks import -q "$TOP/fixtures/differential"
ks remediate -o json > "$T/d.json"
for p in alice bob carol frank; do
	eq "differential: $p gets no change" 0 \
	    "$(jq --arg p $p '[.[] | select(.actor == $p and .action == "change")] | length' "$T/d.json")"
done
eq "differential: the people denied by RBAC need a decision" \
    "$(jq -r 'select(.responseStatus.code == 403 and .annotations["authorization.k8s.io/decision"] != "allow" and ((.user.username // "") | test("^(alice|bob|carol|frank)$"))) | .user.username' "$TOP/fixtures/differential/extra.jsonl" | sort -u | tr '\n' ' ')" \
    "$(jq -r '[.[] | select(.action == "needs-decision") | .actor] | unique | .[]' "$T/d.json" | tr '\n' ' ')"
ks remediate --include-people -o json > "$T/d2.json"
eq "differential --include-people: alice's pods/exec held back" "held-back" \
    "$(jq -r '.[] | select(.actor == "alice" and .subresource == "exec") | .action' "$T/d2.json")"
eq "differential --include-people: alice's list nodes proposed" '[{"apiGroups":[""],"resources":["nodes"],"verbs":["list"]}]' \
    "$(jq -c '[.[] | select(.actor == "alice" and .action == "change" and .target_kind == "ClusterRole")][0].rules' "$T/d2.json")"

# 4. A service account (a component) denied escalation-grade verbs: each
# is held back as dangerous, with its own sentence; only the harmless one
# becomes a change.
ev() { # user verb group resource subresource namespace id
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s","stage":"ResponseComplete","requestURI":"/x","verb":"%s","user":{"username":"%s","groups":["system:serviceaccounts","system:authenticated"]},"objectRef":{"resource":"%s"%s%s,"apiGroup":"%s"},"responseStatus":{"code":403},"requestReceivedTimestamp":"2024-05-01T09:00:0%sZ","stageTimestamp":"2024-05-01T09:00:0%sZ","annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""}}\n' \
	    "$7" "$2" "$1" "$4" "${5:+,\"subresource\":\"$5\"}" "${6:+,\"namespace\":\"$6\"}" "$3" "${7#e}" "${7#e}"
}
sa=system:serviceaccount:ci:builder
{
	ev $sa create rbac.authorization.k8s.io clusterrolebindings "" "" e1
	ev $sa bind rbac.authorization.k8s.io clusterroles "" "" e2
	ev $sa create "" pods exec ci e3
	ev $sa create admissionregistration.k8s.io mutatingwebhookconfigurations "" "" e4
	ev $sa update certificates.k8s.io certificatesigningrequests approval "" e5
	ev $sa list "" configmaps "" ci e6
	ev $sa create "" serviceaccounts token ci e7
	ev $sa get "" nodes proxy "" e8
	ev $sa list apps '*' "" ci e9
} > "$T/sa.log"
export KUBESIFT_DB="$T/sa.db"
ks import -q "$T/sa.log"
ks remediate -o json > "$T/sa.json"
eq "service account: the denials" 9 "$(jq '[.[] | .count // (.evidence | map(.count) | add)] | add' "$T/sa.json")"
eq "service account: create clusterrolebindings held back" "held-back|component" \
    "$(jq -r '.[] | select(.resource == "clusterrolebindings") | .action + "|" + .class' "$T/sa.json")"
jq -r '.[] | select(.resource == "clusterrolebindings") | .reason' "$T/sa.json" | grep -q 'escalation' ||
    fail "create clusterrolebindings: the reason"
eq "service account: everything but configmaps held back" \
    "$(printf '%s\n' clusterrolebindings clusterroles exec mutatingwebhookconfigurations approval token proxy '*' | sort | tr '\n' ' ')" \
    "$(jq -r '.[] | select(.action == "held-back") | (.subresource // .resource)' "$T/sa.json" | sort | tr '\n' ' ')"
eq "service account: each held-back entry has its own reason" 8 \
    "$(jq '[.[] | select(.action == "held-back") | .reason] | unique | length' "$T/sa.json")"
eq "service account: the one change is list configmaps" '[{"apiGroups":[""],"resources":["configmaps"],"verbs":["list"]}]' \
    "$(jq -c '[.[] | select(.action == "change")] | map(.rules) | add' "$T/sa.json")"
ks remediate --allow-dangerous -o json > "$T/sa2.json"
eq "--allow-dangerous: nothing held back" 0 "$(jq '[.[] | select(.action == "held-back")] | length' "$T/sa2.json")"
jq -r '.[] | select(.action == "change") | .warnings[]' "$T/sa2.json" | grep -q 'dangerous' ||
    fail "--allow-dangerous: the change still warns"
echo "ok - --allow-dangerous proposes them, with warnings"
ks remediate > "$T/sa.txt"
grep -q '^Held back as dangerous' "$T/sa.txt" || fail "text: the held-back heading"
echo "ok - text lists the held-back rules"
ks remediate -o yaml > "$T/sa.yaml"
grep -q '^# not here: 8 denial groups held back as dangerous' "$T/sa.yaml" || fail "yaml: the note on what is held back"
eq "yaml: no dangerous resource in the manifests" "" \
    "$(grep -v '^#' "$T/sa.yaml" | grep -E 'clusterrolebindings|webhookconfigurations|exec|token|proxy|approval|\*')"
echo "ok - the YAML leaves the held-back rules out, and says so"

# 5. A suspicious actor (fixtures/detect/denial-burst: mallory probes six
# targets in three minutes): no change unless named with --actor AND
# --force; even then, dangerous permissions stay held back without
# --allow-dangerous.  The text names the detection.
export KUBESIFT_DB="$T/m.db"
FX=$TOP/fixtures/detect/denial-burst/positive.jsonl
ks import -q "$FX"
for args in "" "--actor mallory" "--include-people --force" "--force"; do
	ks remediate $args -o json > "$T/m.json"
	eq "suspicious${args:+ $args}: no change for mallory" 0 \
	    "$(jq '[.[] | select(.action == "change")] | length' "$T/m.json")"
	eq "suspicious${args:+ $args}: every refusal is suspicious, naming the detection" \
	    "$(jq -r 'select(.responseStatus.code == 403) | .auditID' "$FX" | wc -l | tr -d ' ')" \
	    "$(jq '[.[] | select(.class == "suspicious" and (.reason | test("detection denial-burst")))] | length' "$T/m.json")"
done
# The harmless refusals by the fixture itself: no secrets, no subresource.
harmless=$(jq -r 'select(.responseStatus.code == 403 and .objectRef.resource != "secrets" and .objectRef.subresource == null) | .objectRef.resource' "$FX" | sort | tr '\n' ' ')
ks remediate --actor mallory --force -o json > "$T/m.json"
eq "--actor mallory --force: changes for the harmless refusals" "$harmless" \
    "$(jq -r '.[] | select(.action == "change") | .rules[].resources[]' "$T/m.json" | sort | tr '\n' ' ')"
eq "--actor mallory --force: each change is suspicious, naming the detection and --force" \
    "suspicious" "$(jq -r '[.[] | select(.action == "change") | select(.reason | test("denial-burst.*--force")) | .class] | unique | join(",")' "$T/m.json")"
eq "--actor mallory --force: secrets and pods/exec still held back" \
    "exec secrets" "$(jq -r '.[] | select(.action == "held-back") | .subresource // .resource' "$T/m.json" | sort | tr '\n' ' ' | sed 's/ $//')"
ks remediate --actor mallory --force --allow-dangerous -o json > "$T/m.json"
eq "--force --allow-dangerous: nothing held back" 0 \
    "$(jq '[.[] | select(.action == "held-back")] | length' "$T/m.json")"
ks remediate --actor mallory --force > "$T/m.txt"
grep -q '^  class:     suspicious: the actor appears in the detection denial-burst' "$T/m.txt" ||
    fail "text: the change says which detection made mallory suspicious"
echo "ok - text names the detection of a forced change"

# 6. A component refused once in the whole evidence: "seen once", a
# decision, not a change (one that lacks a permission asks again); named
# with --actor it gets its change; refused twice, it gets it by default.
once=system:serviceaccount:ci:once
ev $once list "" configmaps "" ci e1 > "$T/once.log"
export KUBESIFT_DB="$T/once.db"
ks import -q "$T/once.log"
ks remediate -o json > "$T/once.json"
eq "seen once: a decision, for a component" "needs-decision|component" \
    "$(jq -r '.[] | .action + "|" + .class' "$T/once.json")"
jq -r '.[].reason' "$T/once.json" | grep -q '^seen once' ||
    fail "seen once: the reason says so"
eq "seen once, named: the change" '[{"apiGroups":[""],"resources":["configmaps"],"verbs":["list"]}]' \
    "$(ks remediate --actor $once -o json | jq -c '[.[] | select(.action == "change")][0].rules')"
ev $once list "" configmaps "" ci e2 >> "$T/once.log"
rm -f "$KUBESIFT_DB"
ks import -q "$T/once.log"
eq "refused twice: the change, by default" "change|component" \
    "$(ks remediate -o json | jq -r '.[] | .action + "|" + .class')"
