"""Reading the audit log for compliance: filters, CSV export and the weekly request summary.

Read-only. Timestamps are fixed-width RFC 3339 UTC strings (`utcnow_iso`), so a date range
is a string range and works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hub.audit import EVENTS, AuditEvent
from hub.errors import CampusError

CSV_COLUMNS = ["seq", "at", "event", "actor", "project", "dataset", "subject", "details", "prev_hash", "hash"]

# How a request ended, from the states the egress layer reports in its audit events.
OUTCOMES = ("released", "rejected", "withdrawn", "pending")
_FINAL = {"released": "released", "rejected": "rejected", "withdrawn": "withdrawn", "denied": "rejected"}


@dataclass(frozen=True)
class AuditFilter:
    user: str = ""
    project: str = ""
    dataset: str = ""
    event: str = ""
    since: str = ""  # YYYY-MM-DD, inclusive
    until: str = ""  # YYYY-MM-DD, inclusive

    @classmethod
    def from_args(cls, get) -> "AuditFilter":
        """From query arguments (`get(name)` returns '' when absent); checks dates and events."""
        found = cls(**{f.name: get(f.name).strip() for f in fields(cls)})
        for key in ("since", "until"):
            value = getattr(found, key)
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise CampusError(f"{key} {value!r} is not a date (YYYY-MM-DD)") from None
        if found.event and found.event not in EVENTS:
            raise CampusError(f"unknown event type {found.event!r}")
        return found

    def as_query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def apply(self, query: Select) -> Select:
        if self.user:
            query = query.where(or_(AuditEvent.actor == self.user, AuditEvent.subject == self.user))
        if self.project:
            query = query.where(AuditEvent.project == self.project)
        if self.dataset:
            query = query.where(AuditEvent.dataset == self.dataset)
        if self.event:
            query = query.where(AuditEvent.event == self.event)
        if self.since:
            query = query.where(AuditEvent.at >= self.since)
        if self.until:
            after = (date.fromisoformat(self.until) + timedelta(days=1)).isoformat()
            query = query.where(AuditEvent.at < after)
        return query


def page(session: Session, flt: AuditFilter, *, offset: int = 0, limit: int = 100) -> tuple[list[AuditEvent], int]:
    """Matching events, newest first, and how many match in all."""
    total = session.execute(flt.apply(select(func.count()).select_from(AuditEvent))).scalar_one()
    rows = session.execute(flt.apply(select(AuditEvent)).order_by(AuditEvent.seq.desc()).offset(offset).limit(limit)).scalars()
    return list(rows), int(total)


def matching(session: Session, flt: AuditFilter):
    """Every matching event, oldest first (for exports)."""
    return session.execute(flt.apply(select(AuditEvent)).order_by(AuditEvent.seq)).scalars()


def write_csv(events, out: io.TextIOBase) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for e in events:
        writer.writerow([e.seq, e.at, e.event, e.actor, e.project or "", e.dataset or "", e.subject or "", json.dumps(e.details, ensure_ascii=False, sort_keys=True), e.prev_hash, e.hash])
        count += 1
    return count


def week_of(timestamp: str) -> str:
    """The Monday (YYYY-MM-DD) of the ISO week of an RFC 3339 timestamp."""
    day = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def requests_per_week(session: Session) -> list[tuple[str, dict[str, int]]]:
    """For each week with submissions: how many requests submitted then ended how.

    A request's outcome is the last final state its audit events name (released,
    rejected, withdrawn); requests with none are pending.
    """
    submitted: dict[str, str] = {}
    outcome: dict[str, str] = {}
    query = select(AuditEvent).where(AuditEvent.event.in_(["export.submitted", "export.transition", "export.released"])).order_by(AuditEvent.seq)
    for e in session.execute(query).scalars():
        request = e.subject or str((e.details or {}).get("request_id", ""))
        if not request:
            continue
        if e.event == "export.submitted":
            submitted.setdefault(request, e.at)
        elif e.event == "export.released":
            outcome[request] = "released"
        else:
            details = e.details or {}
            state = str(details.get("to") or details.get("state") or details.get("to_state") or "")
            if state in _FINAL:
                outcome[request] = _FINAL[state]
    weeks: dict[str, Counter] = defaultdict(Counter)
    for request, at in submitted.items():
        weeks[week_of(at)][outcome.get(request, "pending")] += 1
    return [(week, {o: weeks[week][o] for o in OUTCOMES}) for week in sorted(weeks)]
