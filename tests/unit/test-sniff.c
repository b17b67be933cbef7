/*
 * The bid matrix: every sniffer bids on every fixture, and each fixture's
 * own format must win.  Also ks_peek on heads cut in awkward places.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "formats/sniff.h"

static const struct { const char *path; const char *want; } fixtures[] = {
	{ "fixtures/import/audit/audit.log", "k8s-audit" },
	{ "fixtures/import/audit/eventlist.json", "k8s-audit" },
	{ "fixtures/import/bad.jsonl", "k8s-audit" },
	{ "fixtures/import/kubectl/clusterroles.json", "kubectl" },
	{ "fixtures/import/kubectl/kube-system/secrets.json", "kubectl" },
	{ "fixtures/import/kubectl/version.json", "k8s-version" },
	{ "fixtures/admission/reviews.jsonl", "admission-review" },
	{ "fixtures/import/sonobuoy/resources/cluster/ClusterRoleBindings.json",
	    "kubectl" },
	{ "fixtures/import/sonobuoy/resources/cluster/core_v1_nodes.json",
	    "kubectl" },
	/* Text no other format claims: the plain-log scanner's. */
	{ "fixtures/import/notes.txt", "log" },
	{ "fixtures/eks-1.29/controller.log", "log" },
	{ "fixtures/cloud/native.log", "k8s-audit" },
	{ "fixtures/cloud/filter-log-events.json", "cloudwatch" },
	{ "fixtures/cloud/truncated.json", "cloudwatch" },
	{ "fixtures/cloud/subscription.jsonl", "cloudwatch" },
	{ "fixtures/cloud/insights.json", "cloudwatch" },
	{ "fixtures/cloud/insights.csv", "cloudwatch-csv" },
	{ "fixtures/cloud/s3-export/"
	    "kube-apiserver-audit-1b2c3d4e5f60718293a4b5c6d7e8f901/000000",
	    "cloudwatch-s3" },
	{ "fixtures/cloud/gke.json", "gke" },
	{ "fixtures/cloud/gke-entries.json", "gke" },
	{ "fixtures/cloud/gke.yaml", "gke-yaml" },
	{ "fixtures/cloud/eventlist.yaml", "k8s-audit-yaml" },
	{ "fixtures/cloud/policy.yaml", "kubectl-yaml" },
	{ "fixtures/cloud/mixed.jsonl", "k8s-audit" },
	{ "fixtures/cloud/aks.json", "aks" },
	{ "../shared/realdata/audit-gke/"
	    "elastic-integrations-gcp-audit-k8s-nonmatching-resourcename.log",
	    "gke" },
	{ "../shared/realdata/audit-gke/"
	    "otel-contrib-gke-cluster-data-access-pretty.json", "gke" },
	{ "../shared/realdata/audit-aks/"
	    "elastic-integrations-kubernetes-test-kube-audit-aks.log", "aks" },
	{ "../shared/realdata/audit-aks/"
	    "panther-analysis-azure-activity-arc-k8s-rule-tests.jsonl", "aks" },
	{ "../shared/realdata/audit-eks/"
	    "otel-contrib-cloudwatch-subscription-filter-envelope-NOT-EKS.json",
	    "cloudwatch" },
	{ "../shared/realdata/denial-log-lines/rbac-denial-lines.log", "log" },
	{ "../shared/realdata/audit-gke/khi-testlogs-yaml/"
	    "k8s_audit_container_recorder_test_1_1.yaml", "gke-yaml" },
	{ "../shared/realdata/audit-gke/khi-testlogs-yaml/"
	    "gke_audit_cluster_creation_started.yaml", "gke-yaml" },
	{ "../shared/realdata/audit-gke/khi-testlogs-yaml/"
	    "k8s_audit_container_recorder_test_1_1_manifest.yaml",
	    "kubectl-yaml" },
	{ "../shared/realdata/audit-gke/khi-testlogs-yaml/oss_test-log.yaml",
	    "k8s-audit-yaml" },
	{ "../shared/realdata/audit-native/audit2rbac-demo-policy.yaml",
	    "kubectl-yaml" },
	{ "../shared/realdata/audit-native/"
	    "elastic-integrations-kubernetes-test-audit-mixed.log", "k8s-audit" },
	{ "../shared/realdata/audit-native/kube-audit-rest-admissionreview.log",
	    "admission-review" },
};

static void
test_matrix(void **state)
{
	static unsigned char head[KS_SNIFF_HEAD];
	const struct ks_sniffer *won;
	struct ks_peek pk;
	int bid;

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		FILE *fp = fopen(fixtures[i].path, "rb");
		size_t n;
		if (fp == NULL && strncmp(fixtures[i].path, "../shared/", 10) == 0) {
			printf("%-70s skipped: ../shared/realdata is absent\n",
			    fixtures[i].path);
			continue;
		}
		if (fp == NULL)
			fail_msg("cannot open %s", fixtures[i].path);
		n = fread(head, 1, sizeof(head), fp);
		fclose(fp);
		ks_peek(head, n, &pk);
		printf("%-70s", fixtures[i].path);
		for (int s = 0; ks_sniffers[s] != NULL; s++)
			printf(" %s=%d", ks_sniffers[s]->name,
			    ks_sniffers[s]->bid(fixtures[i].path, n, head, n,
			    &pk));
		won = ks_sniff_choose(fixtures[i].path, n, head, n, &bid);
		printf("  -> %s\n", won ? won->name : "(none)");
		if (fixtures[i].want == NULL)
			assert_null(won);
		else if (won == NULL || strcmp(won->name, fixtures[i].want))
			fail_msg("%s: %s won, want %s", fixtures[i].path,
			    won ? won->name : "nobody", fixtures[i].want);
	}
}

static void
test_peek_cut_head(void **state)
{
	/* A List whose first item is cut: item keys still seen. */
	const char *h = "{\"apiVersion\":\"v1\",\"items\":[{\"metadata\":{\"n";
	struct ks_peek pk;

	ks_peek((const unsigned char *)h, strlen(h), &pk);
	assert_true(pk.json);
	assert_true(ks_peek_has(&pk, 0, "items"));
	assert_true(ks_peek_has(&pk, 1, "metadata"));
	assert_string_equal(pk.api_version, "v1");
	/* Keys of nested objects are not top-level keys. */
	h = "{\"spec\":{\"auditID\":1},\"kind\":\"Pod\"}";
	ks_peek((const unsigned char *)h, strlen(h), &pk);
	assert_false(ks_peek_has(&pk, 0, "auditID"));
	assert_string_equal(pk.kind, "Pod");
	/* Escaped quotes inside strings do not end them. */
	h = "{\"a\":\"x\\\"kind\\\":\",\"auditID\":\"1\"}";
	ks_peek((const unsigned char *)h, strlen(h), &pk);
	assert_true(ks_peek_has(&pk, 0, "auditID"));
	assert_false(ks_peek_has(&pk, 0, "kind"));
	/* Not JSON. */
	ks_peek((const unsigned char *)"hello", 5, &pk);
	assert_false(pk.json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_peek_cut_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
