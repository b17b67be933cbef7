-- The tables of a kubesift database, schema version 1.
-- Times are integer microseconds since 1970-01-01T00:00:00Z (UTC).
-- Lists (groups, source IPs, argv) are JSON arrays in TEXT columns.

-- Every input and every archive member: the chain of custody.
-- records = imported + duplicates + rejected holds for every row.
CREATE TABLE IF NOT EXISTS sources (
	id		INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	parent_id	INTEGER REFERENCES sources(id), -- enclosing archive
	path		TEXT NOT NULL,	-- input path; members as ARCHIVE!MEMBER
	member		TEXT,		-- name inside the parent archive
	size		INTEGER,	-- bytes (a member: decompressed bytes)
	sha256		TEXT,		-- of exactly those bytes
	mtime_us	INTEGER,	-- modification time, file system or archive
	format		TEXT NOT NULL,	-- winning sniffer, archive, unrecognised
	bid		INTEGER,	-- the winning bid (sniff.h)
	records		INTEGER NOT NULL DEFAULT 0,
	imported	INTEGER NOT NULL DEFAULT 0,
	duplicates	INTEGER NOT NULL DEFAULT 0,
	rejected	INTEGER NOT NULL DEFAULT 0,
	imported_at	INTEGER NOT NULL,
	tool_version	TEXT NOT NULL,
	argv		TEXT NOT NULL,	-- JSON array, the import command line
	complete	INTEGER NOT NULL DEFAULT 0, -- 1 once fully imported
	copy_of		INTEGER REFERENCES sources(id), -- same bytes, read first
	empty_members	INTEGER NOT NULL DEFAULT 0 -- members of no byte
);
-- copy_of: this source is a byte-identical copy, at another path, of that
-- one: an archive copy (format 'copy') is not read again, a plain file is.
-- empty_members: an archive's members that held no byte get no row each.
CREATE INDEX IF NOT EXISTS sources_parent ON sources(parent_id);
CREATE INDEX IF NOT EXISTS sources_sha256 ON sources(sha256);

-- One per kubectl dump or bundle: the objects of one moment.
CREATE TABLE IF NOT EXISTS snapshots (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	origin		TEXT NOT NULL,	-- the archive or directory it came from
	-- When the objects were read: the newest creationTimestamp or
	-- managedFields time among them; NULL when unknown.  File times
	-- are not evidence of it.
	taken_at	INTEGER,
	server_version	TEXT,		-- e.g. v1.29.3-eks-adc7111
	-- 0 while the folder it comes from is being read: an import of that
	-- folder cut short is continued in the same snapshot.
	complete	INTEGER NOT NULL DEFAULT 1,
	taken_at_source	TEXT	-- 'creationTimestamp', 'managedFields' or NULL
);

