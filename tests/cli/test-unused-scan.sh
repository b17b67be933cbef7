#!/bin/sh
# kubesift unused, differential: what each grant's entry says of its use
# (requests, first_used, last_used, used_verbs) and the span's count of
# allowed requests, compared with plain SQL on the base tables (audit_rows,
# strings), never through kubesift's views or code, over and outside
# windows.  The evidence holds what the grouping of requests must get
# right: a second copy of some events with other bytes (the same auditIDs:
# a request once), events cut short (partial rows), impersonation, refused
# requests, non-resource URLs and the fixtures' odd events.  Every subject
# is bound to rules that allow everything, so that a grant's use is all
# that its subject did.
. tests/cli/lib.sh

GEN=${GEN_AUDIT:-$TOP/build/gen-audit}
[ -x "$GEN" ] || fail "needs $GEN (make build/gen-audit)"

"$GEN" --seed 11 --events 5000 --rate 4 --scenario eks-cninodes > "$T/a.log"
"$GEN" --seed 11 --events 5000 --rate 4 --scenario eks-cninodes \
    --format filter-log-events > "$T/a.json"
# Copies of some events cut short (partial rows), read after the whole log.
jq '{events: [.events | to_entries[] | select(.key % 97 == 3) | .value |
    .message |= .[0:(length * 6 / 10 | floor)]]}' "$T/a.json" > "$T/cut.json"
# Other bytes of requests already read (the same auditIDs and times).
awk 'NR % 50 == 7' "$T/a.log" | sed 's/"level":"/"level": "/' > "$T/again.log"
ks import -q "$T/a.log"
ks import -q "$T/cut.json" "$T/again.log" fixtures/differential \
    fixtures/unused/audit.log 2> /dev/null
[ "$(q 'SELECT count(*) FROM audit_events WHERE partial = 1')" -gt 0 ] ||
    fail "no partial rows were made"

# The RBAC: the busiest actors (and one that impersonates) bound one by one
# as Users, and the group every authenticated request names, to a role
# that allows every resource and every URL.
actors=$(sqlite3 "$KUBESIFT_DB" "SELECT value FROM strings WHERE id IN
    (SELECT actor_id FROM audit_rows GROUP BY actor_id
    ORDER BY count(*) DESC LIMIT 6) OR id IN (SELECT user_id FROM audit_rows
    WHERE impersonated_user_id IS NOT NULL) ORDER BY value")
{
	printf '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"all"},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]},{"nonResourceURLs":["*"],"verbs":["*"]}]}'
	printf ',{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"authenticated"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"all"},"subjects":[{"kind":"Group","name":"system:authenticated"}]}'
	i=0
	echo "$actors" | while IFS= read -r a; do
		i=$((i + 1))
		printf ',{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"u%d"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"all"},"subjects":[{"kind":"User","name":"%s"}]}' "$i" "$a"
	done
	printf ']}\n'
} > "$T/rbac.json"
ks import -q "$T/rbac.json"

# The grouped requests of a window (?1, ?2: NULL open), as unused reads
# them: final stages (ResponseComplete, Panic, none) with a verb, allowed
# by the authorizer, one per auditID in a group of the same actor, groups,
# verb, API group, resource, subresource, namespace, path and
# impersonator.  No rule names resourceNames: no name is kept.
cat > "$T/rows.sql" <<'SQL'
CREATE TEMP VIEW w AS
SELECT r.*, (SELECT value FROM strings WHERE id = r.actor_id) AS actor,
    CASE WHEN impersonated_user_id IS NOT NULL THEN impersonated_groups_id
	ELSE user_groups_id END AS gid,
    CASE WHEN resource IS NULL THEN CASE WHEN instr(request_uri, '?') > 0
	THEN substr(request_uri, 1, instr(request_uri, '?') - 1)
	ELSE request_uri END END AS path,
    coalesce(audit_key, 'row:' || id) AS k
FROM audit_rows r
WHERE (stage IS NULL OR stage IN ('ResponseComplete', 'Panic'))
    AND verb IS NOT NULL
    AND CASE WHEN decision IN ('allow', 'forbid') THEN decision
	WHEN code = 403 THEN 'forbid' ELSE 'allow' END = 'allow'
    AND (@since IS NULL OR received_us >= @since)
    AND (@until IS NULL OR received_us <= @until);
-- The impersonated requests, allowed or not: each also used its
-- impersonator's impersonate on the user (or serviceaccount) and on each
-- group asked for that the apiserver does not add by itself.
CREATE TEMP VIEW imp AS
SELECT DISTINCT actor_id, CASE WHEN impersonated_user_id IS NOT NULL
	THEN impersonated_groups_id ELSE user_groups_id END AS gid, verb,
    api_group, resource, subresource, namespace, CASE WHEN code = 403 OR
	decision = 'forbid' THEN 0 ELSE 1 END AS ok, user_id,
    (SELECT value FROM strings WHERE id = user_groups_id) AS imp_groups,
    coalesce(audit_key, 'row:' || id) AS k,
    1 + (SELECT count(*) FROM json_each((SELECT value FROM strings
	WHERE id = impersonated_groups_id)) WHERE value != 'system:authenticated'
	AND NOT (value GLOB 'system:serviceaccounts*' AND (SELECT value
	FROM strings WHERE id = actor_id) GLOB 'system:serviceaccount:*'))
	AS n
FROM audit_rows
WHERE impersonated_user_id IS NOT NULL
    AND (stage IS NULL OR stage IN ('ResponseComplete', 'Panic'))
    AND verb IS NOT NULL
    AND (@since IS NULL OR received_us >= @since)
    AND (@until IS NULL OR received_us <= @until);
CREATE TEMP VIEW req AS
SELECT DISTINCT actor, actor_id, gid, verb, api_group, resource, subresource,
    namespace, path, CASE WHEN impersonated_user_id IS NOT NULL
	THEN user_id END AS imp, k
FROM w WHERE actor IS NOT NULL AND (resource IS NOT NULL OR path IS NOT NULL);
SQL
# sq SINCE UNTIL SQL: SQL after rows.sql, the window bound (NULL: open).
sq() {
	sed "s/@since/$1/g; s/@until/$2/g" "$T/rows.sql" > "$T/rows-w.sql"
	sqlite3 "$KUBESIFT_DB" ".read $T/rows-w.sql" "$3"
}
# The impersonators' own requests: impersonate on users, serviceaccounts
# and groups (none here is one of the users bound).
impersonators=$(sqlite3 "$KUBESIFT_DB" "SELECT coalesce(group_concat(
    quote(value)), quote('')) FROM strings WHERE id IN (SELECT user_id FROM
    audit_rows WHERE impersonated_user_id IS NOT NULL)")
