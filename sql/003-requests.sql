-- Requests and denials: the audit evidence folded to one row per request,
-- and every refused request from audit events and plain logs in one shape.

-- Indexes for the questions below (per-actor timelines).  The refused
-- requests are read from denial_audit (016-rollups.sql), the probe of
-- log_denials_only by audit_events_refusal_probe: audit_events_denied,
-- which held every column of a refused event, is gone.
DROP INDEX IF EXISTS audit_events_denied;
CREATE INDEX IF NOT EXISTS audit_events_actor_time
	ON audit_rows(actor_id, received_us);
-- (By auditID: audit_events_by_audit_id, sql/018-timeline-stream.sql.)
DROP INDEX IF EXISTS audit_events_audit_id;
-- The events in time order; the stages and copies of one request (one
-- auditID, one received time) next to each other, its final stage first
-- (partial, stage time, id, as requests chooses it; the stage time as
-- stage_delta, which orders the stages of one received time as
-- stage_us does), with what says
-- whether it was refused.  Partial (events with a time), so kept up to
-- date during a large load (store-defer.c) rather than sorted again
-- after it: in time order, a log fills it at its end.
CREATE INDEX IF NOT EXISTS audit_events_timeline
	ON audit_rows(received_us, audit_key, partial, stage_delta DESC,
	    id DESC, code, decision_code)
	WHERE received_us IS NOT NULL;
-- It also finds the final stages of a request (auditID and time), for
-- request_outcomes and the import; audit_events_by_audit_id (018) those
-- of events without a time.  audit_events_final, which held them once
-- more, is gone.
DROP INDEX IF EXISTS audit_events_final;

