"""Every request to the workspace server passes the campus's checks, whichever handler it reaches.

jupyter_server asks the authorizer only from handler methods decorated with `@authorized`.
JupyterLab's own APIs (settings, workspaces, themes, listings, licenses, build, plugins),
jupyter-lsp, and any handler an installed extension adds without that decorator never
reach `CampusAuthorizer`. This server extension puts one rule before every route of the
server, so a request is refused (403) before any handler sees it when:

- its path, decoded, has an empty, `.` or `..` segment (`%2E%2E%2F` reaches a handler's
  path argument decoded: JupyterLab's settings API read any JSON file of the home as a
  "schema" through one);
- it is not on `ROUTES` below, the routes the campus has audited and the lab needs, with
  the methods it uses (default deny: a route an extension adds later is refused until it
  is audited and listed here);
- the authorizer's own rules refuse it (`CampusAuthorizer.refusal`: download routes, the
  contents API's rules, the proxy).

The authorizer still runs from the decorated methods too; this rule makes its decisions
hold for the handlers that never ask it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from tornado.routing import Matcher, Rule

READ = frozenset({"GET", "HEAD"})

# (what, path pattern relative to the server's base URL, decoded, no trailing slash; methods).
# A pattern is matched whole. Anything not here is refused.
ROUTES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("root: redirect to the lab", r"", READ),
    ("the lab page", r"(lab|doc)(/workspaces/[\w-]+)?(/tree(/.*)?)?", READ),
    ("lab settings (schema names only)", r"lab/api/settings(/(@[\w.-]+/)?[\w.-]+:[\w.-]+)?", frozenset({"GET", "PUT"})),
    ("lab workspaces (ids are slugified)", r"lab/api/workspaces(/[^/]+)?", frozenset({"GET", "PUT", "DELETE"})),
    ("lab translations", r"lab/api/translations(/[\w-]+)?", READ),
    ("lab extension listings", r"lab/api/listings/.+", READ),
    ("lab themes (installed, read-only folders)", r"lab/api/themes/.+", READ),
    ("lab licenses of the bundled packages", r"lab/api/licenses", READ),
    ("lab news and update checks (both off)", r"lab/api/(news|update)", READ),
    ("lab plugin list (enabling is refused)", r"lab/api/plugins", READ),
    ("lab extension assets", r"lab/extensions/.+", READ),
    ("static assets", r"static/.+", READ),
    ("the watermark", r"custom/custom\.css", READ),
    ("the Trusted Types policy", r"campus/trusted_types\.js", READ),
    ("favicon, robots.txt", r"favicon\.ico|robots\.txt", READ),
    ("API version, status, identity, spec", r"api(/status|/me|/spec\.yaml|/resolvePath)?", READ),
    ("frontend config sections", r"api/config/\w+", frozenset({"GET", "PUT", "PATCH"})),
    ("contents API (CampusAuthorizer decides reads)", r"api/contents(/.*)?", frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})),
    ("kernels and their websockets", r"api/kernels(/.*)?", frozenset({"GET", "POST", "DELETE"})),
    ("kernel specs (campus folder only)", r"api/kernelspecs(/[\w.%-]+)?", READ),
    ("kernel logos", r"kernelspecs/[\w.%-]+/logo-[\w-]+\.(png|svg)", READ),
    ("sessions", r"api/sessions(/[\w-]+)?", frozenset({"GET", "POST", "PATCH", "DELETE"})),
    ("terminals", r"api/terminals(/\w+)?", frozenset({"GET", "POST", "DELETE"})),
    ("terminal websockets", r"terminals/websocket/\w+", READ),
    ("server events", r"api/events(/subscribe)?", frozenset({"GET", "POST"})),
    ("CSP violation reports", r"api/security/csp-report", frozenset({"POST"})),
    ("shut down from the lab's menu", r"api/shutdown", frozenset({"POST"})),
    ("JupyterHub login and logout", r"oauth_callback|logout|login", frozenset({"GET", "POST"})),
    ("Dask dashboard proxy (dashboard_routes decides)", r"(server-)?proxy(/.*)?", frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})),
)
_COMPILED = tuple((what, re.compile(pattern), methods) for what, pattern, methods in ROUTES)


def route_refusal(path: str, method: str) -> str | None:
    """Why a request for `path` (relative to the base URL, decoded) with `method` is refused, or None."""
    segments = path.split("/")
    if segments and segments[-1] == "":
        segments.pop()  # a trailing slash
    if any(segment in ("", ".", "..") for segment in segments):
        return "empty or dot segment in the path"
    path = "/".join(segments)
    for what, pattern, methods in _COMPILED:
        if pattern.fullmatch(path):
            return None if method in methods else f"{method} not allowed on {what}"
    return "route not served in the campus"


class _RequestView:
    """The parts of a handler `CampusAuthorizer.refusal` reads, built from the bare request."""

    def __init__(self, request, base_url: str, contents_manager):
        self.request = request
        self.base_url = base_url
        self.contents_manager = contents_manager

    def get_query_argument(self, name: str, default=None):
        values = self.request.query_arguments.get(name)
        return values[-1].decode("utf-8", "replace") if values else default


class CampusRouteMatcher(Matcher):
    """Matches (and so refuses) every request the campus does not serve."""

    def __init__(self, serverapp):
        self.serverapp = serverapp
        self.base_url = serverapp.web_app.settings["base_url"]

    def refusal(self, request) -> str | None:
        path = unquote(request.path)
        if not path.startswith(self.base_url):
            return None  # outside this server: tornado answers 404
        reason = route_refusal(path[len(self.base_url) :], request.method.upper())
        if reason is None:
            authorizer = self.serverapp.authorizer
            if hasattr(authorizer, "refusal"):
                reason = authorizer.refusal(_RequestView(request, self.base_url, self.serverapp.contents_manager))
        return reason

    def match(self, request):
        reason = self.refusal(request)
        if reason is None:
            return None
        self.serverapp.log.warning("campus: refused %s %s: %s", request.method, request.path, reason)
        return {}


class RefusedHandler(JupyterHandler):
    """Answers 403 to every method, websocket upgrades included, before anything else runs."""

    def check_xsrf_cookie(self):
        pass

    async def prepare(self, *args, **kwargs):
        raise web.HTTPError(403, "refused by the campus")

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}: refused by the campus\n")


def _jupyter_server_extension_points():
    return [{"module": "hub.singleuser.route_guard"}]


def _load_jupyter_server_extension(serverapp):
    # Index 0 of the application's router: tornado's add_handlers inserts later routes
    # before the last rule, so this one stays first whatever extension loads after.
    serverapp.web_app.default_router.rules.insert(0, Rule(CampusRouteMatcher(serverapp), RefusedHandler))
    serverapp.log.info("campus: route guard in front of every handler")
