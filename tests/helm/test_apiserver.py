"""The chart and the workspace pod against a real Kubernetes API server (no nodes).

A kube-apiserver built from the Kubernetes Go modules (tools/kube, `make kube-apiserver`)
runs on Debian's etcd, on loopback ports. It judges what no offline schema can: Pod
Security admission in the restricted workspaces namespace, server-side strict field
validation, RBAC objects, and the pod KubeSpawner itself sends. No kubelet runs, so pods
are admitted and stored, never started. Skipped (with the reason) when the binaries are
missing; about 10 s when they are there.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from kubernetes_asyncio.client.exceptions import ApiException
from kubernetes_asyncio.config import kube_config
from kubespawner import clients

from hub.kube.spawner import CampusKubeSpawner
from hub.policy.server import free_port
from hub.settings import get_settings

from .conftest import NAMESPACE, VALUES_FULL, render

pytestmark = pytest.mark.slow

TOKEN = "campus-test-admin-token"
WORKSPACES = "seoul-workspaces"  # from values-full.yaml


def wait_ready(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, verify=False, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {seconds} s")


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory):
    """Base URL of a running kube-apiserver (admin token TOKEN), stopped after the module."""
    binary, etcd = get_settings().tool("kube-apiserver"), shutil.which("etcd")
    if not binary.exists() or not etcd:
        pytest.skip("needs .campus/bin/kube-apiserver (make kube-apiserver) and Debian's etcd-server")
    work = tmp_path_factory.mktemp("apiserver")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (work / "sa.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    )
    (work / "tokens.csv").write_text(f'{TOKEN},admin,admin,"system:masters"\n')
    client_port, peer_port, api_port = free_port(), free_port(), free_port()
    procs = []
    try:
        procs.append(subprocess.Popen(
            [etcd, "--data-dir", str(work / "etcd"), "--listen-client-urls", f"http://127.0.0.1:{client_port}",
             "--advertise-client-urls", f"http://127.0.0.1:{client_port}", "--listen-peer-urls", f"http://127.0.0.1:{peer_port}"],
            stdout=open(work / "etcd.log", "w"), stderr=subprocess.STDOUT,
        ))
        procs.append(subprocess.Popen(
            [str(binary), f"--etcd-servers=http://127.0.0.1:{client_port}", "--bind-address=127.0.0.1",
             f"--secure-port={api_port}", f"--cert-dir={work / 'certs'}",
             "--service-account-issuer=https://kubernetes.default.svc",
             f"--service-account-key-file={work / 'sa.key'}", f"--service-account-signing-key-file={work / 'sa.key'}",
             f"--token-auth-file={work / 'tokens.csv'}", "--authorization-mode=RBAC",
             "--service-cluster-ip-range=10.96.0.0/16", "--advertise-address=127.0.0.1",
             # no other apiserver and no nodes: nothing to reconcile endpoints with
             "--endpoint-reconciler-type=none",
             # as real clusters do, so that Pod Security (not this flag) refuses privileged pods
             "--allow-privileged=true"],
            stdout=open(work / "apiserver.log", "w"), stderr=subprocess.STDOUT,
        ))
        base = f"https://127.0.0.1:{api_port}"
        wait_ready(f"{base}/readyz", procs[-1])
        yield base
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


class Api:
    """Create any object by kind, through API discovery, with strict field validation."""

    def __init__(self, base: str):
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, verify=False, timeout=30)
        self.paths: dict[tuple[str, str], tuple[str, str, bool]] = {}
        groups = [("", "/api/v1")] + [
            (g["preferredVersion"]["groupVersion"], f"/apis/{g['preferredVersion']['groupVersion']}")
            for g in self.http.get("/apis").json()["groups"]
        ]
        for group_version, prefix in groups:
            for r in self.http.get(prefix).json()["resources"]:
                if "/" not in r["name"]:
                    self.paths[(group_version or "v1", r["kind"])] = (prefix, r["name"], r["namespaced"])

    def create(self, obj: dict, namespace: str) -> httpx.Response:
        prefix, plural, namespaced = self.paths[(obj["apiVersion"], obj["kind"])]
        ns = obj["metadata"].get("namespace", namespace)
        url = f"{prefix}/namespaces/{ns}/{plural}" if namespaced else f"{prefix}/{plural}"
        return self.http.post(url, params={"fieldValidation": "Strict"}, json=obj)


@pytest.fixture(scope="module")
def installed(apiserver):
    """The chart (every key set, Dask on) created object by object, as `helm install` would."""
    api = Api(apiserver)
    release_ns = {"apiVersion": "v1", "kind": "Namespace",
                  "metadata": {"name": NAMESPACE, "labels": {"pod-security.kubernetes.io/enforce": "restricted",
                                                              "pod-security.kubernetes.io/warn": "restricted"}}}
    objects = render(VALUES_FULL)
    ordered = [release_ns] + [o for o in objects if o["kind"] == "Namespace"] + [o for o in objects if o["kind"] != "Namespace"]
    results = {f"{o['kind']}/{o['metadata']['name']}": api.create(o, NAMESPACE) for o in ordered}
    # No controller-manager runs: make the "default" service accounts it would make.
    for ns in (NAMESPACE, WORKSPACES):
        api.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}}, ns)
    return results


def test_every_chart_object_is_accepted_strictly(installed):
    refused = {name: r.text[:300] for name, r in installed.items() if r.status_code != 201}
    assert refused == {}
    assert len(installed) > 40


def test_no_chart_pod_template_draws_a_pod_security_warning(installed):
    warnings = {name: r.headers.get("warning") for name, r in installed.items() if r.headers.get("warning")}
    assert warnings == {}


@pytest.fixture
def spawner(apiserver, installed, tmp_path, monkeypatch):
    """A CampusKubeSpawner talking to the test API server (KubeSpawner's own client)."""
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
        f"clusters: [{{name: test, cluster: {{server: '{apiserver}', insecure-skip-tls-verify: true}}}}]\n"
        "contexts: [{name: test, context: {cluster: test, user: admin}}]\n"
        f"users: [{{name: admin, user: {{token: {TOKEN}}}}}]\n"
    )
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(config))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    clients.load_config.cache_clear()  # KubeSpawner caches the first configuration it loads
    yield
    clients.load_config.cache_clear()


