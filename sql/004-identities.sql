-- Identities: who each actor is.  The classes are data, not code: add a row
-- to identity_classes (a GLOB pattern, a class, a priority; the lowest
-- priority that matches wins) to class a new identity.

CREATE TABLE IF NOT EXISTS identity_classes (
	pattern		TEXT NOT NULL PRIMARY KEY,	-- GLOB over the actor
	class		TEXT NOT NULL,
	priority	INTEGER NOT NULL,
	note		TEXT
);
INSERT OR IGNORE INTO identity_classes VALUES
	('system:anonymous', 'anonymous', 10, 'unauthenticated requests'),
	('system:unauthenticated', 'anonymous', 10,
	    'their group, where a log names it as the user'),
	('system:node:*', 'node', 20, 'kubelets (Node authorizer)'),
	('system:kube-controller-manager', 'control-plane', 30, NULL),
	('system:kube-scheduler', 'control-plane', 30, NULL),
	('system:apiserver', 'control-plane', 30, NULL),
	('system:kube-proxy', 'control-plane', 30, NULL),
	('kube-apiserver*', 'control-plane', 30, 'apiserver client certificates'),
	('system:volume-scheduler', 'control-plane', 30, NULL),
	('system:serviceaccount:kube-system:*-controller', 'controller', 40,
	    'kube-controller-manager with --use-service-account-credentials'),
	('system:serviceaccount:kube-system:*-controller-manager', 'controller', 40, NULL),
	('system:serviceaccount:kube-system:*-provisioner', 'controller', 40, NULL),
	('system:serviceaccount:kube-system:*-attacher', 'controller', 40, NULL),
	('system:serviceaccount:kube-system:generic-garbage-collector', 'controller', 40, NULL),
	('eks:*', 'cloud-provider', 50, 'Amazon EKS managed components'),
	('aks*', 'cloud-provider', 50, 'Azure AKS managed components'),
	('masterclient', 'cloud-provider', 50, 'AKS control plane client'),
	('system:serviceaccount:kube-system:aks*', 'cloud-provider', 50, NULL),
	('*@container-engine-robot.iam.gserviceaccount.com', 'cloud-provider', 50,
	    'GKE service agent'),
	('*@gcp-sa-*.iam.gserviceaccount.com', 'cloud-provider', 50, 'GCP service agents'),
	('system:gke-*', 'cloud-provider', 50, NULL),
	('system:clustermanager', 'cloud-provider', 50, 'GKE'),
	('system:serviceaccount:*', 'service-account', 60, NULL),
	('system:*', 'control-plane', 70, 'other system: identities'),
	('*', 'human', 100, 'everything else: users, IAM roles, certificates');

-- Who is each actor, and what did they do?  Every actor seen in audit
-- events or log denials, classed, with request and denial counts and the
-- first and last time seen.
DROP VIEW IF EXISTS identities;
CREATE VIEW identities AS
-- (Each time also as RFC 3339 text, UTC: first_seen_utc, last_seen_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (first_seen - (first_seen % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (first_seen % 1000000 + 1000000) % 1000000) || 'Z' AS first_seen_utc,
	strftime('%Y-%m-%dT%H:%M:%S', (last_seen - (last_seen % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (last_seen % 1000000 + 1000000) % 1000000) || 'Z' AS last_seen_utc
FROM (
WITH seen AS (
	-- (The requests counted at import: request_total, 016-rollups.sql.)
	SELECT actor, sum(allowed + denied) AS requests, sum(denied) AS denials,
	    min(first_us) AS first_seen, max(last_us) AS last_seen
	FROM request_total JOIN rollup_groups ON id = gid
	WHERE actor IS NOT NULL GROUP BY actor
	UNION ALL
	SELECT actor, count(*), count(*), min(time), max(time)
	FROM log_denials_only WHERE actor IS NOT NULL GROUP BY actor
	UNION ALL
	-- Requests without a time (admission webhook logs) are in no minute.
	SELECT actor, count(*), sum(refused), NULL, NULL
	FROM untimed_requests WHERE actor IS NOT NULL GROUP BY actor
)
SELECT actor,
    (SELECT class FROM identity_classes WHERE actor GLOB pattern
     ORDER BY priority LIMIT 1) AS class,
    sum(requests) AS requests, sum(denials) AS denials,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM seen
GROUP BY actor
);

-- What did each identity do, hour by hour?  actor x verb x api_group x
-- resource x hour (hour = the start of the hour, in microseconds), with the
-- requests allowed and denied in it.
DROP VIEW IF EXISTS activity;
CREATE VIEW activity AS
-- (Each time also as RFC 3339 text, UTC: hour_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (hour - (hour % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (hour % 1000000 + 1000000) % 1000000) || 'Z' AS hour_utc
FROM (
SELECT actor, verb, api_group, resource,
    minute / 3600000000 * 3600000000 AS hour,
    sum(allowed) AS allowed, sum(denied) AS denied
-- (Counted at import: request_minute, 016-rollups.sql.)
FROM request_minute JOIN rollup_groups ON id = gid
GROUP BY 1, 2, 3, 4, 5
);
