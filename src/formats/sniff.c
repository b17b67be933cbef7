/*
 * The sniffer table and the choice between bids.
 */

#include "formats/sniff.h"

const struct ks_sniffer *const ks_sniffers[] = {
	&ks_sniffer_audit,
	&ks_sniffer_version,
	&ks_sniffer_kubectl,
	&ks_sniffer_yaml,
	&ks_sniffer_audit_yaml,
	&ks_sniffer_cloudwatch,
	&ks_sniffer_cloudwatch_s3,
	&ks_sniffer_cloudwatch_csv,
	&ks_sniffer_gke,
	&ks_sniffer_gke_yaml,
	&ks_sniffer_aks,
	&ks_sniffer_admission,
	&ks_sniffer_log,
	NULL
};

const struct ks_sniffer *
ks_sniff_choose(const char *name, uint64_t size, const unsigned char *head,
    size_t n, int *bid)
{
	const struct ks_sniffer *best = NULL;
	struct ks_peek peek;
	int b;

	ks_peek(head, n, &peek);
	*bid = 0;
	for (int i = 0; ks_sniffers[i] != NULL; i++) {
		b = ks_sniffers[i]->bid(name, size, head, n, &peek);
		if (b > *bid) {
			*bid = b;
			best = ks_sniffers[i];
		}
	}
	return best;
}