-- Which request is this?  One row per request: the stages of one auditID
-- folded (first and last stage times, the final stage and its code).  The
-- actor is the identity the authorizer judged: the impersonated user when
-- there is one, the authenticated user otherwise; the impersonator is kept.
DROP VIEW IF EXISTS requests;
CREATE VIEW requests AS
-- (Each time also as RFC 3339 text, UTC: time_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (time - (time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (time % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc
FROM (
WITH staged AS (
	SELECT e.*,
	    row_number() OVER w_last AS rn,
	    count(*) OVER w_all AS stages,
	    min(stage_us) OVER w_all AS first_stage_us,
	    max(stage_us) OVER w_all AS last_stage_us,
	    min(received_us) OVER w_all AS first_received_us,
	    max(CASE WHEN code = 403 OR decision = 'forbid' THEN 1 ELSE 0 END)
	        OVER w_all AS refused
	FROM audit_events e
	WINDOW w_all AS (PARTITION BY coalesce(audit_id, 'row:' || id)),
	       -- The final stage; a whole record before one cut short.
	       w_last AS (PARTITION BY coalesce(audit_id, 'row:' || id)
	                  ORDER BY partial, stage_us DESC, id DESC)
)
SELECT
	audit_id,
	coalesce(impersonated_user, username) AS actor,
	CASE WHEN impersonated_user IS NOT NULL THEN username END AS impersonator,
	(SELECT s.value FROM strings s WHERE s.id = CASE WHEN
	    impersonated_user IS NOT NULL THEN impersonated_groups_id
	    ELSE user_groups_id END) AS groups,
	verb, api_group, api_version, resource, subresource, namespace, name,
	request_uri,
	CASE WHEN resource IS NULL THEN request_uri END AS path,
	first_received_us AS time,
	first_stage_us, last_stage_us,
	stage AS final_stage,
	code, decision,
	(SELECT s.value FROM strings s WHERE s.id = authz_reason_id)
	    AS authz_reason,
	(SELECT s.value FROM strings s WHERE s.id = user_agent_id)
	    AS user_agent,
	(SELECT s.value FROM strings s WHERE s.id = source_ips_id)
	    AS source_ips,
	stages, refused, partial,
	source_id, line, id AS event_id
FROM staged
WHERE rn = 1
);

-- Which refusals are known only from plain logs?  The RBAC denials of
-- log_denials that no audit event holds: a line that matches an audit
-- denial of the same actor, verb and resource within five seconds (or at
-- any time, when the line has no time) is the same refusal seen twice;
-- lines about the same object within the same second are one refusal (a
-- controller logs the error, then the retry notice).  The log rows of
-- denials and request_outcomes.
DROP VIEW IF EXISTS log_denials_only;
CREATE VIEW log_denials_only AS
-- (Each time also as RFC 3339 text, UTC: time_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (time - (time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (time % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc
FROM (
SELECT username AS actor, verb, api_group, resource, subresource,
	namespace, name, min(time_us) AS time, min(source_id) AS source_id,
	min(line) AS line, path, max(reason) AS reason
FROM log_denials l
-- (Two probes of audit_events_refusal_probe, sql/016-rollups.sql: by
-- actor, verb, resource and time; without a time, any time.)
WHERE NOT EXISTS (
	SELECT 1 FROM audit_rows a
	WHERE a.actor_id = (SELECT s.id FROM strings s
	        WHERE s.value = l.username)
	    AND a.verb = l.verb AND a.resource IS l.resource
	    AND (a.code = 403 OR a.decision = 'forbid')
	    AND a.received_us BETWEEN l.time_us - 5000000
	        AND l.time_us + 5000000)
    AND NOT (l.time_us IS NULL AND EXISTS (
	SELECT 1 FROM audit_rows a
	WHERE a.actor_id = (SELECT s.id FROM strings s
	        WHERE s.value = l.username)
	    AND a.verb = l.verb AND a.resource IS l.resource
	    AND (a.code = 403 OR a.decision = 'forbid')))
GROUP BY username, verb, api_group, resource, subresource, namespace, name,
	path, coalesce(time_us / 1000000, -line)
);

-- Who was refused what, and when?  Every refused request (code 403 or
-- decision "forbid"), once per request, from audit events (origin 'audit')
-- and from RBAC denials in plain logs (origin 'log').  A log line that
-- matches an audit denial of the same actor, verb and resource within five
-- seconds (or at any time, when the line has no time) is the same refusal
-- seen twice and appears once, from the audit event; log lines about the
-- same object within the same second are one refusal; log_denials keeps
-- every line.  namespace is NULL at cluster scope; path is set for
-- non-resource requests.
--
-- decision is the authorizer's: 'forbid', or 'allow' when the authorizer
-- allowed the request and something after it refused it (admission:
-- PodSecurity, a validating webhook, a quota).  refused_by says which:
-- 'authorizer', 'admission' or 'log' (an RBAC denial in a plain log).  An
-- audit event without the decision annotation is taken as the
-- authorizer's refusal.  message is the response's message for admission
-- refusals (taken from the raw event at import, kept with --no-raw).
DROP VIEW IF EXISTS denials;
CREATE VIEW denials AS
-- (Each time also as RFC 3339 text, UTC: time_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (time - (time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (time % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc
FROM (
-- (The audit rows are kept at import: denial_audit, 016-rollups.sql.)
SELECT actor, groups, verb, api_group, resource, subresource, namespace,
	name, time, source_id, line, 'audit' AS origin, audit_id, impersonator,
	path, code, reason, user_agent, decision, refused_by, message
FROM denial_audit
UNION ALL
SELECT actor, NULL, verb, api_group, resource, subresource, namespace,
	name, time, source_id, line, 'log', NULL, NULL, path, 403, reason,
	NULL, 'forbid', 'log', NULL
FROM log_denials_only
);

-- What was asked, and was it refused?  The requests kubesift counts: one
-- row per request, by the first stored final stage of its auditID and
-- time (ResponseComplete or Panic; an event without a stage is its own
-- request), a whole record before one a cloud cut short, so that a
-- request still open when the log ends is in the timeline but not
-- counted, and the same request read from two copies of the log (a cloud
-- export beside the file, say) counts once; a record cut short counts
-- only when no whole final stage of its auditID is stored (the cut often
-- takes requestReceivedTimestamp away: its time is then its envelope's),
-- and then only the first in time of its auditID's cut final stages;
-- and one row per refusal found only in a plain log (as in denials).  refused is 1 for code 403 or an authorizer's "forbid";
-- decision is the authorizer's (as in denials).  time is NULL for requests
-- without one (admission webhook logs).  actors, summary and timeline
-- --bucket count these (the request_minute rollup counts the same).
DROP VIEW IF EXISTS request_outcomes;
CREATE VIEW request_outcomes AS
-- (Each time also as RFC 3339 text, UTC: time_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (time - (time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (time % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc
FROM (
SELECT (SELECT s.value FROM strings s WHERE s.id = e.actor_id) AS actor,
	verb, api_group, resource, subresource, namespace,
	received_us AS time,
	(coalesce(code = 403, 0) OR coalesce(decision = 'forbid', 0))
	    AS refused,
	CASE WHEN decision IN ('allow', 'forbid') THEN decision
	     WHEN code = 403 THEN 'forbid' ELSE 'allow' END AS decision,
	'audit' AS origin
FROM audit_rows e
WHERE coalesce(stage, 'ResponseComplete') IN ('ResponseComplete', 'Panic')
    -- (Two probes: with a time, in time order; without, by auditID.)
    AND NOT EXISTS (SELECT 1 FROM audit_rows d
	INDEXED BY audit_events_timeline
	WHERE d.received_us = e.received_us AND d.audit_key = e.audit_key
	    AND (d.partial, d.id) < (e.partial, e.id)
	    AND coalesce(d.stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic'))
    AND (e.received_us IS NOT NULL OR NOT EXISTS (SELECT 1
	FROM audit_rows d
	WHERE d.received_us IS NULL AND d.audit_key = e.audit_key
	    AND (d.partial, d.id) < (e.partial, e.id)
	    AND coalesce(d.stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic')))
    -- (By audit_events_by_audit_id, set aside during a large load: not
    -- named, so that the view still reads then.)
    AND NOT (e.partial AND EXISTS (SELECT 1 FROM audit_rows w
	WHERE w.audit_key = e.audit_key AND NOT w.partial
	    AND coalesce(w.stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic')))
    -- Cut copies alone: the first in time (a time before none) of its
    -- auditID's counts, the first stored of one time (above).
    AND NOT (e.partial AND EXISTS (SELECT 1 FROM audit_rows c
	INDEXED BY audit_events_cut
	WHERE c.partial = 1 AND c.audit_key = e.audit_key
	    AND (c.received_us < e.received_us OR (e.received_us IS NULL
		AND c.received_us IS NOT NULL))
	    AND coalesce(c.stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic')))
UNION ALL
SELECT actor, verb, api_group, resource, subresource, namespace, time, 1,
	'forbid', 'log'
FROM log_denials_only
);

-- Which counted requests have no time?  The rows of request_outcomes from
-- audit events without requestReceivedTimestamp (admission webhook logs),
-- which the per-minute rollup cannot hold.
DROP VIEW IF EXISTS untimed_requests;
CREATE VIEW untimed_requests AS
SELECT (SELECT s.value FROM strings s WHERE s.id = e.actor_id) AS actor,
	verb, api_group, resource, subresource, namespace,
	(coalesce(code = 403, 0) OR coalesce(decision = 'forbid', 0))
	    AS refused,
	CASE WHEN decision IN ('allow', 'forbid') THEN decision
	     WHEN code = 403 THEN 'forbid' ELSE 'allow' END AS decision
FROM audit_rows e
WHERE received_us IS NULL
    AND coalesce(stage, 'ResponseComplete') IN ('ResponseComplete', 'Panic')
    AND NOT EXISTS (SELECT 1 FROM audit_rows d
	WHERE d.received_us IS NULL AND d.audit_key = e.audit_key
	    AND (d.partial, d.id) < (e.partial, e.id)
	    AND coalesce(d.stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic'))
    -- (By audit_events_by_audit_id, set aside during a large load: not
    -- named, so that the view still reads then.)
    AND NOT (e.partial AND EXISTS (SELECT 1 FROM audit_rows w
	WHERE w.audit_key = e.audit_key AND NOT w.partial
	    AND coalesce(w.stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic')))
    -- (A cut copy with a time before it: as request_outcomes.)
    AND NOT (e.partial AND EXISTS (SELECT 1 FROM audit_rows c
	INDEXED BY audit_events_cut
	WHERE c.partial = 1 AND c.audit_key = e.audit_key
	    AND c.received_us IS NOT NULL
	    AND coalesce(c.stage, 'ResponseComplete') IN ('ResponseComplete',
		'Panic')));
