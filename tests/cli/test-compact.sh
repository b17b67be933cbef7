# Columns stored shorter than they read (src/store/store-compact.c, the
# generated columns of audit_events in sql/001-schema.sql): request_uri,
# message, stage and level must read exactly as the input holds them (by
# jq), in audit_events, audit_events_text and export; the short forms must
# be used where they can be, and the whole text kept where they cannot.
. tests/cli/lib.sh
BUILD=${BUILD:-build}

"$BUILD/gen-audit" --scenario denials --events 4000 --seed 11 > "$T/a.log"
"$BUILD/gen-audit" --events 3000 --seed 12 \
    --start 2024-03-06T10:00:00Z > "$T/b.log"
# By hand: a path that is not the one the columns make (a namespace get),
# a refusal with words after the sentence, one at the cluster scope with a
# subresource, one in other words, a stage and a level of no known value,
# a query after the path, a non-resource URL, no URI at all.
ev() {
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"%s","auditID":"h-%s","stage":"%s",%s"verb":"%s","user":{"username":"u"%s},%s"responseStatus":{"code":%s%s},"requestReceivedTimestamp":"2024-03-07T10:00:00.%06dZ"}\n' \
	    "$@"
}
{
ev Metadata 1 ResponseComplete '"requestURI":"/api/v1/namespaces/kube-system",' get '' \
    '"objectRef":{"resource":"namespaces","namespace":"kube-system","name":"kube-system","apiVersion":"v1"},' 200 '' 1
ev Request 2 ResponseComplete '"requestURI":"/api/v1/namespaces/x/pods/p",' get '' \
    '"objectRef":{"resource":"pods","namespace":"x","name":"p","apiVersion":"v1"},' 403 \
    ',"message":"pods \"p\" is forbidden: User \"u\" cannot get resource \"pods\" in API group \"\" in the namespace \"x\": RBAC: role \"r\" not found"' 2
ev RequestResponse 3 Panic '"requestURI":"/apis/vpcresources.k8s.aws/v1alpha1/cninodes/n1/status?fieldManager=x",' patch \
    ',"groups":["system:authenticated"]' \
    '"objectRef":{"resource":"cninodes","name":"n1","subresource":"status","apiGroup":"vpcresources.k8s.aws","apiVersion":"v1alpha1"},' 403 \
    ',"message":"cninodes.vpcresources.k8s.aws \"n1\" is forbidden: User \"u\" cannot patch resource \"cninodes/status\" in API group \"vpcresources.k8s.aws\" at the cluster scope"' 3
ev Secret 4 Later '"requestURI":"/api/v1/configmaps?limit=500",' list '' \
    '"objectRef":{"resource":"configmaps","apiVersion":"v1"},' 404 \
    ',"message":"configmaps \"c\" not found"' 4
ev None 5 RequestReceived '"requestURI":"/healthz",' get '' '' 200 '' 5
ev Metadata 6 ResponseStarted '' watch '' \
    '"objectRef":{"resource":"pods","apiVersion":"v1"},' 200 '' 6
ev 3 7 1 '"requestURI":"/api/v1/pods",' list '' \
    '"objectRef":{"resource":"pods","apiVersion":"v1"},' 200 '' 7
} > "$T/c.log"
ks import -q "$T/a.log" "$T/b.log" "$T/c.log"

# The stored columns, one line each, against the input's fields.
cat "$T/a.log" "$T/b.log" "$T/c.log" |
    jq -c '[.requestURI, .responseStatus.message, .stage, .level]' > "$T/want"
ks sql -o jsonl 'SELECT request_uri, message, stage, level FROM audit_events
    ORDER BY id' | jq -c '[.request_uri, .message, .stage, .level]' > "$T/got"
cmp "$T/want" "$T/got" || fail "audit_events differs from the input: $(diff "$T/want" "$T/got" | head -5)"
echo "ok - request_uri, message, stage, level as the input holds them ($(wc -l < "$T/want") events)"
ks sql -o jsonl 'SELECT request_uri, message, stage, level FROM audit_events_text
    ORDER BY id' | jq -c '[.request_uri, .message, .stage, .level]' > "$T/got"
cmp "$T/want" "$T/got" || fail "audit_events_text differs from the input"
echo "ok - audit_events_text the same"
ks export "$T/x" > /dev/null 2>&1
jq -c '[.request_uri, .message, .stage, .level]' "$T/x/audit_events.jsonl" > "$T/got"
cmp "$T/want" "$T/got" || fail "export differs from the input"
echo "ok - export the same"
eq "export: not the stored forms" 0 \
    "$(head -n 1 "$T/x/audit_events.jsonl" | jq '[keys[] | select(endswith("_tail") or endswith("_code"))] | length')"
# Plain sqlite3 (no kubesift function) reads them too.
eq "plain sqlite3 reads the generated columns" \
    "$(q 'SELECT count(*), sum(length(request_uri)), sum(length(message)) FROM audit_events')" \
    "$(sqlite3 -csv "$KUBESIFT_DB" 'SELECT count(*), sum(length(request_uri)), sum(length(message)) FROM audit_events')"

# Both forms in use: most URIs and refusals short, the others whole.
eq "URIs shortened (blob) where the columns make their path" \
    "?fieldManager=x|?limit=500|" \
    "$(q "SELECT group_concat(CAST(uri_tail AS TEXT), '|') FROM (SELECT uri_tail FROM audit_events WHERE audit_id IN ('h-3', 'h-4', 'h-7') AND typeof(uri_tail) = 'blob' ORDER BY id)")"
eq "URIs kept whole (text) where they do not" "text text" \
    "$(q "SELECT group_concat(typeof(uri_tail), ' ') FROM audit_events WHERE audit_id IN ('h-1', 'h-5')")"
eq "no URI: NULL" 1 "$(q "SELECT uri_tail IS NULL AND request_uri IS NULL FROM audit_events WHERE audit_id = 'h-6'")"
eq "refusals shortened, words after kept" "blob|1" \
    "$(q "SELECT typeof(message_tail) || '|' || (CAST(message_tail AS TEXT) = ': RBAC: role \"r\" not found') FROM audit_events WHERE audit_id = 'h-2'")"
eq "another message kept whole" text \
    "$(q "SELECT typeof(message_tail) FROM audit_events WHERE audit_id = 'h-4'")"
eq "unknown stage and level kept as text" "text|text|text|text" \
    "$(q "SELECT group_concat(typeof(stage_code) || '|' || typeof(level_code), '|') FROM audit_events WHERE audit_id IN ('h-4', 'h-7')")"
eq "most generated URIs shortened" 1 \
    "$(q "SELECT sum(typeof(uri_tail) = 'blob') * 2 > count(*) FROM audit_events WHERE audit_id NOT LIKE 'h-%'")"
eq "most generated refusals shortened" 1 \
    "$(q "SELECT sum(typeof(message_tail) = 'blob') * 2 > count(*) FROM audit_events WHERE code = 403")"
