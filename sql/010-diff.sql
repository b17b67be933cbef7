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
-- grants of rbac_grants split into (verb, api_group, resource) with the
-- namespace they hold in (NULL: cluster scope) and the role and binding
-- they come through (via).  A non-resource URL is a resource with a NULL
-- api_group.  resourceNames are not split: a rule limited to names counts
-- as the rule.
DROP VIEW IF EXISTS rbac_grant_atoms;
CREATE VIEW rbac_grant_atoms AS
SELECT g.snapshot_id, g.subject_kind, g.subject, g.subject_namespace,
    v.value AS verb, ag.value AS api_group, r.value AS resource,
    g.scope_namespace AS namespace,
    g.role_kind || ' ' || coalesce(g.role_namespace || '/', '') || g.role
        || ' through ' || g.binding_kind || ' '
        || coalesce(g.binding_namespace || '/', '') || g.binding AS via
FROM rbac_grants g, json_each(g.verbs) v,
    json_each(coalesce(g.api_groups, '[null]')) ag,
    json_each(coalesce(g.resources, g.non_resource_urls)) r;

-- Who gained or lost which permission between two snapshots?  A subject
-- gained (verb, api_group, resource, namespace) when snapshot_b grants it
-- and snapshot_a grants it through no role at all; lost the other way.
-- One row per role and binding it comes through (via).
DROP VIEW IF EXISTS rbac_grant_diff;
CREATE VIEW rbac_grant_diff AS
WITH g AS MATERIALIZED (
	SELECT DISTINCT * FROM rbac_grant_atoms
), e AS MATERIALIZED (
	SELECT DISTINCT snapshot_id, subject_kind, subject,
	    coalesce(subject_namespace, '') AS subject_namespace, verb,
	    coalesce(api_group, '') AS api_group, resource,
	    coalesce(namespace, '') AS namespace
	FROM g
)
SELECT a.id AS snapshot_a, b.id AS snapshot_b, g.subject_kind, g.subject,
    g.subject_namespace, 'gained' AS change, g.verb, g.api_group,
    g.resource, g.namespace, g.via
FROM snapshots a JOIN snapshots b ON a.id != b.id
JOIN g ON g.snapshot_id = b.id
WHERE NOT EXISTS (SELECT 1 FROM e WHERE e.snapshot_id = a.id
    AND e.subject_kind = g.subject_kind AND e.subject = g.subject
    AND e.subject_namespace = coalesce(g.subject_namespace, '')
    AND e.verb = g.verb AND e.api_group = coalesce(g.api_group, '')
    AND e.resource = g.resource AND e.namespace = coalesce(g.namespace, ''))
UNION ALL
SELECT a.id, b.id, g.subject_kind, g.subject, g.subject_namespace, 'lost',
    g.verb, g.api_group, g.resource, g.namespace, g.via
FROM snapshots a JOIN snapshots b ON a.id != b.id
JOIN g ON g.snapshot_id = a.id
WHERE NOT EXISTS (SELECT 1 FROM e WHERE e.snapshot_id = b.id
    AND e.subject_kind = g.subject_kind AND e.subject = g.subject
    AND e.subject_namespace = coalesce(g.subject_namespace, '')
    AND e.verb = g.verb AND e.api_group = coalesce(g.api_group, '')
    AND e.resource = g.resource AND e.namespace = coalesce(g.namespace, ''));
