"""The console's tornado application: routes, templates, static files, hub OAuth.

`make_app(config)` builds it (tests build it too); `python -m hub.web` runs it as the
JupyterHub-managed service whose environment JupyterHub provides.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import jinja2
from tornado import web

from hub.policy.client import PolicyClient
from hub.web import catalog, compliance, policies, projects
from hub.web.base import BaseHandler, CallbackHandler, HomeHandler
from hub.web.config import ConsoleConfig

HERE = Path(__file__).parent


class NotFoundHandler(BaseHandler):
    """Any other path under the prefix: a 404 page (after login, like every page)."""

    def prepare(self):  # noqa: D102 - no role needed to be told a page does not exist
        raise web.HTTPError(404, "no such page")


def routes(prefix: str) -> list[tuple]:
    p = prefix
    table = [
        (p, HomeHandler),
        (p + r"oauth_callback", CallbackHandler),
        (p + r"datasets", catalog.DatasetsHandler),
        (p + r"datasets/new", catalog.NewDatasetHandler),
        (p + r"datasets/new/([0-9a-f]{32})", catalog.ConfirmDatasetHandler),
        (p + r"datasets/([a-z][a-z0-9_]{1,62})", catalog.DatasetHandler),
        (p + r"projects", projects.ProjectsHandler),
        (p + r"projects/([a-z0-9_-]{1,64})/(member|remove-member|grant|expiry|revoke)", projects.ProjectActionHandler),
        (p + r"policies", policies.PoliciesHandler),
        (p + r"policies/file/(.+)", policies.PolicyFileHandler),
        (p + r"audit", compliance.AuditHandler),
        (p + r"audit/verify", compliance.VerifyHandler),
        (p + r"audit/export\.(csv|jsonl)", compliance.ExportHandler),
    ]
    try:  # the export request pages need the egress layer (hub.egress)
        from hub.web import researcher, review
    except ImportError:
        return table
    rid = r"(exp-[0-9a-f]{16})"
    table += [
        (p + r"review", review.QueueHandler),
        (p + r"review/" + rid, review.RequestHandler),
        (p + r"review/" + rid + r"/image/([^/]+)", review.RawImageHandler),
        (p + r"requests", researcher.MyRequestsHandler),
        (p + r"requests/" + rid, researcher.MyRequestHandler),
        (p + r"requests/" + rid + r"/download/([^/]+)", researcher.DownloadHandler),
    ]
    return table


def make_app(config: ConsoleConfig, *, cookie_secret: bytes | None = None) -> web.Application:
    jinja = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped unless a template says otherwise
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return web.Application(
        routes(config.prefix),
        default_handler_class=NotFoundHandler,
        console=config,
        jinja=jinja,
        policy=PolicyClient.for_campus(config.campus),
        static_path=str(HERE / "static"),
        static_url_prefix=config.prefix + "static/",
        cookie_secret=cookie_secret or secrets.token_bytes(32),
        xsrf_cookies=True,
    )
