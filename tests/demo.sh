#!/bin/sh
# make demo: import the bundled example and show what was found.
set -eu
build=${1:-build}
ks="$build/kubesift"
db="$build/demo.db"
rm -f "$db"
echo "== kubesift import fixtures/eks-1.29 fixtures/import"
"$ks" -d "$db" import fixtures/import $( [ -d fixtures/eks-1.29 ] && echo fixtures/eks-1.29 )
echo
echo "== kubesift sources (chain of custody)"
"$ks" -d "$db" -o table sources
echo
echo "The database is $db; try: $ks -d $db sql 'SELECT * FROM audit_events'"
