#!/bin/sh
# Write a `kubectl get pods -A -o json` List of about BYTES bytes to stdout:
# kubectl's layout (4-space indents, items in one "items" array), pods of a
# few kilobytes each with distinct names, uids, nodes and namespaces.  The
# same BYTES give the same output.
# Usage: sh tests/bench/gen-pods.sh BYTES > pods.json
set -eu
bytes=${1:?usage: gen-pods.sh BYTES}
exec awk -v want="$bytes" '
function uid(n, s) {
	return sprintf("%08x-%04x-4%03x-a%03x-%012x", n * 2654435761 % 4294967296,
	    n % 65536, n % 4096, (n * 7) % 4096, n * 40503 + s)
}
function pod(n,   ns, app, node, rs, name, t) {
	ns = "team-" (n % 97)
	app = "app-" (n % 211)
	node = "ip-10-0-" (n % 6) "-" (10 + n % 200) ".ec2.internal"
	rs = app "-" sprintf("%08x", n % 9973 * 1234567 % 4294967296)
	name = rs "-" sprintf("%05x", n % 1048576)
	t = sprintf("2024-03-%02dT%02d:%02d:%02dZ", 1 + n % 28, n % 24, n % 60, (n * 7) % 60)
	printf "%s        {\n", (n ? ",\n" : "")
	printf "            \"apiVersion\": \"v1\",\n"
	printf "            \"kind\": \"Pod\",\n"
	printf "            \"metadata\": {\n"
	printf "                \"annotations\": {\n"
	printf "                    \"kubectl.kubernetes.io/restartedAt\": \"%s\"\n", t
	printf "                },\n"
	printf "                \"creationTimestamp\": \"%s\",\n", t
	printf "                \"generateName\": \"%s-\",\n", rs
	printf "                \"labels\": {\n"
	printf "                    \"app.kubernetes.io/name\": \"%s\",\n", app
	printf "                    \"pod-template-hash\": \"%08x\"\n", n % 9973
	printf "                },\n"
	printf "                \"name\": \"%s\",\n", name
	printf "                \"namespace\": \"%s\",\n", ns
	printf "                \"ownerReferences\": [\n"
	printf "                    {\n"
	printf "                        \"apiVersion\": \"apps/v1\",\n"
	printf "                        \"blockOwnerDeletion\": true,\n"
	printf "                        \"controller\": true,\n"
	printf "                        \"kind\": \"ReplicaSet\",\n"
	printf "                        \"name\": \"%s\",\n", rs
	printf "                        \"uid\": \"%s\"\n", uid(n % 9973, 1)
	printf "                    }\n"
	printf "                ],\n"
	printf "                \"resourceVersion\": \"%d\",\n", 4000000 + n
	printf "                \"uid\": \"%s\"\n", uid(n, 0)
	printf "            },\n"
	printf "            \"spec\": {\n"
	printf "                \"containers\": [\n"
	printf "                    {\n"
	printf "                        \"args\": [\n"
	printf "                            \"--port=8080\",\n"
	printf "                            \"--log-level=info\"\n"
	printf "                        ],\n"
	printf "                        \"env\": [\n"
	printf "                            {\n"
	printf "                                \"name\": \"POD_NAME\",\n"
	printf "                                \"valueFrom\": {\n"
	printf "                                    \"fieldRef\": {\n"
	printf "                                        \"apiVersion\": \"v1\",\n"
	printf "                                        \"fieldPath\": \"metadata.name\"\n"
	printf "                                    }\n"
	printf "                                }\n"
	printf "                            }\n"
	printf "                        ],\n"
	printf "                        \"image\": \"123456789012.dkr.ecr.us-east-1.amazonaws.com/%s:v1.%d.%d\",\n", app, n % 17, n % 5
	printf "                        \"imagePullPolicy\": \"IfNotPresent\",\n"
	printf "                        \"livenessProbe\": {\n"
	printf "                            \"failureThreshold\": 3,\n"
	printf "                            \"httpGet\": {\n"
	printf "                                \"path\": \"/healthz\",\n"
	printf "                                \"port\": 8080,\n"
	printf "                                \"scheme\": \"HTTP\"\n"
	printf "                            },\n"
	printf "                            \"periodSeconds\": 10,\n"
	printf "                            \"timeoutSeconds\": 1\n"
	printf "                        },\n"
	printf "                        \"name\": \"%s\",\n", app
	printf "                        \"ports\": [\n"
	printf "                            {\n"
	printf "                                \"containerPort\": 8080,\n"
	printf "                                \"name\": \"http\",\n"
	printf "                                \"protocol\": \"TCP\"\n"
	printf "                            }\n"
	printf "                        ],\n"
	printf "                        \"resources\": {\n"
	printf "                            \"limits\": {\n"
	printf "                                \"memory\": \"%dMi\"\n", 128 * (1 + n % 8)
	printf "                            },\n"
	printf "                            \"requests\": {\n"
	printf "                                \"cpu\": \"%dm\",\n", 50 * (1 + n % 10)
	printf "                                \"memory\": \"%dMi\"\n", 64 * (1 + n % 8)
	printf "                            }\n"
	printf "                        },\n"
	printf "                        \"securityContext\": {\n"
	printf "                            \"allowPrivilegeEscalation\": false,\n"
	printf "                            \"readOnlyRootFilesystem\": true,\n"
	printf "                            \"runAsNonRoot\": true\n"
	printf "                        },\n"
	printf "                        \"terminationMessagePath\": \"/dev/termination-log\",\n"
	printf "                        \"terminationMessagePolicy\": \"File\",\n"
	printf "                        \"volumeMounts\": [\n"
	printf "                            {\n"
	printf "                                \"mountPath\": \"/var/run/secrets/kubernetes.io/serviceaccount\",\n"
	printf "                                \"name\": \"kube-api-access-%05x\",\n", n % 1048576
	printf "                                \"readOnly\": true\n"
	printf "                            }\n"
	printf "                        ]\n"
	printf "                    }\n"
	printf "                ],\n"
	printf "                \"dnsPolicy\": \"ClusterFirst\",\n"
	printf "                \"enableServiceLinks\": true,\n"
	printf "                \"nodeName\": \"%s\",\n", node
	printf "                \"preemptionPolicy\": \"PreemptLowerPriority\",\n"
	printf "                \"priority\": 0,\n"
	printf "                \"restartPolicy\": \"Always\",\n"
	printf "                \"schedulerName\": \"default-scheduler\",\n"
	printf "                \"securityContext\": {},\n"
	printf "                \"serviceAccount\": \"%s\",\n", app
	printf "                \"serviceAccountName\": \"%s\",\n", app
	printf "                \"terminationGracePeriodSeconds\": 30,\n"
	printf "                \"tolerations\": [\n"
	printf "                    {\n"
	printf "                        \"effect\": \"NoExecute\",\n"
	printf "                        \"key\": \"node.kubernetes.io/not-ready\",\n"
	printf "                        \"operator\": \"Exists\",\n"
	printf "                        \"tolerationSeconds\": 300\n"
	printf "                    }\n"
	printf "                ]\n"
	printf "            },\n"
	printf "            \"status\": {\n"
	printf "                \"conditions\": [\n"
	printf "                    {\n"
	printf "                        \"lastProbeTime\": null,\n"
	printf "                        \"lastTransitionTime\": \"%s\",\n", t
	printf "                        \"status\": \"True\",\n"
	printf "                        \"type\": \"Ready\"\n"
	printf "                    }\n"
	printf "                ],\n"
	printf "                \"containerStatuses\": [\n"
	printf "                    {\n"
	printf "                        \"containerID\": \"containerd://%064x\",\n", n
	printf "                        \"image\": \"123456789012.dkr.ecr.us-east-1.amazonaws.com/%s:v1.%d.%d\",\n", app, n % 17, n % 5
	printf "                        \"name\": \"%s\",\n", app
	printf "                        \"ready\": true,\n"
	printf "                        \"restartCount\": %d,\n", n % 3
	printf "                        \"started\": true,\n"
	printf "                        \"state\": {\n"
	printf "                            \"running\": {\n"
	printf "                                \"startedAt\": \"%s\"\n", t
	printf "                            }\n"
	printf "                        }\n"
	printf "                    }\n"
	printf "                ],\n"
	printf "                \"hostIP\": \"10.0.%d.%d\",\n", n % 6, 10 + n % 200
	printf "                \"phase\": \"Running\",\n"
	printf "                \"podIP\": \"10.%d.%d.%d\",\n", 100 + n % 50, n % 256, (n * 13) % 256
	printf "                \"qosClass\": \"Burstable\",\n"
	printf "                \"startTime\": \"%s\"\n", t
	printf "            }\n"
	printf "        }"
}
BEGIN {
	printf "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n"
	# Each pod is about 5.6 KB.
	for (n = 0; n * 5600 < want; n++)
		pod(n)
	printf "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n"
	printf "        \"resourceVersion\": \"\"\n    }\n}\n"
}'
