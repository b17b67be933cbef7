-- The snapshot's RBAC, flattened.  Rows carry their snapshot_id so that two
-- snapshots can be compared; lists stay JSON arrays.

-- Which rules does each Role and ClusterRole hold?  One row per rule.
DROP VIEW IF EXISTS rbac_rules;
CREATE VIEW rbac_rules AS
SELECT o.snapshot_id, o.id AS object_id,
    o.kind AS role_kind, o.namespace AS role_namespace, o.name AS role,
    CAST(r.key AS INTEGER) AS rule_index,
    json_extract(r.value, '$.verbs') AS verbs,
    json_extract(r.value, '$.apiGroups') AS api_groups,
    json_extract(r.value, '$.resources') AS resources,
    json_extract(r.value, '$.resourceNames') AS resource_names,
    json_extract(r.value, '$.nonResourceURLs') AS non_resource_urls
FROM objects o, json_each(o.body, '$.rules') r
WHERE o.kind IN ('Role', 'ClusterRole') AND json_valid(o.body);

-- Who is bound to which role?  One row per binding subject.
DROP VIEW IF EXISTS rbac_bindings;
CREATE VIEW rbac_bindings AS
SELECT o.snapshot_id, o.id AS object_id,
    o.kind AS binding_kind, o.namespace AS binding_namespace,
    o.name AS binding,
    json_extract(o.body, '$.roleRef.kind') AS role_kind,
    json_extract(o.body, '$.roleRef.name') AS role,
    json_extract(s.value, '$.kind') AS subject_kind,
    json_extract(s.value, '$.name') AS subject,
    json_extract(s.value, '$.namespace') AS subject_namespace
FROM objects o, json_each(o.body, '$.subjects') s
WHERE o.kind IN ('RoleBinding', 'ClusterRoleBinding') AND json_valid(o.body);

-- What may each subject do, and where?  subject x rule, through its
-- bindings: a ClusterRoleBinding grants a ClusterRole everywhere (scope
-- NULL); a RoleBinding grants a Role or ClusterRole in its namespace only.
-- Aggregated ClusterRoles are used as their stored rules; kubesift can
-- (the RBAC evaluator) computes the aggregation itself.
DROP VIEW IF EXISTS rbac_grants;
CREATE VIEW rbac_grants AS
SELECT b.snapshot_id, b.subject_kind, b.subject, b.subject_namespace,
    b.binding_kind, b.binding_namespace, b.binding,
    r.role_kind, r.role_namespace, r.role, r.rule_index,
    CASE WHEN b.binding_kind = 'RoleBinding' THEN b.binding_namespace END
        AS scope_namespace,
    r.verbs, r.api_groups, r.resources, r.resource_names,
    r.non_resource_urls
FROM rbac_bindings b
-- The unary + keeps SQLite from reading every object of the snapshot for
-- each binding subject (rbac_gaps on all of the realdata: 22.6 s -> 7.3 s).
JOIN rbac_rules r ON +r.snapshot_id = b.snapshot_id AND r.role = b.role
    AND r.role_kind = b.role_kind
    AND (r.role_kind = 'ClusterRole' OR
         (b.binding_kind = 'RoleBinding' AND r.role_namespace = b.binding_namespace));

