# Import of the readable fixtures, through every archive and compression
# format, with chain of custody and accounting checked.
. tests/cli/lib.sh

F=$TOP/fixtures/import
ks import "$F" > "$T/out"
grep -q '^imported 9 sources: 18 records, 14 new, 1 duplicate, 3 rejected; 0 unrecognised' "$T/out" ||
    fail "summary: $(cat "$T/out")"
echo "ok - summary line"
accounting_holds
eq "a plain note is a log without denials" "log|1|0" "$(q "SELECT format || '|' || bid || '|' || records FROM sources WHERE path LIKE '%/notes.txt'")"
eq "audit events" 8 "$(q 'SELECT count(*) FROM audit_events')"
eq "raw kept for each" 8 "$(q 'SELECT count(*) FROM audit_events WHERE ks_raw(id) IS NOT NULL')"
eq "byte-identical event is a duplicate" 1 "$(q "SELECT duplicates FROM sources WHERE path LIKE '%/audit.log'")"
eq "same auditID, different bytes: both kept" 2 "$(q "SELECT count(*) FROM audit_events WHERE audit_id = 'a1'")"
eq "offset time to UTC microseconds" 1709625601000000 "$(q "SELECT received_us FROM audit_events WHERE audit_id = 'a2'")"
eq "v1beta1 timestamp, nanoseconds truncated" 1505159705123456 "$(q "SELECT received_us FROM audit_events WHERE audit_id = 'b1'")"
eq "EventList item" "bob|secrets|403" "$(q "SELECT impersonated_user || '|' || resource || '|' || code FROM audit_events WHERE audit_id = 'c1'")"
eq "core group is ''" "" "$(q "SELECT quote(api_group) FROM audit_events WHERE audit_id = 'a1' LIMIT 1" | tr -d "'")"
eq "groups as JSON" '["dev","system:authenticated"]' "$(q "SELECT user_groups FROM audit_events_text WHERE audit_id = 'a1' LIMIT 1" | sed 's/""/"/g; s/^"//; s/"$//')"
eq "rejects with reasons and lines" "2|5" "$(q "SELECT min(line) || '|' || max(line) FROM rejects")"
eq "good records around bad ones" 3 "$(q "SELECT count(*) FROM audit_events WHERE audit_id IN ('d1','d3','d4')")"
eq "kind from the typed List" ClusterRole "$(q "SELECT kind FROM objects WHERE name = 'kindless'")"
eq "kind from a sonobuoy name" ClusterRoleBinding "$(q "SELECT kind FROM objects WHERE name = 'vpc-resource-controller-rolebinding'")"
eq "kind from group_version_resource" Node "$(q "SELECT kind FROM objects WHERE name LIKE 'ip-%'")"
eq "server version" v1.29.3-eks-adc7111 "$(q 'SELECT server_version FROM snapshots')"
eq "one snapshot for one folder" 1 "$(q 'SELECT count(*) FROM snapshots')"
pw=$(printf 'aHVudGVyMg==' | sha256sum | cut -c1-64)
eq "secret values hashed" "sha256:$pw" "$(q "SELECT json_extract(body, '\$.data.password') FROM objects WHERE kind = 'Secret'")"
ks sql "SELECT body FROM objects" | grep -q 'aHVudGVyMg==' && fail "secret value stored"
echo "ok - no secret value stored"
# kubectl apply's annotation holds the whole Secret: hashed like the data.
mkdir -p "$T/applied"
jq '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] = ({data: .data} | tojson)' \
    "$TOP/fixtures/import/kubectl/kube-system/secrets.json" > "$T/applied/secrets.json"
grep -q 'aHVudGVyMg==' "$T/applied/secrets.json" || fail "the annotation does not hold the value"
ks --db "$T/applied.db" import -q "$T/applied"
ks --db "$T/applied.db" sql "SELECT body FROM objects" | grep -q 'aHVudGVyMg==' && fail "secret value stored from its annotation"
eq "the annotation hashed" "sha256:$(jq -j '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]' "$T/applied/secrets.json" | sha256sum | cut -c1-64)" \
    "$(ks --db "$T/applied.db" sql -o csv "SELECT json_extract(body, '\$.metadata.annotations.\"kubectl.kubernetes.io/last-applied-configuration\"') FROM objects WHERE kind = 'Secret'" | tail -1 | tr -d '\r')"
for f in audit/audit.log kubectl/version.json notes.txt; do
	eq "sha256 of $f" "$(sha256sum < "$F/$f" | cut -c1-64)" \
	    "$(q "SELECT sha256 FROM sources WHERE path = '$F/$f'")"
done

# Again: nothing added, and it says so.
before=$(q 'SELECT count(*) FROM sources')
ks import "$F" > "$T/out2" 2>&1
eq "re-import adds no source" "$before" "$(q 'SELECT count(*) FROM sources')"
grep -q '9 inputs already imported, skipped' "$T/out2" || fail "re-import summary: $(cat "$T/out2")"

