"""Which requests under /proxy/ may go through: the Dask dashboard's own routes, read-only.

A workspace's Dask dashboard (distributed's Bokeh server, started by `campus.cluster()`)
listens on a loopback port inside the sandbox and is reached at
`<server prefix>proxy/<port>/<route>`. Any process of the workspace can listen on a port,
so the port says nothing about who answers: these rules only narrow *what may be asked*.
What comes back is checked by dashboard_filter.py.

Allowed, and nothing else:
- GET of a dashboard page (`status`, `workers`, …, `individual-*`), `individual-plots.json`
  and the `info` pages;
- a websocket upgrade of a page's `…/ws` endpoint (Bokeh's protocol), and only that;
- GET of `static/…` (Bokeh's JavaScript) and `statics/…` (distributed's CSS and images).

Refused: every other path (a web server started in the home would serve any file there),
every method but GET (nothing is ever sent *to* a dashboard), `proxy/<host>:<port>` and
`proxy/absolute/…`, a `download` argument, and `Accept: text/event-stream` (the library
streams those responses without the response filter).
"""

from __future__ import annotations

import re

# distributed's Bokeh applications (distributed/dashboard/scheduler.py) and its HTML pages.
PAGES = r"(?:status|workers|tasks|system|profile|graph|groups|hardware|shuffle|individual-[a-z0-9]+(?:-[a-z0-9]+)*)"
# One path segment of a static asset: no leading dot, so neither ".", ".." nor hidden files.
SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9_.-]*"
WORKER = r"tcp://127\.0\.0\.1:\d+"

PAGE_ROUTES = re.compile(
    rf"{PAGES}|individual-plots\.json|info|info/main/(?:workers|exceptions|logs)\.html"
    rf"|info/(?:worker|call-stacks|logs)/{WORKER}\.html|info/(?:task|call-stack)/[^/]+\.html"
)
WEBSOCKET_ROUTES = re.compile(rf"{PAGES}/ws")
STATIC_ROUTES = re.compile(rf"statics?/{SEGMENT}(?:/{SEGMENT})*")

PROXY_PATH = re.compile(r"proxy/(\d+)/(.*)", re.DOTALL)


def route_kind(route: str) -> str | None:
    """"page", "websocket" or "static" for an allowed dashboard route (after proxy/<port>/), else None."""
    if PAGE_ROUTES.fullmatch(route):
        return "page"
    if WEBSOCKET_ROUTES.fullmatch(route):
        return "websocket"
    if STATIC_ROUTES.fullmatch(route):
        return "static"
    return None


def refusal(path: str, method: str, headers) -> str | None:
    """Why a request for `path` (decoded, relative to the server's base URL, starting with
    "proxy") must be refused, or None when it is a read of a dashboard route."""
    match = PROXY_PATH.fullmatch(path)
    if not match:
        return "only proxy/<port>/ to a Dask dashboard is served"
    kind = route_kind(match.group(2))
    if kind is None:
        return "not a Dask dashboard route"
    if method != "GET":
        return f"{method} is not allowed on the dashboard"
    upgrade = headers.get("Upgrade", "").lower()
    if kind == "websocket" and upgrade != "websocket":
        return "a dashboard /ws route is a websocket only"
    if kind != "websocket" and upgrade:
        return "upgrade is allowed on dashboard /ws routes only"
    # jupyter-server-proxy streams text/event-stream responses as they come, without
    # passing them through the response filter.
    if "text/event-stream" in headers.get("Accept", "").lower():
        return "streamed responses are not proxied"
    return None
