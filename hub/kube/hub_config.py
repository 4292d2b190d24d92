"""JupyterHub configuration on Kubernetes, from the chart's values (data, never code).

The hub image's jupyterhub_config.py (hub/kube/jupyterhub_config.py) calls `apply(c,
values, environ)` with the values the chart renders into the hub's ConfigMap. The chart
offers no way to add Python to the hub: whatever an operator may change is a key here.

Workspaces have no DNS (a DNS resolver forwards anything, so it is a tunnel out). The
hub therefore hands them the hub API and the campus API as ClusterIP addresses, which it
reads from the service-link variables Kubernetes sets in the hub pod
(`<SERVICE>_SERVICE_HOST` / `_SERVICE_PORT`). Those are fixed when the hub pod starts:
if a Service is re-created with a new IP, restart the hub (helm upgrade does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.errors import CampusError
from hub.policy.hubconfig import service_spec as resync_service

HUB_PORT = 8081
GATEWAY_SERVICE = "dask-gateway"


class KubeConfigError(CampusError):
    """The hub's Kubernetes configuration is incomplete (a value or a service address is missing)."""


def service_address(environ: Mapping[str, str], service: str, port_name: str | None = None) -> str:
    """`ip:port` of a Service in the hub's namespace, from Kubernetes service links.

    Without `port_name` the Service's first port; with it, the named port.
    """
    key = service.upper().replace("-", "_")
    port_var = f"{key}_SERVICE_PORT" + (f"_{port_name.upper().replace('-', '_')}" if port_name else "")
    host, port = environ.get(f"{key}_SERVICE_HOST"), environ.get(port_var)
    if not host or not port:
        raise KubeConfigError(f"service {service!r}: {key}_SERVICE_HOST or {port_var} not set (service links off?)")
    return f"{host}:{port}"


def require_env(environ: Mapping[str, str], name: str) -> str:
    """The value of environment variable `name`; KubeConfigError if unset or empty."""
    value = environ.get(name)
    if not value:
        raise KubeConfigError(f"environment variable {name} is not set")
    return value


def apply(c: Any, values: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """Set the campus hub options on JupyterHub's config object `c`."""
    services = values["services"]
    ws = values["workspaces"]
    res = ws["resources"]

    hub_ip_url = f"http://{service_address(environ, services['hub'])}"
    api_ip_url = f"http://{service_address(environ, services['api'])}"

    c.JupyterHub.db_url = require_env(environ, "CAMPUS_HUB_DB_URL")
    c.JupyterHub.hub_bind_url = f"http://:{HUB_PORT}"
    # IMPORTANT: the address workspaces (and the proxy) use to reach the hub: an IP.
    c.JupyterHub.hub_connect_url = hub_ip_url
    # The proxy runs in its own pod; the hub only talks to its API.
    c.ConfigurableHTTPProxy.should_start = False
    c.ConfigurableHTTPProxy.api_url = f"http://{services['proxyApi']}:8001"
    # Workspaces outlive a hub restart (upgrades do not kill running analyses).
    c.JupyterHub.cleanup_servers = False
    c.JupyterHub.concurrent_spawn_limit = values["concurrentSpawnLimit"]

    c.JupyterHub.authenticator_class = "native"
    c.NativeAuthenticator.open_signup = bool(values["openSignup"])
    c.Authenticator.admin_users = set(values["admins"])

    c.JupyterHub.spawner_class = "hub.kube.spawner.CampusKubeSpawner"
    c.Spawner.start_timeout = values["startTimeout"]
    c.Spawner.cmd = ["jupyterhub-singleuser"]
    c.Spawner.default_url = "/lab"
    c.KubeSpawner.namespace = ws["namespace"]
    c.KubeSpawner.image = ws["image"]
    c.KubeSpawner.image_pull_policy = ws["imagePullPolicy"]
    c.KubeSpawner.port = 8888
    c.KubeSpawner.cpu_limit = float(res["cpuLimit"])
    c.KubeSpawner.cpu_guarantee = float(res["cpuGuarantee"])
    c.KubeSpawner.mem_limit = str(res["memLimit"])
    c.KubeSpawner.mem_guarantee = str(res["memGuarantee"])
    # The home claim is made by the spawner, one per user, in the workspaces namespace.
    c.KubeSpawner.storage_pvc_ensure = True
    c.KubeSpawner.pvc_name_template = "home-{user_server}"
    c.KubeSpawner.storage_capacity = ws["home"]["capacity"]
    c.KubeSpawner.storage_access_modes = ["ReadWriteOnce"]
    if ws["home"].get("storageClass"):
        c.KubeSpawner.storage_class = ws["home"]["storageClass"]
    c.CampusKubeSpawner.opa_url = require_env(environ, "CAMPUS_OPA_URL")
    c.CampusKubeSpawner.opa_token = require_env(environ, "CAMPUS_OPA_TOKEN")
    c.CampusKubeSpawner.dataset_claims = dict(ws["datasetClaims"])
    c.CampusKubeSpawner.campus_api_url = api_ip_url
    c.CampusKubeSpawner.workspace_uid = ws["uid"]
    c.CampusKubeSpawner.workspace_gid = ws["gid"]
    c.CampusKubeSpawner.tmp_size = ws["tmpSize"]

    # The campus API is a hub service; users reach it through the proxy at /services/campus/.
    hub_services = [
        {"name": "campus", "url": api_ip_url, "api_token": require_env(environ, "CAMPUS_API_TOKEN")}
    ]
    user_scopes = ["self", "access:services!service=campus"]
    if services.get("gateway"):
        # Everything Dask goes through the gateway's proxy: its web port carries the
        # gateway API and the dashboards (under the hub service prefix), its tcp port
        # the TLS connections to schedulers.
        web = service_address(environ, services["gatewayProxy"], "web")
        tcp = service_address(environ, services["gatewayProxy"], "tcp")
        # IMPORTANT: Dask dashboards are only reachable through the hub's proxy, under
        # /services/dask-gateway/, by users holding the scope below.
        hub_services.append(
            {
                "name": GATEWAY_SERVICE,
                "url": f"http://{web}",
                "api_token": require_env(environ, "CAMPUS_GATEWAY_TOKEN"),
            }
        )
        user_scopes.append(f"access:services!service={GATEWAY_SERVICE}")
        c.CampusKubeSpawner.gateway_address = f"http://{web}/services/{GATEWAY_SERVICE}"
        c.CampusKubeSpawner.gateway_proxy_address = f"gateway://{tcp}"
    # The catalog re-sync: restores the catalog in OPA after OPA restarts (its pod keeps
    # the catalog in memory only). It reads the campus database and holds the catalog
    # token, both of which the hub pod has.
    require_env(environ, "CAMPUS_DB_URL")
    require_env(environ, "CAMPUS_OPA_CATALOG_TOKEN")
    hub_services.append(resync_service(environ))
    c.JupyterHub.services = hub_services
    roles = [{"name": "user", "scopes": user_scopes}]
    if services.get("gateway"):
        # The gateway reads the project of a user's running workspace from the server
        # model (its user_options), so that a cluster works for that project only.
        roles.append({"name": "dask-gateway", "scopes": ["read:servers", "read:users:name"], "services": [GATEWAY_SERVICE]})
    c.JupyterHub.load_roles = roles
