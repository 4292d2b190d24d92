"""The guard against its labelled corpus, with the real OPA policy deciding.

Required: no leak approved, at least 90 % of legitimate outputs approved, and every
leak caught by a finding of the check that should catch it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from egress_guard.context import RequestInfo
from egress_guard.fingerprints import fingerprints_root
from egress_guard.pipeline import check_request, decide
from egress_guard.registry import CheckRegistry
from hub.db import session_scope
from hub.egress.service import guard_catalog
from tests.egress_guard.corpus.cases import CASES, Built
from tests.egress_guard.corpus.workspace import Workspace

pytestmark = pytest.mark.slow
RESULTS: dict[str, tuple[str, str, list]] = {}


@pytest.fixture(scope="module")
def guard(egress_campus):
    settings = egress_campus.settings
    with session_scope(settings.db_url) as session:
        catalog = guard_catalog(session, settings)
    return settings, catalog, CheckRegistry.from_yaml(), Workspace(catalog)


def run(guard, policy, built: Built, folder: Path, name: str, earlier=None):
    settings, catalog, registry, _ = guard
    folder.mkdir(parents=True)
    for filename, data in built.files.items():
        (folder / filename).write_bytes(data)
    info = RequestInfo(name, "alice", "seoul")
    report = check_request(
        request=info, root=folder, names=list(built.files), provenance=built.provenance, catalog=catalog,
        fingerprints_root=fingerprints_root(settings), thresholds_provider=policy.egress_thresholds,
        earlier_releases=earlier or [], registry=registry,
    )
    return report, decide(report, info, policy)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, guard, egress_policy, tmp_path):
    built = case.build(guard[3])
    earlier = []
    if built.before is not None:
        report, answer = run(guard, egress_policy, built.before, tmp_path / "before", "before")
        assert answer.decision == "approve", [f.as_input() for f in report.findings]
        earlier = report.ledger
    report, answer = run(guard, egress_policy, built, tmp_path / "request", case.name, earlier)
    findings = [f.as_input() for f in report.findings]
    RESULTS[case.name] = (case.label, answer.decision, findings)
    if case.label == "leak":
        assert answer.decision != "approve", findings
        assert any(f["check"] == case.check and f["severity"] != "info" for f in findings), (case.check, findings, answer.reasons)
    # Legitimate outputs are asserted together (>= 90 %) in test_rates.


def test_rates():
    legit = [decision for label, decision, _ in RESULTS.values() if label == "legit"]
    leaks = [decision for label, decision, _ in RESULTS.values() if label == "leak"]
    if len(legit) < 40 or len(leaks) < 40:
        pytest.skip("run the whole corpus to measure rates")
    blocked = {name: f for name, (label, decision, f) in RESULTS.items() if label == "legit" and decision != "approve"}
    assert "approve" not in leaks
    assert legit.count("approve") / len(legit) >= 0.9, blocked

