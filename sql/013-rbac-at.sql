-- The RBAC writes of the audit log, found without reading every event:
-- who-can --at, can --at and remediate (which names the write that made a
-- gap) rebuild the RBAC at a time from them.  A partial index, small
-- beside audit_events; the query must repeat its WHERE to use it.
CREATE INDEX IF NOT EXISTS audit_events_rbac_writes
	ON audit_rows(received_us)
	WHERE api_group = 'rbac.authorization.k8s.io'
	    AND resource IN ('roles', 'clusterroles', 'rolebindings',
	        'clusterrolebindings')
	    AND verb IN ('create', 'update', 'patch', 'delete',
	        'deletecollection');