async def make_pod(name: str) -> tuple[CampusKubeSpawner, dict]:
    from types import SimpleNamespace

    spawner = CampusKubeSpawner(
        _mock=True,
        user=SimpleNamespace(name=name, id=1, url=f"/user/{name}/", escaped_name=name),
        namespace=WORKSPACES,
        dataset_claims={"card_spending": "ds-card-spending", "bike_trips": "ds-bike-trips"},
        campus_api_url="http://10.96.0.20:8080",
    )
    spawner.make_policy_client = lambda: SimpleNamespace(
        access=lambda user, project=None: SimpleNamespace(allowed=["card_spending", "bike_trips"], refused={}, error=None, projects=["mobility"])
    )
    await spawner.apply_campus_overrides()
    return spawner, await spawner.get_pod_manifest()


@pytest.mark.asyncio
async def test_kubespawner_workspace_pod_is_admitted_in_the_restricted_namespace(spawner):
    kube, pod = await make_pod("alice")
    created = await kube.api.create_namespaced_pod(WORKSPACES, pod)
    assert created.metadata.name == pod.metadata.name
    assert created.spec.automount_service_account_token is False
    assert {v.name for v in created.spec.volumes} >= {"data-card-spending", "data-bike-trips"}


@pytest.mark.parametrize(
    "attack",
    ["privileged", "host-path", "root", "escalation", "capabilities"],
)
@pytest.mark.asyncio
async def test_pod_security_rejects_a_weakened_workspace_pod(spawner, attack):
    kube, pod = await make_pod("mallory")
    # KubeSpawner keeps the campus securityContext as the dict the builder made.
    context = pod.spec.containers[0].security_context
    if attack == "privileged":
        # (the API itself refuses privileged with allowPrivilegeEscalation false)
        context.update(privileged=True, allowPrivilegeEscalation=True)
    elif attack == "host-path":
        pod.spec.volumes.append({"name": "host", "hostPath": {"path": "/"}})
    elif attack == "root":
        context.update(runAsNonRoot=False, runAsUser=0)
    elif attack == "escalation":
        context["allowPrivilegeEscalation"] = True
    else:
        context["capabilities"] = {"add": ["NET_ADMIN"], "drop": ["ALL"]}
    pod.metadata.name = f"{pod.metadata.name}-{attack}"
    with pytest.raises(ApiException) as refused:
        await kube.api.create_namespaced_pod(WORKSPACES, pod)
    assert refused.value.status == 403, refused.value.body
    assert "violates PodSecurity" in refused.value.body
