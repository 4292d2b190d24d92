"""Dataset registration, projects and grants through the CLI, on SQLite and PostgreSQL,
against the real OPA server.

Bad input must give one line naming the problem, exit code 2, and change nothing: not
the catalog, not the data root, not the audit log, not the policy data in OPA.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hub import audit
from hub.catalog.service import open_catalog
from hub.db import session_scope
from tests.fixtures.catalog import campus, cli, copy_dataset, demo_source, membership, opa_catalog, snapshot  # noqa: F401 - fixtures


def test_register_copies_checksums_audits_and_publishes(campus, demo_source, tmp_path):
    manifest = copy_dataset(demo_source, "card_spending", tmp_path)
    result = cli("dataset", "register", str(manifest), "--as", "sam")
    assert result.exit_code == 0, result.output
    assert "registered card_spending" in result.output

    folder = campus.data_root / "card_spending"
    stored = json.loads((folder / "manifest.json").read_text())
    assert stored["name"] == "card_spending" and stored["files"] == ["card_spending.parquet"]
    shown = json.loads(cli("dataset", "show", "card_spending", "--json").output)
    assert shown["files"][0]["sha256"] and len(shown["files"][0]["sha256"]) == 64
    assert shown["rows"] == len(pd.read_parquet(folder / "card_spending.parquet"))
    assert {c["name"]: c["class"] for c in shown["columns"]}["rrn"] == "direct_identifier"

    listed = json.loads(cli("dataset", "list", "--json").output)
    assert [d["name"] for d in listed] == ["card_spending"]
    published = opa_catalog(campus)["datasets"]["card_spending"]
    assert published["tier"] == "restricted" and published["two_person_review"] is True
    assert published["columns"]["holder_name"] == "direct_identifier"
    with session_scope(campus.db_url) as session:
        report = audit.verify(session)
    assert report.ok and report.events == 3  # two users + one registration


def _rewrite(manifest: Path, change) -> Path:
    document = yaml.safe_load(manifest.read_text())
    change(document)
    manifest.write_text(yaml.safe_dump(document, allow_unicode=True))
    return manifest


def _drop_column(document):
    document["columns"] = [c for c in document["columns"] if c["name"] != "rrn"]


def _add_column(document):
    document["columns"].append({"name": "loyalty_tier", "type": "string", "class": "attribute"})


def _wrong_type(document):
    next(c for c in document["columns"] if c["name"] == "amount_krw")["type"] = "string"


def _not_parquet(manifest: Path) -> Path:
    (manifest.parent / "card_spending.parquet").write_text("holder_id,amount\nH1,100\n")
    return manifest


def _latin1_csv(manifest: Path) -> Path:
    frame = pd.read_parquet(manifest.parent / "card_spending.parquet").head(50)
    frame["holder_name"] = "Müller"
    (manifest.parent / "card_spending.csv").write_bytes(frame.to_csv(index=False).encode("latin-1"))
    return _rewrite(manifest, lambda d: d.update(files=["card_spending.csv"]))


BAD_REGISTRATIONS = {
    "malformed yaml": (lambda m: (m.write_text("name: [oops\n"), m)[1], "malformed YAML"),
    "unknown key": (lambda m: _rewrite(m, lambda d: d.update(ownr="x")), "unknown key 'ownr'"),
    "column missing from data": (lambda m: _rewrite(m, _add_column), "'loyalty_tier' is declared in the manifest but missing from the data"),
    "column missing from manifest": (lambda m: _rewrite(m, _drop_column), "'rrn' is in the data but not classified"),
    "type mismatch": (lambda m: _rewrite(m, _wrong_type), "'amount_krw' is declared string but the data holds integer"),
    "not parquet": (_not_parquet, "is not a Parquet file"),
    "csv not utf-8": (_latin1_csv, "is not UTF-8"),
    "missing data file": (lambda m: ((m.parent / "card_spending.parquet").unlink(), m)[1], "does not exist"),
}


@pytest.mark.parametrize("breaker, expected", BAD_REGISTRATIONS.values(), ids=BAD_REGISTRATIONS.keys())
def test_bad_registration_is_refused_and_changes_nothing(campus, demo_source, tmp_path, breaker, expected):
    manifest = breaker(copy_dataset(demo_source, "card_spending", tmp_path))
    before = snapshot(campus)
    result = cli("dataset", "register", str(manifest), "--as", "sam")
    assert result.exit_code == 2
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(campus) == before


def test_duplicate_dataset_is_refused(campus, demo_source, tmp_path):
    manifest = copy_dataset(demo_source, "card_spending", tmp_path)
    assert cli("dataset", "register", str(manifest), "--as", "sam").exit_code == 0
    before = snapshot(campus)
    result = cli("dataset", "register", str(manifest), "--as", "sam")
    assert result.exit_code == 2 and "already registered" in result.output
    assert snapshot(campus) == before


def test_researcher_may_not_register(campus, demo_source, tmp_path):
    """Registration is a steward's action, decided by campus.admin in OPA."""
    manifest = copy_dataset(demo_source, "card_spending", tmp_path)
    before = snapshot(campus)
    result = cli("dataset", "register", str(manifest), "--as", "alice")
    assert result.exit_code == 2 and "steward" in result.output
    assert snapshot(campus) == before


