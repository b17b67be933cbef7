# Seeded combinations of filters for tests/cli/test-differential.sh.
# Each output line: the kubesift options (shell words, single-quoted), a
# tab, the SQL condition the same options mean (written here from the
# rules in kubesift(1), not from kubesift's code), a tab, a bucket span and
# a tab and its length in microseconds.
#
# Times are written as offsets from BASE (2024-03-05T10:00:00Z) so that
# both sides are exact; relative times (-30m) are measured from LATEST.
function pick(arr, n) { return arr[int(rand() * n) + 1] }
function q(s) { return "'" s "'" }
function two(n) { return n < 10 ? "0" n : n }
# An RFC 3339 time at BASE + s seconds + us microseconds; sets T_US.
function at(s, us,    h, m, sec, frac) {
	T_US = BASE_US + s * 1000000 + us
	h = 10 + int(s / 3600); m = int(s % 3600 / 60); sec = s % 60
	frac = us == 0 ? "" : sprintf(".%06d", us)
	return sprintf("2024-03-05T%s:%s:%s%sZ", two(h), two(m), two(sec), frac)
}
function timearg(    r, s, us, n) {
	r = rand()
	if (r < 0.15) {			# relative to the last event
		n = int(rand() * 180) + 1
		T_US = LATEST_US - n * 60000000
		return "-" n "m"
	}
	if (r < 0.2) {			# a date: its midnight
		T_US = BASE_US - 36000000000
		return "2024-03-05"
	}
	s = int(rand() * 5 * 3600)
	us = rand() < 0.5 ? 0 : int(rand() * 1000000)
	return at(s, us)
}
# One option: appends to ARGS and to the condition of its kind.
function add(kind,    v, r, g, s) {
	if (kind == "actor") {
		v = pick(actors, nactors)
		ARGS = ARGS " --actor " q(v)
		C["actor"] = C["actor"] (C["actor"] ? " OR " : "") \
		    (v ~ /[*?[]/ ? "actor GLOB " : "actor = ") q(v)
	} else if (kind == "verb") {
		v = pick(verbs, nverbs)
		ARGS = ARGS " --verb " v
		C["verb"] = C["verb"] (C["verb"] ? " OR " : "") "verb = " q(v)
	} else if (kind == "resource") {
		v = pick(resources, nresources)
		ARGS = ARGS " --resource " v
		r = v; g = "*"; s = ""
		if (index(r, "/")) { s = substr(r, index(r, "/") + 1); r = substr(r, 1, index(r, "/") - 1) }
		if (index(r, ".")) { g = substr(r, index(r, ".") + 1); r = substr(r, 1, index(r, ".") - 1) }
		# A bare name means what kubectl makes of it (kubesift(1)):
		# a built-in or a CRD of the snapshot names its group; a
		# name nothing knows matches in any group.
		else if (r in plural) { g = group[r]; r = plural[r] }
		C["resource"] = C["resource"] (C["resource"] ? " OR " : "") \
		    "(resource = " q(r) (s != "" ? " AND subresource = " q(s) : "") \
		    (g == "*" ? "" : g == "" ? " AND (api_group = '' OR api_group IS NULL)" : \
		    " AND api_group = " q(g)) ")"
	} else if (kind == "group") {
		v = pick(groups, ngroups)
		ARGS = ARGS " --group " q(v)
		C["group"] = C["group"] (C["group"] ? " OR " : "") \
		    (v == "" ? "(api_group = '' OR (api_group IS NULL AND resource IS NOT NULL))" : "api_group = " q(v))
	} else if (kind == "namespace") {
		v = pick(namespaces, nnamespaces)
		ARGS = ARGS " --namespace " q(v)
		C["namespace"] = C["namespace"] (C["namespace"] ? " OR " : "") \
		    (v == "" ? "namespace IS NULL" : "namespace = " q(v))
	} else if (kind == "since" && !("since" in C)) {
		v = timearg()
		ARGS = ARGS " --since " v
		C["since"] = "t >= " sprintf("%.0f", T_US); SINCE_US = T_US
	} else if (kind == "until" && !("until" in C)) {
		v = timearg()
		ARGS = ARGS " --until " v
		C["until"] = "t <= " sprintf("%.0f", T_US); UNTIL_US = T_US
	} else if (kind == "decision" && !("decision" in C)) {
		v = rand() < 0.5 ? "allow" : "forbid"
		ARGS = ARGS " --decision " v
		C["decision"] = "dec = " q(v)
	}
}
BEGIN {
	srand(SEED)
	BASE_US = 1709632800000000
	nactors = split("eks:vpc-resource-controller alice bob admin@example.com " \
	    "system:serviceaccount:shop:deployer system:anonymous frank carol " \
	    "system:serviceaccount:ops:operator system:node:ip-10-0-1-23.ec2.internal " \
	    "system:* eks:* system:serviceaccount:* al* *@example.com nobody " \
	    "system:node:ip-10-0-?-23.ec2.internal", actors, " ")
	nverbs = split("get list watch patch create delete update", verbs, " ")
	nresources = split("pods pods/exec pods/log deployments.apps " \
	    "deployments/scale deployments.apps/scale cninodes " \
	    "cninodes.vpcresources.k8s.aws secrets configmaps nodes " \
	    "leases.coordination.k8s.io namespaces po po/exec deploy cm " \
	    "cninode cnd ns leases foos", resources, " ")
	# What the bare names stand for: Kubernetes' discovery documents
	# (short names), the EKS snapshot's CRD (cninodes, short name cnd).
	split("pods pods,po pods,deployments deployments,deploy deployments," \
	    "cninodes cninodes,cninode cninodes,cnd cninodes,secrets secrets," \
	    "configmaps configmaps,cm configmaps,nodes nodes," \
	    "namespaces namespaces,ns namespaces,leases leases", known, ",")
	for (k in known) {
		split(known[k], kv, " ")
		plural[kv[1]] = kv[2]
		group[kv[1]] = kv[2] == "deployments" ? "apps" : \
		    kv[2] == "cninodes" ? "vpcresources.k8s.aws" : \
		    kv[2] == "leases" ? "coordination.k8s.io" : ""
	}
	ngroups = split(",apps,vpcresources.k8s.aws,coordination.k8s.io", groups, ",")
	nnamespaces = split(",shop,kube-system,default,kube-node-lease", namespaces, ",")
	nkinds = split("actor verb resource group namespace since until decision", kinds, " ")
	nbuckets = split("1m 10m 1h 90s 7m", buckets, " ")
	split("60000000 600000000 3600000000 90000000 420000000", bucket_us, " ")
	for (i = 0; i < N; i++) {
		ARGS = ""; delete C
		# One to three options, sometimes one of them twice.
		n = int(rand() * 3) + 1
		for (j = 0; j < n; j++) {
			k = pick(kinds, nkinds)
			add(k)
			if (rand() < 0.15 && k !~ /since|until|decision/)
				add(k)
		}
		# An empty window is a usage error; its test is elsewhere.
		if (ARGS == "" || (("since" in C) && ("until" in C) &&
		    SINCE_US > UNTIL_US)) { i--; continue }
		w = "1"
		for (k in C)
			w = w " AND (" C[k] ")"
		b = int(rand() * nbuckets) + 1
		printf "%s\t%s\t%s\t%s\n", ARGS, w, buckets[b], bucket_us[b]
	}
}
