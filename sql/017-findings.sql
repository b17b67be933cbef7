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
-- namespace, via.  Empty with fewer than two snapshots.
DROP VIEW IF EXISTS rbac_grant_diff_latest;
CREATE VIEW rbac_grant_diff_latest AS
WITH g AS MATERIALIZED (
	-- (IN a subquery: SQLite 3.40 plans a join with the pair badly.)
	SELECT DISTINCT snapshot_id, subject_kind, subject,
	    coalesce(subject_namespace, '') AS sns, verb,
	    coalesce(api_group, '') AS ag, resource,
	    coalesce(namespace, '') AS ns, via
	FROM rbac_grant_atoms WHERE snapshot_id IN (SELECT id FROM snapshots
	    ORDER BY id DESC LIMIT 2)
), p(a, b) AS (
	SELECT min(snapshot_id), max(snapshot_id) FROM g
	HAVING min(snapshot_id) != max(snapshot_id)
), gained AS (
	SELECT subject_kind, subject, sns, verb, ag, resource, ns
	FROM g WHERE snapshot_id = (SELECT b FROM p)
	EXCEPT SELECT subject_kind, subject, sns, verb, ag, resource, ns
	FROM g WHERE snapshot_id = (SELECT a FROM p)
), lost AS (
	SELECT subject_kind, subject, sns, verb, ag, resource, ns
	FROM g WHERE snapshot_id = (SELECT a FROM p)
	EXCEPT SELECT subject_kind, subject, sns, verb, ag, resource, ns
	FROM g WHERE snapshot_id = (SELECT b FROM p)
), d AS (
	SELECT 'gained' AS change, g.* FROM g JOIN gained USING (subject_kind,
	    subject, sns, verb, ag, resource, ns)
	WHERE g.snapshot_id = (SELECT b FROM p)
	UNION ALL
	SELECT 'lost', g.* FROM g JOIN lost USING (subject_kind, subject, sns,
	    verb, ag, resource, ns)
	WHERE g.snapshot_id = (SELECT a FROM p)
)
SELECT (SELECT a FROM p) AS snapshot_a, (SELECT b FROM p) AS snapshot_b,
	subject_kind, subject, nullif(sns, '') AS subject_namespace, change,
	verb, CASE WHEN ag = '' AND resource GLOB '/*' THEN NULL ELSE ag END
	    AS api_group,
	resource, nullif(ns, '') AS namespace, via
FROM d;
