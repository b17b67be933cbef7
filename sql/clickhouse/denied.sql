-- Who was refused what?  `kubesift denied` in ClickHouse SQL (18.16 and
-- later), on the tables of `kubesift export --ddl clickhouse` loaded with
-- the files of `kubesift export` (JSONEachRow).  The same rows as
-- `kubesift denied -o json`, in the same order, from the same rules as the
-- denials view (sql/003-requests.sql):
--
-- - an audit request is refused when one of its stages has code 403 or
--   decision "forbid"; its stages (one auditID) are one refusal;
-- - a plain-log denial (log_denials) that an audit refusal of the same
--   actor, verb and resource within five seconds (at any time, when the
--   line has no time) also holds is the same refusal and is not counted
--   again; lines about the same object within the same second are one;
-- - message is the response's message of admission refusals, read from
--   the raw event (empty when imported with --no-raw).
--
-- ClickHouse has no correlated subqueries: the NOT EXISTS of the view is
-- a join.  Times are microseconds since 1970, printed as RFC 3339, UTC.
-- Run with --output_format_json_quote_64bit_integers=0 for numbers as
-- JSON numbers.
SELECT
	actor, verb, api_group, resource, subresource, namespace,
	count() AS count,
	formatDateTime(toDateTime(intDiv(min(time), 1000000), 'UTC'),
	    '%Y-%m-%dT%H:%M:%S', 'UTC') || '.' ||
	    substring(toString(1000000 + min(time) % 1000000), 2) || 'Z'
	    AS first_seen,
	formatDateTime(toDateTime(intDiv(max(time), 1000000), 'UTC'),
	    '%Y-%m-%dT%H:%M:%S', 'UTC') || '.' ||
	    substring(toString(1000000 + max(time) % 1000000), 2) || 'Z'
	    AS last_seen,
	ifNull(min(audit_id),
	    toString(min(source_id)) || ':' || toString(min(line))) AS example,
	refused_by,
	max(message) AS message
FROM (
	-- Refused requests in audit events, one row per request.
	SELECT r_actor AS actor, r_verb AS verb, r_api_group AS api_group,
	    r_resource AS resource, r_subresource AS subresource,
	    r_namespace AS namespace, r_time AS time, r_source_id AS source_id,
	    r_line AS line, r_audit_id AS audit_id,
	    if(r_decision = 'allow', 'admission', 'authorizer') AS refused_by,
	    if(r_decision = 'allow', ifNull(
		if(match(raw, '"responseStatus":\\{(?:[^{}]|\\{[^{}]*\\})*?"message":'),
		    visitParamExtractString(extract(raw,
		    '"responseStatus":\\{(?:[^{}]|\\{[^{}]*\\})*?("message":"(?:[^"\\\\]|\\\\.)*")'),
		    'message'), NULL),
		if(match(raw, '"status":\\{(?:[^{}]|\\{[^{}]*\\})*?"message":'),
		    visitParamExtractString(extract(raw,
		    '"status":\\{(?:[^{}]|\\{[^{}]*\\})*?("message":"(?:[^"\\\\]|\\\\.)*")'),
		    'message'), NULL)),
		CAST(NULL AS Nullable(String))) AS message
	FROM (
		SELECT
		    any(ifNull(impersonated_user, username)) AS r_actor,
		    any(verb) AS r_verb, any(api_group) AS r_api_group,
		    any(resource) AS r_resource,
		    any(subresource) AS r_subresource,
		    any(namespace) AS r_namespace,
		    min(received_us) AS r_time,
		    any(source_id) AS r_source_id, any(line) AS r_line,
		    any(audit_id) AS r_audit_id,
		    if(ifNull(max(decision = 'allow'), 0)
			AND NOT ifNull(max(decision = 'forbid'), 0),
			'allow', 'forbid') AS r_decision,
		    max(id) AS last_id
		FROM audit_events
		WHERE code = 403 OR decision = 'forbid'
		GROUP BY ifNull(audit_id, 'row:' || toString(id))
	) ANY LEFT JOIN (
		-- (id was Nullable in the DDL of older kubesift.)
		SELECT assumeNotNull(id) AS last_id, raw FROM audit_raw
		WHERE id IS NOT NULL
	) USING last_id
	UNION ALL
	-- RBAC denials in plain logs that no audit refusal holds.
	SELECT username AS actor, verb, api_group, resource, subresource,
	    namespace, min(time_us) AS time, min(source_id) AS l_source_id,
	    min(line) AS l_line, CAST(NULL AS Nullable(String)) AS audit_id,
	    'log' AS refused_by, CAST(NULL AS Nullable(String)) AS message
	FROM log_denials
	WHERE id NOT IN (
		SELECT id FROM (
			SELECT id, time_us, assumeNotNull(username) AS k_actor,
			    assumeNotNull(verb) AS k_verb,
			    ifNull(resource, '\0') AS k_resource
			FROM log_denials
			WHERE username IS NOT NULL AND verb IS NOT NULL
		) ALL INNER JOIN (
			SELECT assumeNotNull(ifNull(impersonated_user,
				username)) AS k_actor,
			    assumeNotNull(verb) AS k_verb,
			    ifNull(resource, '\0') AS k_resource, received_us
			FROM audit_events
			WHERE (code = 403 OR decision = 'forbid')
			    AND ifNull(impersonated_user, username) IS NOT NULL
			    AND verb IS NOT NULL
		) USING (k_actor, k_verb, k_resource)
		WHERE time_us IS NULL
		    OR (received_us >= time_us - 5000000
			AND received_us <= time_us + 5000000)
	)
	GROUP BY username, verb, api_group, resource, subresource, namespace,
	    name, path, ifNull(intDiv(time_us, 1000000), -line)
)
GROUP BY actor, verb, api_group, resource, subresource, namespace,
    refused_by
ORDER BY count DESC, actor NULLS FIRST, verb NULLS FIRST,
    resource NULLS FIRST, namespace NULLS FIRST, refused_by NULLS FIRST
