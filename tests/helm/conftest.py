"""Fixtures for the chart tests: the pinned helm and opa, and the chart rendered offline.

No cluster is involved: `helm template` renders the objects, kubernetes-validate checks
them against the Kubernetes schemas it ships, and the pinned OPA runs policies/k8s over
them. Renders are session-scoped: each values file is rendered once.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from hub.settings import REPO_ROOT, get_settings

CHART = REPO_ROOT / "helm" / "campus"
VALUES_FULL = Path(__file__).with_name("values-full.yaml")
KUBE_VERSION = "1.33.0"
RELEASE, NAMESPACE = "campus", "campus"


def tool(name: str) -> Path:
    path = get_settings().tool(name)
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make tools`")
    return path


def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([str(tool("helm")), *args], capture_output=True, text=True, check=check, timeout=120)


def render(*values: Path | str, sets: tuple[str, ...] = ()) -> list[dict]:
    """The chart's objects for these values files (and --set overrides), parsed."""
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE, "--kube-version", KUBE_VERSION]
    for v in values:
        args += ["--values", str(v)]
    for s in sets:
        args += ["--set", s]
    out = helm(*args).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


@pytest.fixture(scope="session")
def default_objects() -> list[dict]:
    return render()


@pytest.fixture(scope="session")
def full_objects() -> list[dict]:
    return render(VALUES_FULL)
