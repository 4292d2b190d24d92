"""Configuration of every workspace's single-user server (applied by its read-only config file).

Runs inside the sandbox at server start; each security-relevant setting says why.
"""

from __future__ import annotations

from hub.singleuser import csp
from hub.spawner import sandbox


def apply(c) -> None:
    """Set the campus options on Jupyter's config object `c`."""
    # Listen only on a Unix socket in the folder shared with the hub's bridge: the sandbox
    # has no network interface but loopback, and nothing else should reach the server.
    c.ServerApp.sock = sandbox.SERVER_SOCKET
    c.ServerApp.sock_mode = "0600"
    # Refuse every route that hands a file to the browser (hub/singleuser/authorizer.py).
    c.ServerApp.authorizer_class = "hub.singleuser.authorizer.CampusAuthorizer"
    # jupyter-server-proxy's own extension would proxy any path of any local web server
    # (one started in the workspace would serve files); ours proxies only the Dask
    # dashboard's routes, read-only, with its answers filtered (dashboard_proxy.py).
    # The lab page loads the campus Trusted Types default policy first (trusted_types.py):
    # HTML in an output cannot navigate the tab to another site.
    # jupyter_server asks the authorizer only from handlers decorated with @authorized: the
    # route guard (route_guard.py) puts its rules, and an allow-list of the audited routes,
    # in front of every handler. jupyter-lsp is off: its websocket (not gated) starts any
    # language server it finds (basedpyright is installed), which reads files of the home
    # and of /data and sends what it likes to the browser; the lab does not need it.
    c.ServerApp.jpserver_extensions = {
        "jupyter_server_proxy": False,
        "jupyter_lsp": False,
        "hub.singleuser.route_guard": True,
        "hub.singleuser.dashboard_proxy": True,
        "hub.singleuser.trusted_types": True,
    }
    # Every answer carries the campus Content-Security-Policy (csp.py): the browser is
    # outside the sandbox, so it must not send what the lab shows to another site.
    # jupyter_server uses settings["headers"]["Content-Security-Policy"] instead of its own
    # default, and JupyterHub's singleuser only sets one if none is there (setdefault).
    # No DNS prefetching of the hosts an output links to: a lookup of
    # <chunk-of-data>.elsewhere.example would carry data out through DNS, which CSP does not govern.
    c.ServerApp.tornado_settings = {
        "headers": {"Content-Security-Policy": csp.WORKSPACE_POLICY, "X-DNS-Prefetch-Control": "off"}
    }
    # Terminals are allowed: they run inside the sandbox like kernels do.
    c.ServerApp.terminals_enabled = True
    # Only the campus kernel, from the read-only folder (kernelspecs.py): a spec of the
    # user's own in ~/.ipython/kernels would let /kernelspecs/<name>/<file> serve a copy of
    # the rows put beside its kernel.json.
    c.ServerApp.kernel_spec_manager_class = "hub.singleuser.kernelspecs.CampusKernelSpecManager"
    c.KernelSpecManager.allowed_kernelspecs = {"python3"}
    # Hidden files are neither listed nor served by the contents API.
    c.ContentsManager.allow_hidden = False
    # Lab: the watermark (custom.css) and the locked settings from the config folder.
    c.LabApp.custom_css = True
    c.LabApp.app_settings_dir = f"{sandbox.CONFIG_DIR}/lab/settings"
    c.LabApp.news_url = None
    c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
    # The lab's extension manager would try PyPI (no network) and let users disable the
    # plugins locked by page_config.json.
    c.LabApp.extension_manager = "readonly"