# Every archive format gives the same records, and member hashes match.
mkdir "$T/a"
(cd "$F" && tar cf "$T/a/f.tar" .)
(cd "$F" && tar czf "$T/a/f.tar.gz" . && tar czf "$T/a/f.tgz" . && tar cJf "$T/a/f.tar.xz" . &&
    tar cjf "$T/a/f.tar.bz2" . && tar --zstd -cf "$T/a/f.tar.zst" . && zip -qr "$T/a/f.zip" .)
gzip -c "$F/audit/audit.log" > "$T/a/audit.log.gz"
xz -c "$F/audit/audit.log" > "$T/a/audit.log.xz"
bzip2 -c "$F/audit/audit.log" > "$T/a/audit.log.bz2"
zstd -q -c "$F/audit/audit.log" > "$T/a/audit.log.zst"
for a in f.tar f.tar.gz f.tgz f.tar.xz f.tar.bz2 f.tar.zst f.zip; do
	export KUBESIFT_DB="$T/$a.db"
	ks import -q "$T/a/$a"
	eq "$a: audit rows" 8 "$(q 'SELECT count(*) FROM audit_events')"
	eq "$a: objects" 5 "$(q 'SELECT count(*) FROM objects')"
	eq "$a: rejects" 3 "$(q 'SELECT count(*) FROM rejects')"
	eq "$a: one snapshot" 1 "$(q 'SELECT count(*) FROM snapshots')"
	eq "$a: member hash" "$(sha256sum < "$F/kubectl/clusterroles.json" | cut -c1-64)" \
	    "$(q "SELECT sha256 FROM sources WHERE path LIKE '%clusterroles.json'")"
	eq "$a: archive hash" "$(sha256sum < "$T/a/$a" | cut -c1-64)" \
	    "$(q "SELECT sha256 FROM sources WHERE parent_id IS NULL")"
	accounting_holds
done
for a in audit.log.gz audit.log.xz audit.log.bz2 audit.log.zst; do
	export KUBESIFT_DB="$T/$a.db"
	ks import -q "$T/a/$a"
	eq "$a: audit rows (one duplicate)" 4 "$(q 'SELECT count(*) FROM audit_events')"
	eq "$a: member named audit.log" 1 "$(q "SELECT count(*) FROM sources WHERE member = 'audit.log'")"
	eq "$a: decompressed hash" "$(sha256sum < "$F/audit/audit.log" | cut -c1-64)" \
	    "$(q "SELECT sha256 FROM sources WHERE member = 'audit.log'")"
done

# Archives inside archives, and standard input.
export KUBESIFT_DB="$T/nested.db"
mkdir "$T/n" && cp "$T/a/f.zip" "$T/a/audit.log.gz" "$T/n/"
(cd "$T/n" && tar czf "$T/inner.tgz" . && tar cf "$T/outer.tar" -C "$T" inner.tgz)
ks import -q "$T/outer.tar"
eq "nested: audit rows" 8 "$(q 'SELECT count(*) FROM audit_events')"
eq "nested: deepest path" 1 "$(q "SELECT count(*) FROM sources WHERE path LIKE '%outer.tar!inner.tgz!./audit.log.gz!audit.log'")"
accounting_holds
export KUBESIFT_DB="$T/stdin.db"
ks import -q - < "$T/a/f.tar.gz"
eq "stdin: audit rows" 8 "$(q 'SELECT count(*) FROM audit_events')"
eq "stdin: source path" "(stdin)" "$(q 'SELECT path FROM sources WHERE parent_id IS NULL')"

# Order does not matter: A then B, B then A.
export KUBESIFT_DB="$T/ab.db"; ks import -q "$T/a/f.zip" "$T/a/audit.log.xz"
export KUBESIFT_DB="$T/ba.db"; ks import -q "$T/a/audit.log.xz" "$T/a/f.zip"
sig='SELECT count(*), sum(code), group_concat(DISTINCT audit_id) FROM (SELECT * FROM audit_events ORDER BY audit_id)'
a=$(KUBESIFT_DB="$T/ab.db" q "$sig"); b=$(KUBESIFT_DB="$T/ba.db" q "$sig")
eq "A then B = B then A" "$a" "$b"

# Admission webhook logs (kube-audit-rest): requests without RBAC verdicts.
export KUBESIFT_DB="$T/admission.db"
ks import -q "$TOP/fixtures/admission/reviews.jsonl"
eq "admission: requests" 2 "$(q 'SELECT count(*) FROM audit_events')"
eq "admission: the response alone is rejected" 1 "$(q "SELECT count(*) FROM rejects WHERE reason LIKE 'not an admission request%'")"
eq "admission: verb, groups, no time" 1 "$(q "SELECT count(*) FROM audit_events_text WHERE name = 'aws-auth' AND verb = 'delete' AND user_groups = '[\"devs\",\"system:authenticated\"]' AND received_us IS NULL")"
eq "admission: the logger's time kept" 1709632800000000 "$(q "SELECT received_us FROM audit_events WHERE name = 'debug'")"
accounting_holds
