-- Rollups kept at import, so that a question costs what its answer holds,
-- not what the evidence holds (store/rollup.h maintains them; a new
-- database, or one made by an older kubesift, is filled here once).
--
-- A key joins the columns it stands for, separated by char(31), a NULL
-- written as char(1) (so that NULL and '' stay apart).

-- The requests of request_outcomes from audit events, counted per minute
-- and per the authorizer's decision, like activity_minute: a request
-- once, by its final stage.  key: actor, verb, api_group, resource,
-- subresource, namespace, decision.
CREATE TABLE IF NOT EXISTS request_minute (
	minute		INTEGER NOT NULL,	-- start of the minute, microseconds
	key		TEXT NOT NULL,
	actor		TEXT,
	verb		TEXT,
	api_group	TEXT,
	resource	TEXT,
	subresource	TEXT,
	namespace	TEXT,
	decision	TEXT NOT NULL,	-- allow or forbid, as in request_outcomes
	allowed		INTEGER NOT NULL,
	denied		INTEGER NOT NULL,
	first_us	INTEGER NOT NULL,
	last_us		INTEGER NOT NULL,
	PRIMARY KEY (minute, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS request_minute_actor
	ON request_minute(actor, minute);

-- The same, over all time: one row per key.
CREATE TABLE IF NOT EXISTS request_total (
	key		TEXT PRIMARY KEY,
	actor		TEXT,
	verb		TEXT,
	api_group	TEXT,
	resource	TEXT,
	subresource	TEXT,
	namespace	TEXT,
	decision	TEXT NOT NULL,
	allowed		INTEGER NOT NULL,
	denied		INTEGER NOT NULL,
	first_us	INTEGER NOT NULL,
	last_us		INTEGER NOT NULL
) WITHOUT ROWID;

-- The same per minute and decision only: what timeline --bucket counts
-- when no filter names a column.
CREATE TABLE IF NOT EXISTS request_minute_all (
	minute		INTEGER NOT NULL,
	decision	TEXT NOT NULL,
	allowed		INTEGER NOT NULL,
	denied		INTEGER NOT NULL,
	first_us	INTEGER NOT NULL,
	last_us		INTEGER NOT NULL,
	PRIMARY KEY (minute, decision)
) WITHOUT ROWID;

-- The refused requests of audit events: the audit rows of the denials
-- view (see there), one per request (akey: its auditID, or 'row:' and the
-- event's id when it has none).  gkey: actor, verb, api_group, resource,
-- subresource, namespace, refused_by; minute: the minute of time.
CREATE TABLE IF NOT EXISTS denial_requests (
	akey		TEXT NOT NULL,
	gkey		TEXT NOT NULL,
	minute		INTEGER,
	actor		TEXT,
	groups		TEXT,
	verb		TEXT,
	api_group	TEXT,
	resource	TEXT,
	subresource	TEXT,
	namespace	TEXT,
	name		TEXT,
	time		INTEGER,
	source_id	INTEGER,
	line		INTEGER,
	audit_id	TEXT,
	impersonator	TEXT,
	path		TEXT,
	code		INTEGER,
	reason		TEXT,
	user_agent	TEXT,
	decision	TEXT NOT NULL,
	refused_by	TEXT NOT NULL,
	last_id		INTEGER NOT NULL,	-- its last stored refused event
	message		TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS denial_requests_akey
	ON denial_requests(akey);
CREATE INDEX IF NOT EXISTS denial_requests_group
	ON denial_requests(gkey, minute);
CREATE INDEX IF NOT EXISTS denial_requests_time ON denial_requests(time);
-- One group's denials by its columns (remediate replays each group's).
CREATE INDEX IF NOT EXISTS denial_requests_columns
	ON denial_requests(actor, verb, api_group, resource, subresource,
	    namespace);

-- denial_requests counted per group (gkey) and minute (those with a
-- time), with what `denied` shows of them: the first and last time, the
-- least auditID, source and line, the greatest message.
CREATE TABLE IF NOT EXISTS denial_minute (
	minute		INTEGER NOT NULL,
	gkey		TEXT NOT NULL,
	actor		TEXT,
	verb		TEXT,
	api_group	TEXT,
	resource	TEXT,
	subresource	TEXT,
	namespace	TEXT,
	refused_by	TEXT NOT NULL,
	n		INTEGER NOT NULL,
	first_us	INTEGER,
	last_us		INTEGER,
	audit_id	TEXT,
	source_id	INTEGER,
	line		INTEGER,
	message		TEXT,
	PRIMARY KEY (minute, gkey)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS denial_minute_group ON denial_minute(gkey);

-- The same per group over all time, with the denials without a time.
CREATE TABLE IF NOT EXISTS denial_total (
	gkey		TEXT PRIMARY KEY,
	actor		TEXT,
	verb		TEXT,
	api_group	TEXT,
	resource	TEXT,
	subresource	TEXT,
	namespace	TEXT,
	refused_by	TEXT NOT NULL,
	n		INTEGER NOT NULL,
	first_us	INTEGER,
	last_us		INTEGER,
	audit_id	TEXT,
	source_id	INTEGER,
	line		INTEGER,
	message		TEXT
) WITHOUT ROWID;

-- How far the denial rollups go: every audit event of id <= upto is in.
CREATE TABLE IF NOT EXISTS rollup_marks (
	name		TEXT PRIMARY KEY,
	upto		INTEGER NOT NULL
);

-- The probe of log_denials_only: one actor's refusals of one verb and
-- resource, in time order.
CREATE INDEX IF NOT EXISTS audit_events_refusal_probe
	ON audit_events(coalesce(impersonated_user, username), verb,
	    resource, received_us)
	WHERE code = 403 OR decision = 'forbid';

-- The few events the report looks up per actor: who impersonated
-- (impersonations) and what touched something sensitive
-- (sensitive_requests, whose condition this index repeats).
CREATE INDEX IF NOT EXISTS audit_events_impersonator
	ON audit_events(username) WHERE impersonated_user IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_events_sensitive
	ON audit_events(coalesce(impersonated_user, username), verb, resource,
	    subresource)
	WHERE subresource IN ('exec', 'attach', 'portforward', 'proxy', 'token')
	OR resource = 'secrets'
	OR verb IN ('impersonate', 'escalate', 'bind');

-- Bringing the rollups up to date.  This runs when a database is opened
-- for writing and at each flush of an import (store/rollup.c): the
-- requests are counted by the import itself (a new database, or one made
-- by an older kubesift, is counted here once); the denials of the events
-- stored since rollup_marks' 'denials' mark are folded in here: each
-- request they touch is recomputed from all its refused events, then the
-- groups and minutes it was and is in.
INSERT INTO request_minute
SELECT minute, coalesce(actor, char(1)) || char(31) || coalesce(verb,
	char(1)) || char(31) || coalesce(api_group, char(1)) || char(31) ||
	coalesce(resource, char(1)) || char(31) || coalesce(subresource,
	char(1)) || char(31) || coalesce(namespace, char(1)) || char(31) ||
	decision AS key,
    actor, verb, api_group, resource, subresource, namespace, decision,
    sum(NOT refused), sum(refused), min(time), max(time)
FROM (SELECT actor, verb, api_group, resource, subresource, namespace,
	time, refused, decision,
	(time / 60000000 - (time < 0 AND time % 60000000 != 0)) * 60000000
	    AS minute
    FROM request_outcomes
    WHERE origin = 'audit' AND time IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM rollup_marks WHERE name = 'requests'))
GROUP BY minute, key;
INSERT INTO request_total
SELECT key, actor, verb, api_group, resource, subresource, namespace,
    decision, sum(allowed), sum(denied), min(first_us), max(last_us)
FROM request_minute
WHERE NOT EXISTS (SELECT 1 FROM rollup_marks WHERE name = 'requests')
GROUP BY key;
INSERT INTO request_minute_all
SELECT minute, decision, sum(allowed), sum(denied), min(first_us),
    max(last_us)
FROM request_minute
WHERE NOT EXISTS (SELECT 1 FROM rollup_marks WHERE name = 'requests')
GROUP BY minute, decision;
INSERT OR IGNORE INTO rollup_marks VALUES ('requests', 0);

-- touched: the requests of the new refused events (old: folded before);
-- fresh: their rows as they are now; dirty: the groups and minutes that
-- an old request was or is in, recomputed.  The others' new requests are
-- added to their minute and group.
CREATE TEMP TABLE IF NOT EXISTS rollup_touched (akey TEXT PRIMARY KEY,
    old INTEGER);
CREATE TEMP TABLE IF NOT EXISTS rollup_dirty (gkey TEXT, minute INTEGER);
CREATE TEMP TABLE IF NOT EXISTS rollup_fresh AS
SELECT * FROM denial_requests WHERE 0;
DELETE FROM rollup_touched;
DELETE FROM rollup_dirty;
DELETE FROM rollup_fresh;
INSERT OR IGNORE INTO rollup_touched
SELECT coalesce(audit_id, 'row:' || id), 0 FROM audit_events
WHERE id > coalesce((SELECT upto FROM rollup_marks WHERE name = 'denials'),
	0)
    AND (code = 403 OR decision = 'forbid');
UPDATE rollup_touched SET old = 1 WHERE EXISTS (SELECT 1
    FROM denial_requests d WHERE d.akey = rollup_touched.akey);
INSERT INTO rollup_dirty
SELECT gkey, minute FROM denial_requests
WHERE akey IN (SELECT akey FROM rollup_touched WHERE old);
DELETE FROM denial_requests
WHERE akey IN (SELECT akey FROM rollup_touched WHERE old);
-- The columns of each request come from its last stored refused event.
INSERT INTO rollup_fresh
SELECT akey,
    coalesce(actor, char(1)) || char(31) || coalesce(verb, char(1)) ||
	char(31) || coalesce(api_group, char(1)) || char(31) ||
	coalesce(resource, char(1)) || char(31) || coalesce(subresource,
	char(1)) || char(31) || coalesce(namespace, char(1)) || char(31) ||
	refused_by,
    (time / 60000000 - (time < 0 AND time % 60000000 != 0)) * 60000000,
    actor, groups, verb, api_group, resource, subresource, namespace, name,
    time, source_id, line, audit_id, impersonator, path, code, reason,
    user_agent, decision, refused_by, last_id,
    -- The admission refusal's text, taken from the raw event at import.
    CASE decision WHEN 'allow' THEN (SELECT r.message FROM audit_events r
	WHERE r.id = last_id) END
FROM (SELECT g.akey, coalesce(e.impersonated_user, e.username) AS actor,
	(SELECT value FROM strings WHERE id = CASE WHEN e.impersonated_user
	    IS NOT NULL THEN e.impersonated_groups_id ELSE e.user_groups_id
	    END) AS groups,
	e.verb, e.api_group, e.resource, e.subresource, e.namespace, e.name,
	g.time, e.source_id, e.line, e.audit_id,
	CASE WHEN e.impersonated_user IS NOT NULL THEN e.username END
	    AS impersonator,
	CASE WHEN e.resource IS NULL THEN e.request_uri END AS path,
	g.code,
	(SELECT value FROM strings WHERE id = e.authz_reason_id) AS reason,
	(SELECT value FROM strings WHERE id = e.user_agent_id) AS user_agent,
	g.decision,
	CASE g.decision WHEN 'allow' THEN 'admission' ELSE 'authorizer' END
	    AS refused_by,
	g.last_id
    FROM (SELECT coalesce(audit_id, 'row:' || id) AS akey,
	    min(received_us) AS time, max(code) AS code,
	    CASE WHEN coalesce(max(decision = 'allow'), 0)
		AND NOT coalesce(max(decision = 'forbid'), 0)
		THEN 'allow' ELSE 'forbid' END AS decision,
	    max(id) AS last_id
	FROM audit_events
	WHERE (code = 403 OR decision = 'forbid')
	    AND (audit_id IN (SELECT akey FROM rollup_touched)
		OR (audit_id IS NULL AND id IN (SELECT CAST(substr(akey, 5)
		    AS INTEGER) FROM rollup_touched WHERE akey GLOB 'row:*')))
	GROUP BY 1) g
    JOIN audit_events e ON e.id = g.last_id);
INSERT INTO denial_requests SELECT * FROM rollup_fresh;
INSERT INTO rollup_dirty
SELECT gkey, minute FROM rollup_fresh
WHERE akey IN (SELECT akey FROM rollup_touched WHERE old);

-- New requests in clean minutes and groups: added.
INSERT INTO denial_minute
SELECT minute, gkey, actor, verb, api_group, resource, subresource,
    namespace, refused_by, count(*), min(time), max(time), min(audit_id),
    min(source_id), min(line), max(message)
FROM rollup_fresh f
WHERE minute IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM rollup_dirty d
	WHERE d.gkey = f.gkey AND d.minute = f.minute)
    AND akey IN (SELECT akey FROM rollup_touched WHERE NOT old)
GROUP BY minute, gkey
ON CONFLICT (minute, gkey) DO UPDATE SET n = n + excluded.n,
    first_us = min(first_us, excluded.first_us),
    last_us = max(last_us, excluded.last_us),
    audit_id = coalesce(min(audit_id, excluded.audit_id), audit_id,
	excluded.audit_id),
    source_id = coalesce(min(source_id, excluded.source_id), source_id,
	excluded.source_id),
    line = coalesce(min(line, excluded.line), line, excluded.line),
    message = coalesce(max(message, excluded.message), message,
	excluded.message);
INSERT INTO denial_total
SELECT gkey, actor, verb, api_group, resource, subresource, namespace,
    refused_by, count(*), min(time), max(time), min(audit_id),
    min(source_id), min(line), max(message)
FROM rollup_fresh
WHERE gkey NOT IN (SELECT gkey FROM rollup_dirty)
    AND akey IN (SELECT akey FROM rollup_touched WHERE NOT old)
GROUP BY gkey
ON CONFLICT (gkey) DO UPDATE SET n = n + excluded.n,
    first_us = coalesce(min(first_us, excluded.first_us), first_us,
	excluded.first_us),
    last_us = coalesce(max(last_us, excluded.last_us), last_us,
	excluded.last_us),
    audit_id = coalesce(min(audit_id, excluded.audit_id), audit_id,
	excluded.audit_id),
    source_id = coalesce(min(source_id, excluded.source_id), source_id,
	excluded.source_id),
    line = coalesce(min(line, excluded.line), line, excluded.line),
    message = coalesce(max(message, excluded.message), message,
	excluded.message);

-- Dirty minutes and groups: recomputed from denial_requests.
DELETE FROM denial_minute WHERE EXISTS (SELECT 1 FROM rollup_dirty d
    WHERE d.gkey = denial_minute.gkey AND d.minute = denial_minute.minute);
INSERT INTO denial_minute
SELECT r.minute, r.gkey, actor, verb, api_group, resource, subresource,
    namespace, refused_by, count(*), min(time), max(time), min(audit_id),
    min(source_id), min(line), max(message)
FROM (SELECT DISTINCT gkey, minute FROM rollup_dirty
    WHERE minute IS NOT NULL) d
JOIN denial_requests r ON r.gkey = d.gkey AND r.minute = d.minute
GROUP BY r.minute, r.gkey;
DELETE FROM denial_total WHERE gkey IN (SELECT gkey FROM rollup_dirty);
INSERT INTO denial_total
SELECT gkey, actor, verb, api_group, resource, subresource, namespace,
    refused_by, sum(n), min(first_us), max(last_us), min(audit_id),
    min(source_id), min(line), max(message)
FROM (SELECT gkey, actor, verb, api_group, resource, subresource,
	namespace, refused_by, n, first_us, last_us, audit_id, source_id,
	line, message
    FROM denial_minute WHERE gkey IN (SELECT gkey FROM rollup_dirty)
    UNION ALL
    SELECT gkey, actor, verb, api_group, resource, subresource, namespace,
	refused_by, 1, time, time, audit_id, source_id, line, message
    FROM denial_requests
    WHERE gkey IN (SELECT gkey FROM rollup_dirty) AND minute IS NULL)
GROUP BY gkey;
INSERT OR REPLACE INTO rollup_marks
SELECT 'denials', coalesce(max(id), 0) FROM audit_events;
