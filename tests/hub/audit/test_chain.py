"""The audit log detects any edit, deletion or reordering made directly in the database.

Threat model: "tampering with the audit log". Each attack edits the table with plain SQL,
as someone with database access would, and `verify()` must name the first bad event.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from hub import audit
from hub.db import get_engine, session_scope


def _seed(url: str, count: int = 5) -> None:
    with session_scope(url) as session:
        for index in range(count):
            audit.record(session, "grant.created", "sam", project="p", dataset=f"d{index}", details={"n": index})


def _sql(url: str, statement: str, **params) -> None:
    with get_engine(url).begin() as connection:
        connection.execute(text(statement), params)


def _verify(url: str) -> audit.ChainReport:
    with session_scope(url) as session:
        return audit.verify(session)


def test_intact_chain_verifies(db_url):
    _seed(db_url)
    report = _verify(db_url)
    assert report.ok and report.events == 5


def test_empty_log_verifies(db_url):
    assert _verify(db_url).ok


ATTACKS = {
    "edit actor": ("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3", 3),
    "edit details": ("UPDATE audit_events SET details = :details WHERE seq = 2", 2),
    "delete middle event": ("DELETE FROM audit_events WHERE seq = 3", 3),
    "delete newest event": ("DELETE FROM audit_events WHERE seq = 5", 5),
    "delete first event": ("DELETE FROM audit_events WHERE seq = 1", 1),
    "reorder two events": (
        "UPDATE audit_events SET dataset = CASE seq WHEN 2 THEN 'd2' WHEN 3 THEN 'd1' END WHERE seq IN (2, 3)",
        2,
    ),
}


@pytest.mark.parametrize("statement, first_bad", ATTACKS.values(), ids=ATTACKS.keys())
def test_tampering_is_detected(db_url, statement, first_bad):
    _seed(db_url)
    _sql(db_url, statement, details=json.dumps({"n": 99}))
    report = _verify(db_url)
    assert not report.ok
    assert report.first_bad_seq == first_bad
    assert str(first_bad) in str(report)


def test_recomputed_hash_still_breaks_the_link(db_url):
    """An attacker who rewrites an event and recomputes its hash breaks the next link."""
    _seed(db_url)
    with session_scope(db_url) as session:
        event = session.get(audit.AuditEvent, 2)
        event.actor = "mallory"
        event.hash = audit.chain.event_hash(audit.chain._hashed_fields(event))
    report = _verify(db_url)
    assert not report.ok and report.first_bad_seq == 3


def test_unknown_event_name_is_refused(db_url):
    with pytest.raises(ValueError, match="unknown audit event"):
        with session_scope(db_url) as session:
            audit.record(session, "dataset.renamed", "sam")


def test_event_and_change_commit_together(db_url):
    """A failure after recording rolls the event back too: no orphan audit entries."""
    with pytest.raises(RuntimeError):
        with session_scope(db_url) as session:
            audit.record(session, "user.created", "operator:root", subject="x")
            raise RuntimeError("the change failed")
    assert _verify(db_url).events == 0


def test_export_jsonl_round_trips(db_url, tmp_path):
    _seed(db_url, 3)
    out = tmp_path / "audit.jsonl"
    with session_scope(db_url) as session, out.open("w") as handle:
        assert audit.export_jsonl(session, handle) == 3
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert lines[1]["prev_hash"] == lines[0]["hash"]
