/*
 * Fault injection for the crash-safety tests.  With KUBESIFT_FAULT set to
 * "POINT:N" (POINT one of record, commit, index), the process kills itself
 * with SIGKILL when it reaches that point for the Nth time, as a power cut
 * or an OOM kill would.  Unset, each call costs one comparison.
 */
#ifndef KS_FAULT_H
#define KS_FAULT_H

enum ks_fault_point { KS_FAULT_RECORD, KS_FAULT_COMMIT, KS_FAULT_INDEX };

void	ks_fault(enum ks_fault_point p);

#endif
