"""Fixtures for the KubeSpawner tests: an offline kubeconfig, a fake OPA answer.

KubeSpawner loads a Kubernetes client configuration when it is created, even though
building a pod manifest never talks to the API server. The kubeconfig here points at a
closed local port, so any accidental API call fails instead of reaching a real cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from kubernetes_asyncio.config import kube_config

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: offline
clusters: [{name: offline, cluster: {server: "https://127.0.0.1:9"}}]
contexts: [{name: offline, context: {cluster: offline, user: offline}}]
users: [{name: offline, user: {}}]
"""


@pytest.fixture(autouse=True)
def offline_kubeconfig(tmp_path_factory, monkeypatch):
    path = tmp_path_factory.getbasetemp() / "kubeconfig"
    if not path.exists():
        path.write_text(KUBECONFIG)
    # kubernetes_asyncio reads KUBECONFIG once, at import: patch the value it kept.
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)


@dataclass
class Decision:
    """The shape of `PolicyClient.access(user)`'s answer."""

    allowed: list[str] = field(default_factory=list)
    refused: dict = field(default_factory=dict)
    error: str | None = None
    projects: list[str] = field(default_factory=lambda: ["mobility"])


def fake_user(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, id=1, url=f"/user/{name}/", escaped_name=name)
