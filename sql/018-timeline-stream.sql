-- The stages of each request by auditID, with what folding them reads
-- (timeline_requests, 006): the first event (received time, hash), the
-- final stage (partial, stage time) and a refusal (code, decision).
CREATE INDEX IF NOT EXISTS audit_events_stages
	ON audit_events(audit_id, received_us, hash, partial, stage_us, code,
	    decision);
