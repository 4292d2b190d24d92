"""JupyterHub configuration of the embedded campus (one machine, bubblewrap workspaces).

Started by `campus up` (hub/up.py) as `jupyterhub -f hub/jupyterhub_config.py`, with the
campus environment (CAMPUS_HOME, CAMPUS_OPA_URL, ...) already set. Must run as root: the
spawner starts bwrap privileged and switches each workspace to its own unprivileged uid.

| variable               | default    | what                                        |
|------------------------|------------|---------------------------------------------|
| CAMPUS_HUB_IP          | 127.0.0.1  | where the proxy listens for browsers        |
| CAMPUS_HUB_PORT        | 8000       | its port                                    |
| CAMPUS_PROXY_API_PORT  | 8001       | the proxy's REST API (loopback only)        |
| CAMPUS_MEM_LIMIT       | 4G         | memory per workspace                        |
| CAMPUS_CPU_LIMIT       | 1.0        | CPUs per workspace                          |
| CAMPUS_API             | 1          | run the campus API service (0: do not)       |
| CAMPUS_API_PORT        | 10101      | the campus API's loopback port              |
| CAMPUS_CONSOLE         | 1          | run the campus console service (0: do not)  |
| CAMPUS_CONSOLE_PORT    | 10102      | the console's loopback port                 |
| CAMPUS_CATALOG_RESYNC  | 1          | run the catalog re-sync service (0: do not) |

Where things live:
  $CAMPUS_HOME/hub/          hub state, mode 0700: jupyterhub.sqlite, cookie secret, proxy pid
  $CAMPUS_HOME/run/hub/      only the hub's API socket; bound read-only into every sandbox,
                             so nothing else may ever be written there
"""

import os
from pathlib import Path

from hub.auth.roles import CUSTOM_SCOPES
from hub.settings import REPO_ROOT, get_settings
from hub.spawner.spawner import cleanup_stale

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

settings = get_settings()
state_dir = settings.home / "hub"
state_dir.mkdir(parents=True, exist_ok=True)
state_dir.chmod(0o700)
socket_dir = settings.run_dir / "hub"
socket_dir.mkdir(parents=True, exist_ok=True)
socket_dir.chmod(0o755)
hub_socket = socket_dir / "hub.sock"

# Sandboxes never outlive the hub (--die-with-parent); remove what a crashed hub left behind.
cleanup_stale(settings)

# --- network: browsers -> proxy -> hub / workspaces ------------------------------------------
ip = os.environ.get("CAMPUS_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{ip}:{os.environ.get('CAMPUS_HUB_PORT', '8000')}"
# The hub listens only on a Unix socket: the proxy reaches it there, and workspaces reach it
# through the socket folder bound read-only at /run/jupyterhub (they have no network).
hub_url = "http+unix://" + str(hub_socket).replace("/", "%2F")
c.JupyterHub.hub_bind_url = hub_url
c.JupyterHub.hub_connect_url = hub_url
# Workspace uids must be able to connect; the hub API still requires a token.
c.JupyterHub.hub_socket_mode = 0o666
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('CAMPUS_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(REPO_ROOT / "tools" / "node" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state_dir / "proxy.pid")
c.ConfigurableHTTPProxy.should_start = True

# --- state ---------------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state_dir / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- who: campus users, campus roles ----------------------------------------------------------
c.JupyterHub.authenticator_class = "hub.auth.campus.CampusAuthenticator"
c.JupyterHub.custom_scopes = CUSTOM_SCOPES

# --- workspaces -------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "hub.spawner.spawner.SandboxSpawner"
c.Spawner.default_url = "/lab"
# Bytes or a size with a K/M/G/T suffix; traitlets refuses a bare number given as text.
_mem_limit = os.environ.get("CAMPUS_MEM_LIMIT", "4G").strip()
c.Spawner.mem_limit = int(_mem_limit) if _mem_limit.isdigit() else _mem_limit
c.Spawner.cpu_limit = float(os.environ.get("CAMPUS_CPU_LIMIT", "1.0"))
c.Spawner.start_timeout = 60
# How soon a revoked grant stops a running workspace: its grants are re-checked (at most this
# often, in seconds) when the hub polls the workspace, which it does at least as often.
_grant_check = max(1, int(os.environ.get("CAMPUS_GRANT_CHECK_INTERVAL", "20")))
c.SandboxSpawner.grant_check_interval = _grant_check
c.Spawner.poll_interval = min(30, _grant_check)
c.Spawner.http_timeout = 30
# The workspace sees only the campus variables the spawner sets, never the hub's environment.
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.JupyterHub.shutdown_on_logout = False

# --- campus API (export requests): a hub-managed service at /services/campus/ and on ----
# $CAMPUS_HOME/run/api/api.sock, the only way out of a workspace.
if os.environ.get("CAMPUS_API", "1") == "1":
    from hub.service.hubconfig import configure_api

    configure_api(c)

# --- campus console (catalog, review, audit): a hub-managed service at /services/console/ ----
if os.environ.get("CAMPUS_CONSOLE", "1") == "1":
    from hub.web.hubconfig import configure_console

    configure_console(c)

# --- catalog re-sync: a restarted OPA gets the catalog back within ~10 s (hub.policy.resync) ----
if os.environ.get("CAMPUS_CATALOG_RESYNC", "1") == "1":
    from hub.policy.hubconfig import configure_resync

    configure_resync(c)
