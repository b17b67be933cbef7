# The report leads with findings (issue 13, section 3; issue 15's RBAC
# changes and unused dangerous grants): the order of its sections, its
# findings against the detections view and the audit log by plain SQL and
# jq, the EKS demo's finding, fix and the cause remediate names (by jq on
# the log), the attacker's cluster-admin binding at the top, the
# timeline's axis and marks, the folded evidence, the unused dangerous
# grants against `kubesift unused` and jq (judged on a log of two days,
# not on one of minutes), and the HTML page in a phone-sized headless
# Chromium with the findings above the fold.
. tests/cli/lib.sh

# The sections, in order, of a Markdown report ($1) and an HTML one ($2).
ORDER="findings timeline denials fixes rbac-changes unused-dangerous-grants actors-with-unusual-activity appendix--evidence-and-chain-of-custody"
order_md() {
	grep '^## ' "$1" | sed 's/^## //' | tr 'A-Z' 'a-z' |
	    sed 's/[^a-z0-9]/-/g' | tr '\n' ' ' | sed 's/ $//'
}
order_html() {
	grep -o '<h2 id="[^"]*"' "$1" | sed 's/<h2 id="//; s/"$//' |
	    tr '\n' ' ' | sed 's/ $//'
}
# The findings of a Markdown report: "severity rule actor", in order.
findings_md() {
	sed -n 's/^[0-9][0-9]*\. \*\*\([a-z]*\)\*\* `\([^`]*\)` \(.*\)/\1 \2 \3/p' "$1" |
	    sed 's/\\//g'
}

# 1. The EKS demo bundle (as tests/demo.sh builds it).
"$BUILD/gen-audit" --seed 1 --events 20000 --scenario eks-cninodes \
    2>/dev/null | gzip -n > "$T/kube-apiserver-audit.log.gz"
tar -cf "$T/eks-bundle.tar" -C "$TOP/fixtures/eks-1.29" snapshot \
    controller.log -C "$T" kube-apiserver-audit.log.gz
ks import -q "$T/eks-bundle.tar"
ks report > "$T/r.md"
ks report -o html > "$T/r.html"
eq "demo: the sections of the Markdown, in order" "$ORDER" "$(order_md "$T/r.md")"
eq "demo: the sections of the HTML, in order" "$ORDER" "$(order_html "$T/r.html")"

# The top finding is the controller's missing rule, with its one-rule fix.
findings_md "$T/r.md" > "$T/f.txt"
head -n 1 "$T/f.txt" | grep -q '^high rbac-gap eks:vpc-resource-controller, a component, was refused [0-9]* times: patch cninodes.vpcresources.k8s.aws' ||
    fail "demo: the top finding: $(head -n 1 "$T/f.txt")"
sed -n '/^1\. /,/^2\. /p' "$T/r.md" | grep -q '^   Fix below: change 1 of 1, a rule added to ClusterRole vpc-resource-controller-role\.$' ||
    fail "demo: the top finding's fix"
n=$(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -s '[.[] | select(.user.username == "eks:vpc-resource-controller" and .responseStatus.code == 403) | .auditID] | unique | length')
eq "demo: the audit log's refusals of the controller, by plain SQL" "$n" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM denials WHERE actor = 'eks:vpc-resource-controller' AND origin = 'audit'")"
eq "demo: the finding counts the controller's refusals (audit log and its own log)" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM denials WHERE actor = 'eks:vpc-resource-controller'")" \
    "$(head -n 1 "$T/f.txt" | sed 's/.*was refused \([0-9]*\) times.*/\1/')"
sed -n '/^## Fixes/,/^## RBAC changes/p' "$T/r.md" > "$T/fixes.md"
eq "demo: the Fixes propose one change" "Change 1 of 1:" \
    "$(grep -o 'Change [0-9]* of [0-9]*:' "$T/fixes.md" | sort -u)"
grep -q 'cninodes' "$T/fixes.md" && grep -q '^kind: "ClusterRole"' "$T/fixes.md" ||
    fail "demo: the Fixes lack the manifest"
echo "ok - demo: the top finding is the controller's rule, fixed below"

# Every detection is a finding, in the order of the detections view (by
# plain SQL); every other finding is a classified refusal or a gap.
sqlite3 "$KUBESIFT_DB" "SELECT severity || ' ' || rule || ' ' ||
    coalesce(actor, 'an unknown actor') FROM detections ORDER BY CASE severity
    WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
    WHEN 'low' THEN 3 ELSE 4 END, first_seen, rule, actor" > "$T/det.txt"
