"""Export requests end to end against the real OPA policy: submit, check, review, release,
download, withdraw; self-review and single review of two-person data refused; a guard
killed mid-check resumes and releases exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.audit import AuditEvent, verify
from hub.db import session_scope
from hub.egress.service import ExportError, ExportService
from hub.egress.states import InvalidTransition
from hub.errors import NotFound, PermissionDenied
from tests.egress_guard.corpus.cases import AGGREGATES
from tests.egress_guard.corpus.workspace import Workspace, csv

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def egress_campus(request):
    """Every export-request test runs on SQLite and on PostgreSQL (production's database)."""
    return request.getfixturevalue("egress_campus_pg" if request.param == "postgres" else "egress_campus_sqlite")


@pytest.fixture
def service(egress_campus, egress_policy):
    return ExportService(egress_campus.settings, policy=egress_policy)


@pytest.fixture(scope="module")
def workspace(egress_campus):
    from hub.egress.service import guard_catalog

    with session_scope(egress_campus.settings.db_url) as session:
        return Workspace(guard_catalog(session, egress_campus.settings))


def aggregate(workspace, key="card_by_district"):
    workspace.log.clear()
    frame = workspace.sql(AGGREGATES[key])
    return csv(frame), list(workspace.log)


def events(settings, request_id, name=None):
    with session_scope(settings.db_url) as session:
        query = select(AuditEvent).where(AuditEvent.subject == request_id)
        if name:
            query = query.where(AuditEvent.event == name)
        return [(e.event, e.details) for e in session.execute(query.order_by(AuditEvent.seq)).scalars()]


def test_aggregate_is_approved_released_once_and_downloadable_by_its_author_only(service, workspace, egress_campus):
    data, provenance = aggregate(workspace)
    request_id = service.submit(user="alice", project="seoul", reason="paper figure", files=[("by_district.csv", data)], provenance=provenance)
    outcome = service.process(request_id)
    assert outcome.state == "released", outcome.reasons
    path = service.download(request_id, "by_district.csv", actor="alice")
    assert path.read_bytes() == data and path.is_relative_to(egress_campus.settings.releases_root / "alice")
    with pytest.raises(NotFound):
        service.download(request_id, "by_district.csv", actor="bob")
    names = [e for e, _ in events(egress_campus.settings, request_id)]
    assert names.count("export.released") == 1 and "export.submitted" in names and "export.checked" in names and "export.downloaded" in names
    assert service.process(request_id).state == "released"  # idempotent
    assert [e for e, _ in events(egress_campus.settings, request_id)].count("export.released") == 1
    with session_scope(egress_campus.settings.db_url) as session:
        assert verify(session).ok


def test_leak_is_rejected_with_findings_audited(service, workspace, egress_campus):
    rows = workspace.connection.execute("SELECT holder_name, phone FROM card_spending LIMIT 30").df()
    request_id = service.submit(user="alice", project="seoul", reason="just rows", files=[("rows.csv", csv(rows))], provenance=[])
    assert service.process(request_id).state == "rejected"
    checked = events(egress_campus.settings, request_id, "export.checked")
    assert checked and any(f["check"] == "fingerprints" for f in checked[0][1]["findings"])
    with pytest.raises(PermissionDenied):
        service.download(request_id, "rows.csv", actor="alice")
    assert not (egress_campus.settings.releases_root / "alice" / request_id).exists()


def review_request(service, workspace) -> str:
    frame = workspace.connection.execute(AGGREGATES["card_by_category"]).df()
    request_id = service.submit(user="alice", project="seoul", reason="no provenance", files=[("categories.csv", csv(frame))], provenance=None)
    assert service.process(request_id).state == "in_review"
    return request_id


def test_two_person_review_needs_two_distinct_reviewers_and_no_self_review(service, workspace, egress_campus):
    request_id = review_request(service, workspace)
    with pytest.raises(PermissionDenied):
        service.review(request_id, reviewer="alice", verdict="approve", reason="mine")
    with pytest.raises(PermissionDenied):
        service.review(request_id, reviewer="bob", verdict="approve", reason="not a reviewer")
    assert service.review(request_id, reviewer="rita", verdict="approve", reason="fine").state == "in_review"
    with pytest.raises(PermissionDenied):
        service.review(request_id, reviewer="rita", verdict="approve", reason="again")
    assert service.review(request_id, reviewer="rob", verdict="approve", reason="fine too").state == "released"
    assert (egress_campus.settings.releases_root / "alice" / request_id / "categories.csv").exists()


def test_reject_and_withdraw(service, workspace):
    first = review_request(service, workspace)
    assert service.review(first, reviewer="rob", verdict="reject", reason="too detailed").state == "rejected"
    with pytest.raises(ExportError):
        service.review(first, reviewer="rita", verdict="approve", reason="late")
    second = review_request(service, workspace)
    with pytest.raises(PermissionDenied):
        service.withdraw(second, actor="bob")
    assert service.withdraw(second, actor="alice").state == "withdrawn"
    with pytest.raises(InvalidTransition):
        service.withdraw(second, actor="alice")


@pytest.mark.parametrize(
    "files,reason,message",
    [
        ([("../x.csv", b"a")], "r", "plain name"),
        ([("a.csv", b"a"), ("a.csv", b"b")], "r", "same name"),
        ([], "r", "at least one file"),
        ([("a.csv", b"a")], " ", "reason"),
    ],
)
def test_bad_submissions_write_nothing(service, egress_campus, files, reason, message):
    before = sorted(egress_campus.settings.requests_root.iterdir()) if egress_campus.settings.requests_root.exists() else []
    with pytest.raises(ExportError, match=message):
        service.submit(user="alice", project="seoul", reason=reason, files=files)
    after = sorted(egress_campus.settings.requests_root.iterdir()) if egress_campus.settings.requests_root.exists() else []
    assert before == after


@pytest.mark.slow
def test_guard_killed_mid_check_resumes_and_releases_once(service, workspace, egress_campus, opa_server, tmp_path):
    data, provenance = aggregate(workspace, "card_by_sex")
    request_id = service.submit(user="alice", project="seoul", reason="resume", files=[("by_sex.csv", data)], provenance=provenance)
    config = tmp_path / "guard.yaml"
    config.write_text("checks:\n  - {name: structure}\n  - {name: sdc}\n  - {name: sleepy, class: 'tests.hub.egress.sleepy:SleepyCheck'}\n")
    marker = tmp_path / "marker"
    script = (
        "from pathlib import Path; from egress_guard.registry import CheckRegistry; from hub.egress.service import ExportService; "
        f"ExportService(registry=CheckRegistry.from_yaml(Path({str(config)!r}))).process({request_id!r})"
    )
    env = os.environ | {
        "CAMPUS_HOME": str(egress_campus.settings.home), "CAMPUS_DB_URL": egress_campus.settings.db_url,
        "CAMPUS_OPA_URL": opa_server.url, "CAMPUS_TEST_MARKER": str(marker), "PYTHONPATH": str(REPO),
    }  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None and time.monotonic() < deadline, "the guard did not reach the check"
            time.sleep(0.1)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    assert service.show(request_id, "alice")["state"] == "checking"
    outcomes = {o.request_id: o.state for o in service.resume()}
    assert outcomes[request_id] == "released"
    service.resume()
    assert [e for e, _ in events(egress_campus.settings, request_id)].count("export.released") == 1
    assert sorted(p.name for p in (egress_campus.settings.releases_root / "alice").iterdir() if p.name.startswith(".")) == []


def test_policy_outage_keeps_the_request_checking_and_resume_releases(egress_campus, egress_policy, workspace):
    from hub.policy.client import PolicyClient
    from hub.policy.server import free_port

    down = ExportService(egress_campus.settings, policy=PolicyClient(f"http://127.0.0.1:{free_port()}", timeout=0.5))
    data, provenance = aggregate(workspace, "card_by_district")
    request_id = down.submit(user="alice", project="seoul", reason="outage", files=[("d.csv", data)], provenance=provenance)
    outcome = down.process(request_id)
    assert outcome.state == "checking" and "unavailable" in outcome.reasons[0]
    assert not (egress_campus.settings.releases_root / "alice" / request_id).exists()
    assert ExportService(egress_campus.settings, policy=egress_policy).process(request_id).state == "released"
