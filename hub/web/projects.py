"""Steward pages for projects: create, add and remove members, grant datasets, change expiries, revoke.

Each form is one catalog transaction; the catalog service asks OPA, writes the audit event
and pushes the new catalog to OPA before committing. A refusal is shown as one line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.catalog.manifest import Tier
from hub.catalog.service import open_catalog
from hub.cli.readonly import ReadOnlyPolicy
from hub.errors import CampusError
from hub.web.base import BaseHandler

EXPIRING_SOON = timedelta(days=14)


def expiry_state(expires_at: str, now: datetime | None = None) -> str:
    """'expired', 'soon' (within two weeks) or 'ok' for a grant's RFC 3339 expiry."""
    now = now or datetime.now(UTC)
    moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    if moment <= now:
        return "expired"
    return "soon" if moment - now <= EXPIRING_SOON else "ok"


class ProjectsHandler(BaseHandler):
    role = "steward"

    def get(self) -> None:
        self._page()

    def _page(self, error: str | None = None) -> None:
        with open_catalog(settings=self.config.campus, policy=ReadOnlyPolicy()) as catalog:
            projects = [
                {
                    "project": project,
                    "members": catalog.members(project.name),
                    "grants": [
                        {"dataset": g.dataset.name, "tier": g.dataset.tier, "expires_at": g.expires_at, "state": expiry_state(g.expires_at), "granted_by": g.granted_by}
                        for g in catalog.active_grants(project.name)
                    ],
                }
                for project in catalog.projects()
            ]
            users = [u.name for u in catalog.users()]
            datasets = [(d.name, d.tier) for d in catalog.datasets()]
        default_expiry = (datetime.now(UTC) + timedelta(days=180)).strftime("%Y-%m-%d")
        self.render_page("projects.html", projects=projects, users=users, datasets=datasets, tiers=[t.value for t in Tier], default_expiry=default_expiry, error=error)

    def post(self) -> None:
        """Create a project."""
        name = self.get_body_argument("name", "").strip()
        try:
            with open_catalog(settings=self.config.campus) as catalog:
                catalog.create_project(
                    name, actor=self.user_name, max_tier=self.get_body_argument("max_tier", ""), description=self.get_body_argument("description", "").strip()
                )
        except CampusError as error:
            self.set_status(400)
            self._page(error=str(error))
            return
        self.flash(f"created project {name}")
        self.redirect(self.url("projects"))


class ProjectActionHandler(BaseHandler):
    """POST /projects/<name>/<action>: member, remove-member, grant, expiry, revoke."""

    role = "steward"

    def post(self, project: str, action: str) -> None:
        arg = lambda key: self.get_body_argument(key, "").strip()  # noqa: E731
        try:
            with open_catalog(settings=self.config.campus) as catalog:
                if action == "member":
                    catalog.add_member(project, arg("user"), actor=self.user_name)
                    message = f"added {arg('user')} to {project}"
                elif action == "remove-member":
                    # The page asks first (names the user and the project); the policy decides.
                    catalog.remove_member(project, arg("user"), actor=self.user_name)
                    message = f"removed {arg('user')} from {project}"
                elif action == "grant":
                    catalog.grant(project, arg("dataset"), actor=self.user_name, expires=arg("expires"))
                    message = f"granted {arg('dataset')} to {project} until {arg('expires')}"
                elif action == "expiry":
                    # A grant's expiry changes as revoke + grant in one transaction, so the
                    # history keeps both and OPA never sees the dataset ungranted.
                    catalog.revoke(project, arg("dataset"), actor=self.user_name)
                    catalog.grant(project, arg("dataset"), actor=self.user_name, expires=arg("expires"))
                    message = f"{arg('dataset')} in {project} now expires {arg('expires')}"
                elif action == "revoke":
                    catalog.revoke(project, arg("dataset"), actor=self.user_name)
                    message = f"revoked {arg('dataset')} from {project}"
                else:
                    self.send_error(404)
                    return
        except CampusError as error:
            self.flash(str(error), "error")
            self.redirect(self.url("projects"))
            return
        self.flash(message)
        self.redirect(self.url("projects"))
