-- Known problems, as data: a denial that matches a row here is a known
-- issue, and remediate and report name it.  Extend with INSERT OR REPLACE.
-- actor, api_group and resource are GLOB patterns; verbs is a JSON array;
-- k8s_min and k8s_max bound the server's minor version (1.29 is 1029),
-- NULL for no bound; platform is matched against the server version
-- string (GLOB, e.g. '*-eks-*'), NULL for any.

CREATE TABLE IF NOT EXISTS known_issues (
	id		TEXT PRIMARY KEY,
	title		TEXT NOT NULL,
	actor		TEXT NOT NULL,
	verbs		TEXT NOT NULL,
	api_group	TEXT NOT NULL,
	resource	TEXT NOT NULL,
	k8s_min		INTEGER,
	k8s_max		INTEGER,
	platform	TEXT,
	explanation	TEXT NOT NULL,
	fix		TEXT NOT NULL,
	fixed_in	TEXT,
	refs		TEXT		-- JSON array of URLs
);

INSERT OR IGNORE INTO known_issues VALUES (
	'eks-1.29-vpc-resource-controller-cninodes',
	'EKS 1.29: eks:vpc-resource-controller is denied patch on cninodes',
	'eks:vpc-resource-controller',
	'["patch","update"]',
	'vpcresources.k8s.aws',
	'cninodes',
	1029, 1029,
	'*-eks-*',
	'With Pod ENI (ENABLE_POD_ENI=true) on EKS 1.29, the VPC resource ' ||
	'controller started managing finalizers on CNINode objects, but the ' ||
	'ClusterRole vpc-resource-controller-role bound to the user ' ||
	'eks:vpc-resource-controller lacks the patch (and update) verb on ' ||
	'cninodes.vpcresources.k8s.aws, so every node''s CNINode patch is ' ||
	'refused and the control-plane logs and security alerts fill with ' ||
	'denials.',
	'Add a rule to the ClusterRole vpc-resource-controller-role: apiGroups ' ||
	'[vpcresources.k8s.aws], resources [cninodes], verbs [patch] (and ' ||
	'update if denied), and check that the CNINode CRD ' ||
	'cninodes.vpcresources.k8s.aws is present, Established and serves ' ||
	'v1alpha1.  Upgrading the cluster to EKS 1.30, where the provider ' ||
	'fixed the role, also ends it.',
	'EKS 1.30',
	'["https://github.com/aws/amazon-vpc-resource-controller-k8s/blob/master/config/rbac/role.yaml", "https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html"]'
);

-- Which known issues does the evidence show?  Each denial group that
-- matches a known issue (the server version from the latest snapshot that
-- has one; when no snapshot says, the version bounds are not checked).
DROP VIEW IF EXISTS known_issue_matches;
CREATE VIEW known_issue_matches AS
-- (Each time also as RFC 3339 text, UTC: first_seen_utc, last_seen_utc.)
SELECT *,
	strftime('%Y-%m-%dT%H:%M:%S', (first_seen - (first_seen % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (first_seen % 1000000 + 1000000) % 1000000) || 'Z' AS first_seen_utc,
	strftime('%Y-%m-%dT%H:%M:%S', (last_seen - (last_seen % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch') || '.' || printf('%06d', (last_seen % 1000000 + 1000000) % 1000000) || 'Z' AS last_seen_utc
FROM (
WITH server AS (
	SELECT server_version AS v,
	    CAST(substr(ltrim(server_version, 'v'), 1,
	        instr(ltrim(server_version, 'v'), '.') - 1) AS INTEGER) * 1000 +
	    CAST(substr(ltrim(server_version, 'v'),
	        instr(ltrim(server_version, 'v'), '.') + 1) AS INTEGER) AS minor
	FROM snapshots WHERE server_version IS NOT NULL
	ORDER BY coalesce(taken_at, 0) DESC, id DESC LIMIT 1
), groups AS (
	-- The denials view's groups, from the rollup kept at import
	-- (denial_total, 016-rollups.sql) and the plain logs' refusals:
	-- those whose columns match a known issue's patterns only (the
	-- join below, asked of each row before the sums, not after them:
	-- the same groups, in the same order).
	SELECT actor, verb, api_group, resource, sum(n) AS denials,
	    min(first_us) AS first_seen, max(last_us) AS last_seen
	FROM (SELECT actor, verb, api_group, resource, n, first_us, last_us
	    FROM denial_total JOIN rollup_groups ON id = gid
	    UNION ALL
	    SELECT actor, verb, api_group, resource, 1, time, time
	    FROM log_denials_only) d
	WHERE EXISTS (SELECT 1 FROM known_issues k
	    WHERE d.actor GLOB k.actor
	    AND coalesce(d.api_group, '') GLOB k.api_group
	    AND d.resource GLOB k.resource
	    AND EXISTS (SELECT 1 FROM json_each(k.verbs) WHERE value = d.verb))
	GROUP BY actor, verb, api_group, resource
)
SELECT k.id, k.title, g.actor, g.verb, g.api_group, g.resource, g.denials,
    g.first_seen, g.last_seen, (SELECT v FROM server) AS server_version,
    k.fix, k.fixed_in, k.refs
FROM groups g JOIN known_issues k
    ON g.actor GLOB k.actor AND coalesce(g.api_group, '') GLOB k.api_group
    AND g.resource GLOB k.resource
    AND EXISTS (SELECT 1 FROM json_each(k.verbs) WHERE value = g.verb)
WHERE NOT EXISTS (SELECT 1 FROM server) OR (
    (k.k8s_min IS NULL OR (SELECT minor FROM server) >= k.k8s_min) AND
    (k.k8s_max IS NULL OR (SELECT minor FROM server) <= k.k8s_max) AND
    (k.platform IS NULL OR (SELECT v FROM server) GLOB k.platform))
);
