-- Detections that read the evidence's history rather than one request:
-- a burst of refusals, an RBAC change and what followed it, a refusal
-- followed by a grant, and evidence removed.  One row per piece of
-- evidence (a request, a refusal, an RBAC change), with the columns of the
-- rules of sql/011-detections.sql, which the detections view adds to its
-- own.  "Before" is by time, or, for two records of the same source that
-- carry no time, by line.

-- Deletions of evidence (deleted-audit-evidence below), found without
-- reading every event: a partial index the view's WHERE repeats.
CREATE INDEX IF NOT EXISTS audit_events_deletions ON audit_rows(verb)
	WHERE verb IN ('delete', 'deletecollection') AND subresource IS NULL
	    AND (resource IN ('events', 'auditsinks')
	    OR api_group GLOB 'audit*'
	    OR (resource IN ('configmaps', 'secrets') AND name LIKE '%audit%'
	    AND (name LIKE '%polic%' OR name LIKE '%config%'
	    OR name LIKE '%webhook%' OR name LIKE '%sink%'
	    OR name LIKE '%log%')));

DROP VIEW IF EXISTS detections_history;
CREATE VIEW detections_history AS
WITH knob AS (
	SELECT
	-- denial-burst: a person refused on at least 5 distinct targets
	-- (resource[/subresource] or path, in a namespace) within 10
	-- minutes.  A person lacking one permission retries the same
	-- request; kubectl itself asks for 2 or 3 things at a time
	-- (discovery, the object, its events); 5 different refusals in
	-- 10 minutes is trying doors.
	5 AS burst_targets, 600000000 AS burst_us,
	-- rbac-change-before-denials: the first refusal of a kind never
	-- refused before comes at most 10 minutes after the change (a
	-- controller resyncs within minutes; the EKS case took 6 s).
	600000000 AS follow_us
), component(class) AS (
	VALUES ('control-plane'), ('controller'), ('node'),
	    ('service-account'), ('cloud-provider')
), refused_id(actor_id) AS (
	-- The actors refused: those of the refused audit events, one probe
	-- of audit_events_refusal_probe (sql/016-rollups.sql) each, and
	-- those of the plain logs' refusals.
	SELECT min(actor_id) FROM audit_rows
	WHERE code = 403 OR decision = 'forbid'
	UNION ALL
	SELECT (SELECT min(e.actor_id)
	    FROM audit_rows e WHERE (e.code = 403 OR e.decision = 'forbid')
	    AND e.actor_id > r.actor_id)
	FROM refused_id r WHERE r.actor_id IS NOT NULL
), refused(actor) AS (
	SELECT (SELECT s.value FROM strings s WHERE s.id = r.actor_id)
	FROM refused_id r WHERE r.actor_id IS NOT NULL
), refused_class AS MATERIALIZED (
	-- Each with its identity class (classified once per actor, not once
	-- per refusal).
	SELECT a.actor, (SELECT c.class FROM identity_classes c
		WHERE a.actor GLOB c.pattern ORDER BY c.priority LIMIT 1)
	    AS class
	FROM (SELECT actor FROM refused WHERE actor IS NOT NULL
	    UNION SELECT actor FROM log_denials_only) a
), person AS MATERIALIZED (
	-- Those that are not components.
	SELECT actor FROM refused_class
	WHERE class NOT IN (SELECT class FROM component)
), reader(actor) AS MATERIALIZED (
	-- Whose refusals the rules below read: the people's (denial-burst)
	-- and, when the log holds an RBAC change, everyone's (the rules of
	-- changes), so that a log without one costs what its people did.
	SELECT actor FROM person
	UNION ALL
	SELECT actor FROM refused_class
	WHERE EXISTS (SELECT 1 FROM change)
	    AND class IN (SELECT class FROM component)
	UNION ALL
	SELECT NULL WHERE EXISTS (SELECT 1 FROM change)
), denied AS MATERIALIZED (
	-- Their refusals, the rows of the denials view read by actor (its
	-- audit rows are denial_audit, sql/016-rollups.sql), with
	-- their target.
	SELECT d.*, coalesce(d.resource || coalesce('/' || d.subresource, ''),
		d.path, '?') AS target, d.time / 60000000 AS minute
	FROM (SELECT r.actor, r.groups, r.verb, r.api_group, r.resource,
		r.subresource, r.namespace, r.name, r.time, r.source_id,
		r.line, 'audit' AS origin, r.audit_id, r.impersonator, r.path,
		r.code, r.reason, r.user_agent, r.decision, r.refused_by,
		r.message
	    FROM reader p CROSS JOIN denial_audit r ON r.actor IS p.actor
	    UNION ALL
	    SELECT l.actor, NULL, l.verb, l.api_group, l.resource,
		l.subresource, l.namespace, l.name, l.time, l.source_id,
		l.line, 'log', NULL, NULL, l.path, 403, l.reason, NULL,
		'forbid', 'log', NULL
	    FROM log_denials_only l
	    WHERE EXISTS (SELECT 1 FROM reader p WHERE p.actor IS l.actor)) d
), step(d) AS (
	-- 0 to the minutes of burst_us: a refusal's window is looked up
	-- minute by minute (the minute of a time within burst_us of t is
	-- that of t plus one of these), not among all of its actor's.
	SELECT 0
	UNION ALL
	SELECT d + 1 FROM step WHERE d < (SELECT burst_us FROM knob) / 60000000
), pdenied AS MATERIALIZED (
	-- The people's, each with its target in its namespace (tkey) and
	-- whether that is sensitive: secrets, a shell or port into a pod,
	-- RBAC, a token, a node's proxy, or a URL path outside the API and
	-- its discovery (/.env, /HNAP1: a scanner).
	SELECT d.*, d.target || ' in ' || coalesce(d.namespace, '') AS tkey,
	    d.resource IN ('secrets', 'roles', 'clusterroles',
		'rolebindings', 'clusterrolebindings', 'certificatesigningrequests')
		OR d.subresource IN ('exec', 'attach', 'portforward',
		'ephemeralcontainers', 'token', 'proxy')
		OR (d.resource IS NULL AND d.path IS NOT NULL
		AND NOT (d.path GLOB '/api' OR d.path GLOB '/api[/?]*'
		OR d.path GLOB '/apis' OR d.path GLOB '/apis[/?]*'
		OR d.path GLOB '/openapi*' OR d.path GLOB '/version*'
		OR d.path GLOB '/healthz*' OR d.path GLOB '/livez*'
		OR d.path GLOB '/readyz*')) AS sensitive
	FROM denied d WHERE d.actor IN (SELECT actor FROM person)
), change AS (
	-- RBAC writes let through (the rbac_changes view's rows, read here
	-- from audit_events directly: the requests view folds every request
	-- of the log), with the object sent (NULL when the audit policy did
	-- not record it) and the kind of what was written.
	SELECT c.*, row_number() OVER (ORDER BY c.time, c.audit_id) AS cid,
	    c.resource || '/' || coalesce(c.name, '?') AS object,
	    CASE c.verb WHEN 'patch' THEN 'patched' WHEN 'deletecollection'
		THEN 'deleted' ELSE c.verb || 'd' END AS did,
	    CASE c.resource WHEN 'roles' THEN 'Role'
		WHEN 'clusterroles' THEN 'ClusterRole'
		WHEN 'rolebindings' THEN 'RoleBinding'
		ELSE 'ClusterRoleBinding' END AS kind,
	    (SELECT r.request_object FROM audit_events r
		WHERE r.id = c.body_id) AS body
	FROM (SELECT coalesce(impersonated_user, username) AS actor,
		min(received_us) AS time, verb, resource, namespace, name,
		max(code) AS code, audit_id, min(source_id) AS source_id,
		min(line) AS line,
		coalesce(max(CASE WHEN level IN ('Request',
		    'RequestResponse') THEN id END), max(id)) AS body_id
	    FROM audit_events
	    WHERE api_group = 'rbac.authorization.k8s.io'
		AND resource IN ('roles', 'clusterroles', 'rolebindings',
		    'clusterrolebindings')
		AND verb IN ('create', 'update', 'patch', 'delete',
		    'deletecollection')
	    GROUP BY coalesce(audit_id, 'row:' || id)) c
	WHERE c.code < 400
), bound AS (
	-- Who is bound to which role: the snapshots' bindings and the
	-- bindings written in the audit log.  who is the user, the group, or
	-- system:serviceaccount:NS:NAME.
	SELECT binding_kind AS kind, binding_namespace AS namespace,
	    binding AS name, role_kind, role, subject_kind,
	    CASE subject_kind WHEN 'ServiceAccount' THEN
		'system:serviceaccount:' || subject_namespace || ':' || subject
		ELSE subject END AS who
	FROM rbac_bindings
	UNION
	SELECT c.kind, c.namespace, c.name,
	    json_extract(c.body, '$.roleRef.kind'),
	    json_extract(c.body, '$.roleRef.name'),
	    json_extract(s.value, '$.kind'),
	    CASE json_extract(s.value, '$.kind') WHEN 'ServiceAccount' THEN
		'system:serviceaccount:' || coalesce(json_extract(s.value,
		'$.namespace'), c.namespace) || ':' ||
		json_extract(s.value, '$.name')
		ELSE json_extract(s.value, '$.name') END
	FROM change c, json_each(c.body, '$.subjects') s
	WHERE c.kind IN ('RoleBinding', 'ClusterRoleBinding')
), ruled AS (
	-- The rules of each role: the snapshots', those written in the audit
	-- log (cid: the write), and cluster-admin's built-in one.  verbs,
	-- api_groups and resources are JSON arrays.
	SELECT NULL AS cid, role_kind, role_namespace, role, verbs, api_groups,
	    resources
	FROM rbac_rules
	UNION
	SELECT c.cid, c.kind, c.namespace, c.name,
	    json_extract(r.value, '$.verbs'),
	    json_extract(r.value, '$.apiGroups'),
	    json_extract(r.value, '$.resources')
	FROM change c, json_each(c.body, '$.rules') r
	WHERE c.kind IN ('Role', 'ClusterRole')
	UNION
	SELECT NULL, 'ClusterRole', NULL, 'cluster-admin', '["*"]', '["*"]',
	    '["*"]'
), grant AS (
	-- What each RBAC write grants to whom, and where (scope: the
	-- binding's namespace, NULL for a ClusterRoleBinding): a role
	-- written, its rules as written (the snapshots' when the audit log
	-- did not record them) to those bound to it; a binding written, its
	-- role's rules to its subjects.
	SELECT c.cid, c.audit_id, c.time, c.source_id, c.line, c.actor,
	    c.verb, c.object, c.did, b.namespace AS scope, b.subject_kind,
	    b.who, r.verbs, r.api_groups, r.resources
	FROM change c
	JOIN bound b ON b.role_kind = c.kind AND b.role = c.name
	    AND (c.kind = 'ClusterRole' OR b.namespace IS c.namespace)
	JOIN ruled r ON r.role_kind = c.kind AND r.role = c.name
	    AND r.role_namespace IS c.namespace AND (r.cid = c.cid
	    OR (r.cid IS NULL AND json_extract(c.body, '$.rules') IS NULL))
	WHERE c.verb IN ('create', 'update', 'patch')
	    AND c.kind IN ('Role', 'ClusterRole')
	UNION ALL
	SELECT c.cid, c.audit_id, c.time, c.source_id, c.line, c.actor,
	    c.verb, c.object, c.did, c.namespace, b.subject_kind, b.who,
	    r.verbs, r.api_groups, r.resources
	FROM change c
	JOIN bound b ON b.kind = c.kind AND b.name = c.name
	    AND b.namespace IS c.namespace
	JOIN ruled r ON r.role_kind = b.role_kind AND r.role = b.role
	    AND (b.role_kind = 'ClusterRole' OR r.role_namespace IS c.namespace)
	WHERE c.verb IN ('create', 'update', 'patch')
	    AND c.kind IN ('RoleBinding', 'ClusterRoleBinding')
), dsess AS (
	-- A person's refusals cut into bursts: a new one begins after 10
	-- minutes without a refusal.  Refusals with no time, of one source,
	-- are one burst (bkey).
	SELECT d.*, CASE WHEN d.time IS NULL THEN 's' || d.source_id
	    ELSE 't' || sum(d.starts) OVER (PARTITION BY d.actor
		ORDER BY d.time, d.line ROWS UNBOUNDED PRECEDING) END AS bkey
	FROM (SELECT d.*, CASE WHEN d.time IS NULL THEN 0
		WHEN d.time - lag(d.time) OVER (PARTITION BY d.actor,
		    d.time IS NULL ORDER BY d.time, d.line)
		    <= (SELECT burst_us FROM knob) THEN 0 ELSE 1 END AS starts
	    FROM pdenied d) d
), burst_window AS (
	-- Each refusal of a person opens a window; the distinct targets
	-- refused within it, how long they took, and whether one of them
	-- is sensitive (pdenied).  Refusals with no time, of one source,
	-- are judged together.
	SELECT a.actor, a.time AS t0, a.source_id AS src,
	    count(DISTINCT b.tkey) AS targets, max(b.time) - a.time AS span,
	    max(b.sensitive) AS sensitive
	FROM pdenied a CROSS JOIN step k
	JOIN pdenied b ON b.actor = a.actor AND b.minute IS a.minute + k.d
	WHERE (a.time IS NOT NULL OR k.d = 0)
	    AND (b.time BETWEEN a.time AND a.time + (SELECT burst_us FROM knob)
	    OR (a.time IS NULL AND b.time IS NULL AND b.source_id = a.source_id))
	GROUP BY a.actor, a.time, a.source_id
), burst AS (
	-- The refusals inside a window with enough targets that is more
	-- than one command: one kubectl command fans out to many
	-- resources at once (get all: 9 lists in well under a second, a
	-- second or two on a slow API server), so its refusals must span
	-- at least 3 s, or include a sensitive target.  Lines with no time
	-- cannot tell, and count.
	SELECT DISTINCT b.*
	FROM burst_window w CROSS JOIN step k
	JOIN dsess b ON b.actor = w.actor
	    AND b.minute IS w.t0 / 60000000 + k.d
	    AND (b.time BETWEEN w.t0 AND w.t0 + (SELECT burst_us FROM knob)
	    OR (w.t0 IS NULL AND b.time IS NULL AND b.source_id = w.src))
	WHERE (w.t0 IS NOT NULL OR k.d = 0)
	    AND w.targets >= (SELECT burst_targets FROM knob)
	    AND (w.t0 IS NULL OR w.span >= 3000000 OR w.sensitive)
), burst_size AS (
	-- Each burst: its targets, namespaces, URL paths and extent.
	SELECT actor, bkey, count(DISTINCT tkey) AS targets,
	    count(DISTINCT namespace) AS namespaces,
	    count(DISTINCT CASE WHEN resource IS NULL THEN path END) AS paths,
	    min(CASE WHEN resource IS NULL THEN path END) AS a_path,
	    min(time) AS first, max(time) AS last
	FROM burst GROUP BY actor, bkey
), follow AS (
	-- The kinds of refusal (actor, verb, target, namespace) that begin
	-- within follow_us after an RBAC change, were never refused before
	-- it, and touch it: the actor (or one of its groups) is bound by
	-- what changed (the snapshots' bindings or those written in the
	-- log), or the change took that permission away: the role's
	-- earlier rules (a snapshot's, or an earlier write's) granted it
	-- and the rules written, or the deletion, no longer do.  A role
	-- rewritten (the aggregation controller's admin, edit, view) does
	-- not explain the refusal of someone not bound to it.
	SELECT c.cid, d.actor, d.verb, d.api_group, d.target,
	    d.namespace, min(d.time) AS first, count(*) AS n
	FROM change c JOIN denied d ON d.time BETWEEN c.time
	    AND c.time + (SELECT follow_us FROM knob)
	    AND (c.namespace IS NULL OR d.namespace IS c.namespace)
	    AND (EXISTS (SELECT 1 FROM bound b
		WHERE ((b.role_kind = c.kind AND b.role = c.name)
		    OR (b.kind = c.kind AND b.name = c.name
		    AND b.namespace IS c.namespace))
		AND (b.who = d.actor OR (b.subject_kind = 'Group'
		    AND json_valid(d.groups) AND EXISTS (SELECT 1
		    FROM json_each(d.groups) g WHERE g.value = b.who))))
	    OR (c.kind IN ('Role', 'ClusterRole') AND EXISTS (SELECT 1
		FROM ruled p WHERE p.role_kind = c.kind AND p.role = c.name
		AND p.role_namespace IS c.namespace
		AND (p.cid IS NULL OR p.cid < c.cid)
		AND EXISTS (SELECT 1 FROM json_each(p.verbs)
		    WHERE value IN (d.verb, '*'))
		AND EXISTS (SELECT 1 FROM json_each(p.api_groups)
		    WHERE value IN (coalesce(d.api_group, ''), '*'))
		AND EXISTS (SELECT 1 FROM json_each(p.resources)
		    WHERE value IN (d.resource, d.target, '*')))
	    AND (c.verb IN ('delete', 'deletecollection')
		OR (json_extract(c.body, '$.rules') IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM ruled r WHERE r.cid = c.cid
		AND EXISTS (SELECT 1 FROM json_each(r.verbs)
		    WHERE value IN (d.verb, '*'))
		AND EXISTS (SELECT 1 FROM json_each(r.api_groups)
		    WHERE value IN (coalesce(d.api_group, ''), '*'))
		AND EXISTS (SELECT 1 FROM json_each(r.resources)
		    WHERE value IN (d.resource, d.target, '*')))))))
	    AND NOT EXISTS (SELECT 1 FROM denied e WHERE e.actor = d.actor
		AND e.verb IS d.verb AND e.target = d.target
		AND e.namespace IS d.namespace AND e.time < c.time)
	GROUP BY c.cid, d.actor, d.verb, d.api_group, d.target,
	    d.namespace
), follow_sum AS (
	-- Per change: how many kinds followed, the first of them.
	SELECT cid, count(*) AS kinds, sum(n) AS refusals,
	    (SELECT f2.actor || ' began to be refused ' || f2.verb || ' ' ||
		f2.target || ' ' || ((f2.first - c.time) / 1000000) ||
		' s later' FROM follow f2 JOIN change c ON c.cid = f2.cid
		WHERE f2.cid = f.cid ORDER BY f2.first LIMIT 1) AS first_one
	FROM follow f GROUP BY cid
), escalation AS (
	-- A refusal by RBAC (decision forbid) of a resource request, and
	-- a later RBAC write that grants exactly that to the actor refused.
	SELECT DISTINCT d.audit_id AS d_audit, d.time AS d_time, d.actor,
	    d.verb AS d_verb, d.api_group AS d_group, d.resource AS d_res,
	    d.subresource AS d_sub, d.namespace AS d_ns, d.target,
	    (SELECT r.class FROM refused_class r WHERE r.actor = d.actor)
		AS class,
	    g.audit_id, g.time, g.actor AS granter, g.verb,
	    g.object, g.did
	FROM denied d JOIN grant g
	    ON (g.who = d.actor OR (g.subject_kind = 'Group'
		AND json_valid(d.groups) AND EXISTS (SELECT 1
		FROM json_each(d.groups) x WHERE x.value = g.who)))
	WHERE d.decision = 'forbid' AND d.resource IS NOT NULL
	    AND (g.scope IS NULL OR g.scope IS d.namespace)
	    AND (g.time > d.time OR ((g.time IS NULL OR d.time IS NULL)
		AND g.source_id = d.source_id AND g.line > d.line))
	    AND EXISTS (SELECT 1 FROM json_each(g.verbs)
		WHERE value IN (d.verb, '*'))
	    AND EXISTS (SELECT 1 FROM json_each(g.api_groups)
		WHERE value IN (coalesce(d.api_group, ''), '*'))
	    AND EXISTS (SELECT 1 FROM json_each(g.resources)
		WHERE value IN (d.resource, d.target, '*',
		    '*/' || d.subresource))
), deleted AS (
	-- Deletions let through of events or of audit configuration: audit
	-- sinks and audit policy objects (API groups audit*), and
	-- configmaps or secrets whose name says audit and policy, config,
	-- webhook, sink or log (a policy file or a webhook's kubeconfig).
	-- Roles, pods and the like named *audit* (audit2rbac's roles, an
	-- auditbeat pod, a role auditor-readonly) hold no evidence.  Each
	-- request once.
	SELECT (SELECT s.value FROM strings s WHERE s.id = actor_id) AS actor,
	    min(received_us) AS time, namespace, resource, name,
	    (SELECT v.audit_id FROM audit_events v WHERE v.id = audit_rows.id)
		AS audit_id,
	    verb, api_group, subresource
	FROM audit_rows INDEXED BY audit_events_deletions
	WHERE verb IN ('delete', 'deletecollection') AND subresource IS NULL
	    AND (resource IN ('events', 'auditsinks')
	    OR api_group GLOB 'audit*'
	    OR (resource IN ('configmaps', 'secrets') AND name LIKE '%audit%'
	    AND (name LIKE '%polic%' OR name LIKE '%config%'
	    OR name LIKE '%webhook%' OR name LIKE '%sink%'
	    OR name LIKE '%log%')))
	GROUP BY coalesce(audit_key, 'row:' || id)
	HAVING max(coalesce(code < 400, decision = 'allow', 0)) = 1
), walk(t, gap_from) AS (
	-- The times of the requests of the audit log, each a final stage
	-- (two copies of a log are one), as request_outcomes counts them,
	-- walked through a time-ordered index in steps of up to 5
	-- minutes (the last request within 5 minutes of the one before): a
	-- step with none within is a silence of more than 5 minutes, from
	-- gap_from to t.  The walk costs the log's span, not its requests.
	SELECT min(received_us), NULL FROM audit_rows
	WHERE received_us IS NOT NULL
	    AND coalesce(stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic')
	UNION ALL
	SELECT coalesce((SELECT max(e.received_us) FROM audit_rows e
		WHERE coalesce(e.stage, 'ResponseComplete') IN
		    ('ResponseComplete', 'Panic')
		AND e.received_us > w.t AND e.received_us <= w.t + 300000000),
	    (SELECT min(e.received_us) FROM audit_rows e
		WHERE coalesce(e.stage, 'ResponseComplete') IN
		    ('ResponseComplete', 'Panic')
		AND e.received_us > w.t)),
	    CASE WHEN NOT EXISTS (SELECT 1 FROM audit_rows e
		WHERE coalesce(e.stage, 'ResponseComplete') IN
		    ('ResponseComplete', 'Panic')
		AND e.received_us > w.t AND e.received_us <= w.t + 300000000)
		THEN w.t END
	FROM walk w WHERE w.t IS NOT NULL
), final AS (
	-- Each silence: the last request before it and the first after (by
	-- time, then auditID, no auditID first; a request is a time and an
	-- auditID), and how many requests the 5 minutes before and after
	-- hold.
	SELECT w.gap_from AS t, w.t AS next_t,
	    (SELECT e.audit_id FROM audit_events e
		WHERE coalesce(e.stage, 'ResponseComplete') IN
		    ('ResponseComplete', 'Panic')
		AND e.received_us = w.gap_from
		ORDER BY e.audit_id DESC LIMIT 1) AS audit_id,
	    (SELECT e.audit_id FROM audit_events e
		WHERE coalesce(e.stage, 'ResponseComplete') IN
		    ('ResponseComplete', 'Panic')
		AND e.received_us = w.t
		ORDER BY e.audit_id LIMIT 1) AS next_id,
	    (SELECT count(*) FROM (SELECT DISTINCT e.received_us, e.audit_key
		FROM audit_rows e
		WHERE coalesce(e.stage, 'ResponseComplete') IN
		    ('ResponseComplete', 'Panic')
		AND e.received_us BETWEEN w.gap_from - 300000000
		AND w.gap_from)) AS before_n,
	    (SELECT count(*) FROM (SELECT DISTINCT e.received_us, e.audit_key
		FROM audit_rows e
		WHERE coalesce(e.stage, 'ResponseComplete') IN
		    ('ResponseComplete', 'Panic')
		AND e.received_us BETWEEN w.t AND w.t + 300000000)) AS next_n
	FROM walk w WHERE w.gap_from IS NOT NULL AND w.t IS NOT NULL
), gap AS (
	-- deleted-audit-evidence, the gap: the log falls silent for more
	-- than 5 minutes although it recorded at least 30 distinct
	-- requests in the 5 minutes before and the 5 minutes after (one
	-- every 10 s or more: a live API server writes leases, node status
	-- and controller watches all the time, so 30 expected requests
	-- missing is not chance).  A gap between two files of different
	-- days is one too: the evidence does not cover it.
	SELECT * FROM final WHERE before_n >= 30 AND next_n >= 30
)
-- denial-burst: the refusals of a burst, one finding per burst (high:
-- the person is then suspicious, and remediate proposes nothing for it
-- without --force).
SELECT 'denial-burst' AS rule, 'high' AS severity, b.actor, b.time,
    NULL AS namespace, 'refusals/' || coalesce(strftime('%Y-%m-%dT%H:%M:%SZ',
	s.first / 1000000, 'unixepoch'), 'source-' || b.source_id) AS object,
    b.audit_id, NULL AS verb, NULL AS api_group, NULL AS resource,
    NULL AS subresource,
    'was refused on ' || s.targets || ' distinct targets' ||
	CASE WHEN s.namespaces > 0 THEN ' in ' || s.namespaces ||
	' namespace(s)' ELSE '' END ||
	CASE WHEN s.paths = s.targets THEN ', all non-resource URL paths'
	|| ' (such as ' || s.a_path || ')'
	WHEN s.paths > 0 THEN ', ' || s.paths || ' of them non-resource'
	|| ' URL paths (such as ' || s.a_path || ')'
	ELSE '' END || ' ' || CASE WHEN s.first IS NULL
	THEN 'in one file whose lines carry no time' ELSE 'within ' ||
	max(1, (s.last - s.first + 59999999) / 60000000) || ' min' END ||
	' (probing)' AS what
FROM burst b JOIN burst_size s ON s.actor = b.actor AND s.bkey = b.bkey
UNION ALL
-- rbac-change-before-denials: the change, then the refusals that
-- followed it (medium: it explains denials, it accuses no one).
SELECT 'rbac-change-before-denials', 'medium', c.actor, c.time, c.namespace,
    c.object, c.audit_id, c.verb, 'rbac.authorization.k8s.io', c.resource,
    NULL,
    c.did || ' ' || c.object || '; then ' || s.first_one ||
	CASE WHEN s.kinds > 1 THEN ', and ' || (s.kinds - 1) ||
	' other kind(s) of request' ELSE '' END
FROM change c JOIN follow_sum s ON s.cid = c.cid
UNION ALL
SELECT 'rbac-change-before-denials', 'medium', c.actor, d.time, c.namespace,
    c.object, d.audit_id, c.verb, 'rbac.authorization.k8s.io', c.resource,
    NULL,
    c.did || ' ' || c.object || '; then ' || s.first_one ||
	CASE WHEN s.kinds > 1 THEN ', and ' || (s.kinds - 1) ||
	' other kind(s) of request' ELSE '' END
FROM follow f JOIN change c ON c.cid = f.cid
JOIN follow_sum s ON s.cid = f.cid
JOIN denied d ON d.actor = f.actor AND d.verb IS f.verb AND d.target = f.target
    AND d.namespace IS f.namespace AND d.time BETWEEN c.time
    AND c.time + (SELECT follow_us FROM knob)
UNION ALL
-- escalation-after-denial: the refusal and the grant, under the actor
-- refused (high when it granted itself, medium when another granted a
-- person; low when another granted a component: an admin fixing a
-- controller's missing permission, as remediate proposes).
SELECT 'escalation-after-denial', CASE WHEN granter = actor THEN 'high'
	WHEN class IN (SELECT class FROM component) THEN 'low'
	ELSE 'medium' END, actor, t, d_ns, object, aid, d_verb, d_group,
    d_res, d_sub,
    'was refused ' || d_verb || ' ' || target || coalesce(' in ' || d_ns, '')
	|| ', then granted it by ' || CASE WHEN granter = actor THEN 'itself'
	ELSE coalesce(granter, '?') END || ' (' || did || ' ' || object || ')'
FROM (SELECT actor, granter, did, object, d_ns, d_verb, d_group, d_res,
	d_sub, target, class, d_time AS t, d_audit AS aid FROM escalation
    UNION
    SELECT actor, granter, did, object, d_ns, d_verb, d_group, d_res,
	d_sub, target, class, time, audit_id FROM escalation)
UNION ALL
-- deleted-audit-evidence: events or audit configuration deleted, but
-- by the control plane or a controller (the namespace controller's
-- cleanup, a controller replacing what it owns).
SELECT 'deleted-audit-evidence', CASE WHEN resource = 'events' THEN 'medium'
	ELSE 'high' END, actor, time, namespace,
    resource || '/' || coalesce(name, '*'), audit_id, verb, api_group,
    resource, subresource,
    CASE verb WHEN 'delete' THEN 'deleted ' ELSE 'deleted all of ' END ||
	resource || coalesce('/' || name, '') ||
	coalesce(' in ' || namespace, '')
FROM deleted
WHERE coalesce((SELECT c.class FROM identity_classes c
    WHERE actor GLOB c.pattern ORDER BY c.priority LIMIT 1), '') NOT IN ('control-plane', 'controller')
UNION ALL
-- deleted-audit-evidence, the gap: the last request before and the first
-- after (low: an audit policy that logs few requests, or a log rotated
-- away, explains silence as well as deletion does).
SELECT 'deleted-audit-evidence', 'low', NULL, x.t, NULL,
    'audit-log/gap-' || strftime('%Y-%m-%dT%H:%M:%SZ', g.t / 1000000,
	'unixepoch'),
    x.audit_id, NULL, NULL, NULL, NULL,
    'The audit log records nothing for ' || ((g.next_t - g.t) / 60000000) ||
	' min after ' || strftime('%Y-%m-%dT%H:%M:%SZ', g.t / 1000000,
	'unixepoch') || ', with ' || g.before_n ||
	' requests in the 5 minutes before and ' || g.next_n ||
	' in the 5 after; an audit policy that logs few requests, or log'
	|| ' rotation, may explain it, else the log was cut'
FROM gap g, (SELECT g2.t AS t, g2.audit_id, g2.t AS k FROM gap g2
    UNION ALL SELECT g3.next_t, g3.next_id, g3.t FROM gap g3) x
WHERE x.k = g.t;
