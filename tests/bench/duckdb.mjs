// The DuckDB side of `make bench` (tests/bench/duckdb.sh): load an audit
// log of JSON Lines into a DuckDB database with read_ndjson_auto, as an
// analyst would, then ask the denied question in process.
//
// Usage: node duckdb.mjs AUDIT_LOG DUCKDB_FILE
// Prints one JSON object: load_ms and load_cpu_ms (wall and CPU, user +
// system of every thread of this process, from process.cpuUsage()),
// denied_ms and denied_cpu_ms (each the least of 5 runs), groups and
// refused (the question's rows and the requests they count).
import { DuckDBInstance } from '@duckdb/node-api';

const cpuMs = (c) => (c.user + c.system) / 1000;

const [log, file] = process.argv.slice(2);
const inst = await DuckDBInstance.create(file);
const con = await inst.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";

let t0 = performance.now();
let c0 = process.cpuUsage();
// The schema from every record (sample_size -1): requestObject and
// responseObject vary too much for a sample to hold every key.
await con.run('CREATE TABLE ev AS SELECT * FROM read_ndjson_auto(' +
    quote(log) + ', sample_size = -1)');
await con.run('CHECKPOINT');
const loadMs = performance.now() - t0;
const loadCpuMs = cpuMs(process.cpuUsage(c0));

// The columns the sample showed: a field absent from it is NULL.
const types = {};
const desc = await con.runAndReadAll('DESCRIBE ev');
for (const r of desc.getRowObjectsJson())
	types[r.column_name] = String(r.column_type);
const has = (col, field) => col in types &&
    (field === undefined || types[col].includes('"' + field + '"') ||
    types[col].includes(field + ' '));
const f = (col, field) => has(col, field) ? `${col}."${field}"` : 'NULL';
const actor = has('impersonatedUser', 'username') ?
    `coalesce(impersonatedUser.username, "user".username)` :
    `"user".username`;
const decision = f('annotations', 'authorization.k8s.io/decision');

// kubesift denied: refused requests (code 403 or the authorizer's
// "forbid"), once per auditID, grouped.
const sql = `SELECT ${actor} AS actor, verb,
	${f('objectRef', 'apiGroup')} AS api_group,
	${f('objectRef', 'resource')} AS resource,
	${f('objectRef', 'subresource')} AS subresource,
	${f('objectRef', 'namespace')} AS namespace,
	count(DISTINCT auditID) AS count,
	min(requestReceivedTimestamp) AS first_seen,
	max(requestReceivedTimestamp) AS last_seen
    FROM ev
    WHERE responseStatus.code = 403 OR ${decision} = 'forbid'
    GROUP BY ALL ORDER BY count DESC, actor, verb, resource, namespace`;
let best = Infinity, bestCpu = Infinity, rows = [];
for (let i = 0; i < 5; i++) {
	t0 = performance.now();
	c0 = process.cpuUsage();
	const res = await con.runAndReadAll(sql);
	rows = res.getRowObjectsJson();
	best = Math.min(best, performance.now() - t0);
	bestCpu = Math.min(bestCpu, cpuMs(process.cpuUsage(c0)));
}
const refused = rows.reduce((s, r) => s + Number(r.count), 0);
const tenth = (v) => Math.round(v * 10) / 10;
console.log(JSON.stringify({ load_ms: Math.round(loadMs),
    load_cpu_ms: Math.round(loadCpuMs), denied_ms: tenth(best),
    denied_cpu_ms: tenth(bestCpu), groups: rows.length, refused }));