-- One row per object per snapshot.  body is the object's JSON, with the
-- values of Secret data/stringData replaced by "sha256:<hex>".
CREATE TABLE IF NOT EXISTS objects (
	id		INTEGER PRIMARY KEY,
	snapshot_id	INTEGER NOT NULL REFERENCES snapshots(id),
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	line		INTEGER,	-- where the object starts in its source
	item		INTEGER,	-- its index in a List or array
	api_group	TEXT,		-- '' for the core group
	api_version	TEXT,
	kind		TEXT,		-- inferred from the List or file name if absent
	namespace	TEXT,
	name		TEXT,
	uid		TEXT,
	resource_version TEXT,
	created_us	INTEGER,
	hash		BLOB NOT NULL,	-- SHA-256 of the stored body
	body		TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_identity
	ON objects(snapshot_id, hash);
CREATE INDEX IF NOT EXISTS objects_kind ON objects(kind, namespace, name);

-- The strings that repeat across audit events, each stored once: groups,
-- users, source IPs, user agents, the authorizer's reasons (audit_rows.*_id).
-- A few hundred values serve millions of events.  Rows are never changed
-- nor deleted, so an id, once committed, names its value for good.
CREATE TABLE IF NOT EXISTS strings (
	id		INTEGER PRIMARY KEY,
	value		TEXT NOT NULL UNIQUE
);

-- One row per audit event (per stage), as stored; the view audit_events
-- (below) reads it whole, with every value as text.  Its raw bytes are in
-- a compressed block of raw_block, at raw_off for raw_len bytes (all three
-- NULL when imported with --no-raw); ks_raw() gives them back.  The *_id
-- columns are strings(id) (NULL when the event has no such field).
CREATE TABLE IF NOT EXISTS audit_rows (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	line		INTEGER,
	-- auditID: stored as its 16 bytes when a UUID written the usual way
	-- (lowercase, with hyphens: 36 characters made 16 bytes), else as
	-- the text; given back as text by audit_events.audit_id (not a
	-- generated column here: SQLite computes those at every insert).
	-- One auditID has one audit_key, so equal keys are equal auditIDs.
	audit_key	BLOB,
	-- stage and level: stored as numbers (stage_code, level_code) when
	-- one of these values, else as the text; computed when read.
	stage		TEXT GENERATED ALWAYS AS (CASE stage_code
	    WHEN 1 THEN 'RequestReceived' WHEN 2 THEN 'ResponseStarted'
	    WHEN 3 THEN 'ResponseComplete' WHEN 4 THEN 'Panic'
	    ELSE stage_code END) VIRTUAL,
	level		TEXT GENERATED ALWAYS AS (CASE level_code
	    WHEN 1 THEN 'None' WHEN 2 THEN 'Metadata' WHEN 3 THEN 'Request'
	    WHEN 4 THEN 'RequestResponse' ELSE level_code END) VIRTUAL,
	verb		TEXT,
	user_id		INTEGER REFERENCES strings(id), -- user.username
	user_groups_id	INTEGER REFERENCES strings(id), -- JSON array
	impersonated_user_id INTEGER REFERENCES strings(id),
	impersonated_groups_id INTEGER REFERENCES strings(id), -- JSON array
	-- The actor: the identity the authorizer judged (the impersonated
	-- user when there is one).
	actor_id	INTEGER GENERATED ALWAYS AS
	    (coalesce(impersonated_user_id, user_id)) VIRTUAL,
	source_ips_id	INTEGER REFERENCES strings(id), -- JSON array
	user_agent_id	INTEGER REFERENCES strings(id),
	resource	TEXT,
	subresource	TEXT,
	api_group	TEXT,		-- '' for the core group
	api_version	TEXT,
	namespace	TEXT,
	name		TEXT,
	-- requestURI: the path the columns above make (a resource request:
	-- /api/VERSION or /apis/GROUP/VERSION, /namespaces/NAMESPACE,
	-- /RESOURCE, /NAME, /SUBRESOURCE), followed by uri_tail when that
	-- is a blob (the rest: a query, or nothing); uri_tail itself when
	-- text (any other URI).  Computed when read: stored once, shorter.
	request_uri	TEXT GENERATED ALWAYS AS (CASE typeof(uri_tail)
	    WHEN 'blob' THEN CASE WHEN api_group = '' THEN '/api/'
	    ELSE '/apis/' || api_group || '/' END || api_version
	    || coalesce('/namespaces/' || namespace, '') || '/' || resource
	    || coalesce('/' || name, '') || coalesce('/' || subresource, '')
	    || CAST(uri_tail AS TEXT) ELSE uri_tail END) VIRTUAL,
	code		INTEGER,
	-- authorization.k8s.io/decision: stored as a number (decision_code)
	-- when allow or forbid, else as the text; computed when read.
	decision	TEXT GENERATED ALWAYS AS (CASE decision_code
	    WHEN 1 THEN 'allow' WHEN 2 THEN 'forbid'
	    ELSE decision_code END) VIRTUAL,
	authz_reason_id	INTEGER REFERENCES strings(id), -- authorization.k8s.io/reason
	received_us	INTEGER,	-- requestReceivedTimestamp
	-- stageTimestamp: stored as its distance from received_us
	-- (stage_delta: a few bytes, where a time takes 8), itself when
	-- received_us is NULL; computed when read.
	stage_us	INTEGER GENERATED ALWAYS AS
	    (coalesce(received_us, 0) + stage_delta) VIRTUAL,
	partial		INTEGER NOT NULL DEFAULT 0, -- recovered from a cut record
	-- SHA-256 of the raw bytes: its first 8 bytes when they are kept
	-- (they and raw_block.digest prove the rest: kubesift verify; a
	-- duplicate is told by its bytes), else all 32.  All 32 of a kept
	-- event: ks_sha256(ks_raw(id)) in kubesift sql; export writes them.
	hash		BLOB NOT NULL,
	raw_block	INTEGER,	-- raw_block(id) holding the raw bytes
	raw_off		INTEGER,	-- where they start, uncompressed
	raw_len		INTEGER,	-- how many bytes
	-- The object sent (requestObject, compact JSON) by a create, update
	-- or patch let through, except to a subresource and of leases and
	-- events (heartbeats).
	request_object	TEXT,
	-- 1 when the user or impersonated user is system:anonymous or
	-- user.groups names system:unauthenticated, else NULL: what the
	-- index of anonymous requests (sql/011) reads.
	unauthenticated	INTEGER,
	uri_tail	BLOB,		-- see request_uri; not exported
	stage_code	BLOB,		-- see stage; not exported
	level_code	BLOB,		-- see level; not exported
	decision_code	BLOB,		-- see decision; not exported
	stage_delta	INTEGER,	-- see stage_us; not exported
	-- The response's message (responseStatus.message, or a cloud
	-- envelope's protoPayload.status.message) of a refused request
	-- (code >= 400), taken from the raw event at import: the
	-- authorizer's refusal as Kubernetes words it from the columns
	-- (audit_events.message), followed by message_tail when that is a
	-- blob (the rest, often nothing); message_tail itself when text (any
	-- other message).
	message_tail	BLOB		-- see message; not exported
);
-- Byte-identical events are duplicates: equal bytes make equal times and
-- auditIDs, so the import looks each event up by its time and auditID in
-- audit_events_timeline (sql/003-requests.sql; the stages of one request,
-- most often) and compares the hashes in the table (store-audit.c):
-- no index of its own.  An event without a time is looked up by its hash.
CREATE INDEX IF NOT EXISTS audit_events_untimed
	ON audit_rows(hash) WHERE received_us IS NULL;
-- The records a cloud cut short (partial), by auditID: few, and never set
-- aside during a large load (partial), so that the import finds those of
-- a whole record's request as it stores it (store-cut.c).
CREATE INDEX IF NOT EXISTS audit_events_cut
	ON audit_rows(audit_key, received_us) WHERE partial = 1;

-- What did each audit event say?  audit_rows with its users as text and
-- the refusal's message whole: what every view and ad-hoc query reads
-- (audit_events_text gives the other strings as text too).
DROP VIEW IF EXISTS audit_events;
CREATE VIEW audit_events AS
SELECT r.id, r.source_id, r.line,
	CASE typeof(r.audit_key) WHEN 'blob' THEN lower(hex(substr(r.audit_key,
	    1, 4)) || '-' || hex(substr(r.audit_key, 5, 2)) || '-'
	    || hex(substr(r.audit_key, 7, 2)) || '-'
	    || hex(substr(r.audit_key, 9, 2)) || '-'
	    || hex(substr(r.audit_key, 11))) ELSE r.audit_key END AS audit_id,
	r.stage, r.level, r.verb,
	(SELECT s.value FROM strings s WHERE s.id = r.user_id) AS username,
	r.user_groups_id,
	(SELECT s.value FROM strings s WHERE s.id = r.impersonated_user_id)
	    AS impersonated_user,
	r.impersonated_groups_id, r.source_ips_id, r.user_agent_id,
	r.resource, r.subresource, r.api_group, r.api_version, r.namespace,
	r.name, r.request_uri, r.code, r.decision, r.authz_reason_id,
	r.received_us, r.stage_us, r.partial, r.hash, r.raw_block, r.raw_off,
	r.raw_len,
	CASE typeof(r.message_tail)
	    WHEN 'blob' THEN r.resource || CASE WHEN r.api_group = '' THEN ''
	    ELSE '.' || r.api_group END || coalesce(' "' || r.name || '"', '')
	    || ' is forbidden: User "'
	    || (SELECT s.value FROM strings s WHERE s.id = r.actor_id)
	    || '" cannot ' || r.verb || ' resource "' || r.resource
	    || coalesce('/' || r.subresource, '') || '" in API group "'
	    || r.api_group || '"' || coalesce(' in the namespace "'
	    || r.namespace || '"', ' at the cluster scope')
	    || CAST(r.message_tail AS TEXT)
	    ELSE r.message_tail END AS message,
	r.request_object, r.unauthenticated, r.uri_tail, r.stage_code,
	r.level_code, r.decision_code, r.stage_delta, r.message_tail,
	r.audit_key, r.user_id,
	r.impersonated_user_id, r.actor_id
FROM audit_rows r;

-- The raw bytes of audit events, as read, a few hundred events per block,
-- each block compressed alone (one event's bytes come back by
-- decompressing one block).  The events of a block are consecutive rows of
-- one source; their SHA-256 begins with audit_rows.hash.  Ids are never
-- reused.
CREATE TABLE IF NOT EXISTS raw_block (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	-- 'zstd-elided': one zstd frame of its events, each stored without
	-- its auditID and times as its row gives them (where it wrote them
	-- so), which ks_raw puts back: src/store/raw-elide.h.
	codec		TEXT NOT NULL,
	first_record	INTEGER NOT NULL, -- audit_rows(id) of its first event
	n		INTEGER NOT NULL, -- events in it
	size		INTEGER NOT NULL, -- bytes once decompressed
	-- SHA-256 over the SHA-256 of each of its events, in order: kubesift
	-- verify checks it.  (Before bytes: read without walking the pages
	-- of the frame.)
	digest		BLOB NOT NULL,
	bytes		BLOB NOT NULL
);

-- What did each audit event say?  audit_events as it reads with its
-- strings as text, under their names of old (user_groups, ...): for
-- ad-hoc SQL.  Views read audit_events and look up only the strings they
-- show.  (Each time also as RFC 3339 text, UTC: *_utc.)
DROP VIEW IF EXISTS audit_events_text;
CREATE VIEW audit_events_text AS
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (received_us - (received_us % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (received_us % 1000000 + 1000000) % 1000000) || 'Z' AS received_utc,
	strftime('%Y-%m-%dT%H:%M:%S', (stage_us - (stage_us % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (stage_us % 1000000 + 1000000) % 1000000) || 'Z' AS stage_utc
FROM (
SELECT e.id, e.source_id, e.line, e.audit_id, e.stage, e.level, e.verb,
	e.username,
	(SELECT s.value FROM strings s WHERE s.id = e.user_groups_id)
	    AS user_groups,
	e.impersonated_user,
	(SELECT s.value FROM strings s WHERE s.id = e.impersonated_groups_id)
	    AS impersonated_groups,
	(SELECT s.value FROM strings s WHERE s.id = e.source_ips_id)
	    AS source_ips,
	(SELECT s.value FROM strings s WHERE s.id = e.user_agent_id)
	    AS user_agent,
	e.resource, e.subresource, e.api_group, e.api_version, e.namespace,
	e.name, e.request_uri, e.code, e.decision,
	(SELECT s.value FROM strings s WHERE s.id = e.authz_reason_id)
	    AS authz_reason,
	e.received_us, e.stage_us, e.partial, e.hash, e.raw_block, e.raw_off,
	e.raw_len, e.message, e.request_object
FROM audit_events e
);

-- The view audit_raw of older kubesift (a stand-in, not the raw bytes)
-- is gone: ks_raw(id) gives the bytes.
DROP VIEW IF EXISTS audit_raw;

-- Every record that could not be imported, and why.
CREATE TABLE IF NOT EXISTS rejects (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	line		INTEGER,
	reason		TEXT NOT NULL,
	excerpt		TEXT		-- the first bytes, escaped if not UTF-8
);
CREATE INDEX IF NOT EXISTS rejects_source ON rejects(source_id);

-- RBAC denials found in plain controller and pod logs (no audit event).
CREATE TABLE IF NOT EXISTS log_denials (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	line		INTEGER NOT NULL,
	time_us		INTEGER,	-- the log line's own time, if it has one
	username	TEXT,
	verb		TEXT,
	resource	TEXT,		-- NULL for a non-resource path
	subresource	TEXT,
	api_group	TEXT,		-- NULL when the wording does not say
	namespace	TEXT,		-- NULL at cluster scope
	name		TEXT,
	path		TEXT,		-- non-resource URL
	reason		TEXT,		-- trailing reason, if any
	form		TEXT NOT NULL,	-- rbac, path, legacy, openshift, kubelet
	repaired	INTEGER NOT NULL DEFAULT 0, -- damaged text read anyway
	hash		BLOB NOT NULL,	-- SHA-256 of the line
	text		TEXT NOT NULL	-- the line (invalid UTF-8 escaped)
);
CREATE UNIQUE INDEX IF NOT EXISTS log_denials_hash
	ON log_denials(source_id, hash, line);

-- Cloud-provider operations on the cluster (GKE cluster and node-pool
-- operations, for example), for the timeline.
CREATE TABLE IF NOT EXISTS cluster_events (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	line		INTEGER,
	time_us		INTEGER,
	provider	TEXT NOT NULL,	-- gke, eks, aks
	operation	TEXT,		-- e.g. google.container.v1.ClusterManager.CreateNodePool
	resource	TEXT,		-- e.g. projects/p/locations/l/clusters/c/nodePools/n
	actor		TEXT,
	status		TEXT,		-- the operation's result, if known
	hash		BLOB NOT NULL,
	raw		TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS cluster_events_hash ON cluster_events(hash);
