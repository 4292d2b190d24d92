"""The example notebooks run inside a real workspace of the demo campus, and their exports reach the guard.

The campus is the one `make demo` builds (`demo_hub`): alice, a member of two projects,
chooses the project when she starts her workspace, finds the notebooks in ~/examples
(seeded by the spawner at her first spawn) and runs each with nbclient *inside* her
sandbox, from a kernel there. So every query reads the /data mounts of that project only,
the chart is drawn in the workspace, and the closing `campus.export(...)` travels the
workspace's only way out (the API socket) to the egress guard and OPA, as in the browser.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub.db import session_scope
from hub.egress.models import ExportRequest

pytestmark = pytest.mark.slow

NOTEBOOKS_BY_PROJECT = {
    "consumer-spending": ["card_spending_by_district"],
    "urban-mobility": ["bike_commuter_imbalance", "air_quality_by_season"],
}

# Runs in alice's workspace kernel: execute one example with nbclient (a second kernel in
# the same sandbox), save it, and report what it showed and what its export answered.
RUN_EXAMPLE = """
import json, nbformat
from nbclient import NotebookClient
path = "examples/{name}.ipynb"
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import json; print('EXPORT ' + json.dumps(request))"))
NotebookClient(nb, timeout=300, kernel_name="python3", resources={{"metadata": {{"path": "examples"}}}}).execute()
nbformat.write(nb, path)
outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
print("REPORT " + json.dumps({{
    "images": sum(1 for o in outputs if "image/png" in o.get("data", {{}})),
    "export": json.loads(nb.cells[-1].outputs[0]["text"].removeprefix("EXPORT ")),
}}))
"""


def report_of(out: str) -> dict:
    line = next(line for line in out.splitlines() if line.startswith("REPORT "))
    return json.loads(line.removeprefix("REPORT "))


def export_row(hub, request_id: str) -> ExportRequest:
    with session_scope(hub.settings.db_url) as session:
        row = session.execute(select(ExportRequest).where(ExportRequest.id == request_id)).scalar_one()
        session.expunge(row)
        return row


@pytest.fixture
def alice(demo_hub):
    session = demo_hub.session("alice")
    yield session
    session.stop()


def test_member_of_two_projects_is_asked_to_choose_one(demo_hub, alice):
    page = alice.client.get("/hub/spawn")
    assert page.status_code == 200
    assert '<option value="consumer-spending">' in page.text and '<option value="urban-mobility">' in page.text

    refused = alice.spawn()
    assert refused.status_code >= 400 or not alice.server_state().get("ready")
    assert "choose the project this workspace works for: consumer-spending, urban-mobility" in refused.text
    assert not alice.server_state()


def test_project_she_is_not_in_is_refused(demo_hub):
    bob = demo_hub.session("bob")
    refused = bob.spawn(options={"project": "consumer-spending"})
    assert "not a member of project 'consumer-spending'" in refused.text
    assert not bob.server_state()


@pytest.mark.parametrize("project", sorted(NOTEBOOKS_BY_PROJECT))
def test_examples_run_in_the_sandbox_and_their_exports_reach_the_guard(demo_hub, alice, project):
    assert alice.spawn(timeout=90, options={"project": project}).status_code < 400
    assert alice.server_state().get("ready")
    kernel = alice.kernel()
    try:
        out, error = kernel.run(
            "import os, json\n"
            "print(json.dumps([os.environ['CAMPUS_PROJECT'], sorted(os.listdir('/data')), sorted(os.listdir('examples'))]))"
        )
        assert error is None, error
        granted = {"consumer-spending": ["air_quality", "card_spending", "store_sales"], "urban-mobility": ["air_quality", "bike_trips"]}
        seen_project, mounted, examples = json.loads(out)
        assert (seen_project, mounted) == (project, granted[project])
        assert {f"{name}.ipynb" for names in NOTEBOOKS_BY_PROJECT.values() for name in names} <= set(examples)
        for name in NOTEBOOKS_BY_PROJECT[project]:
            out, error = kernel.run(RUN_EXAMPLE.format(name=name), timeout=600)
            assert error is None, f"{name}: {error}\n{out[-2000:]}"
            report = report_of(out)
            assert report["images"] >= 1, f"{name} draws a chart"
            answer = report["export"]
            assert answer["state"] == "released", f"{name}: {answer}"  # approved by the guard, released at once
            row = export_row(demo_hub, answer["id"])
            assert (row.user, row.project) == ("alice", project)
            assert row.provenance and row.provenance[-1]["aggregated"] is True
            assert set(row.datasets) <= set(granted[project])
    finally:
        kernel.close()


def test_ungranted_dataset_and_syntax_errors_speak_plainly_in_the_sandbox(demo_hub, alice):
    assert alice.spawn(timeout=90, options={"project": "urban-mobility"}).status_code < 400
    kernel = alice.kernel()
    try:
        _, error = kernel.run("import campus\ncampus.sql('SELECT count(*) FROM card_spending')")
        assert error is not None
        assert "project urban-mobility has no grant for dataset 'card_spending'" in error
        _, error = kernel.run("campus.sql('SELECT count(*) FROM nowhere_at_all')")
        assert "no dataset named 'nowhere_at_all' in the campus catalog" in error
        _, error = kernel.run("campus.sql('SELECT district,\\n  avg(pm25 FROM air_quality')")
        assert error is not None and "syntax error at line 2" in error, error
    finally:
        kernel.close()
