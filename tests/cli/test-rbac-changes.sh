#!/bin/sh
# rbac_changes reads the RBAC writes through their index
# (sql/005-rbac.sql); its rows must be those of the requests view filtered
# to the writes of roles and bindings, as the view was first written:
# requests folded by auditID (two stages, the final one chosen, the first
# time kept), events without an auditID each their own request, an
# auditID that reads like such a key ('row:' and an event's id) folded
# with that event, a request whose final stage is not an RBAC write.
. tests/cli/lib.sh

ev() {	# ev AUDITID|- STAGE VERB RESOURCE NAME CODE TIME [PARTIAL-NAME]
	id=; [ "$1" = - ] || id="\"auditID\":\"$1\","
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",%s"stage":"%s","requestURI":"/apis/rbac.authorization.k8s.io/v1/%s/%s","verb":"%s","user":{"username":"u-%s","groups":["system:authenticated"]},"objectRef":{"resource":"%s","name":"%s","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":%s},"requestReceivedTimestamp":"2024-03-05T10:%s.000000Z","stageTimestamp":"2024-03-05T10:%s.500000Z"}\n' \
	    "$id" "$2" "$4" "$5" "$3" "$5" "$4" "$5" "$6" "$7" "$7"
}
{
	ev - ResponseComplete create roles r-noid 201 00:01
	ev row:1 ResponseComplete patch clusterroles r-rowkey 200 00:02
	ev a-two RequestReceived update clusterroles r-two 200 00:03
	ev a-two ResponseComplete update clusterroles r-two 200 00:04
	ev a-get RequestReceived update roles r-get 200 00:05
	ev a-get ResponseComplete get roles r-get 200 00:06
	ev a-denied ResponseComplete delete rolebindings b-denied 403 00:07
	ev a-list ResponseComplete list clusterrolebindings b-list 200 00:08
	ev - ResponseComplete deletecollection rolebindings b-noid 200 00:09
	ev a-same ResponseComplete patch roles r-same 200 00:10
	ev a-same ResponseComplete patch roles r-same 200 00:10
} > "$T/audit.log"
ks -q import "$T/audit.log"

cols="time, actor, verb, resource, namespace, name, code, audit_id,
    source_id, line, time_utc"
plain="SELECT $cols FROM requests
    WHERE api_group = 'rbac.authorization.k8s.io'
    AND resource IN ('roles', 'clusterroles', 'rolebindings',
	'clusterrolebindings')
    AND verb IN ('create', 'update', 'patch', 'delete', 'deletecollection')"
check() {	# check WHAT
	eq "$1: the rows of requests" "$(q "SELECT count(*) FROM ($plain)")" \
	    "$(q "SELECT count(*) FROM rbac_changes")"
	eq "$1: no row apart" 0 "$(q "SELECT count(*) FROM (SELECT $cols
	    FROM rbac_changes EXCEPT $plain) UNION ALL SELECT count(*) FROM
	    ($plain EXCEPT SELECT $cols FROM rbac_changes)" | sort -u)"
}
check fixture
eq "fixture: writes by hand" \
    "r-rowkey r-two b-denied b-noid r-same" \
    "$(q "SELECT group_concat(name, ' ') FROM (SELECT name FROM
	rbac_changes ORDER BY time)")"
eq "fixture: a folded request's first time" "2024-03-05T10:00:03.000000Z" \
    "$(q "SELECT time_utc FROM rbac_changes WHERE name = 'r-two'")"
eq "fixture: auditID row:1 folded with event 1 (no auditID)" \
    "2024-03-05T10:00:01.000000Z" \
    "$(q "SELECT time_utc FROM rbac_changes WHERE name = 'r-rowkey'")"

if [ -d "$REALDATA" ]; then
	export KUBESIFT_DB="$T/real.db"
	ks -q import "$REALDATA" 2>/dev/null
	[ "$(q "SELECT count(*) FROM rbac_changes")" -gt 0 ] ||
	    fail "realdata: no RBAC write"
	check realdata
fi
