# METADATA
# title: Tests of the manifest checks, good objects beside broken ones
package k8s.manifests_test

import data.k8s.manifests

restricted_container := {
	"name": "main",
	"securityContext": {
		"runAsNonRoot": true,
		"runAsUser": 1000,
		"allowPrivilegeEscalation": false,
		"readOnlyRootFilesystem": true,
		"capabilities": {"drop": ["ALL"]},
		"seccompProfile": {"type": "RuntimeDefault"},
	},
	"resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
}

good_spec := {
	"automountServiceAccountToken": false,
	"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
	"containers": [restricted_container],
	"volumes": [{"name": "tmp", "emptyDir": {}}],
}

pod(spec) := {"kind": "Pod", "metadata": {"name": "p", "namespace": "ws"}, "spec": spec}

deployment(component, spec) := {
	"kind": "Deployment",
	"metadata": {"name": component},
	"spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/component": component}}, "spec": spec}},
}

deny_all(ns) := {
	"kind": "NetworkPolicy",
	"metadata": {"name": "default-deny", "namespace": ns},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}

restricted_ns := {"kind": "Namespace", "metadata": {"name": "ws", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}

base := [restricted_ns, deny_all("ws"), deny_all("rel")]

# The release namespace always has its default deny here; tests of a missing one use "ws".
check(objects) := found if {
	found := manifests.deny with input as {"namespace": "rel", "objects": array.concat(objects, [deny_all("rel")])}
}

with_container(patch) := object.union(good_spec, {"containers": [object.union(restricted_container, patch)]})

test_good_manifests_pass if {
	count(check(array.concat(base, [pod(good_spec), deployment("api", good_spec)]))) == 0
}

test_privileged_pod_with_host_path_is_caught if {
	spec := object.union(
		with_container({"securityContext": {"privileged": true, "allowPrivilegeEscalation": true}}),
		{"volumes": [{"name": "root", "hostPath": {"path": "/"}}], "hostNetwork": true},
	)
	found := check(array.concat(base, [pod(spec)]))
	"Pod/p: container main: privileged" in found
	"Pod/p: container main: allowPrivilegeEscalation is not false" in found
	"Pod/p: volume root uses hostPath" in found
	"Pod/p: host namespace hostNetwork" in found
}

container_cases := [
	[{"securityContext": {"capabilities": {"drop": []}}}, "capabilities do not drop ALL"],
	[{"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}}, "capabilities added"],
	[{"securityContext": {"readOnlyRootFilesystem": false}}, "root file system is writable"],
	[{"securityContext": {"runAsUser": 0}}, "runs as root"],
	[{"resources": {"limits": {"cpu": null}}}, "no cpu limit"],
	[{"resources": {"limits": {"memory": null}}}, "no memory limit"],
]

test_each_container_shortfall_is_caught if {
	every c in container_cases {
		[patch, problem] := c
		sprintf("Pod/p: container main: %s", [problem]) in check(array.concat(base, [pod(with_container(patch))]))
	}
}

pod_cases := [
	[{"automountServiceAccountToken": true}, "automountServiceAccountToken is not false"],
	[{"securityContext": {"runAsNonRoot": false, "seccompProfile": {"type": "RuntimeDefault"}}}, "pod securityContext.runAsNonRoot is not true"],
	[{"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "Unconfined"}}}, "pod seccompProfile is not RuntimeDefault"],
]

test_each_pod_shortfall_is_caught if {
	every c in pod_cases {
		[patch, problem] := c
		sprintf("Pod/p: %s", [problem]) in check(array.concat(base, [pod(object.union(good_spec, patch))]))
	}
}

test_missing_automount_field_is_caught if {
	"Pod/p: automountServiceAccountToken is not false" in check(array.concat(base, [pod(object.remove(good_spec, ["automountServiceAccountToken"]))]))
}

token_volume := {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}

test_projected_token_only_for_allowed_components if {
	spec := object.union(good_spec, {"volumes": [token_volume]})
	found := check(array.concat(base, [deployment("hub", spec), deployment("api", spec)]))
	"Deployment/api: service-account token in a pod whose component may not hold one" in found
	not "Deployment/hub: service-account token in a pod whose component may not hold one" in found
}

test_created_namespace_without_default_deny_is_caught if {
	"namespace ws: no default-deny NetworkPolicy" in check([restricted_ns, deny_all("rel")])
}

test_namespace_without_default_deny_is_caught if {
	found := check([restricted_ns, deny_all("rel"), pod(good_spec)])
	"namespace ws: no default-deny NetworkPolicy" in found
}

test_policy_with_rules_is_not_a_default_deny if {
	partial := object.union(deny_all("ws"), {"spec": {"ingress": [{"from": [{"podSelector": {}}]}]}})
	"namespace ws: no default-deny NetworkPolicy" in check([restricted_ns, partial, deny_all("rel"), pod(good_spec)])
}

test_unrestricted_namespaces_are_caught if {
	baseline := {"kind": "Namespace", "metadata": {"name": "a", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}
	unlabelled := {"kind": "Namespace", "metadata": {"name": "b"}}
	found := check([baseline, unlabelled, deny_all("a"), deny_all("b"), deny_all("rel")])
	"namespace a: Pod Security not enforced as restricted" in found
	"namespace b: Pod Security not enforced as restricted" in found
}

netpol(name, spec) := {"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "rel"}, "spec": spec}

egress_to(block) := netpol("hub", {"podSelector": {"matchLabels": {"app": "hub"}}, "egress": [{"to": [{"ipBlock": block}]}]})

test_metadata_address_must_be_excepted if {
	"NetworkPolicy/hub: ipBlock 0.0.0.0/0 opens the cloud metadata address" in check([egress_to({"cidr": "0.0.0.0/0"})])
	"NetworkPolicy/hub: ipBlock 169.254.0.0/16 opens the cloud metadata address" in check([egress_to({"cidr": "169.254.0.0/16", "except": ["169.254.1.0/24"]})])
	count(check([egress_to({"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]})])) == 0
	count(check([egress_to({"cidr": "10.0.0.0/8"})])) == 0
}

workload(spec) := netpol("ws", object.union({"podSelector": {"matchLabels": {"campus/workload": "workspace"}}}, spec))

hub_peer := {"podSelector": {"matchLabels": {"app": "hub"}}}

workload_cases := [
	[{"egress": [{"ports": [{"port": 443}]}]}, "egress rule without destinations (allows all)"],
	[{"egress": [{"to": [], "ports": [{"port": 443}]}]}, "egress rule without destinations (allows all)"],
	[{"ingress": [{"ports": [{"port": 8888}]}]}, "ingress rule without sources (allows all)"],
	[{"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}, "egress to an ipBlock"],
	[{"egress": [{"to": [hub_peer], "ports": [{"protocol": "UDP", "port": 53}]}]}, "egress to DNS other than the closed resolver"],
	[{"egress": [{"to": [resolver_peer], "ports": [{"protocol": "UDP", "port": 5353}]}]}, "workspace egress to DNS"],
]

resolver_peer := {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "dask-dns"}}}

dask(rule) := netpol("dw", {"podSelector": {"matchLabels": {"campus/workload": "dask-worker"}}, "egress": [rule]})

test_dask_pods_may_use_only_the_closed_resolver if {
	count(check([dask({"to": [resolver_peer], "ports": [{"protocol": "UDP", "port": 5353}]})])) == 0
	"NetworkPolicy/dw: egress to DNS other than the closed resolver" in check([dask({"to": [resolver_peer, hub_peer], "ports": [{"port": 53}]})])
}

test_workload_policies_name_every_peer_and_allow_no_dns if {
	every c in workload_cases {
		[spec, problem] := c
		sprintf("NetworkPolicy/ws: %s", [problem]) in check([workload(spec)])
	}
	count(check([workload({"ingress": [{"from": [hub_peer]}], "egress": [{"to": [hub_peer], "ports": [{"port": 8081}]}]})])) == 0
}