-- What changed in RBAC, when, by whom?  Audit requests that created,
-- changed or deleted Roles, ClusterRoles, RoleBindings, ClusterRoleBindings.
DROP VIEW IF EXISTS rbac_changes;
CREATE VIEW rbac_changes AS
-- (Each time also as RFC 3339 text, UTC: time_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (time - (time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (time % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc
FROM (
-- The rows of requests (sql/003-requests.sql) for these writes, found
-- through audit_events_rbac_writes (sql/013-rbac-at.sql) instead of
-- folding every request of the log: the requests (auditIDs, or 'row:'
-- and the event's id) one of whose events is such a write, each folded
-- as requests folds it (its final stage, the first time of its stages).
WITH k AS (
	SELECT DISTINCT coalesce(audit_key, 'row:' || id) AS k
	FROM audit_rows
	WHERE api_group = 'rbac.authorization.k8s.io'
	    AND resource IN ('roles', 'clusterroles', 'rolebindings',
	        'clusterrolebindings')
	    AND verb IN ('create', 'update', 'patch', 'delete',
	        'deletecollection')
), staged AS (
	SELECT e.*, row_number() OVER (PARTITION BY e.k
		ORDER BY e.partial, e.stage_us DESC, e.id DESC) AS rn,
	    min(e.received_us) OVER (PARTITION BY e.k) AS first_received_us
	FROM (SELECT a.*, a.audit_key AS k FROM audit_events a
	    WHERE a.audit_key IN (SELECT k FROM k)
	    UNION ALL
	    SELECT a.*, k.k FROM k, audit_events a
	    WHERE typeof(k.k) = 'text' AND k.k GLOB 'row:*' AND a.id = CAST(substr(k.k, 5) AS INTEGER)
		AND a.audit_key IS NULL AND 'row:' || a.id = k.k) e
)
SELECT first_received_us AS time,
    coalesce(impersonated_user, username) AS actor, verb, resource,
    namespace, name, code, audit_id, source_id, line
FROM staged
WHERE rn = 1 AND api_group = 'rbac.authorization.k8s.io'
    AND resource IN ('roles', 'clusterroles', 'rolebindings',
        'clusterrolebindings')
    AND verb IN ('create', 'update', 'patch', 'delete', 'deletecollection')
);

-- Which refusals does a snapshot's RBAC not allow?  One row per snapshot
-- and refused (actor, verb, API group, resource, subresource, namespace or
-- path), with the count, the object names and the first and last time:
-- the denials that no grant of that snapshot allows (each name judged
-- apart, for resourceNames), which RBAC itself refused.  A denial a
-- grant allows was refused by something else (a webhook, another
-- authorizer, or RBAC as it was before the snapshot) and is not here.
-- Matched as the RBAC authorizer does: User subjects by name, Group
-- subjects by the groups of the audit event and those every such actor
-- has (log lines carry no groups), ServiceAccount subjects as
-- system:serviceaccount:NS:NAME; verbs, API groups, resources
-- (resource/subresource, '*', '*/subresource'), resourceNames and
-- nonResourceURLs (a trailing '*' matches a prefix).  Aggregated
-- ClusterRoles count with their stored rules, each snapshot alone;
-- `kubesift can` and `remediate` also aggregate and overlay snapshots.
DROP VIEW IF EXISTS rbac_gaps;
CREATE VIEW rbac_gaps AS
-- (Each time also as RFC 3339 text, UTC: first_seen_utc, last_seen_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (first_seen - (first_seen % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (first_seen % 1000000 + 1000000) % 1000000) || 'Z' AS first_seen_utc,
	strftime('%Y-%m-%dT%H:%M:%S', (last_seen - (last_seen % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (last_seen % 1000000 + 1000000) % 1000000) || 'Z' AS last_seen_utc
FROM (
WITH d AS (
	SELECT actor, max(groups) AS groups, verb,
	    coalesce(api_group, '') AS api_group, resource, subresource,
	    namespace, name, path, count(*) AS denials,
	    min(time) AS first_seen, max(time) AS last_seen
	FROM denials
	-- A refusal by admission came after the authorizer allowed it.
	WHERE decision = 'forbid'
	GROUP BY actor, verb, coalesce(api_group, ''), resource, subresource,
	    namespace, name, path
),
-- The groups of each actor: from its events, and implied by its name.
member AS (
	SELECT d.actor, j.value AS grp
	FROM d, json_each(CASE WHEN json_valid(d.groups) THEN d.groups
	    ELSE '[]' END) j
	UNION SELECT actor, 'system:authenticated' FROM d
	    WHERE actor != 'system:anonymous'
	UNION SELECT actor, 'system:unauthenticated' FROM d
	    WHERE actor = 'system:anonymous'
	UNION SELECT actor, 'system:serviceaccounts' FROM d
	    WHERE actor LIKE 'system:serviceaccount:%:%'
	UNION SELECT actor, 'system:serviceaccounts:' || substr(actor, 23,
	    instr(substr(actor, 23), ':') - 1) FROM d
	    WHERE actor LIKE 'system:serviceaccount:%:%'
	UNION SELECT actor, 'system:nodes' FROM d
	    WHERE actor LIKE 'system:node:%'
)
SELECT s.id AS snapshot_id, d.actor, d.verb, d.api_group, d.resource,
    d.subresource, d.namespace, d.path, sum(d.denials) AS denials,
    count(DISTINCT d.name) AS names, min(d.first_seen) AS first_seen,
    max(d.last_seen) AS last_seen
FROM d, snapshots s
WHERE NOT EXISTS (
	SELECT 1 FROM rbac_grants g
	WHERE g.snapshot_id = s.id
	    AND (g.scope_namespace IS NULL OR g.scope_namespace = d.namespace)
	    AND ((g.subject_kind = 'User' AND g.subject = d.actor)
	        OR (g.subject_kind = 'ServiceAccount' AND d.actor =
	            'system:serviceaccount:' || g.subject_namespace || ':' ||
	            g.subject)
	        OR (g.subject_kind = 'Group' AND g.subject IN
	            (SELECT grp FROM member m WHERE m.actor = d.actor)))
	    AND EXISTS (SELECT 1 FROM json_each(g.verbs)
	        WHERE value IN (d.verb, '*'))
	    AND CASE WHEN d.resource IS NULL THEN
	        EXISTS (SELECT 1 FROM json_each(g.non_resource_urls)
	            WHERE value = d.path OR (value LIKE '%*' AND
	            substr(d.path, 1, length(value) - 1) =
	            substr(value, 1, length(value) - 1)))
	    ELSE
	        EXISTS (SELECT 1 FROM json_each(g.api_groups)
	            WHERE value IN (d.api_group, '*'))
	        AND EXISTS (SELECT 1 FROM json_each(g.resources)
	            WHERE value = '*' OR value = d.resource ||
	            coalesce('/' || d.subresource, '') OR
	            (d.subresource IS NOT NULL AND
	             value = '*/' || d.subresource))
	        AND (coalesce(json_array_length(g.resource_names), 0) = 0
	            OR EXISTS (SELECT 1 FROM json_each(g.resource_names)
	            WHERE value = d.name))
	    END)
GROUP BY s.id, d.actor, d.verb, d.api_group, d.resource, d.subresource,
    d.namespace, d.path
);
