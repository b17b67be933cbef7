-- Detections: what an investigator asks first, answered from the audit
-- log.  One row per rule, actor, object and request kind: when, how often,
-- up to ten audit IDs as evidence, and one sentence.  A request is counted
-- once (by its audit ID, its ResponseComplete stage preferred).  Rules that
-- read a request body (requestObject) fire only where the audit policy
-- recorded it (level Request or RequestResponse).  The rule ids follow
-- issue 13; Falco's k8s_audit rules are their anchor.

-- The events a rule of the detections view may fire on, found without
-- reading the others (each index's WHERE is repeated by the view, which
-- must say it to use it).  audit_events_bodies: the objects sent (the
-- rules that read a body); audit_events_detect: pods exec, attach,
-- portforward and ephemeral containers, service accounts and pods created
-- in the system namespaces, system roles written; audit_events_anonymous:
-- what an anonymous user asked beyond the health paths; the last two let
-- through only.  Impersonations are found through
-- audit_events_impersonator, what people read of secrets and tokens
-- through audit_events_sensitive (sql/016-rollups.sql).  All are small
-- beside audit_events: a few of its events, keyed by verb.
CREATE INDEX IF NOT EXISTS audit_events_bodies ON audit_rows(verb)
	WHERE request_object IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_events_detect ON audit_rows(verb)
	WHERE coalesce(code < 400, decision = 'allow', 0)
	AND ((resource = 'pods' AND subresource IN ('exec', 'attach',
	    'portforward', 'ephemeralcontainers'))
	OR (verb = 'create' AND resource IN ('serviceaccounts', 'pods')
	    AND subresource IS NULL
	    AND namespace IN ('kube-system', 'kube-public'))
	OR (resource IN ('roles', 'clusterroles') AND name GLOB 'system:*'
	    AND verb IN ('update', 'patch', 'delete')));
-- (The users and groups are in strings: the import marks the events of
-- system:anonymous or of a group naming system:unauthenticated,
-- audit_rows.unauthenticated.)
CREATE INDEX IF NOT EXISTS audit_events_anonymous ON audit_rows(verb)
	WHERE coalesce(code < 400, decision = 'allow', 0)
	AND unauthenticated = 1
	AND NOT (resource IS NULL AND (request_uri GLOB '/healthz*'
	    OR request_uri GLOB '/livez*' OR request_uri GLOB '/readyz*'
	    OR request_uri GLOB '/version*'));

