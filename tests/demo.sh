#!/bin/sh
# make demo: the case that started kubesift.  An EKS 1.29 cluster with Pod
# ENI, whose control plane fills with denials of eks:vpc-resource-controller
# patching cninodes.  Evidence: a kubectl snapshot (fixtures/eks-1.29), an
# audit log made by tests/bench/gen-audit, and the controller's own log.
# kubesift imports it and prints the incident report with the fix.
set -eu
build=${1:-build}
ks="$build/kubesift"
demo="$build/demo"
mkdir -p "$demo"
rm -f "$demo/kubesift.db"
"$build/gen-audit" --seed 1 --events 20000 --scenario eks-cninodes \
    | gzip -n > "$demo/kube-apiserver-audit.log.gz"
tar -cf "$demo/eks-bundle.tar" -C fixtures/eks-1.29 snapshot controller.log \
    -C "$PWD/$demo" kube-apiserver-audit.log.gz
echo "== kubesift import $demo/eks-bundle.tar"
"$ks" -d "$demo/kubesift.db" import "$demo/eks-bundle.tar"
echo
"$ks" -d "$demo/kubesift.db" report
echo
echo "== kubesift remediate --actor eks:vpc-resource-controller -o yaml"
"$ks" -d "$demo/kubesift.db" remediate --actor eks:vpc-resource-controller -o yaml
echo
echo "The database is $demo/kubesift.db.  Try:"
echo "  $ks -d $demo/kubesift.db denied"
echo "  $ks -d $demo/kubesift.db timeline --around 2024-03-05T10:00:19Z --window 1m"
echo "  $ks -d $demo/kubesift.db report -o html > report.html"