[ -s "$T/det.txt" ] || fail "demo: no detection to compare"
eq "demo: the detections, as findings, in order" "$(cat "$T/det.txt")" \
    "$(grep -v ' rbac-gap \| refused-' "$T/f.txt" | cut -d' ' -f1-3)"
# exec-or-attach by hand: pods/exec or attach let through, one per actor
# and pod, from the audit log.
eq "demo: exec-or-attach findings, from the audit log" \
    "$(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -r 'select(.objectRef.subresource == "exec" or .objectRef.subresource == "attach") | select(.responseStatus.code < 400) | "\(.user.username) \(.objectRef.namespace)/\(.objectRef.name)"' | sort -u | wc -l)" \
    "$(grep -c ' exec-or-attach ' "$T/f.txt")"
# The people refused in the audit log (users that are not system: or eks:
# identities) each have a decision-needed finding.
for p in $(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -r 'select(.responseStatus.code == 403) | .user.username' | grep -v '^system:\|^eks:' | sort -u); do
	grep -q "^[a-z]* refused-[a-z]* $p " "$T/f.txt" || fail "demo: no finding for $p's refusals"
	sed -n "/^[0-9]*\. \*\*[a-z]*\*\* \`refused-[a-z]*\` $p /,/^[0-9]*\. /p" "$T/r.md" |
	    grep -q '^   Decision needed: ' || fail "demo: $p: no decision asked"
done
echo "ok - demo: every refused person needs a decision"
grep -q '^   Who: eks:vpc-resource-controller\. When: 20[0-9-]*T[0-9:.]*Z to 20[0-9-]*T[0-9:.]*Z\. Evidence: audit IDs [0-9a-f-]*' "$T/r.md" ||
    fail "demo: who, when and evidence of the top finding"
echo "ok - demo: who, when (UTC) and the evidence IDs"

# The write that changed the controller's role shortly before its
# refusals began (from the audit log, by jq): the snapshot is taken after
# it, so the RBAC before it is not known; the finding names it as a
# possible cause, saying so, as remediate's JSON does.
# us: an RFC 3339 time with six decimals, in microseconds (jq).
US='def us: (.[0:19] + "Z" | fromdateiso8601) * 1000000 + (.[20:26] | tonumber);'
gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -r "$US"'
    select(.objectRef.resource == "clusterroles" and .objectRef.name ==
    "vpc-resource-controller-role" and (.verb | test("^(update|patch|delete)$"))
    and .responseStatus.code == 200) | "\(.verb) of ClusterRole \(.objectRef.name)"
    + " by \(.user.username) at \(.requestReceivedTimestamp) (audit ID"
    + " \(.auditID))|\(.requestReceivedTimestamp | us)"' > "$T/w.txt"
first=$(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -s -r "$US"' [.[] |
    select(.user.username == "eks:vpc-resource-controller" and
    .responseStatus.code == 403) | .requestReceivedTimestamp | us] | min')
[ "$(wc -l < "$T/w.txt")" -eq 1 ] || fail "demo: not one write to the controller's role"
w=$(cut -d'|' -f1 "$T/w.txt") wt=$(cut -d'|' -f2 "$T/w.txt")
secs=$(( (first - wt) / 1000000 ))
eq "demo: the finding's cause: possible, the write by jq" \
    "   Possible cause (the RBAC before it is not known): $w, $secs s before the first refusal; after it, RBAC refused these requests; before it, the state of ClusterRole vpc-resource-controller-role is unknown" \
    "$(sed -n '/^1\. /,/^2\. /p' "$T/r.md" | grep '^   Possible cause' | sed 's/\\//g; s/ (the snapshot may already hold .*)\.$//')"
grep -q '^   Cause: ' "$T/r.md" && fail "demo: a cause said certain, with the RBAC before it unknown"
eq "demo: remediate's possible cause is the same write" \
    "$(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -r 'select(.objectRef.name == "vpc-resource-controller-role" and .verb == "update") | .auditID')|null" \
    "$(ks remediate -o json | jq -r '.[] | select(.action == "change") | "\(.possible_cause.audit_id)|\(.cause)"')"
eq "demo: remediate's text names the same possible cause" 1 \
    "$(ks remediate | grep -c "^  possible cause: .* (audit ID $(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -r 'select(.objectRef.name == "vpc-resource-controller-role" and .verb == "update") | .auditID')), $secs s before the first denial$")"
echo "ok - demo: the RBAC write before the refusals is named as a possible cause"

