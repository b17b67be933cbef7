-- Rollups kept at import, so that a question costs what its answer holds,
-- not what the evidence holds (store/rollup.h maintains them; a new
-- database, or one made by an older kubesift, is filled here once).
--
-- The rollups count per group: one actor, verb, api_group, resource,
-- subresource, namespace and decision, a row of rollup_groups named by
-- its id (gid).  A NULL column is a value of its own there (compared with
-- IS), as in the evidence: namespace NULL is cluster scope.

CREATE TABLE IF NOT EXISTS rollup_groups (
	id		INTEGER PRIMARY KEY,
	actor		TEXT,
	verb		TEXT,
	api_group	TEXT,
	resource	TEXT,
	subresource	TEXT,
	namespace	TEXT,
	decision	TEXT NOT NULL	-- allow or forbid, as in request_outcomes
);
-- A group by its columns (one row each: the import looks it up before it
-- adds one), and an actor's groups.
CREATE INDEX IF NOT EXISTS rollup_groups_columns
	ON rollup_groups(actor, verb, api_group, resource, subresource,
	    namespace, decision);

-- The requests of request_outcomes from audit events, counted per minute
-- and group (decision: the authorizer's), as the events are imported: a
-- request once, by its final stage.
CREATE TABLE IF NOT EXISTS request_minute (
	minute		INTEGER NOT NULL,	-- start of the minute, microseconds
	gid		INTEGER NOT NULL,	-- rollup_groups(id)
	allowed		INTEGER NOT NULL,
	denied		INTEGER NOT NULL,
	first_us	INTEGER NOT NULL,
	last_us		INTEGER NOT NULL,
	PRIMARY KEY (minute, gid)
) WITHOUT ROWID;
-- One group's minutes (the index holds gid and minute).
CREATE INDEX IF NOT EXISTS request_minute_group ON request_minute(gid);

-- The same, over all time: one row per group.
CREATE TABLE IF NOT EXISTS request_total (
	gid		INTEGER PRIMARY KEY,	-- rollup_groups(id)
	allowed		INTEGER NOT NULL,
	denied		INTEGER NOT NULL,
	first_us	INTEGER NOT NULL,
	last_us		INTEGER NOT NULL
);

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

-- The same per actor and decision: what actors and summary count when no
-- filter names a column but the actor and the decision.  A NULL actor is
-- one of its own (the import looks a row up with IS before it adds one).
CREATE TABLE IF NOT EXISTS request_actor (
	actor		TEXT,
	decision	TEXT NOT NULL,
	allowed		INTEGER NOT NULL,
	denied		INTEGER NOT NULL,
	first_us	INTEGER NOT NULL,
	last_us		INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS request_actor_key
	ON request_actor(actor, decision);

-- The refused requests of audit events, one per request (its auditID; an
-- event without one is a request of its own), named by the id of its
-- last stored whole refused event (its last cut one when it has no whole
-- one: a cut copy's message may be lost), whose other columns the
-- denials view reads (denial_audit, below).  gid: its group, whose
-- decision is the request's (allow when an event of it says allow and
-- none forbid: refused by admission), as in denials.  audit_key,
-- groups_id and reason_id are event id's columns (audit_rows), copied so
-- that remediate reads the refusals alone, not every page of the events
-- (schema version 12).
CREATE TABLE IF NOT EXISTS denial_requests (
	id		INTEGER PRIMARY KEY,	-- audit_events(id)
	gid		INTEGER NOT NULL,	-- rollup_groups(id)
	time		INTEGER,	-- its first refused event's time
	code		INTEGER,	-- the greatest code of its refused events
	audit_key	BLOB,		-- audit_rows(audit_key) of id
	groups_id	INTEGER,	-- strings(id): its groups (JSON array),
					-- the impersonated's when impersonated
	reason_id	INTEGER		-- strings(id): its authorization reason
);
CREATE INDEX IF NOT EXISTS denial_requests_group
	ON denial_requests(gid, time);
CREATE INDEX IF NOT EXISTS denial_requests_time ON denial_requests(time);

-- denial_requests counted per minute (those with a time) and group, with
-- what `denied` shows of them: the first and last time, the least
-- auditID, source and line, the greatest message.
CREATE TABLE IF NOT EXISTS denial_minute (
	minute		INTEGER NOT NULL,
	gid		INTEGER NOT NULL,	-- rollup_groups(id)
	n		INTEGER NOT NULL,
	first_us	INTEGER,
	last_us		INTEGER,
	audit_id	TEXT,
	source_id	INTEGER,
	line		INTEGER,
	message		TEXT,
	PRIMARY KEY (minute, gid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS denial_minute_group ON denial_minute(gid);

-- The same per group over all time, with the denials without a time.
CREATE TABLE IF NOT EXISTS denial_total (
	gid		INTEGER PRIMARY KEY,	-- rollup_groups(id)
	n		INTEGER NOT NULL,
	first_us	INTEGER,
	last_us		INTEGER,
	audit_id	TEXT,
	source_id	INTEGER,
	line		INTEGER,
	message		TEXT
);

-- The audit rows of denials (see there): each refused request with its
-- group's columns and, from its representative event, the others.
DROP VIEW IF EXISTS denial_audit;
CREATE VIEW denial_audit AS
SELECT g.actor, (SELECT value FROM strings WHERE id = CASE
	WHEN e.impersonated_user_id IS NOT NULL THEN e.impersonated_groups_id
	ELSE e.user_groups_id END) AS groups,
    g.verb, g.api_group, g.resource, g.subresource, g.namespace, e.name,
    r.time, e.source_id, e.line, e.audit_id,
    CASE WHEN e.impersonated_user_id IS NOT NULL THEN e.username END
	AS impersonator,
    CASE WHEN g.resource IS NULL THEN e.request_uri END AS path,
    r.code, (SELECT value FROM strings WHERE id = e.authz_reason_id)
	AS reason,
    (SELECT value FROM strings WHERE id = e.user_agent_id) AS user_agent,
    g.decision,
    CASE g.decision WHEN 'allow' THEN 'admission' ELSE 'authorizer' END
	AS refused_by,
    -- The admission refusal's text, taken from the raw event at import.
    CASE g.decision WHEN 'allow' THEN e.message END AS message,
    r.id AS event_id, r.gid
FROM denial_requests r
JOIN rollup_groups g ON g.id = r.gid
JOIN audit_events e ON e.id = r.id;

-- request_minute with its groups' columns: what activity_minute held
-- (a table before), with the decision (a row per decision), for SQL
-- written against it and for export.
DROP VIEW IF EXISTS activity_minute;
CREATE VIEW activity_minute AS
SELECT actor, verb, api_group, resource, subresource, namespace, decision,
    minute, allowed, denied, first_us, last_us
FROM request_minute JOIN rollup_groups ON id = gid;

-- An actor's class (identity_classes, sql/004-identities.sql: the lowest
-- priority that matches), looked up per actor by actors, identities and
-- the detections: the patterns read in priority order, the first that
-- matches taken, without a sort.
CREATE INDEX IF NOT EXISTS identity_classes_priority
	ON identity_classes(priority, class, pattern);

-- How far the denial rollups go: every audit event of id <= upto is in.
-- (detections*: what detections_saved holds the detections view's rows of;
-- detections.classes is identity_classes as text.)
CREATE TABLE IF NOT EXISTS rollup_marks (
	name		TEXT PRIMARY KEY,
	upto		INTEGER NOT NULL
);

-- The rows of the detections view (sql/011-detections.sql), in its order,
-- saved at the end of each import and upgrade (store/rollup.h), with
-- marks in rollup_marks ('detections*': the last id of each table the
-- view reads that an import adds to): kubesift detect reads them, not
-- the view (whose preparation alone costs more than its answer), while
-- the marks are those of the database.  Whatever opens the database for
-- writing installs this file, and so forgets them until the import's
-- end: a cut import leaves no stale rows, only none.
-- The columns have no type, so that each value is kept as the view gave
-- it.
CREATE TABLE IF NOT EXISTS detections_saved (
	rule, severity, actor, first_seen, last_seen, count, namespace,
	object, verb, api_group, resource, subresource, audit_ids, summary,
	first_seen_utc, last_seen_utc
);
DELETE FROM rollup_marks WHERE name GLOB 'detections*';
DELETE FROM detections_saved;

-- A refused request's refused events, by its auditID: what the denial
-- fold reads (partial, so kept up to date during a large load, when the
-- other indexes of audit_events are set aside).
CREATE INDEX IF NOT EXISTS audit_events_refused
	ON audit_rows(audit_key) WHERE code = 403 OR decision = 'forbid';

-- The probe of log_denials_only: one actor's refusals of one verb and
-- resource, in time order.
CREATE INDEX IF NOT EXISTS audit_events_refusal_probe
	ON audit_rows(actor_id, verb, resource, received_us)
	WHERE code = 403 OR decision = 'forbid';

-- The few events the report looks up per actor: who impersonated
-- (impersonations) and what touched something sensitive
-- (sensitive_requests, whose condition this index repeats).
CREATE INDEX IF NOT EXISTS audit_events_impersonator
	ON audit_rows(user_id) WHERE impersonated_user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_events_sensitive
	ON audit_rows(actor_id, verb, resource, subresource)
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
CREATE TEMP TABLE IF NOT EXISTS rollup_counted AS
SELECT actor, verb, api_group, resource, subresource, namespace, decision,
    time, refused FROM request_outcomes WHERE 0;
DELETE FROM rollup_counted;
-- (The gate, a row only without the mark, is the outer loop: with the
-- mark, nothing is read.)
INSERT INTO rollup_counted
SELECT o.* FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM rollup_marks
	WHERE name = 'requests')) gate
CROSS JOIN (SELECT actor, verb, api_group, resource, subresource,
	namespace, decision, time, refused
    FROM request_outcomes WHERE origin = 'audit' AND time IS NOT NULL) o;
-- new: the refused events stored since the mark, read once; pick: the
-- requests they touch, each by its representative (id: its last stored
-- whole refused event, or its last cut one when it has no whole one),
-- with old, the one it was folded under before (its row in
-- denial_requests), if any; fresh: pick with the representative's
-- columns; dirty: the groups and minutes that an old request was or is
-- in, recomputed.  The others' new requests are added to their minute
-- and group.
CREATE TEMP TABLE IF NOT EXISTS rollup_new (id INTEGER PRIMARY KEY,
    akey BLOB, audit_id TEXT, time INTEGER, code INTEGER, decision TEXT,
    actor TEXT, verb TEXT, api_group TEXT, resource TEXT, subresource TEXT,
    namespace TEXT, source_id INTEGER, line INTEGER, message TEXT,
    partial INTEGER);
CREATE TEMP TABLE IF NOT EXISTS rollup_pick (id INTEGER PRIMARY KEY,
    old INTEGER, time INTEGER, code INTEGER, decision TEXT);
CREATE TEMP TABLE IF NOT EXISTS rollup_fresh (id INTEGER PRIMARY KEY,
    old INTEGER, gid INTEGER, time INTEGER, code INTEGER, minute INTEGER,
    actor TEXT, verb TEXT, api_group TEXT, resource TEXT, subresource TEXT,
    namespace TEXT, decision TEXT, audit_id TEXT, source_id INTEGER,
    line INTEGER, message TEXT);
CREATE TEMP TABLE IF NOT EXISTS rollup_dirty (gid INTEGER, minute INTEGER);
DELETE FROM rollup_new;
DELETE FROM rollup_pick;
DELETE FROM rollup_fresh;
DELETE FROM rollup_dirty;
-- A refused event's columns as rollup_new holds them.  (NOT INDEXED: the
-- new events by id, not an index's every entry.  akey: the auditID's key,
-- audit_rows.audit_key.)
CREATE TEMP VIEW IF NOT EXISTS rollup_refused AS
SELECT id, coalesce(audit_key, 'row:' || id) AS akey,
    ks_audit_text(audit_key) AS audit_id, received_us AS time, code,
    decision, (SELECT s.value FROM strings s WHERE s.id = r.actor_id)
	AS actor,
    verb, api_group, resource, subresource, namespace, source_id, line,
    NULL AS message, partial
