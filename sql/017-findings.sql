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
