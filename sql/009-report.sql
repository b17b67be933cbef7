-- The questions the report and the summary ask of the whole evidence,
-- whatever the filters: views, so that sqlite3 users can ask them too.
-- (The filtered questions, the denial groups, the time span of a selection
-- and the unusual actors, stay with the commands, which add the filters'
-- conditions before they group.)

-- How much evidence was read, in all?  One row: sources (inputs and their
-- members), records, imported, duplicates, rejected, unrecognised (members
-- no format claimed).  The report's evidence totals.
DROP VIEW IF EXISTS evidence_totals;
CREATE VIEW evidence_totals AS
SELECT count(*) AS sources, sum(records) AS records,
	sum(imported) AS imported, sum(duplicates) AS duplicates,
	sum(rejected) AS rejected,
	sum(format = 'unrecognised') AS unrecognised
FROM sources;

-- When does the evidence begin and end?  One row: the first and the last
-- time of every timed row (audit events as received, log denials, cloud
-- operations), NULL when there is none.
-- (Each time also as RFC 3339 text, UTC: first_time_utc, last_time_utc.)
DROP VIEW IF EXISTS evidence_span;
CREATE VIEW evidence_span AS
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (first_time - (first_time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (first_time % 1000000 + 1000000) % 1000000) || 'Z' AS first_time_utc,
	strftime('%Y-%m-%dT%H:%M:%S', (last_time - (last_time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (last_time % 1000000 + 1000000) % 1000000) || 'Z' AS last_time_utc
FROM (
-- (Each table's least and greatest time first: audit events' from the
-- ends of audit_events_timeline, which holds the timed ones, not a scan.)
SELECT (SELECT min(t) FROM (
	SELECT min(received_us) AS t FROM audit_rows
	WHERE received_us IS NOT NULL
	UNION ALL SELECT min(time_us) FROM log_denials
	UNION ALL SELECT min(time_us) FROM cluster_events)) AS first_time,
    (SELECT max(t) FROM (
	SELECT max(received_us) AS t FROM audit_rows
	WHERE received_us IS NOT NULL
	UNION ALL SELECT max(time_us) FROM log_denials
	UNION ALL SELECT max(time_us) FROM cluster_events)) AS last_time
);

-- Which cluster does each snapshot show?  One row per snapshot: the
-- columns of snapshots (id, origin, server_version, taken_at,
-- taken_at_source, ...), then nodes (its Node objects) and kubelets (their
-- kubelet versions, comma-separated).  The report's cluster section.
-- (s.*, not a list: a database older than one of these columns gets it on
-- its next import, and a view naming it would stop that.)
-- (Each time also as RFC 3339 text, UTC: taken_at_utc.)
DROP VIEW IF EXISTS snapshot_clusters;
CREATE VIEW snapshot_clusters AS
SELECT s.*,
	strftime('%Y-%m-%dT%H:%M:%S', (taken_at - (taken_at % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (taken_at % 1000000 + 1000000) % 1000000) || 'Z' AS taken_at_utc,
	(SELECT count(DISTINCT name) FROM objects o
	    WHERE o.snapshot_id = s.id AND kind = 'Node') AS nodes,
	(SELECT group_concat(v, ', ') FROM (SELECT DISTINCT json_extract(body,
	    '$.status.nodeInfo.kubeletVersion') AS v FROM objects o
	    WHERE o.snapshot_id = s.id AND kind = 'Node')) AS kubelets
FROM snapshots s;

-- What does the evidence hold, in a few lines?  (section, item, value)
-- rows, in order: the sources and records read, each input with its
-- SHA-256 (the first 20), the server version of each snapshot, its nodes
-- and their kubelet versions.  The first rows of `kubesift summary`.
DROP VIEW IF EXISTS evidence_summary;
CREATE VIEW evidence_summary AS
SELECT 'evidence' AS section, 'sources' AS item,
	count(*) || ' (' || sum(parent_id IS NULL) || ' input' ||
	CASE sum(parent_id IS NULL) WHEN 1 THEN '' ELSE 's' END || ')'
	AS value FROM sources
UNION ALL SELECT 'evidence', 'records', sum(records) || ' read, ' ||
	sum(imported) || ' imported, ' || sum(duplicates) || ' duplicates, ' ||
	sum(rejected) || ' rejected' FROM sources
UNION ALL SELECT * FROM (SELECT 'evidence', 'input', path || '  sha256:'
	|| coalesce(sha256, '-') FROM sources WHERE parent_id IS NULL
	ORDER BY id LIMIT 20)
UNION ALL SELECT 'evidence', 'input', '... and ' || (count(*) - 20) ||
	' more (kubesift sources)' FROM sources WHERE parent_id IS NULL
	HAVING count(*) > 20
UNION ALL SELECT * FROM (SELECT 'cluster', 'server version',
	server_version || ' (snapshot ' || id || ', ' || origin || ')'
	FROM snapshots WHERE server_version IS NOT NULL ORDER BY id)
UNION ALL SELECT * FROM (SELECT 'cluster', 'nodes',
	count(DISTINCT name) || coalesce(' in snapshot ' || snapshot_id, '')
	FROM objects WHERE kind = 'Node' GROUP BY snapshot_id)
UNION ALL SELECT * FROM (SELECT 'cluster', 'kubelet ' ||
	coalesce(json_extract(body, '$.status.nodeInfo.kubeletVersion'), '?'),
	count(DISTINCT name) || CASE count(DISTINCT name) WHEN 1 THEN ' node'
	ELSE ' nodes' END FROM objects WHERE kind = 'Node'
	GROUP BY 2 ORDER BY 2);

-- What happened, in order, in the fields Timesketch imports?  message,
-- datetime (RFC 3339),
-- timestamp (microseconds), timestamp_desc (what the time is: Request
-- received, Logged, Event time, Creation time, Operation time), kind,
-- actor, verb, resource, namespace, name, code, source (the path of the
-- source, for provenance), line; then time, api_group, subresource and
-- decision, to select by as in timeline.
-- (Each time also as RFC 3339 text, UTC: datetime.)
DROP VIEW IF EXISTS timeline_timesketch;
CREATE VIEW timeline_timesketch AS
SELECT message, time_utc AS datetime, time AS timestamp,
	CASE kind WHEN 'request' THEN 'Request received'
	    WHEN 'log-denial' THEN 'Logged' WHEN 'k8s-event' THEN 'Event time'
	    WHEN 'created' THEN 'Creation time' ELSE 'Operation time' END
	    AS timestamp_desc,
	kind, actor, verb, resource, namespace, name, code,
	(SELECT path FROM sources s WHERE s.id = source_id) AS source, line,
	time, api_group, subresource, decision
FROM timeline;

-- Which audit events touched something sensitive?  Exec, attach,
-- port-forward, proxy or a token (subresources), Secrets, or the verbs
-- impersonate, escalate and bind.  One row per audit event (each stage):
-- actor (the impersonated user when there is one, else the user),
-- request ("verb resource[/subresource]"), verb, api_group, resource,
-- subresource, namespace, name, code, decision, time (as received),
-- audit_id, source_id, line, actor_id (the actor's strings(id): an
-- actor's rows are found by it through audit_events_sensitive).  The
-- report's unusual actors list what each did of these.
-- (Each time also as RFC 3339 text, UTC: time_utc.)
DROP VIEW IF EXISTS sensitive_requests;
CREATE VIEW sensitive_requests AS
SELECT (SELECT s.value FROM strings s WHERE s.id = actor_id) AS actor,
	verb || ' ' || resource || coalesce('/' || subresource, '') AS request,
	verb, api_group, resource, subresource, namespace, name, code,
	decision, received_us AS time,
	strftime('%Y-%m-%dT%H:%M:%S', (received_us - (received_us % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (received_us % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc,
	audit_id, source_id, line, actor_id
FROM audit_events
WHERE subresource IN ('exec', 'attach', 'portforward', 'proxy', 'token')
	OR resource = 'secrets'
	OR verb IN ('impersonate', 'escalate', 'bind');

-- Who acted as someone else?  One row per audit event (each stage) sent
-- with impersonation headers: impersonator (the user who sent it), actor
-- (the user impersonated), verb, api_group, resource, subresource,
-- namespace, name, code, decision, time (as received), audit_id,
-- source_id, line, impersonator_id (the impersonator's strings(id),
-- as indexed by audit_events_impersonator).  The report lists every
-- impersonator among its unusual actors.
-- (Each time also as RFC 3339 text, UTC: time_utc.)
DROP VIEW IF EXISTS impersonations;
CREATE VIEW impersonations AS
SELECT (SELECT s.value FROM strings s WHERE s.id = user_id)
	    AS impersonator,
	(SELECT s.value FROM strings s WHERE s.id = impersonated_user_id)
	    AS actor,
	verb, api_group, resource, subresource, namespace, name, code,
	decision, received_us AS time,
	strftime('%Y-%m-%dT%H:%M:%S', (received_us - (received_us % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (received_us % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc,
	audit_id, source_id, line, user_id AS impersonator_id
FROM audit_events
WHERE impersonated_user_id IS NOT NULL;
