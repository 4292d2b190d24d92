"""policies/k8s over what the chart renders: the real objects pass, and each way of
breaking them (by a template change or a hand edit before `kubectl apply`) is caught.
"""

from __future__ import annotations

import copy

import pytest

from hub.kube.check import check_objects

from .conftest import NAMESPACE, VALUES_FULL, render


@pytest.mark.parametrize("fixture", ["default_objects", "full_objects"])
def test_rendered_chart_passes_the_manifest_policy(fixture, request):
    assert check_objects(request.getfixturevalue(fixture), NAMESPACE) == []


def test_every_namespace_with_pods_has_a_default_deny(full_objects):
    namespaces = {o["metadata"].get("namespace", NAMESPACE) for o in full_objects if o["kind"] == "NetworkPolicy"}
    assert namespaces == {NAMESPACE, "seoul-workspaces"}


def test_workspace_network_policy_reaches_only_hub_api_and_gateway(full_objects):
    (policy,) = [o for o in full_objects if o["metadata"]["name"].endswith("-workspace")]
    peers = [p["podSelector"]["matchLabels"].get("app.kubernetes.io/component") for r in policy["spec"]["egress"] for p in r["to"]]
    assert peers == ["hub", "api", "gateway-proxy"]
    sources = [p["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for r in policy["spec"]["ingress"] for p in r["from"]]
    assert sources == ["proxy", "hub"]


def find(objects, kind, suffix):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == "seoul-campus" + suffix)


def privileged_pod(objects):
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "intruder", "namespace": "seoul-workspaces"},
        "spec": {
            "containers": [{"name": "sh", "image": "busybox", "securityContext": {"privileged": True}}],
            "volumes": [{"name": "host", "hostPath": {"path": "/"}}],
        },
    }
    objects.append(pod)


def hub_host_path(objects):
    spec = find(objects, "Deployment", "-hub")["spec"]["template"]["spec"]
    spec["volumes"].append({"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}})


def api_automount(objects):
    find(objects, "Deployment", "-api")["spec"]["template"]["spec"]["automountServiceAccountToken"] = True


def workspace_dns(objects):
    policy = find(objects, "NetworkPolicy", "-workspace")
    policy["spec"]["egress"].append({"to": [{"namespaceSelector": {}}], "ports": [{"protocol": "UDP", "port": 53}]})


def workspace_internet(objects):
    policy = find(objects, "NetworkPolicy", "-workspace")
    policy["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]})


def metadata_open(objects):
    policy = find(objects, "NetworkPolicy", "-hub")
    for rule in policy["spec"]["egress"]:
        for peer in rule.get("to", []):
            if "ipBlock" in peer:
                peer["ipBlock"].pop("except", None)


def no_default_deny(objects):
    objects[:] = [o for o in objects if not (o["kind"] == "NetworkPolicy" and o["metadata"]["name"].endswith("default-deny")
                                              and o["metadata"].get("namespace") == "seoul-workspaces")]


def namespace_baseline(objects):
    next(o for o in objects if o["kind"] == "Namespace")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"


def writable_root(objects):
    find(objects, "Deployment", "-opa")["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False


def token_in_proxy(objects):
    spec = find(objects, "Deployment", "-proxy")["spec"]["template"]["spec"]
    spec["volumes"] = [{"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}]


@pytest.mark.parametrize(
    "attack, expected",
    [
        (privileged_pod, "Pod/intruder: container sh: privileged"),
        (privileged_pod, "Pod/intruder: volume host uses hostPath"),
        (hub_host_path, "Deployment/seoul-campus-hub: volume docker uses hostPath"),
        (api_automount, "Deployment/seoul-campus-api: automountServiceAccountToken is not false"),
        (workspace_dns, "NetworkPolicy/seoul-campus-workspace: egress to DNS other than the closed resolver"),
        (workspace_internet, "NetworkPolicy/seoul-campus-workspace: egress to an ipBlock"),
        (metadata_open, "NetworkPolicy/seoul-campus-hub: ipBlock 0.0.0.0/0 opens the cloud metadata address"),
        (no_default_deny, "namespace seoul-workspaces: no default-deny NetworkPolicy"),
        (namespace_baseline, "namespace seoul-workspaces: Pod Security not enforced as restricted"),
        (writable_root, "Deployment/seoul-campus-opa: container opa: root file system is writable"),
        (token_in_proxy, "Deployment/seoul-campus-proxy: service-account token in a pod whose component may not hold one"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[:40] or None,
)
def test_each_attack_on_the_manifests_is_caught(full_objects, attack, expected):
    objects = copy.deepcopy(full_objects)
    attack(objects)
    assert expected in check_objects(objects, NAMESPACE)


def test_gateway_disabled_renders_no_dask_objects(default_objects):
    assert not [o for o in default_objects if "gateway" in o["metadata"]["name"] or "dask" in o["metadata"]["name"]]


def test_ingress_off_renders_no_ingress():
    objects = render(VALUES_FULL, sets=("ingress.enabled=false",))
    assert not [o for o in objects if o["kind"] == "Ingress"]
