# METADATA
# title: Rendered Kubernetes manifests of the campus
# description: |
#   Checks over the objects the Helm chart renders (and the workspace pod the spawner
#   builds), evaluated offline by the pinned OPA before anything reaches a cluster.
#   Input: {"namespace": <release namespace>, "objects": [<Kubernetes objects>]}.
#   Every pod must meet Pod Security "restricted" plus the campus bar (read-only root,
#   limits, no automounted token, no host paths); every namespace holding pods must have
#   a default-deny NetworkPolicy; no ipBlock may open the cloud metadata address; the
#   NetworkPolicies of campus workloads (workspaces, Dask) name every peer and never
#   allow DNS or raw addresses. Kinds, exceptions and ports are data
#   (data.k8s.manifests.*).
package k8s.manifests

# METADATA
# title: Every problem found, one line each (empty when the manifests pass)
# entrypoint: true
deny contains msg if {
	some [name, problem] in problems
	msg := sprintf("%s: %s", [name, problem])
}

deny contains msg if {
	some ns in namespaces
	not ns in default_deny_namespaces
	msg := sprintf("namespace %s: no default-deny NetworkPolicy", [ns])
}

deny contains msg if {
	some obj in input.objects
	obj.kind == "Namespace"
	obj.metadata.labels["pod-security.kubernetes.io/enforce"] != "restricted"
	msg := sprintf("namespace %s: Pod Security not enforced as restricted", [obj.metadata.name])
}

deny contains msg if {
	some obj in input.objects
	obj.kind == "Namespace"
	not obj.metadata.labels["pod-security.kubernetes.io/enforce"]
	msg := sprintf("namespace %s: Pod Security not enforced as restricted", [obj.metadata.name])
}

deny contains msg if {
	some [name, block] in ip_blocks
	net.cidr_contains(block.cidr, data.k8s.manifests.metadata_ip)
	not metadata_excepted(block)
	msg := sprintf("%s: ipBlock %s opens the cloud metadata address", [name, block.cidr])
}

# METADATA
# title: Pod specs of every pod-bearing object, as [name, spec]
pods contains [object_name(obj), spec] if {
	some obj in input.objects
	path := data.k8s.manifests.pod_kinds[obj.kind]
	spec := object.get(obj, path, null)
	is_object(spec)
}

object_name(obj) := sprintf("%s/%s", [obj.kind, obj.metadata.name])

namespace_of(obj) := object.get(obj, ["metadata", "namespace"], input.namespace)

# METADATA
# title: Every namespace the manifests create or put objects in
namespaces contains namespace_of(obj) if {
	some obj in input.objects
	obj.kind != "Namespace"
}

namespaces contains obj.metadata.name if {
	some obj in input.objects
	obj.kind == "Namespace"
}

default_deny_namespaces contains namespace_of(obj) if {
	some obj in input.objects
	obj.kind == "NetworkPolicy"
	obj.spec.podSelector == {}
	{"Ingress", "Egress"} == {t | some t in obj.spec.policyTypes}
	count(object.get(obj.spec, "ingress", [])) == 0
	count(object.get(obj.spec, "egress", [])) == 0
}

# METADATA
# title: Problems of pods, containers and workload NetworkPolicies, as [object, problem]
problems contains [name, "automountServiceAccountToken is not false"] if {
	some [name, spec] in pods
	not spec.automountServiceAccountToken == false
}

problems contains [name, sprintf("host namespace %s", [k])] if {
	some [name, spec] in pods
	some k in ["hostNetwork", "hostPID", "hostIPC"]
	spec[k] == true
}

problems contains [name, sprintf("volume %s uses %s", [v.name, t])] if {
	some [name, spec] in pods
	some v in spec.volumes
	some t in data.k8s.manifests.forbidden_volume_types
	v[t]
}

problems contains [name, "pod securityContext.runAsNonRoot is not true"] if {
	some [name, spec] in pods
	not spec.securityContext.runAsNonRoot == true
}

problems contains [name, "pod seccompProfile is not RuntimeDefault"] if {
	some [name, spec] in pods
	not spec.securityContext.seccompProfile.type == "RuntimeDefault"
}

