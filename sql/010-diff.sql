-- What changed between two snapshots?  Each view holds every ordered pair
-- of snapshots: choose one with WHERE snapshot_a = ? AND snapshot_b = ?
-- (a the older, b the newer; kubesift diff compares the two latest).

-- Which objects were added, removed or changed?  Objects are matched by
-- kind, namespace and name; changed means the stored bodies differ (the
-- Secret values in them are hashes).  kubesift diff names the fields.
DROP VIEW IF EXISTS object_diff;
CREATE VIEW object_diff AS
SELECT a.id AS snapshot_a, b.id AS snapshot_b, ob.kind, ob.namespace,
    ob.name, 'added' AS change, NULL AS old_body, ob.body AS new_body
FROM snapshots a JOIN snapshots b ON a.id != b.id
JOIN objects ob ON ob.snapshot_id = b.id
WHERE NOT EXISTS (SELECT 1 FROM objects oa WHERE oa.snapshot_id = a.id
    AND oa.kind IS ob.kind AND oa.namespace IS ob.namespace
    AND oa.name IS ob.name)
UNION ALL
SELECT a.id, b.id, oa.kind, oa.namespace, oa.name, 'removed', oa.body, NULL
FROM snapshots a JOIN snapshots b ON a.id != b.id
JOIN objects oa ON oa.snapshot_id = a.id
WHERE NOT EXISTS (SELECT 1 FROM objects ob WHERE ob.snapshot_id = b.id
    AND ob.kind IS oa.kind AND ob.namespace IS oa.namespace
    AND ob.name IS oa.name)
UNION ALL
SELECT a.id, b.id, oa.kind, oa.namespace, oa.name, 'changed', oa.body,
    ob.body
FROM snapshots a JOIN snapshots b ON a.id != b.id
JOIN objects oa ON oa.snapshot_id = a.id
JOIN objects ob ON ob.snapshot_id = b.id AND ob.kind IS oa.kind
    AND ob.namespace IS oa.namespace AND ob.name IS oa.name
WHERE oa.hash != ob.hash;

-- What may each subject do, one verb on one resource at a time?  The
-- grants of rbac_grants split into (verb, api_group, resource,
-- resource_name) with the namespace they hold in (NULL: cluster scope)
-- and the role and binding they come through (via).  A rule limited to
-- resourceNames grants each name apart (resource_name; NULL: every name).
-- A non-resource URL is a resource with a NULL api_group; it is granted
-- through ClusterRoleBindings only, as the authorizer checks it.  Only a
-- ServiceAccount subject has a subject_namespace.  Aggregated ClusterRoles
-- count with their stored rules (the aggregation controller's copy).
DROP VIEW IF EXISTS rbac_grant_atoms;
CREATE VIEW rbac_grant_atoms AS
SELECT g.snapshot_id, g.subject_kind, g.subject,
    CASE WHEN g.subject_kind = 'ServiceAccount' THEN g.subject_namespace
    END AS subject_namespace,
    v.value AS verb, ag.value AS api_group, r.value AS resource,
    n.value AS resource_name, g.scope_namespace AS namespace,
    g.role_kind || ' ' || coalesce(g.role_namespace || '/', '') || g.role
        || ' through ' || g.binding_kind || ' '
        || coalesce(g.binding_namespace || '/', '') || g.binding AS via
FROM rbac_grants g, json_each(g.verbs) v,
    json_each(CASE WHEN g.resources IS NOT NULL
        THEN coalesce(g.api_groups, '[null]') ELSE '[null]' END) ag,
    json_each(coalesce(g.resources, g.non_resource_urls)) r,
    json_each(CASE WHEN g.resources IS NOT NULL AND
        json_array_length(g.resource_names) > 0 THEN g.resource_names
        ELSE '[null]' END) n
WHERE g.resources IS NOT NULL OR g.binding_kind = 'ClusterRoleBinding';

-- Who gained or lost which permission between two snapshots?  A subject
-- gained (verb, api_group, resource, resource_name, namespace) when
-- snapshot_b grants it and snapshot_a grants it through no role at all,
-- neither that name nor every name; lost the other way.  One row per role
-- and binding it comes through (via).  kubesift diff --rbac computes the
-- same rows for its one pair alone (faster).
DROP VIEW IF EXISTS rbac_grant_diff;
CREATE VIEW rbac_grant_diff AS
WITH g AS MATERIALIZED (
	SELECT DISTINCT snapshot_id, subject_kind, subject, subject_namespace,
	    verb, api_group, resource, resource_name, namespace, via,
	    coalesce(subject_namespace, '') AS sns,
	    coalesce(api_group, '/') AS ag, coalesce(resource_name, '') AS rn,
	    coalesce(namespace, '') AS ns
	FROM rbac_grant_atoms
), k AS MATERIALIZED (
	SELECT DISTINCT snapshot_id, subject_kind, subject, sns, verb, ag,
	    resource, rn, ns
	FROM g
)
SELECT a.id AS snapshot_a, b.id AS snapshot_b, g.subject_kind, g.subject,
    g.subject_namespace, 'gained' AS change, g.verb, g.api_group,
    g.resource, g.resource_name, g.namespace, g.via
FROM snapshots a JOIN snapshots b ON a.id != b.id
JOIN g ON g.snapshot_id = b.id
WHERE NOT EXISTS (SELECT 1 FROM k WHERE k.snapshot_id = a.id
    AND k.subject_kind = g.subject_kind AND k.subject = g.subject
    AND k.sns = g.sns AND k.verb = g.verb AND k.ag = g.ag
    AND k.resource = g.resource AND k.ns = g.ns AND k.rn IN ('', g.rn))
UNION ALL
SELECT a.id, b.id, g.subject_kind, g.subject, g.subject_namespace, 'lost',
    g.verb, g.api_group, g.resource, g.resource_name, g.namespace, g.via
FROM snapshots a JOIN snapshots b ON a.id != b.id
JOIN g ON g.snapshot_id = a.id
WHERE NOT EXISTS (SELECT 1 FROM k WHERE k.snapshot_id = b.id
    AND k.subject_kind = g.subject_kind AND k.subject = g.subject
    AND k.sns = g.sns AND k.verb = g.verb AND k.ag = g.ag
    AND k.resource = g.resource AND k.ns = g.ns AND k.rn IN ('', g.rn));