# With a snapshot of before the write (the role with the rule, its
# resourceVersion before the update's, taken at its newest
# creationTimestamp), the RBAC before it is known: a cause, certain.
mkdir "$T/before"
jq '.items |= map(if .metadata.name == "vpc-resource-controller-role" then
    .rules += [{"apiGroups":["vpcresources.k8s.aws"],"resources":["cninodes"],"verbs":["patch"]}] |
    .metadata.resourceVersion = "1" else . end)' \
    "$TOP/fixtures/eks-1.29/snapshot/clusterroles.json" > "$T/before/clusterroles.json"
cp "$TOP/fixtures/eks-1.29/snapshot/clusterrolebindings.json" "$T/before/"
cp "$KUBESIFT_DB" "$T/before.db"
KUBESIFT_DB="$T/before.db" ks import -q "$T/before"
KUBESIFT_DB="$T/before.db" ks report > "$T/before.md"
eq "snapshot before the write: the cause, certain, the write by jq" \
    "   Cause: $w, $secs s before the first refusal; before it, ClusterRoleBinding vpc-resource-controller-rolebinding -> ClusterRole vpc-resource-controller-role allowed these requests (verbs=[patch] apiGroups=[vpcresources.k8s.aws] resources=[cninodes])." \
    "$(sed -n '/^1\. /,/^2\. /p' "$T/before.md" | grep '^   [A-Za-z ]*[Cc]ause' | sed 's/\\//g')"
echo "ok - demo, a snapshot before the write: the write is the cause"

# The timeline: in Markdown, the denials of its buckets add up to the
# denials; in HTML an SVG with ticks, the y axis named, the bucket stated,
# one dashed line per RBAC write of the audit log, one mark per finding.
eq "demo: the timeline's buckets hold every denial" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM denials")" \
    "$(sed -n '/^## Timeline/,/^## Denials/p' "$T/r.md" | awk -F' *[|] *' '/^[|] 20/ { s += $3 } END { print s }')"
grep -q '<text class="y-name"[^>]*>denials per [0-9]* [a-z]*</text>' "$T/r.html" ||
    fail "demo: the y axis is not named"
grep -q '<text class="x-name"[^>]*>time (UTC) from [0-9-]* [0-9:]*; one bucket = [0-9]* [a-z]*</text>' "$T/r.html" ||
    fail "demo: the x axis does not state the bucket"
ticks=$(grep -c '<line class="tick"' "$T/r.html")
[ "$ticks" -ge 3 ] && [ "$ticks" -le 7 ] || fail "demo: $ticks ticks"
writes=$(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -r 'select(.objectRef.apiGroup == "rbac.authorization.k8s.io" and (.verb | test("^(create|update|patch|delete|deletecollection)$"))) | .auditID' | sort -u)
[ -n "$writes" ] || fail "demo: the audit log has no RBAC write"
eq "demo: one mark per RBAC write" "$(echo "$writes" | wc -l)" \
    "$(grep -c '<line class="mark-rbac"' "$T/r.html")"
eq "demo: one mark per finding" "$(wc -l < "$T/f.txt")" \
    "$(grep -c '<path class="mark-finding"' "$T/r.html")"
eq "demo: one series per denied actor" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(DISTINCT actor) FROM denials")" \
    "$(grep -c 'class="series"' "$T/r.html")"

# RBAC changes: each write of the audit log with its audit ID; with one
# snapshot, no comparison.
sed -n '/^## RBAC changes/,/^## Actors/p' "$T/r.md" > "$T/rbac.md"
for id in $writes; do
	grep -q "$id" "$T/rbac.md" || fail "demo: RBAC changes lack $id"
done
grep -q 'fewer than two snapshots' "$T/rbac.md" || fail "demo: one snapshot, no comparison said"
echo "ok - demo: the RBAC writes, with their audit IDs"

# The appendix: sources per format, then every source folded.
eq "demo: the folded table counts every source" \
    "<details><summary>Every source ($(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM sources")), archive members included</summary>" \
    "$(grep -o '<details><summary>Every source[^<]*</summary>' "$T/r.html")"
sed -n '/id="appendix/,$p' "$T/r.html" | grep -o '<tr><th>format</th>\|<details>' |
    head -n 2 | tr '\n' ' ' | grep -q '^<tr><th>format</th> <details>' ||
    fail "demo: the counts per format do not come before the folded table"