problems contains [name, sprintf("container %s: %s", [c.name, p])] if {
	some [name, c] in containers
	some p in container_checks(c)
}

problems contains [object_name(policy), p] if {
	some policy in workload_policies
	some p in workload_policy_checks(policy.spec)
}

problems contains [object_name(obj), "service-account token in a pod whose component may not hold one"] if {
	some obj in input.objects
	path := data.k8s.manifests.pod_kinds[obj.kind]
	some v in object.get(obj, array.concat(path, ["volumes"]), [])
	some src in object.get(v, ["projected", "sources"], [])
	src.serviceAccountToken
	labels := object.get(obj, array.concat(array.slice(path, 0, count(path) - 1), ["metadata", "labels"]), {})
	not object.get(labels, "app.kubernetes.io/component", "") in data.k8s.manifests.token_components
}

containers contains [name, c] if {
	some [name, spec] in pods
	some c in array.concat(object.get(spec, "containers", []), object.get(spec, "initContainers", []))
}

# METADATA
# title: What a container's securityContext and resources must hold
container_checks(c) := {p |
	some [p, failed] in [
		["privileged", object.get(c, ["securityContext", "privileged"], false) == true],
		["allowPrivilegeEscalation is not false", object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false],
		["capabilities do not drop ALL", not_drops_all(c)],
		["capabilities added", count(object.get(c, ["securityContext", "capabilities", "add"], [])) > 0],
		["root file system is writable", object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) != true],
		["runs as root", object.get(c, ["securityContext", "runAsUser"], -1) == 0],
		["no cpu limit", object.get(c, ["resources", "limits", "cpu"], null) == null],
		["no memory limit", object.get(c, ["resources", "limits", "memory"], null) == null],
	]
	failed
}

not_drops_all(c) := not_in("ALL", object.get(c, ["securityContext", "capabilities", "drop"], []))

not_in(x, xs) := count({y | some y in xs; y == x}) == 0

# METADATA
# title: Every ipBlock of every NetworkPolicy, as [name, block]
ip_blocks contains [object_name(obj), peer.ipBlock] if {
	some obj in input.objects
	obj.kind == "NetworkPolicy"
	some rule in array.concat(object.get(obj.spec, "ingress", []), object.get(obj.spec, "egress", []))
	some peer in array.concat(object.get(rule, "from", []), object.get(rule, "to", []))
	peer.ipBlock
}

metadata_excepted(block) if {
	some ex in block.except
	net.cidr_contains(ex, data.k8s.manifests.metadata_ip)
}

workload_policies contains obj if {
	some obj in input.objects
	obj.kind == "NetworkPolicy"
	obj.spec.podSelector.matchLabels[data.k8s.manifests.workload_label]
}

# METADATA
# title: What a campus workload's NetworkPolicy must never allow
workload_policy_checks(spec) := {p |
	some [p, failed] in [
		["egress rule without destinations (allows all)", count([r | some r in object.get(spec, "egress", []); count(object.get(r, "to", [])) == 0]) > 0],
		["ingress rule without sources (allows all)", count([r | some r in object.get(spec, "ingress", []); count(object.get(r, "from", [])) == 0]) > 0],
		["egress to an ipBlock", count([peer | some r in object.get(spec, "egress", []); some peer in object.get(r, "to", []); peer.ipBlock]) > 0],
		["egress to DNS other than the closed resolver", count([r | some r in object.get(spec, "egress", []); dns_rule(r); not closed_resolver_only(r)]) > 0],
		["workspace egress to DNS", count([r | some r in object.get(spec, "egress", []); dns_rule(r); spec.podSelector.matchLabels[data.k8s.manifests.workload_label] in data.k8s.manifests.no_dns_workloads]) > 0],
	]
	failed
}

dns_rule(rule) if {
	some port in object.get(rule, "ports", [])
	port.port in data.k8s.manifests.dns_ports
}

# METADATA
# title: Every peer of the rule is the campus resolver that forwards nothing
closed_resolver_only(rule) if {
	count(rule.to) > 0
	every peer in rule.to {
		peer.podSelector.matchLabels["app.kubernetes.io/component"] == data.k8s.manifests.closed_resolver_component
	}
}
