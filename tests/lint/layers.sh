# The layers of src/ (issue 12; STYLE.md "Layers you can see in the tree"):
# every file sits in a layer folder, includes only its own layer and the
# ones below, and no modules include each other in a circle.  A function
# or object shared between files is declared once, in the header of the
# module that defines it (so the includes show every arrow), never by hand
# inside a .c file; and settings do not travel in writable file statics.
#
# Usage: sh tests/lint/layers.sh [SRC]   (SRC defaults to ./src)
# POSIX sh and awk only (mawk, busybox awk and gawk all do).
#
# A module is a header with its .c files: dir/x.h, dir/x.c, dir/x-int.h,
# and dir/x-*.c when dir/x.h exists and that piece has no header of its
# own (rbac-agg.c is a piece of rbac; pipeline-src.c, with its own
# pipeline-src.h, is a module of its own).  Two pieces of one module may
# call each other; two modules may not.
set -eu
export LC_ALL=C
SRC=${1:-src}
# The layer table: the "layer" lines of src/README, lowest first.
LAYERS=$(awk '$1 == "layer" { printf "%s ", $2 }' "$SRC/README")
[ -n "$LAYERS" ] || { echo "FAIL: no layer table in $SRC/README" >&2; exit 1; }
# Files allowed to keep writable file statics, with the reason.
#   util/fault.c: the fault point, armed once per process from
#   KUBESIFT_FAULT (a test hook, not a setting of a command).
#   cli/json-region.c: the region jansson allocates from, which is
#   jansson's one allocator of the process (json_set_alloc_funcs).
#   store/sqlmem.c: SQLite's free lists, per thread, SQLite's one
#   allocator of a query process (SQLITE_CONFIG_MALLOC).
ALLOW_STATIC="util/fault.c cli/json-region.c store/sqlmem.c"

[ -d "$SRC" ] || { echo "FAIL: no folder $SRC" >&2; exit 1; }
files=$(find "$SRC" -type f \( -name '*.c' -o -name '*.h' \) | sort)
[ -n "$files" ] || { echo "FAIL: no sources under $SRC" >&2; exit 1; }

