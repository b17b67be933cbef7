-- What does the report say first?  One row per detection (every column
-- of the detections view, whatever rules it holds), with rank (0 critical,
-- 1 high, 2 medium, 3 low, 4 anything else) and action: the decision the
-- finding asks of the reader, one sentence.  The report's Findings are
-- these, ordered by rank and first_seen, with the refusals `remediate`
-- classifies (which need the RBAC evaluator, so the command adds them).
DROP VIEW IF EXISTS findings;
CREATE VIEW findings AS
SELECT CASE d.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1
	    WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END AS rank,
	d.*,
	'Decision needed: ' || CASE
	WHEN d.rule = 'cluster-admin-binding' THEN 'was this binding'
	    || ' authorised?  If not, delete ' || coalesce(d.object, 'it')
	    || ' and review everything '
	    || coalesce(d.actor, 'its author') || ' did.'
	WHEN d.rule IN ('wildcard-role', 'write-role') THEN 'was this role'
	    || ' change authorised?  If not, restore '
	    || coalesce(d.object, 'the role')
	    || ' and review the subjects bound to it.'
	WHEN d.rule IN ('privileged-pod', 'host-network', 'sensitive-mount',
	    'pod-in-system-namespace') THEN 'is this workload expected?  If'
	    || ' not, delete ' || coalesce(d.object, 'it')
	    || ' and treat its node as compromised.'
	WHEN d.rule IN ('exec-or-attach', 'port-forward') THEN 'was this'
	    || ' session expected?  If not, treat the pod as compromised.'
	WHEN d.rule IN ('secret-read-by-person', 'token-request',
	    'sensitive-configmap') THEN 'was this expected?  If not, rotate'
	    || ' the credentials read or exposed.'
	WHEN d.rule = 'anonymous-allowed' THEN 'should anonymous requests'
	    || ' be let through?  If not, remove the grants to'
	    || ' system:anonymous and system:unauthenticated.'
	WHEN d.rule = 'impersonation' THEN 'was this impersonation'
	    || ' expected?  If not, review who may impersonate.'
	ELSE 'was this expected of ' || coalesce(d.actor, 'this actor')
	    || '?'
	END AS action
FROM detections d;

-- Who gained or lost which permission between the two latest snapshots
-- (by id: snapshot_a the older, snapshot_b the newer)?  The rows of
-- rbac_grant_diff for that one pair, computed for it alone (the report's
-- RBAC changes): snapshot_a, snapshot_b, subject_kind, subject,
-- subject_namespace, change (gained, lost), verb, api_group, resource,
-- resource_name (NULL: every name), namespace, via.  Empty with fewer than
-- two snapshots.
DROP VIEW IF EXISTS rbac_grant_diff_latest;
CREATE VIEW rbac_grant_diff_latest AS
WITH p(a, b) AS (
	SELECT min(id), max(id) FROM (SELECT id FROM snapshots
	    ORDER BY id DESC LIMIT 2)
	HAVING count(*) = 2
), g AS MATERIALIZED (
	-- (IN a subquery: SQLite 3.40 plans a join with the pair badly.)
	SELECT DISTINCT snapshot_id, subject_kind, subject, subject_namespace,
	    verb, api_group, resource, resource_name, namespace, via,
	    coalesce(subject_namespace, '') AS sns,
	    coalesce(api_group, '/') AS ag, coalesce(resource_name, '') AS rn,
	    coalesce(namespace, '') AS ns
	FROM rbac_grant_atoms WHERE snapshot_id IN (SELECT id FROM snapshots
	    ORDER BY id DESC LIMIT 2)
), k AS MATERIALIZED (
	SELECT DISTINCT snapshot_id, subject_kind, subject, sns, verb, ag,
	    resource, rn, ns
	FROM g
)
SELECT p.a AS snapshot_a, p.b AS snapshot_b, g.subject_kind, g.subject,
    g.subject_namespace,
    CASE g.snapshot_id WHEN p.b THEN 'gained' ELSE 'lost' END AS change,
    g.verb, g.api_group, g.resource, g.resource_name, g.namespace, g.via
FROM p, g
WHERE NOT EXISTS (SELECT 1 FROM k
    WHERE k.snapshot_id = CASE g.snapshot_id WHEN p.b THEN p.a ELSE p.b END
    AND k.subject_kind = g.subject_kind AND k.subject = g.subject
    AND k.sns = g.sns AND k.verb = g.verb AND k.ag = g.ag
    AND k.resource = g.resource AND k.ns = g.ns AND k.rn IN ('', g.rn));