def test_projects_members_grants_reach_the_policy(campus, demo_source, tmp_path):
    cli("dataset", "register", str(copy_dataset(demo_source, "card_spending", tmp_path)), "--as", "sam")
    steps = [
        ("project", "create", "spending", "--max-tier", "restricted", "--as", "sam"),
        ("project", "add-member", "spending", "alice", "--as", "sam"),
        ("project", "grant", "spending", "card_spending", "--expires", "2099-01-01", "--as", "sam"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, result.output
    project = opa_catalog(campus)["projects"]["spending"]
    assert project["members"] == ["alice"]
    assert project["grants"]["card_spending"]["expires_at"].startswith("2099-01-01T00:00:00")

    assert cli("project", "revoke", "spending", "card_spending", "--as", "sam").exit_code == 0
    assert opa_catalog(campus)["projects"]["spending"]["grants"] == {}
    listed = json.loads(cli("project", "list", "--json").output)
    assert listed == [{"name": "spending", "max_tier": "restricted", "members": ["alice"], "grants": {}}]


BAD_PROJECT_STEPS = {
    "grant to unknown project": (("project", "grant", "nope", "card_spending", "--expires", "2099-01-01", "--as", "sam"), "unknown project 'nope'"),
    "grant unknown dataset": (("project", "grant", "spending", "nope", "--expires", "2099-01-01", "--as", "sam"), "unknown dataset 'nope'"),
    "expiry in the past": (("project", "grant", "spending", "card_spending", "--expires", "2001-01-01", "--as", "sam"), "in the past"),
    "expiry not a date": (("project", "grant", "spending", "card_spending", "--expires", "soon", "--as", "sam"), "is not a date"),
    "member unknown user": (("project", "add-member", "spending", "mallory", "--as", "sam"), "unknown user 'mallory'"),
    "researcher grants": (("project", "grant", "spending", "card_spending", "--expires", "2099-01-01", "--as", "alice"), "steward"),
    "bad tier": (("project", "create", "other", "--max-tier", "secret", "--as", "sam"), "tier 'secret'"),
    "duplicate project": (("project", "create", "spending", "--as", "sam"), "already exists"),
    "revoke what was never granted": (("project", "revoke", "spending", "card_spending", "--as", "sam"), "is not granted"),
}


@pytest.mark.parametrize("step, expected", BAD_PROJECT_STEPS.values(), ids=BAD_PROJECT_STEPS.keys())
def test_bad_project_steps_are_refused_and_change_nothing(campus, demo_source, tmp_path, step, expected):
    cli("dataset", "register", str(copy_dataset(demo_source, "card_spending", tmp_path)), "--as", "sam")
    cli("project", "create", "spending", "--max-tier", "restricted", "--as", "sam")
    before = snapshot(campus)
    result = cli(*step)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert snapshot(campus) == before


def test_policy_service_down_refuses_and_changes_nothing(campus, demo_source, tmp_path, monkeypatch):
    """Fail closed: with OPA unreachable, a registration is refused and nothing is written."""
    manifest = copy_dataset(demo_source, "card_spending", tmp_path)
    monkeypatch.setenv("CAMPUS_OPA_URL", "http://127.0.0.1:9")
    with session_scope(campus.db_url) as session:
        events_before = audit.verify(session).events
    result = cli("dataset", "register", str(manifest), "--as", "sam")
    assert result.exit_code == 2
    assert "policy service unavailable" in result.output
    assert not (campus.data_root / "card_spending").exists()
    with session_scope(campus.db_url) as session:
        assert audit.verify(session).events == events_before


def test_audit_verify_cli_detects_a_direct_edit(campus):
    assert cli("audit", "verify").exit_code == 0
    from sqlalchemy import text

    from hub.db import get_engine

    with get_engine(campus.db_url).begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "broken at event 1" in result.output


def test_grant_above_the_project_tier_is_refused(campus, demo_source, tmp_path):
    """A restricted dataset cannot be granted to an internal project (campus.admin decides)."""
    cli("dataset", "register", str(copy_dataset(demo_source, "card_spending", tmp_path)), "--as", "sam")
    cli("project", "create", "open-data", "--max-tier", "internal", "--as", "sam")
    before = snapshot(campus)
    result = cli("project", "grant", "open-data", "card_spending", "--expires", "2099-01-01", "--as", "sam")
    assert result.exit_code == 2
    assert "above the max tier internal" in result.output
    assert snapshot(campus) == before


@pytest.mark.parametrize("variable", ["CAMPUS_OPA_TOKEN", "CAMPUS_OPA_CATALOG_TOKEN"])
def test_refused_credentials_refuse_the_change_and_write_nothing(campus, demo_source, tmp_path, monkeypatch, variable):
    """A wrong decision token (the steward check) or catalog token (the push): nothing is written."""
    manifest = copy_dataset(demo_source, "card_spending", tmp_path)
    before = snapshot(campus)
    with monkeypatch.context() as env:
        env.setenv(variable, "w" * 43)
        result = cli("dataset", "register", str(manifest), "--as", "sam")
    assert result.exit_code == 2
    assert "refused the campus's credentials" in result.output
    assert snapshot(campus) == before


# ----- removing a member ---------------------------------------------------------------


def access_of(settings, user: str):
    from hub.policy.client import PolicyClient

    client = PolicyClient(settings.opa_url, timeout=5.0)
    try:
        return client.access(user)
    finally:
        client.close()


def last_event(settings):
    from sqlalchemy import select

    from hub.audit import AuditEvent

    with session_scope(settings.db_url) as session:
        event = session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        return {"event": event.event, "actor": event.actor, "project": event.project, "subject": event.subject}


def test_removed_member_loses_the_projects_datasets_and_the_removal_is_audited(membership):
    before = access_of(membership, "alice")
    assert before.error is None and before.allowed == ["card_spending"] and before.projects == ["spending"]

    with open_catalog(settings=membership) as catalog:
        catalog.remove_member("spending", "alice", actor="sam")

    assert last_event(membership) == {"event": "project.member_removed", "actor": "sam", "project": "spending", "subject": "alice"}
    with session_scope(membership.db_url) as session:
        assert audit.verify(session).ok
    with open_catalog(settings=membership) as catalog:
        assert catalog.members("spending") == []
    assert opa_catalog(membership)["projects"]["spending"]["members"] == []
    after = access_of(membership, "alice")
    assert after.error is None
    assert after.allowed == [] and after.projects == [] and "card_spending" not in after.refused
    assert "card_spending" in after.registered
    # The grant stays with the project: adding alice back gives it to her again.
    with open_catalog(settings=membership) as catalog:
        catalog.add_member("spending", "alice", actor="sam")
    assert access_of(membership, "alice").allowed == ["card_spending"]


REFUSED_REMOVALS = {
    "researcher removes": (("spending", "alice", "alice"), "alice may not project.remove_member: it needs the role steward"),
    "reviewer removes": (("spending", "alice", "rita"), "rita may not project.remove_member: it needs the role steward"),
    "not a member": (("spending", "rita", "sam"), "user 'rita' is not a member of project 'spending'"),
    "unknown project": (("nope", "alice", "sam"), "unknown project 'nope'"),
    "unknown user": (("spending", "mallory", "sam"), "unknown user 'mallory'"),
}


@pytest.mark.parametrize("args, expected", REFUSED_REMOVALS.values(), ids=REFUSED_REMOVALS.keys())
def test_refused_removal_says_why_and_changes_nothing(membership, args, expected):
    from hub.errors import CampusError

    project, user, actor = args
    before = snapshot(membership)
    with pytest.raises(CampusError) as refused:
        with open_catalog(settings=membership) as catalog:
            catalog.remove_member(project, user, actor=actor)
    assert str(refused.value) == expected
    assert snapshot(membership) == before
    assert access_of(membership, "alice").allowed == ["card_spending"]


def test_removal_whose_push_opa_refuses_is_rolled_back(membership, monkeypatch):
    """The push comes before the commit: if OPA refuses the new catalog, alice stays a member."""
    from hub.errors import CampusError

    before = snapshot(membership)
    with monkeypatch.context() as env:
        env.setenv("CAMPUS_OPA_CATALOG_TOKEN", "w" * 43)
        with pytest.raises(CampusError, match="refused the campus's credentials"):
            with open_catalog(settings=membership) as catalog:
                catalog.remove_member("spending", "alice", actor="sam")
    assert snapshot(membership) == before
    with open_catalog(settings=membership) as catalog:
        assert catalog.members("spending") == ["alice"]
