"""dask-gateway on Kubernetes for the campus: who may start clusters, how big, with which data.

The gateway image's dask_gateway_config.py (images/hub/dask_gateway_config.py) calls
`apply(c, values, environ)` with the values the chart renders (data, never code).

- Access: JupyterHub tokens only, and only tokens holding the RBAC scope
  `access:services!service=dask-gateway` (dask-gateway's own check, turned on by naming
  the hub service). Dashboards are reached only through the hub's proxy.
- Size: limits per project. A user's JupyterHub groups are their projects; the largest
  limit among their listed projects applies, `defaultLimits` otherwise.
- Data: a cluster works for the project of the user's running workspace, which the hub
  knows (the server's `user_options`, recorded by the spawner), never for one the user
  names: datasets of two projects must not meet, in a workspace or in a cluster. At
  cluster start OPA is asked, as at workspace spawn, which datasets of that project the
  user may mount; scheduler and workers mount exactly those, read-only. No running
  workspace, or any failure to ask, refuses the cluster (fail closed).
- Isolation: scheduler and worker pods run as restricted as workspaces, with no token and
  labelled for the chart's NetworkPolicies. Workers find their scheduler by a cluster DNS
  name (dask-gateway's design), so Dask pods use the chart's closed resolver: it answers
  cluster names only and forwards nothing, so it cannot carry a tunnel out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from hub.errors import PolicyUnavailable
from hub.kube.hub_config import require_env, service_address
from hub.kube.pod import WORKSPACE_LABEL, dataset_mounts, restricted_container_security_context
from hub.spawner import project

SERVICE_NAME = "dask-gateway"
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def to_bytes(size: str | int) -> int:
    """'16G' -> bytes (the K/M/G/T suffixes of the chart's values)."""
    text = str(size)
    unit = text[-1] if text[-1:] in _UNITS and text[-1:] else ""
    return int(text[: len(text) - len(unit)] if unit else text) * _UNITS[unit]


def limits_for(groups: Iterable[str], default: Mapping[str, Any], projects: Iterable[Mapping[str, Any]]) -> dict:
    """Cluster limits for a user in `groups`: the largest among listed projects, else `default`."""
    mine = [p for p in projects if p["name"] in set(groups)]
    if not mine:
        mine = [default]
    return {
        "cluster_max_workers": max(int(p["maxWorkers"]) for p in mine),
        "cluster_max_cores": max(float(p["maxCores"]) for p in mine),
        "cluster_max_memory": max(to_bytes(p["maxMemory"]) for p in mine),
    }


def dask_pod_overrides(*, role: str, datasets: Mapping[str, str], uid: int, gid: int, nameserver: str) -> dict:
    """Extra pod and container config of a scheduler or worker (role) for dask-gateway."""
    volumes, mounts = dataset_mounts(datasets)
    return {
        f"{role}_extra_pod_labels": {WORKSPACE_LABEL: f"dask-{role}"},
        f"{role}_extra_pod_config": {
            # IMPORTANT: as restricted as a workspace, and no token.
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": {"runAsNonRoot": True, "fsGroup": gid, "seccompProfile": {"type": "RuntimeDefault"}},
            # The closed resolver: cluster names only, nothing forwarded.
            "dnsPolicy": "None",
            "dnsConfig": {"nameservers": [nameserver]},
            "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}, *volumes],
        },
        f"{role}_extra_container_config": {
            "securityContext": restricted_container_security_context(uid=uid, gid=gid),
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, *mounts],
            "workingDir": "/tmp",
        },
    }


def workspace_project(hub_api_url: str, token: str, user: str, timeout: float = 5.0) -> str | None:
    """The project of `user`'s running workspace, from the hub's model of the server.

    Raises PolicyUnavailable when the user has no running workspace or the hub cannot be
    asked. None means the workspace works for no project (its user is in none).
    """
    import httpx

    if not token:
        raise PolicyUnavailable(f"Dask cluster for {user!r} refused: the gateway holds no hub token to ask which project it is for")
    try:
        response = httpx.get(f"{hub_api_url}/users/{quote(user, safe='')}", headers={"Authorization": f"token {token}"}, timeout=timeout)
        response.raise_for_status()
        server = (response.json().get("servers") or {}).get("")
    except (httpx.HTTPError, ValueError) as exc:
        raise PolicyUnavailable(f"Dask cluster for {user!r} refused: the hub could not say which project it is for ({exc})") from exc
    if not server or not server.get("ready"):
        raise PolicyUnavailable(f"Dask cluster for {user!r} refused: start your workspace first (a cluster works for its project)")
    return (server.get("user_options") or {}).get("project")


