"""The route guard's decisions, and its table against the routes a campus server really has
(the real server is attacked in tests/hub/attacks/test_ungated_routes.py)."""

from __future__ import annotations

import pytest

from hub.singleuser.route_guard import route_refusal

REFUSED = {
    "dot segment in a settings name": ("GET", "lab/api/settings/../../home/alice/cfg:rows"),
    "absolute settings name": ("GET", "lab/api/settings//home/alice/cfg:rows"),
    "dot segment before a route": ("GET", "./lab"),
    "language server status": ("GET", "lsp/status"),
    "language server websocket": ("GET", "lsp/ws/basedpyright"),
    "lab build": ("POST", "lab/api/build"),
    "extension manager": ("GET", "lab/api/extensions"),
    "plugin manager enabling": ("POST", "lab/api/plugins"),
    "kernelspec file that is not a logo": ("GET", "kernelspecs/python3/kernel.json"),
    "prometheus metrics": ("GET", "metrics"),
    "notebooks redirect": ("GET", "api/notebooks/x.ipynb"),
    "an unknown route": ("GET", "api/collaboration/room/x"),
    "CORS preflight": ("OPTIONS", "api/contents/x.txt"),
    "settings deleted": ("DELETE", "lab/api/settings/@jupyterlab/apputils-extension:themes"),
}
ALLOWED = {
    "root": ("GET", ""),
    "lab": ("GET", "lab"),
    "lab, trailing slash": ("GET", "lab/"),
    "lab tree": ("GET", "lab/tree/sub/nb.ipynb"),
    "lab workspace": ("GET", "lab/workspaces/auto-x/tree/nb.ipynb"),
    "settings": ("GET", "lab/api/settings"),
    "a plugin's settings saved": ("PUT", "lab/api/settings/@jupyterlab/apputils-extension:themes"),
    "unscoped plugin": ("GET", "lab/api/settings/jupyterlab-foo:plugin"),
    "workspace saved": ("PUT", "lab/api/workspaces/default"),
    "contents": ("GET", "api/contents/sub/nb.ipynb"),
    "kernel websocket": ("GET", "api/kernels/1a-2b-3c-4d-5e/channels"),
    "kernel logo": ("GET", "kernelspecs/python3/logo-64x64.png"),
    "terminal websocket": ("GET", "terminals/websocket/1"),
    "static asset": ("GET", "static/lab/main.js"),
    "dashboard proxy (decided by dashboard_routes)": ("GET", "proxy/8787/status"),
}


@pytest.mark.parametrize("method, path", REFUSED.values(), ids=REFUSED.keys())
def test_refused(method, path):
    assert route_refusal(path, method)


@pytest.mark.parametrize("method, path", ALLOWED.values(), ids=ALLOWED.keys())
def test_allowed(method, path):
    assert route_refusal(path, method) is None