grep -q '<meta name="viewport" content="width=device-width' "$T/r.html" || fail "no viewport"
grep -q '@media print{[^}]*details' "$T/r.html" || fail "no print CSS for details"
grep -q '<script\|<link\|src="http\|href="http' "$T/r.html" && fail "the page is not self-contained"
echo "ok - demo: self-contained, phone and print CSS, folded appendix"

# A filter keeps the order, and selects the findings of its actor.
ks report --actor alice > "$T/alice.md"
eq "--actor alice: the sections, in order" "$ORDER" "$(order_md "$T/alice.md")"
eq "--actor alice: only alice's findings" "alice" \
    "$(findings_md "$T/alice.md" | cut -d' ' -f3 | sort -u)"

# A time window keeps the RBAC writes outside it off the timeline.
last=$(sqlite3 "$KUBESIFT_DB" "SELECT max(time_utc) FROM rbac_changes")
ks report -o html --since "$last" > "$T/since.html"
eq "--since the last RBAC write: one RBAC mark" 1 "$(grep -c '<line class="mark-rbac"' "$T/since.html")"
ks report -o html --since "$(sqlite3 "$KUBESIFT_DB" "SELECT max(time_utc) FROM denials")" > "$T/since.html"
eq "--since the last denial: no RBAC mark" 0 "$(grep -c '<line class="mark-rbac"' "$T/since.html" || true)"

