"""Filters, exports and the weekly summary of the audit log (hub/web/auditquery.py)."""

import csv
import io

import pytest

from hub import audit
from hub.db import session_scope
from hub.errors import CampusError
from hub.web.auditquery import AuditFilter, matching, page, requests_per_week, week_of, write_csv


@pytest.fixture
def log(db_url):
    with session_scope(db_url) as s:
        audit.record(s, "dataset.registered", "sam", dataset="store_sales")
        audit.record(s, "grant.created", "sam", project="retail", dataset="store_sales", subject="alice")
        for rid, end in (("exp-1", "released"), ("exp-2", "rejected"), ("exp-3", None), ("exp-4", "withdrawn")):
            audit.record(s, "export.submitted", "alice", project="retail", subject=rid, details={"from": "draft", "to": "submitted"})
            if end == "released":
                audit.record(s, "export.released", "egress-guard", project="retail", subject=rid, details={"from": "approved", "to": "released"})
            elif end:
                audit.record(s, "export.transition", "rita", project="retail", subject=rid, details={"from": "in_review", "to": end})
    return db_url


def _filter(**args):
    return AuditFilter.from_args(lambda name: args.get(name, ""))


@pytest.mark.parametrize(
    "args, expected",
    [
        ({}, 9),
        ({"user": "alice"}, 5),  # the actor, or the subject of a grant
        ({"project": "retail"}, 8),
        ({"dataset": "store_sales"}, 2),
        ({"event": "export.submitted"}, 4),
        ({"since": "2000-01-01", "until": "2999-12-31"}, 9),
        ({"until": "2000-01-01"}, 0),
        ({"user": "nobody"}, 0),
    ],
)
def test_filters(log, args, expected):
    with session_scope(log) as s:
        events, total = page(s, _filter(**args))
    assert total == expected == len(events)
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)  # newest first


@pytest.mark.parametrize("args, message", [({"since": "yesterday"}, "is not a date"), ({"event": "export.hacked"}, "unknown event type")])
def test_bad_filters_are_refused(args, message):
    with pytest.raises(CampusError, match=message):
        _filter(**args)


def test_csv_export_carries_the_hashes(log):
    out = io.StringIO()
    with session_scope(log) as s:
        assert write_csv(matching(s, _filter(event="export.submitted")), out) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["subject"] for r in rows] == ["exp-1", "exp-2", "exp-3", "exp-4"]
    assert all(len(r["hash"]) == 64 and len(r["prev_hash"]) == 64 for r in rows)


def test_requests_per_week_by_outcome(log):
    with session_scope(log) as s:
        weeks = requests_per_week(s)
    assert len(weeks) == 1
    assert weeks[0][1] == {"released": 1, "rejected": 1, "withdrawn": 1, "pending": 1}


def test_week_of_is_the_monday():
    assert week_of("2026-11-29T23:59:59.000000Z") == "2026-11-23"
    assert week_of("2026-11-23T00:00:00.000000Z") == "2026-11-23"
