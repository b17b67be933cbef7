-- Which kind a resource holds: used to name the kind of objects written
-- without one (sonobuoy's ClusterRoles.json, core_v1_nodes.json) and to turn
-- "cninodes.vpcresources.k8s.aws" into a group and a resource.  Extend it
-- with INSERT OR REPLACE; CRDs in a snapshot are consulted as well.
CREATE TABLE IF NOT EXISTS resource_kinds (
	api_group	TEXT NOT NULL,
	resource	TEXT NOT NULL,	-- plural, lower case
	kind		TEXT NOT NULL,
	namespaced	INTEGER NOT NULL,
	PRIMARY KEY (api_group, resource)
);
INSERT OR IGNORE INTO resource_kinds VALUES
	('', 'bindings', 'Binding', 1),
	('', 'componentstatuses', 'ComponentStatus', 0),
	('', 'configmaps', 'ConfigMap', 1),
	('', 'endpoints', 'Endpoints', 1),
	('', 'events', 'Event', 1),
	('', 'limitranges', 'LimitRange', 1),
	('', 'namespaces', 'Namespace', 0),
	('', 'nodes', 'Node', 0),
	('', 'persistentvolumeclaims', 'PersistentVolumeClaim', 1),
	('', 'persistentvolumes', 'PersistentVolume', 0),
	('', 'pods', 'Pod', 1),
	('', 'podtemplates', 'PodTemplate', 1),
	('', 'replicationcontrollers', 'ReplicationController', 1),
	('', 'resourcequotas', 'ResourceQuota', 1),
	('', 'secrets', 'Secret', 1),
	('', 'serviceaccounts', 'ServiceAccount', 1),
	('', 'services', 'Service', 1),
	('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', 0),
	('admissionregistration.k8s.io', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', 0),
	('apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', 0),
	('apiregistration.k8s.io', 'apiservices', 'APIService', 0),
	('apps', 'controllerrevisions', 'ControllerRevision', 1),
	('apps', 'daemonsets', 'DaemonSet', 1),
	('apps', 'deployments', 'Deployment', 1),
	('apps', 'replicasets', 'ReplicaSet', 1),
	('apps', 'statefulsets', 'StatefulSet', 1),
	('authentication.k8s.io', 'tokenreviews', 'TokenReview', 0),
	('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview', 0),
	('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', 0),
	('autoscaling', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', 1),
	('batch', 'cronjobs', 'CronJob', 1),
	('batch', 'jobs', 'Job', 1),
	('certificates.k8s.io', 'certificatesigningrequests', 'CertificateSigningRequest', 0),
	('coordination.k8s.io', 'leases', 'Lease', 1),
	('discovery.k8s.io', 'endpointslices', 'EndpointSlice', 1),
	('events.k8s.io', 'events', 'Event', 1),
	('networking.k8s.io', 'ingressclasses', 'IngressClass', 0),
	('networking.k8s.io', 'ingresses', 'Ingress', 1),
	('networking.k8s.io', 'networkpolicies', 'NetworkPolicy', 1),
	('node.k8s.io', 'runtimeclasses', 'RuntimeClass', 0),
	('policy', 'poddisruptionbudgets', 'PodDisruptionBudget', 1),
	('policy', 'podsecuritypolicies', 'PodSecurityPolicy', 0),
	('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', 0),
	('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', 0),
	('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', 1),
	('rbac.authorization.k8s.io', 'roles', 'Role', 1),
	('scheduling.k8s.io', 'priorityclasses', 'PriorityClass', 0),
	('storage.k8s.io', 'csidrivers', 'CSIDriver', 0),
	('storage.k8s.io', 'csinodes', 'CSINode', 0),
	('storage.k8s.io', 'storageclasses', 'StorageClass', 0),
	('storage.k8s.io', 'volumeattachments', 'VolumeAttachment', 0),
	('vpcresources.k8s.aws', 'cninodes', 'CNINode', 0),
	('vpcresources.k8s.aws', 'securitygrouppolicies', 'SecurityGroupPolicy', 1);
-- Built-in resources added with their short names (below), from the
-- apiserver's discovery documents (kubernetes/kubernetes api/discovery/).
INSERT OR IGNORE INTO resource_kinds VALUES
	('admissionregistration.k8s.io', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', 0),
	('admissionregistration.k8s.io', 'validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', 0),
	('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview', 0),
	('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', 1),
	('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', 0),
	('certificates.k8s.io', 'clustertrustbundles', 'ClusterTrustBundle', 0),
	('flowcontrol.apiserver.k8s.io', 'flowschemas', 'FlowSchema', 0),
	('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations', 'PriorityLevelConfiguration', 0),
	('internal.apiserver.k8s.io', 'storageversions', 'StorageVersion', 0),
	('networking.k8s.io', 'ipaddresses', 'IPAddress', 0),
	('networking.k8s.io', 'servicecidrs', 'ServiceCIDR', 0),
	('resource.k8s.io', 'deviceclasses', 'DeviceClass', 0),
	('resource.k8s.io', 'resourceclaims', 'ResourceClaim', 1),
	('resource.k8s.io', 'resourceclaimtemplates', 'ResourceClaimTemplate', 1),
	('resource.k8s.io', 'resourceslices', 'ResourceSlice', 0),
	('storage.k8s.io', 'csistoragecapacities', 'CSIStorageCapacity', 1),
	('storage.k8s.io', 'volumeattributesclasses', 'VolumeAttributesClass', 0),
	('storagemigration.k8s.io', 'storageversionmigrations', 'StorageVersionMigration', 0);

-- The short names kubectl accepts for built-in resources (`po`, `deploy`),
-- as the apiserver lists them in discovery (shortNames): api/discovery/
-- api__v1.json and aggregated_v2.json in kubernetes/kubernetes; psp from
-- the PodSecurityPolicy storage (policy/v1beta1, removed in 1.25).
CREATE TABLE IF NOT EXISTS resource_short_names (
	api_group	TEXT NOT NULL,
	resource	TEXT NOT NULL,	-- a resource of resource_kinds
	short_name	TEXT NOT NULL,	-- lower case
	PRIMARY KEY (api_group, resource, short_name)
);
INSERT OR IGNORE INTO resource_short_names VALUES
	('', 'componentstatuses', 'cs'),
	('', 'configmaps', 'cm'),
	('', 'endpoints', 'ep'),
	('', 'events', 'ev'),
	('', 'limitranges', 'limits'),
	('', 'namespaces', 'ns'),
	('', 'nodes', 'no'),
	('', 'persistentvolumeclaims', 'pvc'),
	('', 'persistentvolumes', 'pv'),
	('', 'pods', 'po'),
	('', 'replicationcontrollers', 'rc'),
	('', 'resourcequotas', 'quota'),
	('', 'serviceaccounts', 'sa'),
	('', 'services', 'svc'),
	('apiextensions.k8s.io', 'customresourcedefinitions', 'crd'),
	('apiextensions.k8s.io', 'customresourcedefinitions', 'crds'),
	('apps', 'daemonsets', 'ds'),
	('apps', 'deployments', 'deploy'),
	('apps', 'replicasets', 'rs'),
	('apps', 'statefulsets', 'sts'),
	('autoscaling', 'horizontalpodautoscalers', 'hpa'),
	('batch', 'cronjobs', 'cj'),
	('certificates.k8s.io', 'certificatesigningrequests', 'csr'),
	('events.k8s.io', 'events', 'ev'),
	('networking.k8s.io', 'ingresses', 'ing'),
	('networking.k8s.io', 'ipaddresses', 'ip'),
	('networking.k8s.io', 'networkpolicies', 'netpol'),
	('policy', 'poddisruptionbudgets', 'pdb'),
	('policy', 'podsecuritypolicies', 'psp'),
	('scheduling.k8s.io', 'priorityclasses', 'pc'),
	('storage.k8s.io', 'storageclasses', 'sc'),
	('storage.k8s.io', 'volumeattributesclasses', 'vac');

-- What a resource name typed by a user (`pods`, `pod`, `po`, `cninodes`,
-- `cnin`) can stand for: one row per (name, group, resource) and way of
-- naming it.  form: plural, singular or short.  origin: builtin (a row of
-- resource_kinds in Kubernetes' own groups: core, no dot, or *.k8s.io),
-- crd (a CustomResourceDefinition in any snapshot: spec.names.plural,
-- singular, shortNames), table (another row of resource_kinds, added for
-- a known add-on).  The singular of a built-in is its kind in lower case,
-- as discovery's singularResource is.  Names are lower case.
DROP VIEW IF EXISTS resource_names;
CREATE VIEW resource_names AS
WITH kinds AS (
	SELECT api_group, resource, kind,
	    CASE WHEN api_group NOT LIKE '%.%' OR api_group LIKE '%.k8s.io'
	    THEN 'builtin' ELSE 'table' END AS origin
	FROM resource_kinds
), crds AS (
	SELECT DISTINCT json_extract(body, '$.spec.group') AS api_group,
	    lower(json_extract(body, '$.spec.names.plural')) AS resource,
	    json_extract(body, '$.spec.names.kind') AS kind,
	    lower(json_extract(body, '$.spec.names.singular')) AS singular,
	    json_extract(body, '$.spec.names.shortNames') AS short_names
	FROM objects
	WHERE kind = 'CustomResourceDefinition'
	  AND json_type(body, '$.spec.group') = 'text'
	  AND json_type(body, '$.spec.names.plural') = 'text'
)
SELECT resource AS name, api_group, resource, kind, 'plural' AS form, origin
FROM kinds
UNION
SELECT lower(kind), api_group, resource, kind, 'singular', origin FROM kinds
UNION
SELECT s.short_name, s.api_group, s.resource, k.kind, 'short', k.origin
FROM resource_short_names s
JOIN kinds k ON k.api_group = s.api_group AND k.resource = s.resource
UNION
SELECT resource, api_group, resource, kind, 'plural', 'crd' FROM crds
UNION
SELECT coalesce(singular, lower(kind)), api_group, resource, kind,
    'singular', 'crd'
FROM crds WHERE coalesce(singular, kind) IS NOT NULL
UNION
SELECT lower(j.value), c.api_group, c.resource, c.kind, 'short', 'crd'
FROM crds c, json_each(c.short_names) j
WHERE json_type(c.short_names) = 'array' AND j.type = 'text';