FROM audit_rows r NOT INDEXED;
INSERT INTO rollup_new
SELECT * FROM rollup_refused
WHERE id > coalesce((SELECT upto FROM rollup_marks WHERE name = 'denials'),
	0)
    AND (code = 403 OR decision = 'forbid');
-- Each request from all its refused events: the new ones, and those
-- folded before (found by auditID; an event without one is a request of
-- its own; old: the one of them denial_requests holds).  Its
-- representative: a whole record before one a cloud cut short (whose
-- message and later fields are lost), then the last (the bit 62 above
-- the id says whole), whatever the order the copies were read in.
INSERT INTO rollup_pick
SELECT max(((NOT partial) << 62) | id) & 4611686018427387903,
    max(old), min(time), max(code),
    CASE WHEN coalesce(max(decision = 'allow'), 0)
	AND NOT coalesce(max(decision = 'forbid'), 0)
	THEN 'allow' ELSE 'forbid' END
FROM (SELECT akey, id, NULL AS old, time, code, decision, partial
    FROM rollup_new
    UNION ALL
    SELECT x.audit_key, x.id, (SELECT d.id FROM denial_requests d
	WHERE d.id = x.id), x.received_us, x.code, x.decision, x.partial
    FROM (SELECT DISTINCT akey FROM rollup_new
	WHERE audit_id IS NOT NULL) t
    JOIN audit_rows x INDEXED BY audit_events_refused
	ON x.audit_key = t.akey
    WHERE x.id <= coalesce((SELECT upto FROM rollup_marks
	    WHERE name = 'denials'), 0)
	AND (x.code = 403 OR x.decision = 'forbid'))
