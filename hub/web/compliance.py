"""Compliance pages: the audit log with filters, chain verification, exports, weekly summary.

Stewards and reviewers see them; OPA decides (`audit.view`, `audit.verify`).
"""

from __future__ import annotations

import io

from tornado import web

from hub import audit
from hub.audit import EVENTS
from hub.db import session_scope
from hub.errors import CampusError
from hub.web import auditquery
from hub.web.base import BaseHandler
from hub.web.chart import stacked_bars

PAGE_SIZE = 100


class AuditBase(BaseHandler):
    action = "audit.view"

    async def prepare(self) -> None:
        await super().prepare()
        if self._finished:
            return
        if not self.campus_roles & {"steward", "reviewer"}:
            raise web.HTTPError(403, "the audit log is for stewards and reviewers")
        decision = self.policy.admin(self.action, self.user_name)
        if not decision.allow:
            raise web.HTTPError(403, "; ".join(decision.reasons))

    def filter(self) -> auditquery.AuditFilter:
        return auditquery.AuditFilter.from_args(lambda name: self.get_query_argument(name, ""))

    def show(self, *, report=None) -> None:
        try:
            flt = self.filter()
        except CampusError as error:
            self.fail(error)
            return
        try:
            offset = max(int(self.get_query_argument("offset", "0")), 0)
        except ValueError:
            offset = 0
        with session_scope(self.config.campus.db_url) as session:
            events, total = auditquery.page(session, flt, offset=offset, limit=PAGE_SIZE)
            weeks = auditquery.requests_per_week(session)
        chart = stacked_bars(weeks, auditquery.OUTCOMES, title="Export requests per week by outcome") if weeks else None
        self.render_page(
            "audit.html",
            events=events,
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
            flt=flt,
            event_types=sorted(EVENTS),
            report=report,
            chart=chart,
            weeks=weeks,
            outcomes=auditquery.OUTCOMES,
        )


class AuditHandler(AuditBase):
    def get(self) -> None:
        self.show()


class VerifyHandler(AuditBase):
    action = "audit.verify"

    def get(self) -> None:
        with session_scope(self.config.campus.db_url) as session:
            report = audit.verify(session)
        self.show(report=report)


class ExportHandler(AuditBase):
    """The filtered log as CSV or JSON Lines, oldest first."""

    def get(self, fmt: str) -> None:
        try:
            flt = self.filter()
        except CampusError as error:
            self.fail(error)
            return
        out = io.StringIO()
        with session_scope(self.config.campus.db_url) as session:
            events = auditquery.matching(session, flt)
            if fmt == "csv":
                auditquery.write_csv(events, out)
                self.set_header("Content-Type", "text/csv; charset=utf-8")
            else:
                audit.export_jsonl(session, out, events)
                self.set_header("Content-Type", "application/x-ndjson; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="campus-audit.{fmt}"')
        self.finish(out.getvalue())
