-- One stream of everything that happened, in time order.

-- What happened, in order?  Requests (stages folded), RBAC denials from
-- plain logs, Kubernetes Event objects, object creations from the
-- snapshots, and cloud operations on the cluster, each with a one-line
-- message.  kind is request, log-denial, k8s-event, created or cluster.
-- decision is the authorizer's (allow or forbid, as in denials) for
-- requests and log denials, NULL for the rest and for a request whose
-- outcome the evidence does not hold.
-- Which resource is a kind?  Each kind with its API group and plural
-- resource: the built-in ones of resource_kinds and the snapshots' CRDs.
-- The timeline names a created object or an Event's object by it, so that
-- --resource finds them as it finds requests.
DROP VIEW IF EXISTS kind_resources;
CREATE VIEW kind_resources AS
SELECT kind, api_group, resource FROM resource_kinds
UNION
SELECT json_extract(body, '$.spec.names.kind'),
    json_extract(body, '$.spec.group'),
    lower(json_extract(body, '$.spec.names.plural'))
FROM objects
WHERE kind = 'CustomResourceDefinition'
    AND json_type(body, '$.spec.names.kind') = 'text'
    AND json_type(body, '$.spec.group') = 'text'
    AND json_type(body, '$.spec.names.plural') = 'text';

-- The timeline's rows other than requests (log denials, Events,
-- creations, cluster operations), with the columns of timeline but
-- time_utc.
DROP VIEW IF EXISTS timeline_other;
CREATE VIEW timeline_other(time, kind, actor, verb, api_group, resource,
    subresource, namespace, name, code, message, source_id, line, decision) AS
SELECT time_us, 'log-denial', username, verb, api_group, resource,
    subresource, namespace, name, 403,
    'denied in a log: ' || coalesce(username, '?') || ' cannot ' ||
        coalesce(verb, '?') || ' ' ||
        coalesce(resource || coalesce('.' || nullif(api_group, ''), '') ||
            coalesce('/' || subresource, ''), path, '?') ||
        coalesce(' -n ' || namespace, ''),
    source_id, line, 'forbid'
FROM log_denials
UNION ALL
SELECT (CAST(strftime('%s', t) AS INTEGER) * 1000000 +
        CASE WHEN substr(t, 20, 1) = '.'
            THEN CAST(substr(rtrim(substr(t, 21), 'Z') || '000000', 1, 6)
                AS INTEGER) ELSE 0 END),
    'k8s-event', source_comp, NULL, obj_group,
    coalesce((SELECT resource FROM kind_resources k WHERE k.kind = obj_kind
        AND k.api_group IS obj_group), (SELECT min(resource) FROM
        kind_resources k WHERE k.kind = obj_kind), lower(obj_kind)), NULL, obj_ns, obj_name,
    NULL,
    coalesce(ev_type, 'Event') || ' ' || coalesce(reason, '') || ' ' ||
        coalesce(obj_kind, '') || ' ' || coalesce(obj_ns || '/', '') ||
        coalesce(obj_name, '') || ': ' || coalesce(msg, ''),
    source_id, line, NULL
FROM (SELECT coalesce(json_extract(body, '$.lastTimestamp'),
            json_extract(body, '$.eventTime'),
            json_extract(body, '$.firstTimestamp'),
            json_extract(body, '$.metadata.creationTimestamp')) AS t,
        json_extract(body, '$.source.component') AS source_comp,
        json_extract(body, '$.involvedObject.kind') AS obj_kind,
        CASE WHEN instr(json_extract(body, '$.involvedObject.apiVersion'),
            '/') THEN substr(json_extract(body,
            '$.involvedObject.apiVersion'), 1, instr(json_extract(body,
            '$.involvedObject.apiVersion'), '/') - 1)
            WHEN json_extract(body, '$.involvedObject.apiVersion')
            IS NOT NULL THEN '' END AS obj_group,
        json_extract(body, '$.involvedObject.namespace') AS obj_ns,
        json_extract(body, '$.involvedObject.name') AS obj_name,
        json_extract(body, '$.type') AS ev_type,
        json_extract(body, '$.reason') AS reason,
        json_extract(body, '$.message') AS msg,
        source_id, line
    FROM objects WHERE kind = 'Event' AND json_valid(body))
WHERE t IS NOT NULL
UNION ALL
SELECT * FROM (
SELECT created_us, 'created', NULL, 'create', api_group,
    coalesce((SELECT resource FROM kind_resources k WHERE k.kind = o.kind
        AND k.api_group IS o.api_group), (SELECT min(resource) FROM
        kind_resources k WHERE k.kind = o.kind), lower(kind)),
    NULL, namespace, name, NULL,
    kind || ' ' || coalesce(namespace || '/', '') || name || ' created',
    min(source_id), min(line), NULL
FROM objects o
WHERE created_us IS NOT NULL AND kind IS NOT NULL AND kind != 'Event'
GROUP BY kind, namespace, name, created_us
)
UNION ALL
SELECT time_us, 'cluster', actor, operation, NULL, resource, NULL, NULL,
    NULL, NULL,
    provider || ': ' || coalesce(operation, '?') || ' ' ||
        coalesce(resource, '') || coalesce(' by ' || actor, '') ||
        coalesce(' (' || status || ')', ''),
    source_id, line, NULL
FROM cluster_events
;

DROP VIEW IF EXISTS timeline;
CREATE VIEW timeline AS
-- (Each time also as RFC 3339 text, UTC: time_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (time - (time % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (time % 1000000 + 1000000) % 1000000) || 'Z' AS time_utc
FROM (
SELECT time, 'request' AS kind, actor, verb, api_group, resource,
    subresource, namespace, name, code,
    coalesce(actor, '?') || ' ' || coalesce(verb, '?') || ' ' ||
        coalesce(resource || CASE WHEN coalesce(api_group, '') != ''
            THEN '.' || api_group ELSE '' END ||
            coalesce('/' || subresource, '') ||
            coalesce(' ' || name, '') ||
            coalesce(' -n ' || namespace, ''), path, '') ||
        coalesce(' -> ' || code, '') ||
        CASE WHEN refused THEN ' (denied)' ELSE '' END ||
        coalesce(' (impersonated by ' || impersonator || ')', '')
        AS message,
    source_id, line,
    CASE WHEN decision IN ('allow', 'forbid') THEN decision
         WHEN refused THEN 'forbid' WHEN code IS NOT NULL THEN 'allow' END
        AS decision
FROM requests
UNION ALL
SELECT * FROM timeline_other
);
