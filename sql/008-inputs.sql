-- Each top-level input (a file named on the command line or found in a
-- folder, an archive, standard input) with the figures of every source
-- under it, at any depth: what `report` shows as the evidence.  records =
-- imported + duplicates + rejected holds here as on every source.
DROP VIEW IF EXISTS inputs;
CREATE VIEW inputs AS
WITH RECURSIVE tree(top, id) AS (
	SELECT id, id FROM sources WHERE parent_id IS NULL
	UNION ALL
	SELECT tree.top, s.id FROM sources s JOIN tree ON s.parent_id = tree.id
)
SELECT i.id, i.path, i.size, i.sha256, i.format, i.copy_of,
	count(*) AS sources,		-- the input and all its members
	sum(s.records) AS records,
	sum(s.imported) AS imported,
	sum(s.duplicates) AS duplicates,
	sum(s.rejected) AS rejected,
	sum(s.format = 'unrecognised') AS unrecognised,
	sum(s.empty_members) AS empty_members,
	min(s.complete) AS complete	-- 0 while any of it is unfinished
FROM tree
JOIN sources i ON i.id = tree.top
JOIN sources s ON s.id = tree.id
GROUP BY i.id;