GROUP BY akey;
-- (A representative folded before, whole where the new are cut: its
-- columns too; CROSS JOIN: each picked id looked up, not every event
-- up to the mark scanned.)
INSERT INTO rollup_new
SELECT v.* FROM rollup_pick p CROSS JOIN rollup_refused v ON v.id = p.id
WHERE p.id <= coalesce((SELECT upto FROM rollup_marks
	WHERE name = 'denials'), 0);
INSERT INTO rollup_fresh
SELECT q.id, q.old, NULL, q.time, q.code,
    (q.time / 60000000 - (q.time < 0 AND q.time % 60000000 != 0)) *
	60000000,
    n.actor, n.verb, n.api_group, n.resource, n.subresource, n.namespace,
    q.decision, n.audit_id, n.source_id, n.line,
    CASE q.decision WHEN 'allow' THEN (SELECT m.message FROM audit_events m
	WHERE m.id = q.id) END
FROM rollup_pick q
JOIN rollup_new n ON n.id = q.id;
-- The groups of the requests counted here (rollup_counted) and of the
-- refused requests (rollup_fresh): each row of either with its group's
-- id, kept by row (rollup_gids; looked up once: NULL for a group
-- rollup_groups lacks), then the new groups added and their rows' ids
-- looked up.
CREATE TEMP VIEW IF NOT EXISTS rollup_keyed AS
SELECT 'c' AS src, rowid AS r, actor, verb, api_group, resource,
    subresource, namespace, decision FROM rollup_counted
