"""Server extension: the workspace's Dask dashboard under `<prefix>proxy/<port>/`, and no other proxy.

jupyter-server-proxy's own extension stays disabled: it would also register
`proxy/<host>:<port>`, `proxy/absolute/…`, `server-proxy/…` and a launcher for every
installed package that declares a proxied server, none of which asks the server's
authorizer. This extension registers only:

- `proxy/<port>/…`: the library's LocalProxyHandler (HTTP and websockets), subclassed so
  that every request is put to CampusAuthorizer (dashboard_routes.py decides) and every
  buffered response goes through dashboard_filter.filter_response;
- the campus Content-Security-Policy on every answer (the library drops the server's
  default headers before copying the filtered upstream ones; csp.DASHBOARD_POLICY);
- every other `proxy…` and `server-proxy…` path: 403 (after authentication, so a
  stranger is sent to log in rather than told what exists).
"""

from __future__ import annotations

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from jupyter_server_proxy.handlers import LocalProxyHandler
from tornado import web

from hub.singleuser.csp import DASHBOARD_POLICY
from hub.singleuser.dashboard_filter import filter_response

AUTH_RESOURCE = "proxy"


class DashboardProxyHandler(LocalProxyHandler):
    """LocalProxyHandler that asks the authorizer first (the library does not)."""

    auth_resource = AUTH_RESOURCE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # LocalProxyHandler replaces all headers with the upstream's (already trimmed by
        # dashboard_filter), so the policy is set again, by this server, when the headers
        # go out: at the first flush (finish flushes). The library's websocket mixin binds
        # flush on the instance, so it is wrapped here, not overridden on the class.
        flush = self.flush

        def flush_with_policy(*flush_args, **flush_kwargs):
            if not self._headers_written:
                self.set_header("Content-Security-Policy", DASHBOARD_POLICY)
            return flush(*flush_args, **flush_kwargs)

        self.flush = flush_with_policy

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)  # authenticates (redirect or 403 when anonymous)
        if self._finished:
            return
        if self.current_user is None:
            raise web.HTTPError(403)
        if not self.authorizer.is_authorized(self, self.current_user, "read", AUTH_RESOURCE):
            raise web.HTTPError(403, "refused by the campus")

    @property
    def content_security_policy(self) -> str:
        return DASHBOARD_POLICY  # also on the errors this handler sends itself


class RefusedProxyHandler(JupyterHandler):
    """Every other proxy route: refused for every method, websocket upgrades included."""

    auth_resource = AUTH_RESOURCE

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)
        if self._finished:
            return
        raise web.HTTPError(403, "refused by the campus: only proxy/<port>/ to a Dask dashboard is served")


def handlers(base_url: str) -> list[tuple]:
    """The tornado routes of this extension, in matching order."""
    return [
        (
            url_path_join(base_url, r"/proxy/(\d+)(/.*|)"),
            DashboardProxyHandler,
            {"absolute_url": False, "rewrite_response": [filter_response]},
        ),
        (url_path_join(base_url, r"/(?:server-)?proxy(?:/.*)?"), RefusedProxyHandler),
    ]


def _jupyter_server_extension_points():
    return [{"module": "hub.singleuser.dashboard_proxy"}]


def _load_jupyter_server_extension(serverapp):
    serverapp.web_app.add_handlers(".*", handlers(serverapp.web_app.settings["base_url"]))
    serverapp.log.info("campus: Dask dashboard proxy enabled under proxy/<port>/")
