"""Handlers and applications of the campus API (see hub.service for the two surfaces).

    POST /api/exports                      submit: JSON {"project"?, "reason", "files":
                                           [{"name", "content_base64"}], "provenance"} or
                                           multipart (fields reason, project, provenance;
                                           one part per file); answers {"id","state","reasons"}
    GET  /api/exports[?state=S]            your requests (all for reviewers and stewards)
    GET  /api/exports/ID                   one request with findings and reviews
    POST /api/exports/ID/withdraw          the author withdraws it
    POST /api/exports/ID/approve|reject    reviewers, JSON {"reason"}   (TCP only)
    GET  /api/exports/ID/files/NAME        download a released file     (TCP only)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from tornado import web
from tornado.ioloop import IOLoop

from hub.catalog.models import Project, ProjectMember, User
from hub.db import session_scope
from hub.egress.service import ExportService
from hub.errors import CampusError, NotFound, PermissionDenied, PolicyUnavailable

Authenticate = Callable[[str], Awaitable[str | None]]
MAX_BODY_BYTES = 256 * 2**20


class ApiHandler(web.RequestHandler):
    def initialize(self, service: ExportService, authenticate: Authenticate) -> None:
        self.service = service
        self.authenticate = authenticate

    def check_xsrf_cookie(self) -> None:
        # Token-authenticated API (no cookies): nothing for a cross-site form to ride on.
        return

    async def prepare(self) -> None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        try:
            user = await self.authenticate(token.strip()) if scheme.lower() in ("token", "bearer") and token.strip() else None
        except Exception:  # noqa: BLE001 - the hub could not be asked: nobody is authenticated
            raise web.HTTPError(503, reason="cannot reach JupyterHub to check the token") from None
        if not user:
            raise web.HTTPError(401, reason="a JupyterHub API token is required")
        self.user = user

    def write_error(self, status_code: int, **kwargs) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        message = str(error) if isinstance(error, CampusError) else (self._reason or "error")
        self.finish({"error": message})

    def body_json(self) -> dict:
        try:
            document = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(400, reason="body is not JSON") from None
        if not isinstance(document, dict):
            raise web.HTTPError(400, reason="body must be a JSON object")
        return document

    async def run(self, function, *args, **kwargs):
        """Run a blocking service call in a worker thread; map campus errors to HTTP."""
        try:
            return await IOLoop.current().run_in_executor(None, lambda: function(*args, **kwargs))
        except NotFound as error:
            self.set_status(404)
            self.finish({"error": str(error)})
        except PolicyUnavailable as error:
            self.set_status(503)
            self.finish({"error": str(error)})
        except PermissionDenied as error:
            self.set_status(403)
            self.finish({"error": str(error)})
        except CampusError as error:
            self.set_status(400)
            self.finish({"error": str(error)})
        return None


def user_project(db_url: str, user: str) -> str:
    """The user's project when they belong to exactly one (requests may omit it then)."""
    with session_scope(db_url) as session:
        names = list(session.execute(select(Project.name).join(ProjectMember, ProjectMember.project_id == Project.id).join(User, User.id == ProjectMember.user_id).where(User.name == user)).scalars())
    if len(names) != 1:
        raise CampusError(f"say which project this export belongs to (you are in {len(names)} projects)")
    return names[0]


class ExportsHandler(ApiHandler):
    async def get(self) -> None:
        rows = await self.run(self.service.list, self.user, state=self.get_query_argument("state", None))
        if rows is not None:
            self.finish({"exports": rows})

    def _parse(self) -> tuple[str | None, str, list[tuple[str, bytes]], object]:
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            files = [(item["filename"], item["body"]) for items in self.request.files.values() for item in items]
            provenance_text = self.get_body_argument("provenance", "")
            try:
                provenance = json.loads(provenance_text) if provenance_text else None
            except ValueError:
                raise CampusError("provenance is not JSON") from None
            return self.get_body_argument("project", None), self.get_body_argument("reason", ""), files, provenance
        document = self.body_json()
        files = []
        for item in document.get("files") or []:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise CampusError("each file needs a name and content_base64")
            try:
                files.append((item["name"], base64.b64decode(item.get("content_base64", ""), validate=True)))
            except (binascii.Error, TypeError):
                raise CampusError(f"file {item['name']!r}: content_base64 is not base64") from None
        return document.get("project"), str(document.get("reason") or ""), files, document.get("provenance")

    async def post(self) -> None:
        try:
            project, reason, files, provenance = self._parse()
        except CampusError as error:
            self.set_status(400)
            self.finish({"error": str(error)})
            return
        if not project:
            project = await self.run(user_project, self.service.settings.db_url, self.user)
            if project is None:
                return
        request_id = await self.run(self.service.submit, user=self.user, project=project, reason=reason, files=files, provenance=provenance)
        if request_id is None:
            return
        outcome = await self.run(self.service.process, request_id)
        if outcome is not None:
            self.set_status(201)
            self.finish({"id": request_id, "state": outcome.state, "reasons": outcome.reasons})


class ExportHandler(ApiHandler):
    async def get(self, request_id: str) -> None:
        detail = await self.run(self.service.show, request_id, self.user)
        if detail is not None:
            self.finish(detail)


class WithdrawHandler(ApiHandler):
    async def post(self, request_id: str) -> None:
        outcome = await self.run(self.service.withdraw, request_id, actor=self.user)
        if outcome is not None:
            self.finish({"id": request_id, "state": outcome.state})


class ReviewHandler(ApiHandler):
    async def post(self, request_id: str, verdict: str) -> None:
        reason = str(self.body_json().get("reason") or "")
        outcome = await self.run(self.service.review, request_id, reviewer=self.user, verdict=verdict, reason=reason)
        if outcome is not None:
            self.finish({"id": request_id, "state": outcome.state})


class DownloadHandler(ApiHandler):
    async def get(self, request_id: str, name: str) -> None:
        path = await self.run(self.service.download, request_id, name, actor=self.user)
        if path is None:
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(path.read_bytes())


ID = r"(exp-[0-9a-f]{16})"


def routes(prefix: str, *, web_surface: bool) -> list[tuple]:
    """URL patterns under `prefix` ("/" on the socket, the service prefix behind the proxy)."""
    base = prefix.rstrip("/") + "/api/exports"
    table = [(base, ExportsHandler), (rf"{base}/{ID}", ExportHandler), (rf"{base}/{ID}/withdraw", WithdrawHandler)]
    if web_surface:
        table += [(rf"{base}/{ID}/(approve|reject)", ReviewHandler), (rf"{base}/{ID}/files/([^/]+)", DownloadHandler)]
    return table


def make_app(service: ExportService, authenticate: Authenticate, *, web_surface: bool, prefix: str = "/") -> web.Application:
    context = {"service": service, "authenticate": authenticate}
    prefixes = {"/", prefix} if web_surface else {"/"}
    handlers = [(pattern, handler, context) for p in sorted(prefixes) for pattern, handler in routes(p, web_surface=web_surface)]
    return web.Application(handlers)


def hub_authenticator() -> Authenticate:
    """Resolve tokens through JupyterHub (the service's own token comes from the hub's env)."""
    from jupyterhub.services.auth import HubAuth

    auth = HubAuth(cache_max_age=60)

    async def authenticate(token: str) -> str | None:
        model = await auth.user_for_token(token, sync=False)
        if not model or model.get("kind", "user") != "user":
            return None
        return model.get("name")

    return authenticate
