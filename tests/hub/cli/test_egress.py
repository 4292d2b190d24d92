"""The `campus egress` command line: the check contract scripts rely on, submit and review."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hub.cli.main import app
from hub.policy.server import free_port
from tests.egress_guard.corpus.cases import AGGREGATES
from tests.egress_guard.corpus.workspace import Workspace, csv

runner = CliRunner()


@pytest.fixture
def env(egress_campus, egress_policy, monkeypatch):
    monkeypatch.setenv("CAMPUS_HOME", str(egress_campus.settings.home))
    monkeypatch.setenv("CAMPUS_OPA_URL", egress_policy.url)
    monkeypatch.delenv("CAMPUS_DB_URL", raising=False)
    monkeypatch.delenv("CAMPUS_DATA_ROOT", raising=False)
    return egress_campus


@pytest.fixture(scope="module")
def workspace(egress_campus):
    from hub.db import session_scope
    from hub.egress.service import guard_catalog

    with session_scope(egress_campus.settings.db_url) as session:
        return Workspace(guard_catalog(session, egress_campus.settings))


def cli(*args):
    return runner.invoke(app, ["egress", *map(str, args)], catch_exceptions=False)


def files(workspace, tmp_path, query, provenance=True):
    workspace.log.clear()
    path = tmp_path / "out.csv"
    path.write_bytes(csv(workspace.sql(query)))
    prov = tmp_path / "prov.json"
    prov.write_text(json.dumps(workspace.log if provenance else []))
    return path, prov


@pytest.mark.parametrize(
    "query,provenance,decision,check",
    [
        (AGGREGATES["card_by_district"], True, "approve", None),
        (AGGREGATES["card_by_district"], False, "review", None),
        ("SELECT holder_id, amount_krw FROM card_spending LIMIT 40", True, "deny", "fingerprints"),
        ("SELECT home_district, birth_year, sex, COUNT(*) AS n FROM card_spending GROUP BY 1, 2, 3", True, "deny", "sdc"),
    ],
)
def test_check_prints_the_contract(env, workspace, tmp_path, query, provenance, decision, check):
    path, prov = files(workspace, tmp_path, query, provenance)
    result = cli("check", path, "--project", "seoul", "--user", "alice", "--provenance", prov, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) == {"decision", "findings", "datasets"} and answer["decision"] == decision
    assert answer["datasets"] == ["card_spending"]
    assert all(set(f) == {"check", "severity", "message", "location"} for f in answer["findings"])
    if check:
        assert any(f["check"] == check for f in answer["findings"])


def test_check_denies_when_the_policy_is_down(env, workspace, tmp_path, monkeypatch):
    path, prov = files(workspace, tmp_path, AGGREGATES["card_by_district"])
    monkeypatch.setenv("CAMPUS_OPA_URL", f"http://127.0.0.1:{free_port()}")
    result = cli("check", path, "--project", "seoul", "--user", "alice", "--provenance", prov, "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["decision"] == "deny"


@pytest.mark.parametrize("case", ["missing", "symlink", "bad_provenance", "no_project"])
def test_check_misuse_exits_2(env, tmp_path, case):
    good = tmp_path / "a.csv"
    good.write_text("n\n12\n")
    args = ["check", good, "--project", "seoul", "--json"]
    if case == "missing":
        args[1] = tmp_path / "nope.csv"
    elif case == "symlink":
        (tmp_path / "link.csv").symlink_to(good)
        args[1] = tmp_path / "link.csv"
    elif case == "bad_provenance":
        (tmp_path / "p.json").write_text("{not json")
        args += ["--provenance", tmp_path / "p.json"]
    else:
        args = ["check", good, "--json"]
    result = cli(*args)
    assert result.exit_code == 2
    if case != "no_project":
        assert result.output.strip().startswith("error:") and len(result.output.strip().splitlines()) == 1


def test_submit_list_show_approve(env, workspace, tmp_path):
    frame = workspace.connection.execute(AGGREGATES["card_by_category"]).df()
    path = tmp_path / "cats.csv"
    path.write_bytes(csv(frame))
    result = cli("submit", path, "--project", "seoul", "--reason", "table 1", "--as", "alice", "--json")
    assert result.exit_code == 0, result.output
    request_id = json.loads(result.output)["id"]
    assert json.loads(result.output)["state"] == "in_review"
    assert request_id in cli("list", "--as", "rita").output
    assert request_id not in cli("list", "--as", "bob").output
    shown = json.loads(cli("show", request_id, "--as", "alice", "--json").output)
    assert shown["state"] == "in_review" and shown["datasets"] == ["card_spending"]
    refused = cli("approve", request_id, "--reason", "mine", "--as", "alice")
    assert refused.exit_code == 2 and "own" in refused.output
    assert "in_review" in cli("approve", request_id, "--reason", "ok", "--as", "rita").output
    assert "released" in cli("approve", request_id, "--reason", "ok", "--as", "rob").output