impersonators_json=$(sqlite3 "$KUBESIFT_DB" "SELECT json_group_array(value)
    FROM strings WHERE id IN (SELECT user_id FROM audit_rows WHERE
    impersonated_user_id IS NOT NULL)")

# check WHAT SINCE UNTIL [OPTIONS]: kubesift's entries against SQL.
check() {
	what=$1 since=$2 until=$3
	shift 3
	ks unused -o json "$@" > "$T/u.json"
	ks unused -o table "$@" > "$T/u.txt"
	got=$(jq -r --argjson imp "$impersonators_json" '.[] |
	    select(.subject_kind == "User" and
	    (.subject as $s | $imp | index($s) | not)) |
	    "\(.subject)|\(.rule_index)|\(.requests)|\(.first_used)|\(.last_used)|\(.used_verbs | join(","))"' \
	    "$T/u.json" | sort)
	want=$(sq "$since" "$until" "
	    WITH u AS (SELECT actor, resource IS NULL AS url, count(*) AS n,
		group_concat(DISTINCT verb) AS verbs FROM req
		WHERE actor NOT IN ($impersonators) GROUP BY 1, 2),
	    t AS (SELECT actor, resource IS NULL AS url,
		min(received_us) AS lo, max(received_us) AS hi FROM w
		WHERE actor IS NOT NULL AND (resource IS NOT NULL OR
		path IS NOT NULL) GROUP BY 1, 2),
	    b AS (SELECT value AS actor, x.url FROM strings,
		(SELECT 0 AS url UNION ALL SELECT 1) x WHERE value IN ($(
		echo "$actors" | sed "s/'/''/g; s/.*/'&'/" | paste -sd,))
		AND value NOT IN ($impersonators))
	    SELECT b.actor || '|' || b.url || '|' || coalesce(u.n, 0) || '|'
		|| coalesce(strftime('%Y-%m-%dT%H:%M:%S', t.lo / 1000000,
		'unixepoch') || printf('.%06dZ', t.lo % 1000000), 'null')
		|| '|' || coalesce(strftime('%Y-%m-%dT%H:%M:%S', t.hi / 1000000,
		'unixepoch') || printf('.%06dZ', t.hi % 1000000), 'null')
		|| '|' || coalesce((SELECT group_concat(v, ',') FROM (SELECT
		DISTINCT verb AS v FROM req WHERE actor = b.actor AND
		(resource IS NULL) = b.url ORDER BY v)), '')
	    FROM b LEFT JOIN u USING (actor, url) LEFT JOIN t USING (actor, url)" |
	    sort)
	[ -n "$want" ] || fail "$what: no subject to compare"
	eq "$what: each user's grants, by plain SQL" "$want" "$got"
	# The users named: their requests alone are read (json), the same.
	set -- "$@" $(echo "$actors" | sed 's/^/--actor /')
	ks unused -o json "$@" > "$T/only.json"
	eq "$what: the users' grants when only they are asked for" \
	    "$(jq -c '[.[] | select(.subject_kind == "User")]' "$T/u.json")" \
	    "$(jq -c . "$T/only.json")"
	eq "$what: the span's allowed requests, by plain SQL" \
	    "$(sq "$since" "$until" "SELECT count(*) FROM req WHERE verb != 'impersonate'")" \
	    "$(sed -n '1s/.*, \([0-9]*\) allowed requests).*/\1/p' "$T/u.txt")"
	eq "$what: system:authenticated's requests, by plain SQL" \
	    "$(sq "$since" "$until" "SELECT (SELECT count(*) FROM req WHERE
		(SELECT value FROM strings WHERE id = gid)
		LIKE '%\"system:authenticated\"%') + (SELECT coalesce(sum(n), 0)
		FROM imp WHERE imp_groups LIKE '%\"system:authenticated\"%')")" \
	    "$(jq '[.[] | select(.subject == "system:authenticated") | .requests] | add' "$T/u.json")"
}

check "the whole log" NULL NULL
# A wide window (the table read in order) and a narrow one (through the
# time index), their bounds at the fifth and the fourth fifth of the
# events (and inside a second), the narrow one a fiftieth of them.
at() { sqlite3 "$KUBESIFT_DB" "SELECT received_us + $2 FROM audit_rows
    WHERE received_us IS NOT NULL ORDER BY received_us LIMIT 1 OFFSET
    (SELECT count(received_us) FROM audit_rows) * $1 / 100"; }
t1=$(at 20 123457)
t2=$(at 80 654321)
t3=$(at 22 0)
ts() { sqlite3 "$KUBESIFT_DB" "SELECT strftime('%Y-%m-%dT%H:%M:%S', $1 / 1000000, 'unixepoch') || printf('.%06dZ', $1 % 1000000)"; }
check "a wide window" "$t1" "$t2" --since "$(ts "$t1")" --until "$(ts "$t2")"
check "a narrow window" "$t1" "$t3" --since "$(ts "$t1")" --until "$(ts "$t3")"
check "from a time on" "$t2" NULL --since "$(ts "$t2")"

# No grant to judge: the same entries (none) and span either way.
ks unused -o json --actor nobody-at-all > "$T/none.json"
eq "no subject selected: no entry" "[]" "$(cat "$T/none.json")"
ks unused -o table --actor nobody-at-all | head -1 > "$T/none.txt"
eq "no subject selected: the span still counts the requests" \
    "$(sq NULL NULL "SELECT count(*) FROM req WHERE verb != 'impersonate'")" \
    "$(sed -n 's/.*, \([0-9]*\) allowed requests).*/\1/p' "$T/none.txt")"

# Progress while the log is read, on the terminal that shows the answer
# (script(1)); never on a pipe (a pager's) or with -q.
if command -v script > /dev/null; then
	tty() { script -qec "$1" /dev/null < /dev/null; }
	export KUBESIFT_PROGRESS_INTERVAL_MS=0
	tty "'$KUBESIFT' unused -o jsonl" > "$T/tty.out"
	grep -q "kubesift unused: working" "$T/tty.out" ||
	    fail "no progress on a terminal: $(head -c 200 "$T/tty.out")"
	echo "ok - progress on a terminal"
	ks unused -o jsonl > "$T/pipe.jsonl"
	eq "the answer after the progress" "$(tail -n 1 "$T/pipe.jsonl")" \
	    "$(tail -n 1 "$T/tty.out" | tr -d '\r')"
	eq "no progress on a pipe" "" \
	    "$(tty "'$KUBESIFT' unused -o jsonl | cat > /dev/null" | grep working || true)"
	eq "no progress with -q" "" \
	    "$(tty "'$KUBESIFT' -q unused -o jsonl" | grep working || true)"
	unset KUBESIFT_PROGRESS_INTERVAL_MS
else
	echo "SKIP progress: script(1) is not installed"
fi
