-- The stages of each request by auditID, with what folding them reads
-- (timeline_requests, 006): the final stage first when read backwards
-- (partial, stage time, id), the first event (received time, id) and a
-- refusal (code, decision).
CREATE INDEX IF NOT EXISTS audit_events_stages
	ON audit_events(audit_id, partial DESC, stage_us, id, received_us,
	    code, decision);

-- The timeline's requests, one row per request as in timeline, in time
-- order without a sort: the first event of each auditID (the least
-- received time, then id) read through audit_events_dedup, its final
-- stage and refusal found through audit_events_stages.  Columns
-- as timeline's but time_utc.
DROP VIEW IF EXISTS timeline_requests;
CREATE VIEW timeline_requests AS
SELECT f.received_us AS time, 'request' AS kind,
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
        CASE WHEN (CASE WHEN f.audit_id IS NULL
            THEN f.code = 403 OR f.decision = 'forbid'
            ELSE EXISTS (SELECT 1 FROM audit_events x
                INDEXED BY audit_events_stages WHERE x.audit_id = f.audit_id
                AND (x.code = 403 OR x.decision = 'forbid')) END)
            THEN ' (denied)' ELSE '' END ||
        coalesce(' (impersonated by ' || CASE WHEN e.impersonated_user IS
            NOT NULL THEN e.username END || ')', '')
        AS message,
    e.source_id, e.line,
    CASE WHEN e.decision IN ('allow', 'forbid') THEN e.decision
         WHEN (CASE WHEN f.audit_id IS NULL
            THEN f.code = 403 OR f.decision = 'forbid'
            ELSE EXISTS (SELECT 1 FROM audit_events x
                INDEXED BY audit_events_stages WHERE x.audit_id = f.audit_id
                AND (x.code = 403 OR x.decision = 'forbid')) END)
            THEN 'forbid' WHEN e.code IS NOT NULL THEN 'allow' END
        AS decision
FROM audit_events f INDEXED BY audit_events_dedup
JOIN audit_events e ON e.id = CASE WHEN f.audit_id IS NULL THEN f.id ELSE (
    SELECT l.id FROM audit_events l INDEXED BY audit_events_stages
    WHERE l.audit_id = f.audit_id
    ORDER BY l.partial, l.stage_us DESC, l.id DESC LIMIT 1) END
WHERE f.received_us IS NOT NULL AND (f.audit_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM audit_events p INDEXED BY audit_events_stages
        WHERE p.audit_id = f.audit_id
        AND (p.received_us, p.id) < (f.received_us, f.id)));
