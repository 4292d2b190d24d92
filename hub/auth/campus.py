"""CampusAuthenticator: log in with the password stored (bcrypt) in the campus `users` table.

Why not NativeAuthenticator: it keeps its own user table in the hub's database with its own
sign-up and approval flow, a second list of people next to the catalog's. The campus
already owns users and roles (created by stewards with `campus user create`), so the hub
checks that table directly: one place to add, remove or re-role a person. bcrypt is the
same library NativeAuthenticator uses.

Users with an empty password_hash (provisioned for single sign-on) cannot log in here.
"""

from __future__ import annotations

import asyncio

import bcrypt
from jupyterhub.auth import Authenticator
from sqlalchemy import select
from traitlets import default

from hub.auth.roles import managed_roles, roles_of


def _lookup(name: str) -> tuple[str, list[str]] | None:
    from hub.catalog.models import User
    from hub.db import session_scope

    with session_scope() as session:
        user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
        return None if user is None else (user.password_hash, list(user.roles or []))


def _all_users() -> dict[str, list[str]]:
    from hub.catalog.models import User
    from hub.db import session_scope

    with session_scope() as session:
        return {u.name: list(u.roles or []) for u in session.execute(select(User)).scalars()}


def check_password(password: str, password_hash: str) -> bool:
    """True if `password` matches the bcrypt `password_hash` (False for empty or malformed)."""
    if not password or not password_hash:
        return False
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


class CampusAuthenticator(Authenticator):
    """Username + password against the campus users table; roles from the same row."""

    @default("manage_roles")
    def _default_manage_roles(self):
        return True

    @default("reset_managed_roles_on_startup")
    def _default_reset(self):
        return True

    @default("allow_all")
    def _default_allow_all(self):
        # Everyone in the campus users table may log in; the table is the allow-list.
        return True

    async def authenticate(self, handler, data):
        name = self.normalize_username((data or {}).get("username", ""))
        password = (data or {}).get("password", "")
        row = await asyncio.to_thread(_lookup, name)
        # Check a dummy hash for unknown users too, so timing does not reveal who exists.
        password_hash, campus_roles = row or ("$2b$12$" + "." * 53, [])
        ok = await asyncio.to_thread(check_password, password, password_hash)
        if not ok or row is None:
            self.log.warning("campus: failed login for %r", name)
            return None
        return {"name": name, "roles": roles_of(campus_roles)}

    async def load_managed_roles(self):
        return managed_roles(await asyncio.to_thread(_all_users))
