"""The example notebooks in datasets/notebooks run top to bottom over the demo data.

Each runs in a real kernel (nbclient) with CAMPUS_DATA_DIR at freshly generated demo data
and CAMPUS_EXPORT_DRY_RUN=1, so that the closing `campus.export(...)` returns the request
it would send instead of needing a campus API. Running them inside a sandbox is the
spawner's test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import importlib.util

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[3] / "datasets" / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    subprocess.run([sys.executable, "-m", "demo_data", "--out", str(out)], check=True, capture_output=True)
    return out


def test_there_are_notebooks():
    assert {path.stem for path in NOTEBOOKS} >= {"card_spending_by_district", "bike_commuter_imbalance", "air_quality_by_season"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_and_asks_to_export_an_aggregate(path, demo_data, tmp_path, monkeypatch):
    if importlib.util.find_spec("campus.export") is None:
        pytest.skip("campus.export is not in this tree yet")
    monkeypatch.setenv("CAMPUS_DATA_DIR", str(demo_data))
    monkeypatch.setenv("CAMPUS_EXPORT_DRY_RUN", "1")
    monkeypatch.setenv("CAMPUS_SCRATCH_DIR", str(tmp_path / "scratch"))
    monkeypatch.setenv("CAMPUS_CPUS", "2")
    monkeypatch.setenv("CAMPUS_MEM_LIMIT", "2G")
    monkeypatch.setenv("MPLBACKEND", "agg")
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "commit notebooks without outputs"
    assert "campus.export(" in notebook.cells[-1].source
    # One extra cell reports what the notebook's export request would carry.
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import json\nprint(json.dumps({'request': request, 'log': campus.provenance.log()}, default=str))"
    ))
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    report = json.loads(notebook.cells[-1].outputs[0]["text"])
    assert report["request"]["dry_run"] is True
    sent = report["request"]["request"]
    assert sent["provenance"], "the request carries the queries behind the export"
    exported = sent["provenance"][-1]
    assert exported["aggregated"] is True
    assert all(item["aggregated"] or not any(
        source.split(".")[1] in {"holder_id", "member_id", "holder_name", "rrn", "phone"} for source in item["sources"]
    ) for item in exported["output_columns"]), "no identifier leaves un-aggregated"
    assert any(entry["sql"] for entry in report["log"])
