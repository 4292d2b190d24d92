"""Tests of hub/kube/gateway_config.py: who may start Dask clusters, how big, with which data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from traitlets.config import Config

from hub.errors import PolicyUnavailable
from hub.kube.gateway_config import apply, limits_for, make_options_handler, to_bytes
from hub.kube.hub_config import KubeConfigError

from .conftest import Decision

VALUES = {
    "namespace": "campus-workspaces",
    "image": "registry.campus.example/campus/workspace:0.1.0",
    "imagePullPolicy": "IfNotPresent",
    "uid": 1000,
    "gid": 1000,
    "datasets": [{"name": "card_spending", "claimName": "ds-card"}, {"name": "bike_trips", "claimName": "ds-bike"}],
    "services": {"hub": "c-campus-hub", "gateway": "c-campus-gateway", "dns": "c-campus-dask-dns"},
    "gateway": {
        "cluster": {"schedulerCores": 1, "schedulerMemory": "2G", "workerCores": 1, "workerMemory": "4G", "idleTimeoutSeconds": 1800},
        "defaultLimits": {"maxWorkers": 2, "maxCores": 4, "maxMemory": "8G"},
        "projects": [
            {"name": "seoul-mobility", "maxWorkers": 8, "maxCores": 16, "maxMemory": "64G"},
            {"name": "retail", "maxWorkers": 4, "maxCores": 32, "maxMemory": "16G"},
        ],
    },
}
ENV = {
    "C_CAMPUS_HUB_SERVICE_HOST": "10.96.0.10", "C_CAMPUS_HUB_SERVICE_PORT": "8081",
    "C_CAMPUS_GATEWAY_SERVICE_HOST": "10.96.0.30", "C_CAMPUS_GATEWAY_SERVICE_PORT": "8000",
    "C_CAMPUS_DASK_DNS_SERVICE_HOST": "10.96.0.53", "C_CAMPUS_DASK_DNS_SERVICE_PORT": "53",
    "CAMPUS_OPA_URL": "http://c-campus-opa:8181",
    "CAMPUS_OPA_TOKEN": "o" * 43,
}


class Policy:
    def __init__(self, answer):
        self.answer = answer

    def access(self, user, project=None):
        self.asked = (user, project)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def user(name="alice", groups=()):
    return SimpleNamespace(name=name, groups=set(groups))


@pytest.mark.parametrize(
    "groups, workers, cores, memory",
    [
        ((), 2, 4.0, "8G"),
        (("unlisted",), 2, 4.0, "8G"),
        (("seoul-mobility",), 8, 16.0, "64G"),
        (("seoul-mobility", "retail"), 8, 32.0, "64G"),
    ],
)
def test_limits_per_project(groups, workers, cores, memory):
    limits = limits_for(groups, VALUES["gateway"]["defaultLimits"], VALUES["gateway"]["projects"])
    assert limits == {"cluster_max_workers": workers, "cluster_max_cores": cores, "cluster_max_memory": to_bytes(memory)}


def handler_for(answer, project="mobility", policy=None):
    return make_options_handler(
        values=VALUES, opa_url="http://opa", opa_token="o" * 43, nameserver="10.96.0.53",
        policy_client=policy or Policy(answer), project_of=lambda name: project,
    )  # fmt: skip


def test_cluster_mounts_only_granted_datasets_read_only_in_locked_pods():
    config = handler_for(Decision(allowed=["card_spending", "not_in_chart"]))({}, user(groups=["retail"]))
    assert config["cluster_max_workers"] == 4
    for role in ("scheduler", "worker"):
        pod = config[f"{role}_extra_pod_config"]
        container = config[f"{role}_extra_container_config"]
        assert config[f"{role}_extra_pod_labels"] == {"campus/workload": f"dask-{role}"}
        assert pod["automountServiceAccountToken"] is False
        assert pod["dnsPolicy"] == "None" and pod["dnsConfig"] == {"nameservers": ["10.96.0.53"]}
        assert [v["name"] for v in pod["volumes"]] == ["tmp", "data-card-spending"]
        assert pod["volumes"][1]["persistentVolumeClaim"] == {"claimName": "ds-card", "readOnly": True}
        assert {"name": "data-card-spending", "mountPath": "/data/card_spending", "readOnly": True} in container["volumeMounts"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}


@pytest.mark.parametrize(
    "answer",
    [ConnectionError("refused"), Decision(allowed=["card_spending"], error="opa down")],
    ids=["unreachable", "error"],
)
def test_cluster_is_refused_when_policy_fails(answer):
    with pytest.raises(PolicyUnavailable, match="refused"):
        handler_for(answer)({}, user())


def test_gateway_requires_the_hub_scope_and_uses_ip_addresses():
    c = Config()
    apply(c, VALUES, ENV)
    assert c.JupyterHubAuthenticator.jupyterhub_service_name == "dask-gateway"
    assert c.JupyterHubAuthenticator.jupyterhub_api_url == "http://10.96.0.10:8081/hub/api"
    assert c.KubeBackend.api_url == "http://10.96.0.30:8000/api"
    assert c.KubeClusterConfig.namespace == "campus-workspaces"
    assert c.KubeController.proxy_prefix == "/services/dask-gateway"
    # The options object carries our handler; users get no options to choose.
    assert c.Backend.cluster_options.fields == ()


def test_jupyterhub_authenticator_turns_on_the_scope_check():
    from dask_gateway_server.auth import JupyterHubAuthenticator

    c = Config()
    apply(c, VALUES, ENV)
    auth = JupyterHubAuthenticator(config=c, jupyterhub_api_token="x")
    assert auth.use_service_access_scopes is True


def test_missing_resolver_address_stops_the_gateway():
    env = {k: v for k, v in ENV.items() if "DNS" not in k}
    with pytest.raises(KubeConfigError, match="C_CAMPUS_DASK_DNS_SERVICE_HOST"):
        apply(Config(), VALUES, env)


@pytest.mark.parametrize("text, expected", [("16G", 16 * 1024**3), ("512M", 512 * 1024**2), ("100", 100), (7, 7)])
def test_to_bytes(text, expected):
    assert to_bytes(text) == expected


def test_gateway_needs_the_opa_token():
    env = {k: v for k, v in ENV.items() if k != "CAMPUS_OPA_TOKEN"}
    with pytest.raises(KubeConfigError, match="CAMPUS_OPA_TOKEN"):
        apply(Config(), VALUES, env)


def test_cluster_is_refused_when_opa_refuses_the_token(opa_server):
    """The handler's own client against the real OPA: a wrong token is a refused cluster."""
    from hub.policy.sync import push_catalog

    push_catalog(opa_server.url, {"datasets": {}, "projects": {}, "users": {"alice": {"roles": ["researcher"]}}})
    handler = make_options_handler(values=VALUES, opa_url=opa_server.url, opa_token="w" * 43, nameserver="10.96.0.53", project_of=lambda name: None)
    with pytest.raises(PolicyUnavailable, match="refused the campus's credentials"):
        handler({}, user())
    right = make_options_handler(
        values=VALUES, opa_url=opa_server.url, opa_token=opa_server.tokens.decision, nameserver="10.96.0.53", project_of=lambda name: None
    )
    assert right({}, user())["cluster_max_workers"] == 2