UNION ALL
SELECT 'f', id, actor, verb, api_group, resource, subresource, namespace,
    decision FROM rollup_fresh;
CREATE TEMP VIEW IF NOT EXISTS rollup_key_ids AS
SELECT k.*, (SELECT g.id FROM rollup_groups g WHERE g.actor IS k.actor
	AND g.verb IS k.verb AND g.api_group IS k.api_group
	AND g.resource IS k.resource AND g.subresource IS k.subresource
	AND g.namespace IS k.namespace AND g.decision = k.decision) AS gid
FROM rollup_keyed k;
CREATE TEMP TABLE IF NOT EXISTS rollup_gids (src TEXT, r INTEGER,
    gid INTEGER, PRIMARY KEY (src, r)) WITHOUT ROWID;
DELETE FROM rollup_gids;
INSERT INTO rollup_gids SELECT src, r, gid FROM rollup_key_ids;
INSERT INTO rollup_groups(actor, verb, api_group, resource, subresource,
    namespace, decision)
SELECT DISTINCT actor, verb, api_group, resource, subresource, namespace,
    decision
FROM rollup_keyed k
WHERE EXISTS (SELECT 1 FROM rollup_gids i WHERE i.src = k.src
    AND i.r = k.r AND i.gid IS NULL);
UPDATE rollup_gids SET gid = (SELECT g.id FROM rollup_counted k
    JOIN rollup_groups g ON g.actor IS k.actor AND g.verb IS k.verb
	AND g.api_group IS k.api_group AND g.resource IS k.resource
	AND g.subresource IS k.subresource AND g.namespace IS k.namespace
	AND g.decision = k.decision
    WHERE k.rowid = rollup_gids.r)
WHERE src = 'c' AND gid IS NULL;
UPDATE rollup_gids SET gid = (SELECT g.id FROM rollup_fresh k
    JOIN rollup_groups g ON g.actor IS k.actor AND g.verb IS k.verb
	AND g.api_group IS k.api_group AND g.resource IS k.resource
	AND g.subresource IS k.subresource AND g.namespace IS k.namespace
	AND g.decision = k.decision
    WHERE k.id = rollup_gids.r)
WHERE src = 'f' AND gid IS NULL;

-- The requests counted here, per minute and group.
INSERT INTO request_minute
SELECT (time / 60000000 - (time < 0 AND time % 60000000 != 0)) * 60000000
	AS minute, i.gid, sum(NOT refused), sum(refused), min(time),
	max(time)
