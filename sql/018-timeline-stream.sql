-- The timeline's requests in time order, folded without a lookup per
-- request into an index on auditID (auditIDs are random: each lookup
-- would read a page of its own).

-- (The events in time order: audit_events_timeline, 003-requests.sql,
-- whose request_outcomes reads it first.)

-- The events of an auditID (the few that timeline_split names, and
-- ad-hoc questions).  It replaces audit_events_stages, which held the
-- columns of a fold by auditID for every request.
DROP INDEX IF EXISTS audit_events_stages;
CREATE INDEX IF NOT EXISTS audit_events_by_audit_id
	ON audit_rows(audit_key, received_us);

-- The auditIDs whose events are not all at one received time (some at
-- another time, or without one): an auditID reused, or a request's
-- stages with different requestReceivedTimestamps.  timeline_requests
-- folds these by auditID, the others by auditID and time.  Kept by the
-- import (a superset: an auditID named here folds the same either way;
-- src/store/store-split.c).  A database from before it (schema version 6)
-- is not upgraded but imported again (it kept its strings inline).
CREATE TABLE IF NOT EXISTS timeline_split (
	audit_key	BLOB PRIMARY KEY	-- audit_rows.audit_key
) WITHOUT ROWID;

-- The timeline's requests, one row per request as in timeline, in time
-- order without a sort: the first row of each auditID and received time
-- in audit_events_timeline is the request's final stage, its refusal
-- read beside it; an auditID of timeline_split is folded whole (its row
-- at its first time).  Columns as timeline's but time_utc, then the
-- parts of message: path (of a request for no resource), impersonator
-- and refused (1 when a stage was refused), and fid: the event read
-- first (its row is the request's when no other is, and an event of its
-- request).  Asked for some fid only (fid IN ...), it reads those events
-- by id and sorts them (timeline --actor, --decision forbid: the events
-- the answer can come from, store/filter.h); else the events through
-- audit_events_timeline, which gives them in time order.
DROP VIEW IF EXISTS timeline_requests;
CREATE VIEW timeline_requests AS
SELECT time, 'request' AS kind,
    coalesce(e.impersonated_user, e.username) AS actor, e.verb, e.api_group,
    e.resource, e.subresource, e.namespace, e.name, e.code,
    coalesce(coalesce(e.impersonated_user, e.username), '?') || ' ' ||
        coalesce(e.verb, '?') || ' ' ||
        coalesce(e.resource || CASE WHEN coalesce(e.api_group, '') != ''
            THEN '.' || e.api_group ELSE '' END ||
            coalesce('/' || e.subresource, '') ||
            coalesce(' ' || e.name, '') ||
            coalesce(' -n ' || e.namespace, ''),
            CASE WHEN e.resource IS NULL THEN e.request_uri END, '') ||
        coalesce(' -> ' || e.code, '') ||
        CASE WHEN refused THEN ' (denied)' ELSE '' END ||
        coalesce(' (impersonated by ' || CASE WHEN e.impersonated_user IS
            NOT NULL THEN e.username END || ')', '')
        AS message,
    e.source_id, e.line,
    CASE WHEN e.decision IN ('allow', 'forbid') THEN e.decision
         WHEN refused THEN 'forbid' WHEN e.code IS NOT NULL THEN 'allow' END
        AS decision,
    CASE WHEN e.resource IS NULL THEN e.request_uri END AS path,
    CASE WHEN e.impersonated_user IS NOT NULL THEN e.username END
        AS impersonator,
    refused, fid
FROM (
-- (decision_code 2 is decision 'forbid', sql/001-schema.sql: read from
-- audit_events_timeline, which holds the code, not the generated text.)
SELECT f.id AS fid, f.received_us AS time, CASE
    WHEN f.code = 403 OR f.decision_code = 2 THEN 1
    WHEN f.audit_key IS NULL THEN 0
    WHEN s.audit_key IS NULL THEN EXISTS (SELECT 1 FROM audit_rows x
        INDEXED BY audit_events_timeline WHERE x.received_us = f.received_us
        AND x.audit_key = f.audit_key
        AND (x.code = 403 OR x.decision_code = 2))
    ELSE EXISTS (SELECT 1 FROM audit_rows x
        INDEXED BY audit_events_by_audit_id WHERE x.audit_key = f.audit_key
        AND (x.code = 403 OR x.decision = 'forbid')) END AS refused,
    CASE WHEN s.audit_key IS NULL THEN f.id ELSE (
        SELECT l.id FROM audit_rows l
        INDEXED BY audit_events_by_audit_id WHERE l.audit_key = f.audit_key
        ORDER BY l.partial, l.stage_us DESC, l.id DESC LIMIT 1) END AS eid
FROM audit_rows f
LEFT JOIN timeline_split s ON s.audit_key = f.audit_key
WHERE f.received_us IS NOT NULL AND (f.audit_key IS NULL OR (
    f.id = (SELECT l.id FROM audit_rows l
        INDEXED BY audit_events_timeline
        WHERE l.received_us = f.received_us AND l.audit_key = f.audit_key
        ORDER BY l.partial, l.stage_delta DESC, l.id DESC LIMIT 1)
    AND (s.audit_key IS NULL OR NOT EXISTS (SELECT 1 FROM audit_rows p
        INDEXED BY audit_events_by_audit_id WHERE p.audit_key = f.audit_key
        AND p.received_us < f.received_us))))
) JOIN audit_events e ON e.id = eid;