def test_cluster_works_for_the_project_of_the_running_workspace():
    """OPA is asked about the workspace's project, which comes from the hub, not from the user."""
    policy = Policy(Decision(allowed=["card_spending"], projects=["retail", "seoul-mobility"]))
    config = handler_for(None, project="retail", policy=policy)({"project": "seoul-mobility"}, user(groups=["retail"]))
    assert policy.asked == ("alice", "retail")
    assert [v["name"] for v in config["worker_extra_pod_config"]["volumes"]] == ["tmp", "data-card-spending"]


def test_cluster_is_refused_when_the_user_left_the_workspace_project():
    with pytest.raises(PolicyUnavailable, match="not a member of project 'retail'"):
        handler_for(Decision(allowed=[], projects=["seoul-mobility"]), project="retail")({}, user())


def test_cluster_is_refused_without_a_running_workspace(campus_hub):
    """The lookup against a real hub: bob has no running workspace, so no cluster."""
    from hub.kube.gateway_config import workspace_project

    bob = campus_hub.session("bob")
    bob.stop()
    with pytest.raises(PolicyUnavailable, match="start your workspace first"):
        workspace_project(f"{campus_hub.url}/hub/api", bob.token, "bob")


def test_workspace_project_comes_from_the_hub_server_model(campus_hub):
    """The spawner records the project in the server's user_options; the gateway reads it there."""
    from hub.kube.gateway_config import workspace_project

    bob = campus_hub.session("bob")
    assert bob.spawn().status_code < 400
    try:
        assert workspace_project(f"{campus_hub.url}/hub/api", bob.token, "bob") == "retail"
    finally:
        bob.stop()


def test_gateway_without_a_hub_token_refuses_every_cluster():
    from hub.kube.gateway_config import workspace_project

    with pytest.raises(PolicyUnavailable, match="holds no hub token"):
        workspace_project("http://hub/hub/api", "", "alice")
