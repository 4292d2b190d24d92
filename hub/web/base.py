"""What every console page shares: hub login, campus roles, security headers, rendering.

Who the user is comes from JupyterHub (OAuth, `HubOAuthenticated`). Which pages they see
comes from two gates that must both agree: the campus users table (the roles the policy
reads) and, unless turned off, the hub's RBAC scope for that role in the OAuth token.
Neither gate decides an action: every change is authorised by OPA inside the domain layer.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from jupyterhub.services.auth import HubOAuthenticated, HubOAuthCallbackHandler
from sqlalchemy import select
from tornado import web

from hub.catalog.models import User
from hub.db import session_scope
from hub.errors import CampusError, NotFound, PermissionDenied
from hub.policy.client import PolicyClient
from hub.web.config import ROLE_SCOPES, ConsoleConfig

# IMPORTANT: nothing a researcher made may run in a reviewer's browser. The console needs
# no script at all, so none is allowed; images may come from the console itself or be
# inlined (notebook PNG outputs) as data: URIs, which cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def apply_security_headers(handler: web.RequestHandler) -> None:
    for name, value in SECURITY_HEADERS.items():
        handler.set_header(name, value)


class CallbackHandler(HubOAuthCallbackHandler):
    """The hub's OAuth callback, with the console's security headers."""

    def set_default_headers(self) -> None:
        super().set_default_headers()
        apply_security_headers(self)


class BaseHandler(HubOAuthenticated, web.RequestHandler):
    """A console page: logged in through the hub, rendered with the user's campus roles."""

    # Set by the subclass: the campus role a user needs to see the page (None: any user).
    role: str | None = None

    @property
    def config(self) -> ConsoleConfig:
        return self.settings["console"]

    @property
    def policy(self) -> PolicyClient:
        """The campus OPA server (fails closed)."""
        return self.settings["policy"]

    def set_default_headers(self) -> None:
        apply_security_headers(self)

    # ----- identity --------------------------------------------------------------------

    @property
    def user_name(self) -> str:
        return self.current_user["name"]

    @cached_property
    def campus_roles(self) -> frozenset[str]:
        """Roles held in both gates: the campus users table and (if required) hub scopes."""
        model = self.current_user
        if not model or model.get("kind", "user") != "user":
            return frozenset()
        with session_scope(self.config.campus.db_url) as session:
            user = session.execute(select(User).where(User.name == model["name"])).scalar_one_or_none()
            table_roles = set(user.roles) if user else set()
        if not self.config.require_hub_scopes:
            return frozenset(table_roles)
        scopes = set(model.get("scopes") or [])
        return frozenset(role for role in table_roles if ROLE_SCOPES.get(role) in scopes)

    def require_role(self, role: str) -> None:
        if role not in self.campus_roles:
            raise web.HTTPError(403, f"this page is for users with the {role} role")

    async def prepare(self) -> None:
        # Every page needs a hub login; then the page's role, if it has one.
        if not self.current_user:
            if self.request.method in ("GET", "HEAD"):
                self.redirect(self.get_login_url())
                return
            raise web.HTTPError(403)
        if self.role is not None:
            self.require_role(self.role)

    # ----- rendering -------------------------------------------------------------------

    def url(self, *parts: str, **query: Any) -> str:
        """An absolute path under the console's prefix (query values are encoded)."""
        from urllib.parse import quote, urlencode

        path = self.config.prefix + "/".join(quote(str(p).strip("/"), safe="/") for p in parts if p)
        clean = {k: v for k, v in query.items() if v not in (None, "")}
        return path + ("?" + urlencode(clean) if clean else "")

    def flash(self, message: str, kind: str = "ok") -> None:
        """A one-time message shown on the next page (signed cookie, so it cannot be forged)."""
        self.set_signed_cookie("console-flash", json.dumps([kind, message]), expires_days=None, path=self.config.prefix, httponly=True, samesite="Strict")

    def _take_flash(self) -> tuple[str, str] | None:
        raw = self.get_signed_cookie("console-flash", max_age_days=1)
        if raw is None:
            return None
        self.clear_cookie("console-flash", path=self.config.prefix)
        try:
            kind, message = json.loads(raw)
            return str(kind), str(message)
        except (ValueError, TypeError):
            return None

    def render_page(self, template: str, **values: Any) -> None:
        env = self.settings["jinja"]
        namespace = {
            "user": self.user_name if self.current_user else None,
            "roles": self.campus_roles if self.current_user else frozenset(),
            "url": self.url,
            "xsrf_form_html": self.xsrf_form_html,
            "flash": self._take_flash() if self.current_user else None,
            "static": lambda name: self.static_url(name),
        }
        self.finish(env.get_template(template).render(**namespace, **values))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = self._reason
        error = kwargs.get("exc_info", (None, None))[1]
        if isinstance(error, web.HTTPError) and error.log_message:
            message = error.log_message % error.args if error.args else error.log_message
        try:
            self.render_page("error.html", status=status_code, message=message)
        except Exception:  # the error page itself failed: plain text, still escaped by nothing
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"{status_code}: {message}")

    def fail(self, error: CampusError) -> None:
        """A refused or malformed action: one line, with the status that says why."""
        status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, PermissionDenied) else 400
        self.set_status(status)
        self.render_page("error.html", status=status, message=str(error))


class HomeHandler(BaseHandler):
    """The start page: what the user may do, by role."""

    def get(self) -> None:
        self.render_page("home.html")