# 2. In headless Chromium at a phone's size (390x844 CSS pixels, in an
# iframe: a headless window is at least 500 pixels wide): the page renders,
# is no wider than the screen, and the Findings heading and the first
# finding are above the fold.  A script added to a copy measures the
# layout and writes it into the outer page's DOM, which --dump-dom prints.
if command -v chromium > /dev/null; then
	{
		printf '<!DOCTYPE html><html><body><iframe style="width:390px;height:844px;border:0" srcdoc="'
		sed 's|</body></html>|<script>var h = document.getElementById("findings"), f = document.querySelector("li.finding"); parent.document.body.setAttribute("data-layout", [Math.round(h.getBoundingClientRect().top), Math.round(f.getBoundingClientRect().top), innerWidth, innerHeight, document.documentElement.scrollWidth].join(" "));</script></body></html>|' \
		    "$T/r.html" | sed 's/&/\&amp;/g; s/"/\&quot;/g'
		printf '"></iframe></body></html>\n'
	} > "$T/phone.html"
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$T/chromium" --window-size=800,1000 \
	    --dump-dom "file://$T/phone.html" 2>/dev/null > "$T/dom.html"
	set -- $(sed -n 's/.*data-layout="\([^"]*\)".*/\1/p' "$T/dom.html")
	[ $# -eq 5 ] || fail "chromium: the page did not load (no layout measured)"
	echo "chromium: findings at ${1}px, first finding at ${2}px, viewport ${3}x${4}, page width ${5}px"
	eq "chromium: a phone's viewport" "390 844" "$3 $4"
	[ "$1" -ge 0 ] && [ "$1" -lt "$4" ] || fail "chromium: Findings below the fold"
	[ "$2" -lt "$4" ] || fail "chromium: the first finding below the fold"
	[ "$5" -le "$3" ] || fail "chromium: the page is wider than the phone ($5 > $3)"
	echo "ok - chromium: findings above the fold on a phone, no sideways scroll"
	# Printed, the folded appendix opens: as many pages as with every
	# <details> open, more than without the print rule that opens them.
	pages() {
		chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		    --disable-background-networking --disable-component-update --disable-sync \
		    --user-data-dir="$T/chromium-$2" --no-pdf-header-footer \
		    --print-to-pdf="$T/$2.pdf" "file://$1" 2>/dev/null > /dev/null
		grep -ao '/Type */Page[a-z]*' "$T/$2.pdf" | grep -cx '/Type /Page'
	}
	sed 's/<details>/<details open>/' "$T/r.html" > "$T/open.html"
	sed 's/details::details-content{[^}]*}//' "$T/r.html" > "$T/noprint.html"
	cmp -s "$T/r.html" "$T/noprint.html" && fail "chromium: no print rule for details"
	printed=$(pages "$T/r.html" printed) open=$(pages "$T/open.html" open)
	closed=$(pages "$T/noprint.html" closed)
	echo "chromium: printed $printed pages, $open with the folds open, $closed without its rule"
	eq "chromium: printed, the folds open" "$open" "$printed"
	[ "$closed" -lt "$open" ] || fail "chromium: the folds hold nothing to print"
else
	echo "SKIP chromium: not installed (make check installs it as root)"
fi

# Two snapshots: the second (a copy with one rule added by jq) gives the
# controller patch on cninodes; the RBAC changes say so, and nothing else.
mkdir "$T/snap2"
cp "$TOP"/fixtures/eks-1.29/snapshot/*.json "$T/snap2/"
jq '.items |= map(if .metadata.name == "vpc-resource-controller-role" then .rules += [{"apiGroups":["vpcresources.k8s.aws"],"resources":["cninodes"],"verbs":["patch"]}] else . end)' \
    "$TOP/fixtures/eks-1.29/snapshot/clusterroles.json" > "$T/snap2/clusterroles.json"
cp "$KUBESIFT_DB" "$T/two.db"
KUBESIFT_DB="$T/two.db" ks import -q "$T/snap2"
KUBESIFT_DB="$T/two.db" ks report > "$T/two.md"
sed -n '/^## RBAC changes/,/^## Actors/p' "$T/two.md" > "$T/two-rbac.md"
grep -q '^Between snapshots 1 and 2 ' "$T/two-rbac.md" || fail "two snapshots: not compared"
eq "two snapshots: the one grant gained, and nothing else" \
    "| User | eks:vpc-resource-controller |  | gained | 1 | patch | cninodes.vpcresources.k8s.aws |  | ClusterRole vpc-resource-controller-role through ClusterRoleBinding vpc-resource-controller-rolebinding |" \
    "$(grep '^| [A-Z]' "$T/two-rbac.md" | grep -v '^| [0-9]\{4\}-' | grep -v '^| subject' | sed 's/\\//g')"

COLS="snapshot_a, snapshot_b, subject_kind, subject, subject_namespace, change, verb, api_group, resource, namespace, via"
eq "two snapshots: rbac_grant_diff_latest is rbac_grant_diff for the pair" "1|0|0" \
    "$(sqlite3 "$T/two.db" "SELECT (SELECT count(*) FROM rbac_grant_diff_latest), (SELECT count(*) FROM (SELECT $COLS FROM rbac_grant_diff WHERE snapshot_a = 1 AND snapshot_b = 2 EXCEPT SELECT $COLS FROM rbac_grant_diff_latest)), (SELECT count(*) FROM (SELECT $COLS FROM rbac_grant_diff_latest EXCEPT SELECT $COLS FROM rbac_grant_diff WHERE snapshot_a = 1 AND snapshot_b = 2))")"

# The RBAC-at fixture (a snapshot of 10:30, mallory's update of 10:38
# removes patch, the refusals begin at 10:40): the cause is certain, and
# is the write jq finds (the successful write to the role before the
# first refusal of the service account).
F=$TOP/fixtures/rbac-at
KUBESIFT_DB="$T/rat.db" ks import -q "$F/snapshot" "$F/audit.log"
KUBESIFT_DB="$T/rat.db" ks report > "$T/rat.md"
first=$(jq -s -r "$US"' [.[] | select(.user.username ==
    "system:serviceaccount:kube-system:ctrl" and .responseStatus.code == 403) |
    .requestReceivedTimestamp | us] | min' "$F/audit.log")
cause=$(jq -r "$US"' select(.objectRef.name == "ctrl-role" and .responseStatus.code
    == 200 and (.requestReceivedTimestamp | us) < '"$first"') | "   Cause: \(.verb)"
    + " of ClusterRole ctrl-role by \(.user.username) at \(.requestReceivedTimestamp)"
    + " (audit ID \(.auditID)), \(('"$first"' - (.requestReceivedTimestamp | us))
    / 1000000 | floor) s before the first refusal"' "$F/audit.log")
[ "$(echo "$cause" | wc -l)" -eq 1 ] && [ -n "$cause" ] || fail "rbac-at: not one write before the refusals"
eq "rbac-at: the cause, certain, the write by jq" "$cause" \
    "$(sed -n '/^1\. /,/^2\. /p' "$T/rat.md" | grep '^   [A-Za-z ]*[Cc]ause' |
    sed 's/\\//g; s/; before it, .*//')"
sed -n '/^1\. /,/^2\. /p' "$T/rat.md" | grep -q '; before it, ClusterRoleBinding ctrl-binding -\\> ClusterRole ctrl-role allowed these requests' ||
    fail "rbac-at: what allowed the requests before the write"

# Unused dangerous grants.  The demo's log covers 70 seconds: not judged,
# in one line, with the span (its first and last request, by jq).
span=$(gzip -dc "$T/kube-apiserver-audit.log.gz" | jq -s -r '[.[].requestReceivedTimestamp] | "\(min) to \(max)"')
eq "unused, a log of seconds: one line, with the span" \
    "Not judged: the audit log covers $span (" \
    "$(sed -n '/^## Unused dangerous grants/,/^## /p' "$T/r.md" | grep -v '^#\|^$' | sed 's/(.*/(/')"
sed -n '/^## Unused dangerous grants/,/^## /p' "$T/r.md" | grep -q '), less than a day, too short to call a grant unused' ||
    fail "unused, a log of seconds: not said too short"
grep -A 1 '<h2 id="unused-dangerous-grants">' "$T/r.html" | grep -q '^<p>Not judged: the audit log covers ' ||
    fail "unused, a log of seconds: not said in the HTML"
# A log of two days (two days of gen-audit) and the demo's snapshot with
# 60 more users bound to cluster-admin: more dangerous grants never used
# than the section lists.  Its rows are unused's dangerous and unused
# entries, in order, the first 50 (jq), then a count of the rest.
mkdir "$T/many"
cp "$TOP"/fixtures/eks-1.29/snapshot/*.json "$T/many/"
jq '.items += [range(60) | {apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding", metadata: {name: "extra-\(.)"}, roleRef:
    {apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name:
    "cluster-admin"}, subjects: [{kind: "User", apiGroup:
    "rbac.authorization.k8s.io", name: "user-\(.)"}]}]' \
    "$TOP/fixtures/eks-1.29/snapshot/clusterrolebindings.json" > "$T/many/clusterrolebindings.json"
"$BUILD/gen-audit" --seed 1 --events 3000 --start 2024-03-05T10:00:00Z > "$T/day1.log"
"$BUILD/gen-audit" --seed 2 --events 3000 --start 2024-03-07T10:00:00Z > "$T/day2.log"
export KUBESIFT_DB="$T/many.db"
ks import -q "$T/many" "$T/day1.log" "$T/day2.log"
ks report > "$T/many.md"
ks report -o html > "$T/many.html"
eq "unused, two days: the sections, in order" "$ORDER" "$(order_md "$T/many.md")"
ks unused -o json | jq '[.[] | select(.dangerous and (.used | not))]' > "$T/du.json"
n=$(jq length "$T/du.json")
[ "$n" -gt 50 ] || fail "unused, two days: only $n dangerous grants unused"
sed -n '/^## Unused dangerous grants/,/^## /p' "$T/many.md" > "$T/du.md"
eq "unused, two days: the rows, as unused -o json's (jq)" \
    "$(jq -r '.[:50][] | def o(k): "\(.[k + "_kind"]) \(if .[k + "_namespace"] then
    .[k + "_namespace"] + "/" else "" end)\(.[k])"; "| \(o("subject")) |"
    + " \(o("binding")) | \(o("role")) | \(.rule_text) | \(.dangerous_reason) |"' "$T/du.json")" \
    "$(grep '^| [A-Z]' "$T/du.md" | sed 's/\\//g')"
eq "unused, two days: the rest counted" \
    "... and $((n - 50)) more: kubesift unused lists every one." \
    "$(grep '^\.\.\. and ' "$T/du.md" | sed 's/\\//g')"
# The span in tenths of days, and the days with events, by jq.
days=$(cat "$T/day1.log" "$T/day2.log" | jq -s -r '[.[].requestReceivedTimestamp] |
    (((max | .[0:19] + "Z" | fromdate) - (min | .[0:19] + "Z" | fromdate)) / 8640 |
    floor) as $t | "\(min) to \(max) (\($t / 10 | floor).\($t % 10) days, events on"
    + " \(map(.[0:10]) | unique | length) days"')
grep -q "^$n grants of the RBAC are dangerous and never used by an allowed request of the audit log, which covers $days, [0-9]* allowed requests): evidence moderate" "$T/du.md" ||
    fail "unused, two days: the span ($days): $(grep 'grants of the RBAC' "$T/du.md")"
eq "unused, two days: the HTML's rows" 50 \
    "$(sed -n '/<h2 id="unused-dangerous-grants">/,/<h2 /p' "$T/many.html" | grep -c '^<tr><td>')"
echo "ok - unused, two days: the dangerous grants never used, 50 listed"
# --until cuts the window to less than a day: not judged.
ks report --until 2024-03-05T23:00:00Z > "$T/cut.md"
sed -n '/^## Unused dangerous grants/,/^## /p' "$T/cut.md" | grep -q '^Not judged: the audit log covers 2024-03-05T[0-9:.]*Z to 2024-03-05T[0-9:.]*Z (' ||
    fail "unused, --until: not judged"
grep -q '^| User user-' "$T/cut.md" && fail "unused, --until: grants listed"
echo "ok - unused, --until the first day: not judged"

# 3. Public evidence with an attacker (Panther's EKS audit rule tests):
# attacker@example.com binds itself to cluster-admin.  A critical
# cluster-admin-binding is the top finding, the attacker's is among them,
# its refusals are suspicious, and the Fixes give it nothing.
P=$REALDATA/audit-eks/panther-analysis-eks-audit-rule-tests.jsonl
if [ ! -f "$P" ]; then
	echo "SKIP attacker: ../shared/realdata is absent"
	exit 0
fi
[ "$(jq -c 'select(.user.username == "attacker@example.com" and .objectRef.resource == "clusterrolebindings" and .requestObject.roleRef.name == "cluster-admin") | 1' "$P" | wc -l)" -ge 1 ] ||
    fail "attacker: the evidence no longer holds the binding"
export KUBESIFT_DB="$T/a.db"
ks import -q "$P"
ks report > "$T/a.md"
eq "attacker: the sections, in order" "$ORDER" "$(order_md "$T/a.md")"
findings_md "$T/a.md" > "$T/af.txt"
eq "attacker: the top finding" "critical cluster-admin-binding" \
    "$(head -n 1 "$T/af.txt" | cut -d' ' -f1-2)"
grep -q '^critical cluster-admin-binding attacker@example.com created clusterrolebindings/backdoor-admin, which grants cluster-admin' "$T/af.txt" ||
    fail "attacker: no critical finding for the attacker's binding"
eq "attacker: the critical findings come first, as the view's" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM detections WHERE severity = 'critical'")" \
    "$(grep -c '^critical ' "$T/af.txt")"
grep -q '^high refused-suspicious attacker@example.com (suspicious) was refused' "$T/af.txt" ||
    fail "attacker: its refusals are not suspicious"
sed -n '/^## Fixes/,/^## RBAC changes/p' "$T/a.md" > "$T/afix.md"
grep -q '^Change [0-9]* of [0-9]*:' "$T/afix.md" || fail "attacker: no change to look into"
grep -q '^  actor: .*attacker@example.com' "$T/afix.md" &&
    fail "attacker: the Fixes propose a change for the attacker"
grep -q '^[a-z]* rbac-gap attacker@example.com' "$T/af.txt" &&
    fail "attacker: a finding proposes a fix for the attacker"
sed -n '/^## RBAC changes/,/^## Actors/p' "$T/a.md" | grep -q 'attacker@example.com' ||
    fail "attacker: the RBAC changes lack the attacker's writes"
echo "ok - attacker: no change proposed, its writes listed"

# Unauthenticated requests get no change, whichever name the log gives them
# (this file names the group system:unauthenticated as the user).
[ "$(jq -c 'select(.user.username == "system:unauthenticated" and .responseStatus.code == 403) | 1' "$P" | wc -l)" -ge 1 ] ||
    fail "attacker: the evidence no longer holds the unauthenticated refusal"
eq "unauthenticated: no change, even when named" "not-remediated" \
    "$(ks remediate --actor system:unauthenticated -o json | jq -r '[.[] | select(.actor == "system:unauthenticated") | .action] | unique | join(",")')"
# Requests without an audit ID are still requests, not snapshots.
eq "a finding of requests without audit IDs says requests" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM detections WHERE verb IS NOT NULL")" \
    "$(sqlite3 "$KUBESIFT_DB" "SELECT count(*) FROM detections WHERE summary GLOB '*(* request*).'")"

# The real RBAC of the k3s support bundle (troubleshoot v0.50), judged on
# falco's audit trace files (events on 4 days over 544): its dangerous
# grants never used are unused's (jq), every one listed.
export KUBESIFT_DB="$T/k3s.db"
ks import -q "$REALDATA/support-bundles/troubleshoot-testdata-support-bundle-k3s-v0.50.tar.gz" \
    "$REALDATA/audit-native/falco-k8s_audit-trace-files"
ks report > "$T/k3s.md"
ks unused -o json | jq '[.[] | select(.dangerous and (.used | not))]' > "$T/k3s.json"
n=$(jq length "$T/k3s.json")
[ "$n" -gt 0 ] && [ "$n" -le 50 ] || fail "k3s: $n dangerous grants unused"
sed -n '/^## Unused dangerous grants/,/^## /p' "$T/k3s.md" > "$T/k3s-du.md"
eq "k3s: the unused dangerous grants, as unused -o json's (jq)" \
    "$(jq -r '.[] | def o(k): "\(.[k + "_kind"]) \(if .[k + "_namespace"] then
    .[k + "_namespace"] + "/" else "" end)\(.[k])"; "| \(o("subject")) |"
    + " \(o("binding")) | \(o("role")) | \(.rule_text) | \(.dangerous_reason) |"' "$T/k3s.json")" \
    "$(grep '^| [A-Z]' "$T/k3s-du.md" | sed 's/\\//g')"
grep -q "^$n grants of the RBAC are dangerous .* (544\.[0-9] days, events on 4 days, [0-9]* allowed requests): evidence moderate" "$T/k3s-du.md" ||
    fail "k3s: the span: $(sed -n 3p "$T/k3s-du.md")"
grep -q '^\.\.\. and ' "$T/k3s-du.md" && fail "k3s: a count of more, with every grant listed"
echo "ok - k3s: the real RBAC's dangerous grants never used, all listed"

# The Denials section (from the rollups, as `denied` reads them) holds the
# groups plain SQL makes of the denials view's rows, in a window that
# cuts through minutes, for some actors (fewer than the section's 100).
export KUBESIFT_DB="$T/den.db"
"$BUILD/gen-audit" --seed 7 --events 6000 --scenario denials > "$T/den.log" 2>/dev/null
ks import -q "$T/den.log"
since=$(jq -r 'select(.responseStatus.code == 403) | .requestReceivedTimestamp' "$T/den.log" | sort | sed -n '300p')
ks report --since "$since" --actor 'system:serviceaccount:tenant-3[0-2]?:*' > "$T/den.md"
sed -n '/^## Denials/,/^## Fixes/p' "$T/den.md" | grep '^| [a-z]' | grep -v '^| actor |' |
    sed 's/^| //; s/ |$//; s/ | /|/g; s/\\//g' | sort > "$T/den.got"
sqlite3 "$KUBESIFT_DB" "SELECT actor || '|' || verb || '|' || coalesce(api_group, '') || '|' || coalesce(resource, '') || '|' || coalesce(subresource, '') || '|' || coalesce(namespace, '') || '|' || count(*) || '|' || min(time_utc) || '|' || max(time_utc) || '|' || group_concat(DISTINCT origin) || '|' || refused_by FROM denials WHERE actor GLOB 'system:serviceaccount:tenant-3[0-2]?:*' AND time_utc >= '$since' GROUP BY actor, verb, api_group, resource, subresource, namespace, refused_by" | sort > "$T/den.want"
n=$(wc -l < "$T/den.want")
[ "$n" -gt 10 ] && [ "$n" -lt 100 ] || fail "denials section: $n groups to compare"
eq "the Denials section: the groups plain SQL makes of the window" \
    "$(cat "$T/den.want")" "$(cat "$T/den.got")"

# A window whose two edge minutes lie mostly inside it (both corrected
# from the rollups: the longest counts query): every section is there.
# Counted by hand: alice, refused twice, both inside the window.
ev() {
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/secrets","verb":"list","user":{"username":"alice"},"objectRef":{"resource":"secrets","namespace":"shop","apiVersion":"v1"},"responseStatus":{"code":403},"requestReceivedTimestamp":"%s","stageTimestamp":"%s","annotations":{"authorization.k8s.io/decision":"forbid"}}\n' "$1" "$2" "$2"
}
{ ev r-1 2024-03-05T12:01:20.000000Z; ev r-2 2024-03-05T12:03:20.000000Z; } > "$T/edges.jsonl"
export KUBESIFT_DB="$T/edges.db"
ks import -q "$T/edges.jsonl"
ks report -o md --since 2024-03-05T12:01:10Z --until 2024-03-05T12:03:50Z > "$T/edges.md" ||
    fail "report over a window of two corrected edges: $(cat "$T/edges.md")"
eq "edges: the time span of the selection" \
    "| 2024-03-05T12:01:20.000000Z | 2024-03-05T12:03:20.000000Z | 2 | 2 |" \
    "$(sed -n '/^### Time span/,/^## /p' "$T/edges.md" | grep '^| 2024')"
eq "edges: alice among the unusual actors" "| alice | human | 2 | 2 |" \
    "$(grep -o '^| alice | human | [0-9]* | [0-9]* |' "$T/edges.md")"
