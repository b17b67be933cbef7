/*
 * What the object readers (sniff-kubectl.c, sniff-yaml.c) take for a
 * Kubernetes object.
 */
#ifndef KS_KOBJ_H
#define KS_KOBJ_H

#include <jansson.h>

/*
 * NULL when v can be stored as an object, else why not (a static string).
 * An object of the API has metadata; a configuration file that Kubernetes
 * components read (an audit Policy, a KubeletConfiguration) has kind and
 * apiVersion and no metadata, and is an object too, unless it is one of
 * the kinds that hold credentials (a kubeconfig, an
 * EncryptionConfiguration, kubeadm's Init/JoinConfiguration): evidence
 * keeps no secrets, and those are refused.  kind may be absent when the
 * reader knows it from elsewhere (a typed List, the file name).  *secret
 * is set to 1 for such a refused document: its reject must not keep an
 * excerpt either.
 */
const char *ks_kobj_why_not(const json_t *v, int *secret);

#endif
