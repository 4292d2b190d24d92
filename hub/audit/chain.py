"""Appending to and verifying the hash chain of audit events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.models import AuditEvent, AuditHead
from hub.catalog.models import utcnow_iso

GENESIS_HASH = "0" * 64

# Every event the campus writes. Never rename one: reports and filters depend on the names.
EVENTS = frozenset(
    {
        "user.created",
        "user.roles_changed",
        "dataset.registered",
        "project.created",
        "project.member_added",
        "project.member_removed",
        "grant.created",
        "grant.revoked",
        "workspace.spawned",
        "workspace.spawn_refused",
        "workspace.stopped",
        "workspace.access_withdrawn",
        "workspace.server_replaced",
        "export.submitted",
        "export.checked",
        "export.transition",
        "export.reviewed",
        "export.released",
        "export.downloaded",
        "policy.changed",
        "policy.catalog_restored",
    }
)


def event_hash(fields: dict) -> str:
    """SHA-256 over the canonical JSON of an event's fields (its own hash excluded)."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "at": event.at,
        "event": event.event,
        "actor": event.actor,
        "project": event.project,
        "dataset": event.dataset,
        "subject": event.subject,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }


def lock_head(session: Session) -> AuditHead | None:
    """Lock the audit head row for the rest of the session's transaction; None before the first event.

    This is the lock every catalog writer holds from its audit event to its commit (and so
    across its push to OPA): `record` takes it, and the catalog re-sync (hub.policy.resync)
    takes it to be sure no write is half-done while it compares OPA with the database.
    PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE; there the whole
    transaction already holds the database's write lock (BEGIN IMMEDIATE, hub.db).
    """
    return session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()


def record(
    session: Session,
    event: str,
    actor: str,
    *,
    project: str | None = None,
    dataset: str | None = None,
    subject: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event in the session's transaction and return it (flushed, not committed)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; add it to hub.audit.chain.EVENTS")
    head = lock_head(session)
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    # Round-trip details through JSON so the hash covers exactly what the database stores.
    stored_details = json.loads(json.dumps(details or {}, default=str))
    entry = AuditEvent(
        seq=head.last_seq + 1,
        at=utcnow_iso(),
        event=event,
        actor=actor,
        project=project,
        dataset=dataset,
        subject=subject,
        details=stored_details,
        prev_hash=head.last_hash,
    )
    entry.hash = event_hash(_hashed_fields(entry))
    session.add(entry)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain verified: {self.events} events"
        return f"audit chain broken at event {self.first_bad_seq}: {self.problem}"


def verify(session: Session) -> ChainReport:
    """Walk the chain from the start; report the first event that does not verify."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        if event.seq != expected_seq:
            return ChainReport(False, count, expected_seq, f"event {expected_seq} is missing (next is {event.seq})")
        if event.prev_hash != expected_prev:
            return ChainReport(False, count, event.seq, "previous-hash link does not match (event deleted or reordered)")
        if event_hash(_hashed_fields(event)) != event.hash:
            return ChainReport(False, count, event.seq, "content does not match its hash (event edited)")
        expected_prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != count or head.last_hash != expected_prev):
        return ChainReport(False, count, count + 1 if head.last_seq > count else count, "the newest events were removed (head does not match)")
    return ChainReport(True, count)


def as_dict(event: AuditEvent) -> dict:
    return {**_hashed_fields(event), "hash": event.hash}


def export_jsonl(session: Session, out: IO[str], events: Iterable[AuditEvent] | None = None) -> int:
    """Write events (default: all, in order) as JSON Lines; return how many."""
    rows = events if events is not None else session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    count = 0
    for event in rows:
        out.write(json.dumps(as_dict(event), ensure_ascii=False) + "\n")
        count += 1
    return count
