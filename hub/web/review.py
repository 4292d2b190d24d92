"""Reviewer pages: the queue of export requests in review, one request, approve or reject.

The request page shows each file rendered safely (hub.web.render) with the guard's flagged
cells marked, the findings with the check that raised each, the provenance (queries and
the source columns of each output column), the reviews so far and the project's earlier
releases. Whether this reviewer may decide, and how many approvals the request needs, are
OPA's answers (`campus.admin`), shown before the form; the decision itself goes through
hub.egress (`ExportService.review`), which asks OPA again and makes the transition.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from tornado import web

from hub.db import session_scope
from hub.egress.models import ExportRequest
from hub.egress.service import ExportService
from hub.errors import CampusError
from hub.web.base import BaseHandler
from hub.web.render import image_type, render_file


def age(created_at: str, now: datetime | None = None) -> str:
    """How long ago, roughly ("3 d", "5 h", "12 min")."""
    now = now or datetime.now(UTC)
    seconds = (now - datetime.fromisoformat(created_at.replace("Z", "+00:00"))).total_seconds()
    if seconds >= 86400:
        return f"{int(seconds // 86400)} d"
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h"
    return f"{max(int(seconds // 60), 0)} min"


def policy_request(detail: dict) -> dict:
    """The request as the campus.admin policy reads it."""
    return {
        "id": detail["id"],
        "user": detail["user"],
        "project": detail["project"],
        "datasets": list(detail["datasets"]),
        "reviews": [{"reviewer": r["reviewer"], "verdict": r["verdict"]} for r in detail["reviews"]],
    }


def earlier_releases(db_url: str, project: str, exclude: str) -> list[dict]:
    with session_scope(db_url) as session:
        rows = session.execute(
            select(ExportRequest).where(ExportRequest.project == project, ExportRequest.state == "released", ExportRequest.id != exclude).order_by(ExportRequest.released_at.desc())
        ).scalars()
        return [{"id": r.id, "user": r.user, "released_at": r.released_at, "files": [f.name for f in r.files], "reason": r.reason} for r in rows]


class ReviewBase(BaseHandler):
    role = "reviewer"

    @property
    def exports(self) -> ExportService:
        return ExportService(self.config.campus, policy=self.policy)


class QueueHandler(ReviewBase):
    def get(self) -> None:
        waiting = self.exports.list(self.user_name, state="in_review")
        waiting.sort(key=lambda r: r["created_at"])  # oldest first
        for item in waiting:
            item["age"] = age(item["created_at"])
            item["own"] = item["user"] == self.user_name
        self.render_page("review_queue.html", waiting=waiting)


class RequestHandler(ReviewBase):
    def get(self, request_id: str) -> None:
        try:
            detail = self.exports.show(request_id, self.user_name)
        except CampusError as error:
            self.fail(error)
            return
        folder = self.exports.folder(request_id)
        files = [render_file(folder / f["name"], f["name"], detail["findings"]) for f in detail["files"]]
        asked = policy_request(detail)
        may = {verdict: self.policy.admin(f"export.{verdict}", self.user_name, request=asked) for verdict in ("approve", "reject")}
        release = self.policy.release_ready(asked)
        with session_scope(self.config.campus.db_url) as session:
            provenance = session.get(ExportRequest, request_id).provenance or []
        self.render_page(
            "review_request.html",
            r=detail,
            files=files,
            provenance=provenance,
            earlier=earlier_releases(self.config.campus.db_url, detail["project"], request_id),
            may=may,
            release=release,
            age=age(detail["created_at"]),
        )

    def post(self, request_id: str) -> None:
        verdict = self.get_body_argument("verdict", "")
        try:
            outcome = self.exports.review(request_id, reviewer=self.user_name, verdict=verdict, reason=self.get_body_argument("reason", ""))
        except CampusError as error:
            self.flash(str(error), "error")
        else:
            self.flash(f"{verdict} recorded: request {request_id} is now {outcome.state}")
        self.redirect(self.url("review", request_id))


class RawImageHandler(ReviewBase):
    """An image file of a request, for the <img> of the request page: checked raster only."""

    def get(self, request_id: str, name: str) -> None:
        try:
            detail = self.exports.show(request_id, self.user_name)
        except CampusError as error:
            raise web.HTTPError(404, str(error)) from None
        if name not in {f["name"] for f in detail["files"]}:
            raise web.HTTPError(404, "no such file")
        data = Path(self.exports.folder(request_id) / name).read_bytes()
        kind = image_type(data)
        if kind is None:
            raise web.HTTPError(415, "not a PNG, JPEG, GIF or WebP image")
        self.set_header("Content-Type", kind)
        # Shown inline to the reviewer, never offered as a download.
        self.set_header("Content-Disposition", "inline")
        self.finish(data)