# shellcheck disable=SC2086
awk -v src="$SRC" -v layers="$LAYERS" -v allow="$ALLOW_STATIC" '
function fail(msg) { print "FAIL: " msg; nfail++ }
function dirof(p) { return substr(p, 1, index(p, "/") - 1) }
function baseof(p) { return substr(p, index(p, "/") + 1) }
# The module of a file (see the comment at the top).
function mod(p,    d, b, k, pre) {
	d = dirof(p); b = baseof(p)
	sub(/\.[ch]$/, "", b)
	sub(/-int$/, "", b)
	k = index(b, "-")
	if (k > 1) {
		pre = substr(b, 1, k - 1)
		if (((d "/" pre ".h") in exists) && !((d "/" b ".h") in exists))
			b = pre
	}
	return d "/" b
}
# The identifier just before the first "(" of s.
function fname(s,    t) {
	t = substr(s, 1, index(s, "(") - 1)
	sub(/[ \t]+$/, "", t)
	match(t, /[A-Za-z_][A-Za-z_0-9]*$/)
	return substr(t, RSTART, RLENGTH)
}
# s up to its first [ = or ; (what declares the name and its type).
function head(s,    k, c) {
	for (k = 1; k <= length(s); k++) {
		c = substr(s, k, 1)
		if (c == "[" || c == "=" || c == ";")
			return substr(s, 1, k - 1)
	}
	return s
}
# The object named by a declaration: the last identifier before [ = or ;
function oname(s,    t) {
	t = head(s)
	sub(/[ \t]+$/, "", t)
	match(t, /[A-Za-z_][A-Za-z_0-9]*$/)
	return substr(t, RSTART, RLENGTH)
}
# Is the object a declaration names writable?  Its type up to [ = or ;:
# const after the last *, or const anywhere when there is no *.
function writable(s,    t, k) {
	t = s
	# static const struct { ... } x[]: const before "struct"
	if (match(t, /struct[ \t]*\{/))
		return substr(t, 1, RSTART - 1) !~ /const/
	t = head(t)
	if (index(t, "*") == 0)
		return t !~ /(^|[ \t])const[ \t]/
	while ((k = index(t, "*")) > 0)
		t = substr(t, k + 1)
	return t !~ /^[ \t]*const[ \t]/
}
BEGIN {
	n = split(layers, L, " ")
	for (i = 1; i <= n; i++)
		rank[L[i]] = i
	na = split(allow, A, " ")
	for (i = 1; i <= na; i++)
		allowed[A[i]] = 1
	# A declaration at column 0: type words, then the name and "(".
	proto = "^[A-Za-z_][A-Za-z_0-9 \t*]*[ \t*][A-Za-z_][A-Za-z_0-9]*[ \t]*\\("
}
# Every file, even an empty one: in a layer folder, one level down.
function relof(p) {
	if (substr(p, 1, length(src) + 1) == src "/")
		return substr(p, length(src) + 2)
	return p
}
BEGIN {
	for (i = 1; i < ARGC; i++) {
		r = relof(ARGV[i])
		exists[r] = 1
		nfiles++
		if (index(r, "/") == 0)
			fail(src "/" r ": not in a layer folder (" layers ")")
		else if (!(dirof(r) in rank))
			fail(src "/" r ": " dirof(r) "/ is not a layer (" \
			    layers ")")
		else if (index(baseof(r), "/") > 0)
			fail(src "/" r ": layer folders hold files, not" \
			    " folders")
	}
}
FNR == 1 {
	rel = relof(FILENAME)
	isc = rel ~ /\.c$/
	depth = 0
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
	t = $0
	sub(/^[^"]*"/, "", t)
	sub(/".*$/, "", t)
	ninc++
	ifrom[ninc] = rel
	ito[ninc] = t
	iline[ninc] = FNR
	next
}
# Column 0 outside a function body: declarations and definitions.
/^[A-Za-z_]/ && depth == 0 {
	line = $0
	if (line ~ /^(typedef|return|else|if|for|while|switch|case|default|goto)[ \t(;:]/ ||
	    line ~ /^(struct|union|enum)([ \t]+[A-Za-z_0-9]+)?[ \t]*[{;]/) {
		# nothing: a statement, or a type being defined
	} else if (isc && line ~ /^extern[ \t]/) {
		fail(src "/" rel ":" FNR ": extern declaration in a .c file (" \
		    oname(line) "): declare it in the header of the file that" \
		    " defines it")
	} else if (!isc && line ~ /^extern[ \t]/) {
		hdecl[rel, oname(line)] = FNR
	} else if (line ~ /^static[ \t]/) {
		# An object (not the return type of a function): = or ;
		if (isc && index(line, "(") == 0 && line ~ /[=;]/ &&
		    writable(substr(line, 8)) && !(rel in allowed))
			fail(src "/" rel ":" FNR ": writable file static (" \
			    oname(line) "): carry it in a struct handed down")
	} else if (line ~ proto) {
		if (isc)
			fail(src "/" rel ":" FNR ": prototype of " fname(line) \
			    " in a .c file: include the header of the file" \
			    " that defines it")
		else
			hdecl[rel, fname(line)] = FNR
	} else if (isc && line ~ /^[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/) {
		def[fname(line)] = rel
	} else if (isc && index(line, "(") == 0 && line ~ /[=;]/) {
		def[oname(line)] = rel
		if (writable(line))
			fail(src "/" rel ":" FNR ": writable global (" \
			    oname(line) "): carry it in a struct handed down")
	}
}
# Writable statics inside functions keep state between calls too.
isc && depth > 0 && /^[ \t]+static[ \t]/ && index($0, "(") == 0 &&
    /[=;]/ {
	line = $0
	sub(/^[ \t]+static[ \t]+/, "", line)
	if (writable(line) && !(rel in allowed))
		fail(src "/" rel ":" FNR ": writable static in a function (" \
		    oname(line) ")")
}
# Track braces at column 0 (function bodies, initialisers) crudely.
/^\{/ { depth++ }
/^\}/ { if (depth > 0) depth-- }
END {
	# 1. Includes: resolved, and never upward.
	for (i = 1; i <= ninc; i++) {
		f = ifrom[i]; t = ito[i]
		if (index(t, "/") > 0)
			p = t
		else
			p = dirof(f) "/" t
		if (!(p in exists)) {
			fail(src "/" f ":" iline[i] ": #include \"" t "\" is" \
			    " not a file of " src "/ (write \"layer/name.h\")")
			continue
		}
		if (rank[dirof(p)] > rank[dirof(f)])
			fail(src "/" f ":" iline[i] ": includes " p \
			    ", a higher layer (" dirof(f) " < " dirof(p) ")")
		a = mod(f); b = mod(p)
		if (a != b && !((a, b) in edge)) {
			edge[a, b] = 1
			node[a] = 1; node[b] = 1
			reach[a, b] = 1
		}
	}
	# 2. Declarations in the header of the module that defines them.
	for (k in hdecl) {
		split(k, kv, SUBSEP)
		h = kv[1]; s = kv[2]
		if (!(s in def))
			continue	# inline, a macro, or generated
		if (mod(def[s]) != mod(h))
			fail(src "/" h ":" hdecl[k] ": declares " s ", which " \
			    src "/" def[s] " defines: declare it in the header" \
			    " of " mod(def[s]))
	}
	# 3. Circles: modules that reach each other (transitive closure).
	nn = 0
	for (v in node)
		nodes[++nn] = v
	for (x = 1; x <= nn; x++) {
		kk = nodes[x]
		for (y = 1; y <= nn; y++) {
			ii = nodes[y]
			if (!((ii, kk) in reach))
				continue
			for (z = 1; z <= nn; z++)
				if ((kk, nodes[z]) in reach)
					reach[ii, nodes[z]] = 1
		}
	}
	for (x = 1; x <= nn; x++) {
		v = nodes[x]
		if (!((v, v) in reach) || (v in done))
			continue
		scc = ""
		cnt = 0
		for (y = 1; y <= nn; y++) {
			w = nodes[y]
			if (w == v || (((v, w) in reach) && ((w, v) in reach))) {
				done[w] = 1
				scc = scc " " w
				cnt++
			}
		}
		fail("a circle of " cnt " modules:" scc)
		# Name the arrows inside it, so the fix is clear.
		for (y = 1; y <= nn; y++)
			for (z = 1; z <= nn; z++) {
				a = nodes[y]; b = nodes[z]
				if (((a, b) in edge) && (a in done) && (b in done) &&
				    ((v, a) in reach || a == v) &&
				    ((a, v) in reach || a == v) &&
				    ((v, b) in reach || b == v) &&
				    ((b, v) in reach || b == v))
					print "      " a " -> " b
			}
	}
	if (nfail) {
		printf "FAIL: %d layer rule(s) broken in %s/ (%d files)\n",
		    nfail, src, nfiles
		exit 1
	}
	printf "ok - %d files in %d layers, %d includes: none upward, no" \
	    " circle, every shared name declared by its module\n",
	    nfiles, n, ninc
}
' $files
