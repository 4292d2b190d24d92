"""The chart, offline: lint, render with defaults and with every key set, validate every
object against the Kubernetes schemas, refuse unknown or unsafe values, and check that
what the chart hands the hub and OPA is what they can load.
"""

from __future__ import annotations

import json
import subprocess

import jsonschema
import kubernetes_validate
import pytest
import yaml
from traitlets.config import Config

from hub.kube.hub_config import apply

from .conftest import CHART, KUBE_VERSION, VALUES_FULL, helm, tool


def by_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def named(objects, kind, suffix):
    (obj,) = [o for o in by_kind(objects, kind) if o["metadata"]["name"].endswith(suffix)]
    return obj


@pytest.mark.parametrize("values", [[], ["--values", str(VALUES_FULL)]], ids=["defaults", "full"])
def test_helm_lint_strict(values):
    proc = helm("lint", "--strict", "--kube-version", KUBE_VERSION, str(CHART), *values, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("fixture", ["default_objects", "full_objects"])
def test_every_rendered_object_is_valid_kubernetes(fixture, request):
    objects = request.getfixturevalue(fixture)
    assert len(objects) > 20
    for obj in objects:
        # strict: an unknown field (a typo in a template) fails too
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def test_values_full_sets_every_key_of_the_schema():
    schema = json.loads((CHART / "values.schema.json").read_text())
    full = yaml.safe_load(VALUES_FULL.read_text())

    def missing(node, value, path):
        if node.get("type") == "object" and "properties" in node:
            for key, sub in node["properties"].items():
                if key not in value:
                    yield f"{path}.{key}"
                else:
                    yield from missing(sub, value[key], f"{path}.{key}")
        elif node.get("type") == "array" and isinstance(node.get("items"), dict) and "properties" in node["items"]:
            if not value:
                yield f"{path}[]"
            for i, item in enumerate(value):
                yield from missing(node["items"], item, f"{path}[{i}]")

    assert list(missing(schema, full, "")) == []


def test_schema_describes_every_key_and_refuses_unknown_ones():
    schema = json.loads((CHART / "values.schema.json").read_text())

    def walk(node, path):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, path
        for key, sub in node.get("properties", {}).items():
            assert sub.get("description"), f"{path}.{key} has no description"
            yield from walk(sub, f"{path}.{key}")
        if isinstance(node.get("items"), dict):
            yield from walk(node["items"], f"{path}[]")
        yield path

    assert len(list(walk(schema, ""))) > 60
    jsonschema.Draft7Validator.check_schema(schema)


@pytest.mark.parametrize(
    "override, message",
    [
        ("extraConfig=import os", "extraConfig"),
        ("hub.extraConfig.x=import os", "extraConfig"),
        ("hub.image.tgs=1", "tgs"),
        ("workspaces.datasets[0].name=x", "claimName"),
        ("workspaces.datasets[0].name=x,workspaces.datasets[0].claimName=c,workspaces.datasets[0].hostPath=/", "hostPath"),
        ("hub.image.tag=latest", "tag"),
        ("networkPolicy.kubeApiCidrs[0]=169.254.169.254/32", "kubeApiCidrs"),
        ("workspaces.datasets[0].name=../etc,workspaces.datasets[0].claimName=c", "name"),
    ],
    ids=["top-level-code", "nested-code", "typo", "incomplete-item", "extra-item-key", "latest-tag", "metadata-cidr", "bad-dataset"],
)
def test_unknown_or_unsafe_values_are_refused(override, message):
    proc = helm("template", "x", str(CHART), "--kube-version", KUBE_VERSION, "--set", override, check=False)
    assert proc.returncode != 0
    assert "values don't meet the specifications of the schema" in proc.stderr
    assert message in proc.stderr


def test_hub_values_configmap_configures_the_hub(full_objects):
    config = named(full_objects, "ConfigMap", "-hub")
    values = yaml.safe_load(config["data"]["values.yaml"])
    env = {
        "SEOUL_CAMPUS_HUB_SERVICE_HOST": "10.96.0.10", "SEOUL_CAMPUS_HUB_SERVICE_PORT": "8081",
        "SEOUL_CAMPUS_API_SERVICE_HOST": "10.96.0.20", "SEOUL_CAMPUS_API_SERVICE_PORT": "8080",
        "SEOUL_CAMPUS_GATEWAY_PROXY_SERVICE_HOST": "10.96.0.40",
        "SEOUL_CAMPUS_GATEWAY_PROXY_SERVICE_PORT_WEB": "8000",
        "SEOUL_CAMPUS_GATEWAY_PROXY_SERVICE_PORT_TCP": "8786",
        "CAMPUS_HUB_DB_URL": "postgresql+psycopg://hub@db/hub", "CAMPUS_OPA_URL": "http://seoul-campus-opa:8181",
        "CAMPUS_OPA_TOKEN": "o" * 64, "CAMPUS_OPA_CATALOG_TOKEN": "k" * 64,
        "CAMPUS_DB_URL": "postgresql+psycopg://campus@db/campus",
        "CAMPUS_API_TOKEN": "a" * 64, "CAMPUS_GATEWAY_TOKEN": "g" * 64,
    }
    # Every variable of the hub's own is one its Deployment sets (service links aside).
    hub = named(full_objects, "Deployment", "-hub")["spec"]["template"]["spec"]["containers"][0]
    assert {k for k in env if k.startswith("CAMPUS_")} <= {e["name"] for e in hub["env"]}
    c = Config()
    apply(c, values, env)
    assert c.KubeSpawner.namespace == "seoul-workspaces"
    assert c.CampusKubeSpawner.dataset_claims == {"card_spending": "ds-card-spending", "bike_trips": "ds-bike-trips"}
    assert c.CampusKubeSpawner.campus_api_url == "http://10.96.0.20:8080"
    assert c.CampusKubeSpawner.workspace_uid == 1001
    assert [s["name"] for s in c.JupyterHub.services] == ["campus", "dask-gateway", "catalog-resync"]
    # Every Service the hub reads through service links exists under that name.
    services = {s["metadata"]["name"] for s in by_kind(full_objects, "Service")}
    assert {v for v in values["services"].values() if v} <= services


def lay_out_opa_bundle(objects, folder):
    """The OPA pod's /policies, as the pod sees it, written to `folder`; returns its paths."""
    bundle = named(objects, "ConfigMap", "-opa-bundle")
    deployment = named(objects, "Deployment", "-opa")
    mounts = deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    paths = {m["subPath"]: m["mountPath"].removeprefix("/policies/") for m in mounts}
    assert set(paths) == set(bundle["data"])
    for key, rel in paths.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(bundle["data"][key])
    return set(paths.values())


def test_opa_bundle_is_the_repository_policies_without_tests(default_objects, tmp_path):
    paths = lay_out_opa_bundle(default_objects, tmp_path)
    assert not any(p.endswith("_test.rego") for p in paths)
    assert {".manifest", "system/authz/authz.rego", "system/authz/data.json"} <= paths
    assert any(p.startswith("campus/") and p.endswith(".rego") for p in paths)
    # Load the files as OPA does: a bundle.
    proc = subprocess.run(
        [str(tool("opa")), "eval", "--format", "json", "--bundle", str(tmp_path), "data.campus.access.tier_rank"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]["restricted"] == 3


def test_workspaces_namespace_enforces_restricted(default_objects):
    (namespace,) = by_kind(default_objects, "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_download_paths_are_routed_to_a_backend_with_no_endpoints(full_objects):
    deny = named(full_objects, "Ingress", "-deny")
    service = named(full_objects, "Service", "-deny")
    assert "selector" not in service["spec"]
    paths = {p["path"]: p["backend"]["service"]["name"] for r in deny["spec"]["rules"] for p in r["http"]["paths"]}
    assert paths == {
        "/user/[^/]+/files/.*": service["metadata"]["name"],
        "/user/[^/]+/nbconvert/.*": service["metadata"]["name"],
    }
    # No snippet annotations (they run arbitrary nginx configuration).
    assert not any("snippet" in k for k in deny["metadata"].get("annotations", {}))


def test_no_object_offers_an_escape_hatch(full_objects):
    text = yaml.safe_dump_all(full_objects)
    for hatch in ("extraConfig", "server-snippet", "configuration-snippet", "hostPath", "privileged: true"):
        assert hatch not in text


def test_chart_opa_refuses_requests_without_the_secret_tokens(default_objects, tmp_path):
    """OPA run with the Deployment's own arguments and environment, on the chart's bundle:
    no token or the wrong one gets 401, the Secret's tokens get their answers, probes pass."""
    import base64
    import time

    import httpx

    from hub.policy.server import free_port

    lay_out_opa_bundle(default_objects, tmp_path / "policies")
    container = named(default_objects, "Deployment", "-opa")["spec"]["template"]["spec"]["containers"][0]
    secret = named(default_objects, "Secret", "-opa")
    tokens = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    env = {e["name"]: tokens[e["valueFrom"]["secretKeyRef"]["key"]] for e in container["env"]}
    assert set(env) == {"CAMPUS_OPA_TOKEN", "CAMPUS_OPA_CATALOG_TOKEN"}
    port = free_port()
    args = [f"--addr=127.0.0.1:{port}" if a == "--addr=:8181" else str(tmp_path / "policies") if a == "/policies" else a for a in container["args"]]
    assert "--authorization=basic" in args and "--authentication=token" in args
    opa = subprocess.Popen([str(tool("opa")), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(url + container["readinessProbe"]["httpGet"]["path"]).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the chart's OPA did not become ready"
            time.sleep(0.05)
        catalog = {"datasets": {}, "projects": {}, "users": {"alice": {"roles": ["researcher"]}}}
        bearer = {name: {"Authorization": f"Bearer {value}"} for name, value in env.items()}
        question = {"input": {"user": "alice", "now": "2026-06-01T00:00:00Z"}}
        for headers in ({}, {"Authorization": "Bearer " + "w" * 64}, bearer["CAMPUS_OPA_TOKEN"]):
            assert httpx.put(f"{url}/v1/data/campus/catalog", json=catalog, headers=headers).status_code == 401
        assert httpx.put(f"{url}/v1/data/campus/catalog", json=catalog, headers=bearer["CAMPUS_OPA_CATALOG_TOKEN"]).status_code == 204
        assert httpx.post(f"{url}/v1/data/campus/access/decision", json=question).status_code == 401
        asked = httpx.post(f"{url}/v1/data/campus/access/decision", json=question, headers=bearer["CAMPUS_OPA_TOKEN"])
        assert asked.status_code == 200 and asked.json()["result"]["allowed"] == []
    finally:
        opa.terminate()
        opa.wait(10)


def test_only_the_hub_holds_the_catalog_token(full_objects):
    holders = {}
    for deployment in by_kind(full_objects, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for e in container.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef", {})
                if ref.get("name", "").endswith("-opa"):
                    holders.setdefault(ref["key"], set()).add(deployment["metadata"]["name"].removeprefix("seoul-campus-"))
    assert holders == {"decision-token": {"opa", "hub", "api", "gateway", "gateway-controller"}, "catalog-token": {"opa", "hub"}}
