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
JOIN rbac_rules r ON r.snapshot_id = b.snapshot_id AND r.role = b.role
    AND r.role_kind = b.role_kind
    AND (r.role_kind = 'ClusterRole' OR
         (b.binding_kind = 'RoleBinding' AND r.role_namespace = b.binding_namespace));

-- What changed in RBAC, when, by whom?  Audit requests that created,
-- changed or deleted Roles, ClusterRoles, RoleBindings, ClusterRoleBindings.
DROP VIEW IF EXISTS rbac_changes;
CREATE VIEW rbac_changes AS
SELECT time, actor, verb, resource, namespace, name, code, audit_id,
    source_id, line
FROM requests
WHERE api_group = 'rbac.authorization.k8s.io'
    AND resource IN ('roles', 'clusterroles', 'rolebindings',
        'clusterrolebindings')
    AND verb IN ('create', 'update', 'patch', 'delete', 'deletecollection');