FROM rollup_counted c JOIN rollup_gids i ON i.src = 'c' AND i.r = c.rowid
GROUP BY 1, 2;
DELETE FROM rollup_counted;
INSERT INTO request_total
SELECT gid, sum(allowed), sum(denied), min(first_us), max(last_us)
FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM rollup_marks
	WHERE name = 'requests')) gate
CROSS JOIN request_minute
GROUP BY gid;
INSERT INTO request_minute_all
SELECT minute, decision, sum(allowed), sum(denied), min(first_us),
    max(last_us)
FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM rollup_marks
	WHERE name = 'requests')) gate
CROSS JOIN request_minute JOIN rollup_groups ON id = gid
GROUP BY minute, decision;
INSERT OR IGNORE INTO rollup_marks VALUES ('requests', 0);
-- (request_actor from request_total, once: a database made before it.)
INSERT INTO request_actor
SELECT actor, decision, sum(allowed), sum(denied), min(first_us),
    max(last_us)
FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM rollup_marks
	WHERE name = 'actors')) gate
CROSS JOIN request_total JOIN rollup_groups ON id = gid
GROUP BY actor, decision;
INSERT OR IGNORE INTO rollup_marks VALUES ('actors', 0);

UPDATE rollup_fresh SET gid = (SELECT i.gid FROM rollup_gids i
    WHERE i.src = 'f' AND i.r = rollup_fresh.id);
INSERT INTO rollup_dirty
SELECT gid, (time / 60000000 - (time < 0 AND time % 60000000 != 0)) *
    60000000
FROM denial_requests
WHERE id IN (SELECT old FROM rollup_fresh WHERE old IS NOT NULL);
DELETE FROM denial_requests
WHERE id IN (SELECT old FROM rollup_fresh WHERE old IS NOT NULL);
INSERT INTO denial_requests
SELECT f.id, f.gid, f.time, f.code, e.audit_key,
    CASE WHEN e.impersonated_user_id IS NOT NULL
	THEN e.impersonated_groups_id ELSE e.user_groups_id END,
    e.authz_reason_id
FROM rollup_fresh f LEFT JOIN audit_rows e ON e.id = f.id;
INSERT INTO rollup_dirty
SELECT gid, minute FROM rollup_fresh WHERE old IS NOT NULL;

-- New requests in clean minutes and groups: added.
INSERT INTO denial_minute
SELECT minute, gid, count(*), min(time), max(time), min(audit_id),
    min(source_id), min(line), max(message)
FROM rollup_fresh f
WHERE minute IS NOT NULL AND old IS NULL
    AND NOT EXISTS (SELECT 1 FROM rollup_dirty d
	WHERE d.gid = f.gid AND d.minute = f.minute)
GROUP BY minute, gid
ON CONFLICT (minute, gid) DO UPDATE SET n = n + excluded.n,
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
SELECT gid, count(*), min(time), max(time), min(audit_id), min(source_id),
    min(line), max(message)
FROM rollup_fresh
WHERE old IS NULL AND gid NOT IN (SELECT gid FROM rollup_dirty)
GROUP BY gid
ON CONFLICT (gid) DO UPDATE SET n = n + excluded.n,
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
DELETE FROM denial_minute
WHERE (minute, gid) IN (SELECT minute, gid FROM rollup_dirty);
INSERT INTO denial_minute
SELECT d.minute, d.gid, count(*), min(r.time), max(r.time),
    min(r.audit_id), min(r.source_id), min(r.line), max(r.message)
FROM (SELECT DISTINCT gid, minute FROM rollup_dirty
    WHERE minute IS NOT NULL) d
JOIN denial_audit r ON r.gid = d.gid AND r.time >= d.minute
    AND r.time < d.minute + 60000000
GROUP BY d.minute, d.gid;
DELETE FROM denial_total WHERE gid IN (SELECT gid FROM rollup_dirty);
INSERT INTO denial_total
SELECT gid, sum(n), min(first_us), max(last_us), min(audit_id),
    min(source_id), min(line), max(message)
FROM (SELECT gid, n, first_us, last_us, audit_id, source_id, line, message
    FROM denial_minute WHERE gid IN (SELECT gid FROM rollup_dirty)
    UNION ALL
    SELECT gid, 1, time, time, audit_id, source_id, line, message
    FROM denial_audit
    WHERE gid IN (SELECT gid FROM rollup_dirty) AND time IS NULL)
GROUP BY gid;
INSERT OR REPLACE INTO rollup_marks
SELECT 'denials', coalesce(max(id), 0) FROM audit_rows;
