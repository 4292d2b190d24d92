"""Which proxy requests the workspace authorizer lets through to a Dask dashboard (the real
server is attacked in tests/hub/attacks/test_dashboard_proxy.py)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from tornado.httputil import HTTPHeaders

from hub.singleuser.authorizer import CampusAuthorizer
from hub.singleuser.dashboard_routes import route_kind

WEBSOCKET = {"Upgrade": "websocket", "Connection": "Upgrade"}


class Request:
    """What the authorizer reads of a tornado handler."""

    def __init__(self, url: str, method: str = "GET", headers: dict | None = None):
        parts = urlsplit(url)
        self.request = SimpleNamespace(path=parts.path, method=method, headers=HTTPHeaders(headers or {}))
        self._args = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.base_url = "/user/bob/"
        self.contents_manager = SimpleNamespace(root_dir=None)

    def get_query_argument(self, name, default=None):
        return self._args.get(name, default)


def refusal(url: str, method: str = "GET", headers: dict | None = None) -> str | None:
    return CampusAuthorizer().refusal(Request(url, method, headers))


ALLOWED = {
    "status page": ("/user/bob/proxy/8787/status", "GET", None),
    "individual plot": ("/user/bob/proxy/8787/individual-task-stream", "GET", None),
    "plot index": ("/user/bob/proxy/8787/individual-plots.json", "GET", None),
    "info redirect": ("/user/bob/proxy/8787/info", "GET", None),
    "info workers": ("/user/bob/proxy/8787/info/main/workers.html", "GET", None),
    "info of a worker": ("/user/bob/proxy/8787/info/worker/tcp%3A%2F%2F127.0.0.1%3A40123.html", "GET", None),
    "bokeh js": ("/user/bob/proxy/8787/static/js/bokeh.min.js?v=abc", "GET", None),
    "dask css": ("/user/bob/proxy/8787/statics/css/base.css", "GET", None),
    "bokeh websocket": ("/user/bob/proxy/8787/status/ws", "GET", WEBSOCKET),
}
REFUSED = {
    "a file of the home": ("/user/bob/proxy/8787/data.csv", "GET", None),
    "the root": ("/user/bob/proxy/8787/", "GET", None),
    "no route": ("/user/bob/proxy/8787", "GET", None),
    "folder under a page": ("/user/bob/proxy/8787/status/", "GET", None),
    "file under a page": ("/user/bob/proxy/8787/status/data.csv", "GET", None),
    "dot segments": ("/user/bob/proxy/8787/status/../data.csv", "GET", None),
    "encoded dot segments": ("/user/bob/proxy/8787/statics/%2e%2e/%2e%2e/data.csv", "GET", None),
    "out of the proxy": ("/user/bob/proxy/8787/../../lab", "GET", None),
    "hidden static": ("/user/bob/proxy/8787/statics/.data.csv", "GET", None),
    "doubled slash": ("/user/bob/proxy/8787/statics//data.csv", "GET", None),
    "host and port": ("/user/bob/proxy/localhost:8787/status", "GET", None),
    "absolute": ("/user/bob/proxy/absolute/8787/status", "GET", None),
    "server-proxy": ("/user/bob/server-proxy/servers-info", "GET", None),
    "post": ("/user/bob/proxy/8787/status", "POST", None),
    "put": ("/user/bob/proxy/8787/status", "PUT", None),
    "delete": ("/user/bob/proxy/8787/status", "DELETE", None),
    "head": ("/user/bob/proxy/8787/status", "HEAD", None),
    "options": ("/user/bob/proxy/8787/status", "OPTIONS", None),
    "download argument": ("/user/bob/proxy/8787/status?download=1", "GET", None),
    "event stream": ("/user/bob/proxy/8787/status", "GET", {"Accept": "text/event-stream"}),
    "ws route without upgrade": ("/user/bob/proxy/8787/status/ws", "GET", None),
    "upgrade of a page": ("/user/bob/proxy/8787/status", "GET", WEBSOCKET),
    "upgrade of a file": ("/user/bob/proxy/8787/data.csv", "GET", WEBSOCKET),
    "eventstream socket": ("/user/bob/proxy/8787/eventstream", "GET", WEBSOCKET),
    "json api": ("/user/bob/proxy/8787/json/identity.json", "GET", None),
    "metrics": ("/user/bob/proxy/8787/metrics", "GET", None),
}


@pytest.mark.parametrize("url, method, headers", ALLOWED.values(), ids=ALLOWED.keys())
def test_dashboard_reads_are_allowed(url, method, headers):
    assert refusal(url, method, headers) is None


@pytest.mark.parametrize("url, method, headers", REFUSED.values(), ids=REFUSED.keys())
def test_everything_else_under_proxy_is_refused(url, method, headers):
    assert refusal(url, method, headers)


@pytest.mark.parametrize(("route", "kind"), [
    ("status", "page"),
    ("individual-workers-memory-timeseries", "page"),
    ("info/task/('sum-abc', 0).html", "page"),
    ("status/ws", "websocket"),
    ("static/js/bokeh.min.js", "static"),
    ("statics/images/favicon.ico", "static"),
    ("statics/../data.csv", None),
    ("info/task/x/../../data.html", None),
    ("individual-", None),
    ("data.csv", None),
])
def test_route_kinds(route, kind):
    assert route_kind(route) == kind