def make_options_handler(
    *,
    values: Mapping[str, Any],
    opa_url: str,
    opa_token: str,
    nameserver: str,
    hub_api_url: str = "",
    hub_token: str = "",
    policy_client=None,
    project_of: Callable[[str], str | None] | None = None,
):
    """The `handler(options, user)` dask-gateway calls before starting a user's cluster.

    `opa_token` is the campus's decision token (it may ask, not change the catalog);
    `hub_token` the gateway's hub service token (it may read servers, to learn the
    project of the user's workspace). `project_of` replaces that lookup in tests.
    """
    claims = {d["name"]: d["claimName"] for d in values["datasets"]}
    gateway = values["gateway"]

    def handler(options, user) -> dict:
        if policy_client is None:
            from hub.policy.client import PolicyClient

            client = PolicyClient(opa_url, token=opa_token)
        else:
            client = policy_client
        lookup = project_of or (lambda name: workspace_project(hub_api_url, hub_token, name))
        wanted = lookup(user.name)
        try:
            decision = client.access(user.name, project=wanted)
        except Exception as exc:
            raise PolicyUnavailable(f"Dask cluster for {user.name!r} refused: access policy could not be asked ({exc})") from exc
        if decision.error:
            raise PolicyUnavailable(f"Dask cluster for {user.name!r} refused: access policy error: {decision.error}")
        try:
            # The user may have left the project since the workspace started.
            project.choose(wanted, list(decision.projects))
        except project.ProjectChoiceError as exc:
            raise PolicyUnavailable(f"Dask cluster for {user.name!r} refused: {exc}") from exc
        datasets = {d: claims[d] for d in sorted(set(decision.allowed)) if d in claims}
        config = limits_for(user.groups, gateway["defaultLimits"], gateway["projects"])
        for role in ("scheduler", "worker"):
            config.update(
                dask_pod_overrides(role=role, datasets=datasets, uid=values["uid"], gid=values["gid"], nameserver=nameserver)
            )
        return config

    return handler


def apply(c: Any, values: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """Set dask-gateway-server's options (API server and controller) from the chart's values."""
    from dask_gateway_server.options import Options

    gateway = values["gateway"]
    cluster = gateway["cluster"]
    services = values["services"]
    nameserver = service_address(environ, services["dns"]).split(":")[0]
    opa_url = require_env(environ, "CAMPUS_OPA_URL")
    opa_token = require_env(environ, "CAMPUS_OPA_TOKEN")
    # Only the gateway's API server (which runs the options handler) holds the hub token;
    # the controller applies the same configuration without it. No token: every cluster is
    # refused by the handler (fail closed).
    hub_token = environ.get("JUPYTERHUB_API_TOKEN", "")
    hub_api_url = f"http://{service_address(environ, services['hub'])}/hub/api"

    c.DaskGateway.backend_class = "dask_gateway_server.backends.kubernetes.KubeBackend"
    c.DaskGateway.authenticator_class = "dask_gateway_server.auth.JupyterHubAuthenticator"
    # IMPORTANT: naming the hub service turns on dask-gateway's scope check: a token must
    # hold access:services!service=dask-gateway.
    c.JupyterHubAuthenticator.jupyterhub_service_name = SERVICE_NAME
    c.JupyterHubAuthenticator.jupyterhub_api_url = hub_api_url
    c.KubeBackend.api_url = f"http://{service_address(environ, services['gateway'])}/api"
    c.KubeController.api_url = c.KubeBackend.api_url
    c.KubeController.proxy_prefix = f"/services/{SERVICE_NAME}"
    c.KubeController.gateway_instance = services["gateway"]
    c.KubeBackend.gateway_instance = services["gateway"]
    c.KubeClusterConfig.namespace = values["namespace"]
    c.KubeClusterConfig.image = values["image"]
    c.KubeClusterConfig.image_pull_policy = values["imagePullPolicy"]
    c.KubeClusterConfig.scheduler_cores = cluster["schedulerCores"]
    c.KubeClusterConfig.scheduler_cores_limit = cluster["schedulerCores"]
    c.KubeClusterConfig.scheduler_memory = cluster["schedulerMemory"]
    c.KubeClusterConfig.scheduler_memory_limit = cluster["schedulerMemory"]
    c.KubeClusterConfig.worker_cores = cluster["workerCores"]
    c.KubeClusterConfig.worker_cores_limit = cluster["workerCores"]
    c.KubeClusterConfig.worker_memory = cluster["workerMemory"]
    c.KubeClusterConfig.worker_memory_limit = cluster["workerMemory"]
    c.KubeClusterConfig.idle_timeout = float(cluster["idleTimeoutSeconds"])
    # Users choose nothing: the handler decides size limits and data mounts.
    c.Backend.cluster_options = Options(
        handler=make_options_handler(
            values=values, opa_url=opa_url, opa_token=opa_token, nameserver=nameserver, hub_api_url=hub_api_url, hub_token=hub_token
        )
    )
