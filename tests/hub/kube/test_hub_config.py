"""Tests of hub/kube/hub_config.py: the chart's values become JupyterHub settings.

The values come from the chart itself (the hub ConfigMap rendered by `helm template`)
in tests/helm/test_chart.py; here they are written out so each case is one change.
"""

from __future__ import annotations

import copy

import pytest
from traitlets.config import Config

from hub.kube.hub_config import KubeConfigError, apply, service_address

VALUES = {
    "admins": ["sam"],
    "openSignup": False,
    "concurrentSpawnLimit": 32,
    "startTimeout": 300,
    "services": {
        "hub": "c-campus-hub",
        "api": "c-campus-api",
        "proxyApi": "c-campus-proxy-api",
        "opa": "c-campus-opa",
        "gateway": "",
        "gatewayProxy": "",
    },
    "workspaces": {
        "namespace": "campus-workspaces",
        "image": "registry.campus.example/campus/workspace:0.1.0",
        "imagePullPolicy": "IfNotPresent",
        "uid": 1000,
        "gid": 1000,
        "resources": {"cpuLimit": 2, "cpuGuarantee": 0.5, "memLimit": "4G", "memGuarantee": "1G"},
        "tmpSize": "1Gi",
        "home": {"storageClass": "", "capacity": "10Gi"},
        "datasetClaims": {"card_spending": "ds-card-spending"},
    },
}
ENV = {
    "C_CAMPUS_HUB_SERVICE_HOST": "10.96.0.10",
    "C_CAMPUS_HUB_SERVICE_PORT": "8081",
    "C_CAMPUS_API_SERVICE_HOST": "10.96.0.20",
    "C_CAMPUS_API_SERVICE_PORT": "8000",
    "CAMPUS_HUB_DB_URL": "postgresql+psycopg://hub@db/hub",
    "CAMPUS_OPA_URL": "http://c-campus-opa:8181",
    "CAMPUS_OPA_TOKEN": "o" * 43,
    "CAMPUS_OPA_CATALOG_TOKEN": "k" * 43,
    "CAMPUS_DB_URL": "postgresql+psycopg://campus@db/campus",
    "CAMPUS_API_TOKEN": "t" * 64,
    "CAMPUS_HUB_VALUES": "/usr/local/etc/campus/values.yaml",
}


def configure(values=VALUES, env=ENV) -> Config:
    c = Config()
    apply(c, values, env)
    return c


def test_workspaces_get_ip_addresses_not_names():
    c = configure()
    assert c.JupyterHub.hub_connect_url == "http://10.96.0.10:8081"
    assert c.CampusKubeSpawner.campus_api_url == "http://10.96.0.20:8000"


def test_spawner_is_the_campus_kubespawner_in_the_workspaces_namespace():
    c = configure()
    assert c.JupyterHub.spawner_class == "hub.kube.spawner.CampusKubeSpawner"
    assert c.KubeSpawner.namespace == "campus-workspaces"
    assert c.CampusKubeSpawner.dataset_claims == {"card_spending": "ds-card-spending"}
    assert c.CampusKubeSpawner.opa_url == "http://c-campus-opa:8181"
    assert c.CampusKubeSpawner.opa_token == "o" * 43
    assert c.KubeSpawner.cpu_limit == 2.0 and c.KubeSpawner.mem_limit == "4G"


def test_users_may_use_the_campus_service_only_without_gateway():
    c = configure()
    assert [s["name"] for s in c.JupyterHub.services] == ["campus", "catalog-resync"]
    assert c.JupyterHub.load_roles == [{"name": "user", "scopes": ["self", "access:services!service=campus"]}]


def test_gateway_is_a_hub_service_reached_through_its_proxy_by_scope():
    values = copy.deepcopy(VALUES)
    values["services"].update(gateway="c-campus-gateway", gatewayProxy="c-campus-gateway-proxy")
    env = dict(
        ENV,
        C_CAMPUS_GATEWAY_PROXY_SERVICE_HOST="10.96.0.40",
        C_CAMPUS_GATEWAY_PROXY_SERVICE_PORT="8000",
        C_CAMPUS_GATEWAY_PROXY_SERVICE_PORT_WEB="8000",
        C_CAMPUS_GATEWAY_PROXY_SERVICE_PORT_TCP="8786",
        CAMPUS_GATEWAY_TOKEN="g" * 64,
    )
    c = configure(values, env)
    gateway = next(s for s in c.JupyterHub.services if s["name"] == "dask-gateway")
    assert gateway["url"] == "http://10.96.0.40:8000"
    assert "access:services!service=dask-gateway" in c.JupyterHub.load_roles[0]["scopes"]
    # It may read server models (the workspace's project), nothing more.
    assert c.JupyterHub.load_roles[1] == {"name": "dask-gateway", "scopes": ["read:servers", "read:users:name"], "services": ["dask-gateway"]}
    assert c.CampusKubeSpawner.gateway_address == "http://10.96.0.40:8000/services/dask-gateway"
    assert c.CampusKubeSpawner.gateway_proxy_address == "gateway://10.96.0.40:8786"


@pytest.mark.parametrize(
    "missing, message",
    [
        ("C_CAMPUS_HUB_SERVICE_HOST", "C_CAMPUS_HUB_SERVICE_HOST"),
        ("C_CAMPUS_API_SERVICE_PORT", "C_CAMPUS_API_SERVICE_PORT"),
        ("CAMPUS_HUB_DB_URL", "CAMPUS_HUB_DB_URL"),
        ("CAMPUS_OPA_URL", "CAMPUS_OPA_URL"),
        ("CAMPUS_OPA_TOKEN", "CAMPUS_OPA_TOKEN"),
        ("CAMPUS_API_TOKEN", "CAMPUS_API_TOKEN"),
        ("CAMPUS_DB_URL", "CAMPUS_DB_URL"),
        ("CAMPUS_OPA_CATALOG_TOKEN", "CAMPUS_OPA_CATALOG_TOKEN"),
    ],
)
def test_missing_environment_stops_the_hub_with_one_clear_line(missing, message):
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(KubeConfigError, match=message):
        configure(env=env)


def test_the_hub_runs_the_catalog_resync_with_only_what_it_needs():
    """A restarted OPA pod loses the catalog; the hub's managed service pushes it back."""
    resync = next(s for s in configure().JupyterHub.services if s["name"] == "catalog-resync")
    assert resync["command"][1:] == ["-m", "hub.policy.resync", "--every", "10"]
    # No URL: nothing is routed to it. Its environment: the database, OPA and the catalog
    # token; not the hub's other secrets (API token, values file, decision token).
    assert "url" not in resync
    assert resync["environment"] == {
        "CAMPUS_DB_URL": ENV["CAMPUS_DB_URL"],
        "CAMPUS_OPA_URL": ENV["CAMPUS_OPA_URL"],
        "CAMPUS_OPA_CATALOG_TOKEN": ENV["CAMPUS_OPA_CATALOG_TOKEN"],
    }


def test_named_port_of_a_service():
    env = {"X_SERVICE_HOST": "10.0.0.1", "X_SERVICE_PORT": "1", "X_SERVICE_PORT_TCP": "2"}
    assert service_address(env, "x") == "10.0.0.1:1"
    assert service_address(env, "x", "tcp") == "10.0.0.1:2"
