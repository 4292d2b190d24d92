"""The response filter of the dashboard proxy: only what a Dask dashboard sends gets back to the browser.

jupyter-server-proxy buffers each proxied HTTP response and passes it through its
`rewrite_response` hooks before answering; `filter_response` is that hook. Whatever
listens on the port (the real dashboard, or a server the user started in the workspace),
the browser receives only:

- for `static/…` and `statics/…`: a 2xx body byte-for-byte equal to the file of the same
  path in the installed Bokeh or distributed package (read-only, public), or an empty 304:
  a static route can never hand out anything else;
- for pages (and any non-2xx static answer): HTML or JSON, valid UTF-8, at most
  MAX_PAGE_BYTES; a redirect only to a path on this server;
- never a `Content-Disposition` (the response is refused), and only the headers in
  PASSED_HEADERS (no cookies, no custom headers carrying data).

Anything else becomes a 403 with a one-line reason. A page that passes is text shown in
the browser, as a cell output is; see docs/sandbox.md for what that leaves.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from tornado.httputil import HTTPHeaders

from hub.singleuser.dashboard_routes import route_kind

log = logging.getLogger(__name__)

# The dashboard's pages are about 10 kB, its JSON 2 kB; the worker log pages are the
# largest. Static files are bounded by the package files they must equal.
MAX_PAGE_BYTES = 2_000_000
PAGE_TYPES = {"text/html", "application/json"}
STATIC_TYPES = {
    "text/javascript", "application/javascript", "text/css", "application/json",
    "image/svg+xml", "image/png", "image/x-icon", "image/vnd.microsoft.icon",
    "font/woff", "font/woff2", "font/ttf",
}
# Everything else the backend sets is dropped: cookies, Content-Encoding (the proxy has
# already decompressed the body), and any custom header a user server could fill.
PASSED_HEADERS = ("Content-Type", "Cache-Control", "ETag", "Last-Modified", "Expires", "Vary", "Location")
# static/ is Bokeh's server static folder, statics/ is distributed's (see their routes).
STATIC_PACKAGES = {"static": ("bokeh", "server/static"), "statics": ("distributed", "http/static")}


class Refused(Exception):
    """The proxied response must not reach the browser; the message says why."""


@lru_cache(maxsize=None)
def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # locates without importing the package
    if spec is None or not spec.submodule_search_locations:
        raise Refused(f"{package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=256)
def static_digest(route: str) -> str | None:
    """SHA-256 of the package file that `route` ("static/js/bokeh.min.js") names, or None."""
    top, _, rest = route.partition("/")
    package, folder = STATIC_PACKAGES[top]
    root = (_package_dir(package) / folder).resolve()
    file = (root / rest).resolve()
    if root not in file.parents or not file.is_file():
        return None
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _media_type(headers) -> str:
    return headers.get("Content-Type", "").split(";")[0].strip().lower()


def check(*, route: str, code: int, headers, body: bytes) -> None:
    """Raise Refused unless this response of the dashboard route `route` may be shown."""
    kind = route_kind(route)
    if kind is None or kind == "websocket":
        raise Refused("not a dashboard route")
    if "Content-Disposition" in headers:
        raise Refused("Content-Disposition (a download) is not passed on")
    location = headers.get("Location")
    if location is not None:
        parts = urlsplit(location)
        if not 300 <= code < 400 or parts.scheme or parts.netloc or location.startswith("//"):
            raise Refused("a redirect may only lead to a path on this server")
    if not body:
        return  # redirects, 304 Not Modified, empty answers: nothing is carried
    media = _media_type(headers)
    if kind == "static" and 200 <= code < 300:
        if media not in STATIC_TYPES:
            raise Refused(f"{media or 'no content type'} is not a dashboard asset type")
        expected = static_digest(route)
        if expected is None or hashlib.sha256(body).hexdigest() != expected:
            raise Refused("a static asset must be the installed package's own file")
        return
    if media not in PAGE_TYPES:
        raise Refused(f"{media or 'no content type'} is not a dashboard page type")
    if len(body) > MAX_PAGE_BYTES:
        raise Refused(f"a dashboard page of more than {MAX_PAGE_BYTES} bytes")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("a dashboard page must be UTF-8 text") from None


def passed_headers(headers) -> HTTPHeaders:
    """The subset of `headers` that reaches the browser."""
    kept = HTTPHeaders()
    for name in PASSED_HEADERS:
        for value in headers.get_list(name):
            kept.add(name, value)
    kept["X-Content-Type-Options"] = "nosniff"
    return kept


def filter_response(response, path: str, port) -> None:
    """jupyter-server-proxy `rewrite_response` hook: refuse (403) or trim `response` in place.

    `path` is the proxied path ("/status"); `port` the dashboard's port.
    """
    route = path.lstrip("/")
    try:
        check(route=route, code=response.code, headers=response.headers, body=response.body or b"")
    except Refused as refused:
        log.warning("campus: refused the response of proxy/%s/%s: %s", port, route, refused)
        response.code = 403
        response.headers = HTTPHeaders({"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"})
        response.body = f"refused by the campus: {refused}\n".encode()
        return
    response.headers = passed_headers(response.headers)