DROP VIEW IF EXISTS detections;
CREATE VIEW detections AS
WITH sensitive_actor(actor_id) AS (
	-- The actors of audit_events_sensitive, one index probe each.
	SELECT min(actor_id) FROM audit_rows
	WHERE subresource IN ('exec', 'attach', 'portforward', 'proxy', 'token')
	    OR resource = 'secrets'
	    OR verb IN ('impersonate', 'escalate', 'bind')
	UNION ALL
	SELECT (SELECT min(e.actor_id) FROM audit_rows e
	    WHERE (e.subresource IN ('exec', 'attach', 'portforward', 'proxy',
		'token') OR e.resource = 'secrets'
		OR e.verb IN ('impersonate', 'escalate', 'bind'))
	    AND e.actor_id > s.actor_id)
	FROM sensitive_actor s WHERE s.actor_id IS NOT NULL
), sensitive_person(actor_id) AS (
	-- Those that are people (identity classes human, anonymous).
	SELECT actor_id FROM sensitive_actor a
	WHERE (SELECT c.class FROM identity_classes c
	    WHERE (SELECT value FROM strings WHERE id = a.actor_id)
		GLOB c.pattern ORDER BY c.priority LIMIT 1)
	    IN ('human', 'anonymous')
), cand(id) AS (
	-- The candidates: the events of the indexes above, and the secrets
	-- read and tokens created by people, let through.  (Every rule but
	-- impersonation wants a request let through: a stage that was not
	-- let through is no candidate, since the stage chosen must be.)
	SELECT id FROM audit_rows INDEXED BY audit_events_bodies
	WHERE request_object IS NOT NULL
	UNION
	SELECT id FROM audit_rows INDEXED BY audit_events_detect
	WHERE coalesce(code < 400, decision = 'allow', 0)
	AND ((resource = 'pods' AND subresource IN ('exec', 'attach',
	    'portforward', 'ephemeralcontainers'))
	OR (verb = 'create' AND resource IN ('serviceaccounts', 'pods')
	    AND subresource IS NULL
	    AND namespace IN ('kube-system', 'kube-public'))
	OR (resource IN ('roles', 'clusterroles') AND name GLOB 'system:*'
	    AND verb IN ('update', 'patch', 'delete')))
	UNION
	SELECT id FROM audit_rows INDEXED BY audit_events_anonymous
	WHERE coalesce(code < 400, decision = 'allow', 0)
	AND unauthenticated = 1
	AND NOT (resource IS NULL AND (request_uri GLOB '/healthz*'
	    OR request_uri GLOB '/livez*' OR request_uri GLOB '/readyz*'
	    OR request_uri GLOB '/version*'))
	UNION
	SELECT id FROM audit_rows INDEXED BY audit_events_impersonator
	WHERE impersonated_user_id IS NOT NULL
	UNION
	SELECT e.id FROM sensitive_person a
	CROSS JOIN audit_rows e INDEXED BY audit_events_sensitive
	    ON e.actor_id = a.actor_id
	WHERE (e.subresource IN ('exec', 'attach', 'portforward', 'proxy',
	    'token') OR e.resource = 'secrets'
	    OR e.verb IN ('impersonate', 'escalate', 'bind'))
	    AND coalesce(e.code < 400, e.decision = 'allow', 0)
	    AND ((e.verb IN ('get', 'list', 'watch') AND e.resource = 'secrets'
	    AND e.subresource IS NULL) OR (e.verb = 'create'
	    AND e.resource = 'serviceaccounts' AND e.subresource = 'token'))
), req AS (
	-- Each candidate request once, with its actor and whether it was let
	-- through: its ResponseComplete stage, else its last stored one (a
	-- request is its auditID, or the event alone when it has none), as
	-- long as that stage is a candidate too (the rules read that one).
	SELECT e.id, e.audit_id, e.verb, e.username, e.impersonated_user,
		coalesce(e.impersonated_user, e.username) AS actor,
		(SELECT value FROM strings WHERE id = e.user_groups_id)
		    AS user_groups, e.api_group, e.resource, e.subresource,
		e.namespace, e.name, e.request_uri,
		(SELECT value FROM strings WHERE id = e.user_agent_id)
		    AS user_agent,
		e.received_us AS time,
		coalesce(e.code < 400, e.decision = 'allow', 0) AS allowed,
		1 AS rn
	FROM audit_events e
	-- No stage after it of the same rank (ResponseComplete, other, no
	-- stage), none of a higher rank: a later id is looked at first, an
	-- earlier one only for a stage that is not ResponseComplete.
	WHERE e.id IN (SELECT id FROM cand)
	AND NOT EXISTS (SELECT 1 FROM audit_rows x
	    WHERE x.audit_key = coalesce(e.audit_key, 'row:' || e.id)
	    AND x.id > e.id AND coalesce(x.stage = 'ResponseComplete', -1)
		>= coalesce(e.stage = 'ResponseComplete', -1))
	AND (e.stage = 'ResponseComplete' OR NOT EXISTS (SELECT 1
	    FROM audit_rows x
	    WHERE x.audit_key = coalesce(e.audit_key, 'row:' || e.id)
	    AND x.id < e.id AND coalesce(x.stage = 'ResponseComplete', -1)
		> coalesce(e.stage = 'ResponseComplete', -1)))
	AND NOT (e.audit_id GLOB 'row:*' AND EXISTS (SELECT 1
	    FROM audit_rows x
	    WHERE x.id = CAST(substr(e.audit_id, 5) AS INTEGER)
	    AND x.audit_key IS NULL AND 'row:' || x.id = e.audit_id
	    AND (coalesce(x.stage = 'ResponseComplete', -1), x.id) >
		(coalesce(e.stage = 'ResponseComplete', -1), e.id)))
), person AS (
	-- The actors that are people (identity classes human, anonymous);
	-- each actor classified once, not once per request.
	SELECT r.actor FROM (SELECT DISTINCT actor FROM req) r
	WHERE (SELECT c.class FROM identity_classes c
	    WHERE r.actor GLOB c.pattern ORDER BY c.priority LIMIT 1)
	    IN ('human', 'anonymous')
), body AS (
	-- Writes let through, with the object sent (NULL when not recorded)
	-- and, for pods and workloads, the pod spec sent.
	SELECT r.*, b.body, CASE r.verb WHEN 'patch' THEN 'patched'
		    ELSE r.verb || 'd' END AS did,
		coalesce(json_extract(b.body, '$.spec.template.spec'),
		    json_extract(b.body, '$.spec.jobTemplate.spec.template.spec'),
		    CASE WHEN r.resource = 'pods' AND (r.subresource IS NULL
		    OR r.subresource = 'ephemeralcontainers')
		    THEN json_extract(b.body, '$.spec') END) AS podspec,
		r.resource || '/' || coalesce(r.name,
		    json_extract(b.body, '$.metadata.name'),
		    json_extract(b.body, '$.metadata.generateName') || '*',
		    '?') AS object
	FROM req r
	LEFT JOIN (SELECT id, request_object AS body FROM audit_rows) b
	    ON b.id = r.id
	WHERE r.allowed AND r.verb IN ('create', 'update', 'patch')
), spec AS (
	-- The pod specs: those written (pods, workloads' templates), high;
	-- and the pods a snapshot holds, with no actor and no audit ID (the
	-- snapshot saw them present), high but for kube-system and
	-- kube-public, info: the cluster's own agents (kube-proxy, the CNI,
	-- static control-plane pods) need such pods.  A pod that has an
	-- owner (its controller's ownerReference; a static pod's Node is
	-- none) is named by it, daemonsets/NAME: the replicas of one
	-- DaemonSet or ReplicaSet are one finding, counted in pods.  A
	-- snapshot's id is negative, apart from the audit rows'.
	SELECT id, actor, time, namespace, object, audit_id, verb, api_group,
		resource, subresource, did, podspec, 'high' AS severity
	FROM body WHERE podspec IS NOT NULL
	UNION ALL
	SELECT -o.id, NULL, s.taken_at, o.namespace,
		coalesce(o.owner, 'pods/' || o.name), NULL, NULL, o.api_group,
		'pods', NULL, 'Snapshot ' || s.id || ' holds' ||
		CASE WHEN o.owner IS NOT NULL THEN ' pods of' ELSE '' END,
		json_extract(o.body, '$.spec'), CASE WHEN o.namespace IN
		('kube-system', 'kube-public') THEN 'info' ELSE 'high' END
	FROM (SELECT o.*, (SELECT lower(json_extract(r.value, '$.kind')) ||
		    's/' || json_extract(r.value, '$.name')
		FROM json_each(o.body, '$.metadata.ownerReferences') r
		WHERE json_extract(r.value, '$.kind') != 'Node'
		ORDER BY json_extract(r.value, '$.controller') = 1 DESC
		LIMIT 1) AS owner
	    FROM objects o
	    WHERE o.kind = 'Pod' AND json_valid(o.body)) o
	JOIN snapshots s ON s.id = o.snapshot_id
), mount AS (
	-- The hostPath volumes of the pod specs, each path without
	-- repeated or trailing slashes at its ends ("/etc/" is "/etc").
	SELECT b.*, '/' || rtrim(ltrim(json_extract(v.value,
	    '$.hostPath.path'), '/'), '/') AS p
	FROM spec b, json_each(b.podspec, '$.volumes') v
	WHERE json_extract(v.value, '$.hostPath.path') IS NOT NULL
), cmdata AS (
	-- The data of the configmaps written: each key, and the key and its
	-- value as one text.
	SELECT b.*, d.key, d.key || ' ' || d.value AS kv
	FROM body b, json_each(b.body, '$.data') d
	WHERE b.resource = 'configmaps' AND b.subresource IS NULL
), hit AS (
	-- impersonation: any request made as another user (the actor is
	-- the one who impersonated).
	SELECT 'impersonation' AS rule, 'medium' AS severity,
		username AS actor, time, namespace,
		'user/' || impersonated_user AS object, audit_id, verb,
		api_group, resource, subresource,
		'acted as ' || impersonated_user AS what
	FROM req WHERE impersonated_user IS NOT NULL
	UNION ALL
	-- exec-or-attach: pods/exec or pods/attach let through.
	SELECT 'exec-or-attach', 'medium', actor, time, namespace,
		'pods/' || coalesce(name, '?'), audit_id, verb, api_group,
		resource, subresource,
		'ran ' || subresource || ' in pod ' || coalesce(namespace || '/',
		    '') || coalesce(name, '?')
	FROM req WHERE allowed AND resource = 'pods'
	    AND subresource IN ('exec', 'attach')
	UNION ALL
	-- ephemeral-container: a container added to a running pod
	-- (pods/ephemeralcontainers written, as kubectl debug does): a
	-- shell beside the workload, with its namespaces.
	SELECT 'ephemeral-container', 'medium', actor, time, namespace,
		'pods/' || coalesce(name, '?'), audit_id, verb, api_group,
		resource, subresource,
		'added an ephemeral container to pod ' ||
		    coalesce(namespace || '/', '') || coalesce(name, '?')
	FROM req WHERE allowed AND resource = 'pods'
	    AND subresource = 'ephemeralcontainers'
	    AND verb IN ('update', 'patch')
	UNION ALL
	-- port-forward: pods/portforward let through.
	SELECT 'port-forward', 'medium', actor, time, namespace,
		'pods/' || coalesce(name, '?'), audit_id, verb, api_group,
		resource, subresource,
		'forwarded a port of pod ' || coalesce(namespace || '/', '') ||
		    coalesce(name, '?')
	FROM req WHERE allowed AND resource = 'pods'
	    AND subresource = 'portforward'
	UNION ALL
	-- cluster-admin-binding: a rolebinding or clusterrolebinding to
	-- the role cluster-admin created, updated or patched.
	SELECT 'cluster-admin-binding', 'critical', actor, time, namespace,
		object, audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ', which grants cluster-admin'
	FROM body WHERE resource IN ('rolebindings', 'clusterrolebindings')
	    AND json_extract(body, '$.roleRef.name') = 'cluster-admin'
	UNION ALL
	-- wildcard-role: a role or clusterrole created or updated with '*'
	-- among the verbs or the resources of a rule.
	SELECT 'wildcard-role', 'high', actor, time, namespace, object,
		audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ' with * in its verbs or resources'
	FROM body WHERE resource IN ('roles', 'clusterroles')
	    AND EXISTS (SELECT 1 FROM json_each(body, '$.rules') r
		WHERE EXISTS (SELECT 1 FROM json_each(r.value, '$.verbs')
		    WHERE value = '*')
		OR EXISTS (SELECT 1 FROM json_each(r.value, '$.resources')
		    WHERE value = '*'))
	UNION ALL
	-- write-role: a role or clusterrole written that grants write
	-- (create, update, patch, delete, deletecollection) on roles,
	-- bindings or secrets, or any verb on pods/exec.  A '*' is
	-- wildcard-role's.
	SELECT 'write-role', 'high', actor, time, namespace, object,
		audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ' granting write on RBAC or secrets,'
		    || ' or pods/exec'
	FROM body WHERE resource IN ('roles', 'clusterroles')
	    AND EXISTS (SELECT 1 FROM json_each(body, '$.rules') r,
		json_each(r.value, '$.resources') x
		WHERE x.value = 'pods/exec' OR (x.value IN ('roles',
		    'clusterroles', 'rolebindings', 'clusterrolebindings',
		    'secrets') AND EXISTS (SELECT 1
		    FROM json_each(r.value, '$.verbs') WHERE value IN ('create',
		    'update', 'patch', 'delete', 'deletecollection'))))
	UNION ALL
	-- anonymous-allowed: a request of system:anonymous, or of the group
	-- system:unauthenticated, let through, beyond the health and
	-- version paths.
	SELECT 'anonymous-allowed', 'high', actor, time, namespace,
		coalesce(resource || '/' || coalesce(name, '*'), request_uri),
		audit_id, verb, api_group, resource, subresource,
		'was let through unauthenticated: ' || coalesce(verb, '?') ||
		    ' ' || coalesce(request_uri, resource, '?')
	FROM req WHERE allowed
	    AND (actor = 'system:anonymous' OR (json_valid(user_groups)
		AND EXISTS (SELECT 1 FROM json_each(user_groups)
		    WHERE value = 'system:unauthenticated')))
	    AND NOT (resource IS NULL AND (request_uri GLOB '/healthz*'
		OR request_uri GLOB '/livez*' OR request_uri GLOB '/readyz*'
		OR request_uri GLOB '/version*'))
	UNION ALL
	-- secret-read-by-person: get, list or watch of secrets let through
	-- for a person (not a component).
	SELECT 'secret-read-by-person', 'medium', actor, time, namespace,
		'secrets/' || coalesce(name, '*'), audit_id, verb, api_group,
		resource, subresource,
		'read secrets (' || verb || ') in ' ||
		    coalesce('namespace ' || namespace, 'all namespaces')
	FROM req WHERE allowed AND resource = 'secrets'
	    AND subresource IS NULL AND verb IN ('get', 'list', 'watch')
	    AND actor IN (SELECT actor FROM person)
	UNION ALL
	-- privileged-pod: a pod, or a workload's pod template, written with
	-- a privileged container (any container, init and ephemeral too),
	-- or such a pod in a snapshot.
	SELECT 'privileged-pod', severity, actor, time, namespace, object,
		audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ' with a privileged container'
	FROM spec WHERE EXISTS (SELECT 1 FROM json_each(podspec) s,
	    json_each(s.value) c
	    WHERE s.key IN ('containers', 'initContainers',
		'ephemeralContainers') AND s.type = 'array'
	    AND json_extract(c.value, '$.securityContext.privileged') = 1)
	UNION ALL
	-- host-network: a pod or pod template sharing the node's network,
	-- process or IPC namespace (hostNetwork, hostPID, hostIPC).
	SELECT 'host-network', severity, actor, time, namespace, object,
		audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ' sharing the node''s namespaces'
	FROM spec WHERE json_extract(podspec, '$.hostNetwork') = 1
	    OR json_extract(podspec, '$.hostPID') = 1
	    OR json_extract(podspec, '$.hostIPC') = 1
	UNION ALL
	-- sensitive-mount: a pod or pod template mounting a sensitive
	-- hostPath: /, or /proc, /etc, /root, the container runtimes'
	-- sockets, /var/lib/kubelet, /var/lib/etcd, or below one of them.
	SELECT 'sensitive-mount', severity, actor, time, namespace, object,
		audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ' mounting the node''s ' || min(p)
	FROM mount WHERE p = '/' OR p IN ('/proc', '/etc', '/root',
		'/var/run/docker.sock', '/var/run/containerd',
		'/var/lib/kubelet', '/var/lib/etcd')
	    OR p GLOB '/proc/*' OR p GLOB '/etc/*' OR p GLOB '/root/*'
	    OR p GLOB '/var/run/containerd/*' OR p GLOB '/var/lib/kubelet/*'
	    OR p GLOB '/var/lib/etcd/*'
	GROUP BY id
	UNION ALL
	-- sensitive-configmap: a configmap written whose data looks like
	-- credentials (AWS access keys, passwords, passphrases, private
	-- keys); the summary names the keys, never a value.
	SELECT 'sensitive-configmap', 'medium', actor, time, namespace,
		object, audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ' with credentials in ' ||
		    group_concat(key, ', ')
	FROM cmdata WHERE kv LIKE '%aws_access_key_id%'
	    OR kv LIKE '%aws_s3_access_key_id%'
	    OR kv LIKE '%aws_secret_access_key%'
	    OR kv LIKE '%password%' OR kv LIKE '%passphrase%'
	    OR kv LIKE '%private key%'
	GROUP BY id
	UNION ALL
	-- nodeport-service: a Service of type NodePort written.
	SELECT 'nodeport-service', 'low', actor, time, namespace, object,
		audit_id, verb, api_group, resource, subresource,
		did || ' ' || object || ' of type NodePort'
	FROM body WHERE resource = 'services' AND subresource IS NULL
	    AND json_extract(body, '$.spec.type') = 'NodePort'
	UNION ALL
	-- token-request: a service account token requested
	-- (serviceaccounts/token) or a service-account-token secret
	-- created, by a person.
	SELECT 'token-request', 'medium', actor, time, namespace, object,
		audit_id, verb, api_group, resource, subresource,
		'obtained a token of ' || CASE subresource WHEN 'token'
		    THEN 'service account ' ELSE 'secret ' END ||
		    coalesce(namespace || '/', '') || coalesce(name,
		    json_extract(body, '$.metadata.name'), '?')
	FROM body WHERE verb = 'create' AND actor IN (SELECT actor FROM person)
	    AND ((resource = 'serviceaccounts' AND subresource = 'token')
	    OR (resource = 'secrets' AND subresource IS NULL
	    AND json_extract(body, '$.type') =
	    'kubernetes.io/service-account-token'))
	UNION ALL
	-- sa-in-system-namespace: a service account created in kube-system
	-- or kube-public.
	SELECT 'sa-in-system-namespace', 'medium', actor, time, namespace,
		object, audit_id, verb, api_group, resource, subresource,
		'created ' || object || ' in ' || namespace
	FROM body WHERE resource = 'serviceaccounts' AND subresource IS NULL
	    AND verb = 'create' AND namespace IN ('kube-system', 'kube-public')
	UNION ALL
	-- pod-in-system-namespace: a pod created in kube-system or
	-- kube-public by a person.
	SELECT 'pod-in-system-namespace', 'medium', actor, time, namespace,
		object, audit_id, verb, api_group, resource, subresource,
		'created ' || object || ' in ' || namespace
	FROM body WHERE resource = 'pods' AND subresource IS NULL
	    AND verb = 'create' AND namespace IN ('kube-system', 'kube-public')
	    AND actor IN (SELECT actor FROM person)
	UNION ALL
	-- system-role-modified: a role or clusterrole named system:*
	-- updated, patched or deleted, but by the control plane, a
	-- controller or a cloud provider's components (the API server
	-- reconciles the bootstrap roles, add-on managers keep theirs).
	-- Falco excepts system:coredns and
	-- system:managed-certificate-controller for the same reason.  Low
	-- when the user agent is Helm's: charts own system:* roles
	-- (metrics-server, coredns) and upgrade them; not left out, since
	-- any client may send that user agent.
	SELECT 'system-role-modified', CASE WHEN user_agent GLOB 'Helm/*'
		    THEN 'low' ELSE 'medium' END, actor, time, namespace,
		resource || '/' || name, audit_id, verb, api_group, resource,
		subresource,
		CASE verb WHEN 'delete' THEN 'deleted' WHEN 'patch' THEN
		    'patched' ELSE 'updated' END || ' the system role ' ||
		    resource || '/' || name || CASE WHEN user_agent GLOB
		    'Helm/*' THEN ' with Helm (likely the upgrade of a chart'
		    || ' that owns it)' ELSE '' END
	FROM req WHERE allowed AND resource IN ('roles', 'clusterroles')
	    AND api_group = 'rbac.authorization.k8s.io'
	    AND subresource IS NULL AND name GLOB 'system:*'
	    AND verb IN ('update', 'patch', 'delete')
	    AND coalesce((SELECT c.class FROM identity_classes c
		WHERE req.actor GLOB c.pattern ORDER BY c.priority LIMIT 1),
		'') NOT IN ('control-plane', 'controller', 'cloud-provider')
	UNION ALL
	-- The rules that read the evidence's history: denial-burst,
	-- rbac-change-before-denials, escalation-after-denial and
	-- deleted-audit-evidence (sql/012-detections-history.sql).
	SELECT rule, severity, actor, time, namespace, object, audit_id,
		verb, api_group, resource, subresource, what
	FROM detections_history
), numbered AS (
	SELECT *, row_number() OVER (PARTITION BY rule, actor, namespace,
	    object, verb, api_group, resource, subresource
	    ORDER BY time, audit_id) AS n
	FROM hit
)
SELECT rule, severity, actor, min(time) AS first_seen, max(time) AS last_seen,
	count(*) AS count, namespace, object, verb, api_group, resource,
	subresource,
	json_group_array(audit_id) FILTER (WHERE n <= 10
	    AND audit_id IS NOT NULL) AS audit_ids,
	-- A what that is a whole sentence (capitalised, no actor) stands
	-- alone.  Findings without a verb, an actor and an audit ID are of
	-- snapshots, and count the pods they hold (a request may lack an
	-- audit ID where a log was re-exported without it); a burst counts
	-- refusals.
	printf('%s (%d %s%s).', CASE WHEN min(what) GLOB '[A-Z]*'
	    THEN min(what) ELSE coalesce(actor, 'an unknown actor') || ' ' ||
	    min(what) END, count(*), CASE WHEN rule = 'denial-burst'
	    THEN 'refusal' WHEN count(verb) = 0 AND count(actor) = 0
	    AND count(audit_id) = 0 THEN 'pod' ELSE 'request' END,
	    CASE count(*) WHEN 1 THEN '' ELSE 's' END) AS summary,
	strftime('%Y-%m-%dT%H:%M:%S', (min(time) - (min(time) % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (min(time) % 1000000 + 1000000) % 1000000) || 'Z' AS first_seen_utc,
	strftime('%Y-%m-%dT%H:%M:%S', (max(time) - (max(time) % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (max(time) % 1000000 + 1000000) % 1000000) || 'Z' AS last_seen_utc
FROM numbered
GROUP BY rule, severity, actor, namespace, object, verb, api_group, resource,
	subresource;
