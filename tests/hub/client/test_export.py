"""campus.export from a kernel: dry-run requests, refused inputs, and a real request over
the workspace socket to the campus API."""

from __future__ import annotations


import pandas as pd
import pytest

import campus
from campus import provenance
from campus.export import CampusExportError, build_request


@pytest.fixture(autouse=True)
def clean_log():
    provenance.reset()
    yield
    provenance.reset()


def record_query(columns):
    provenance.record(sql="SELECT ...", datasets=["card_spending"], columns={"card_spending": columns}, aggregated=True,
                      output_columns=[{"name": c, "sources": [], "aggregated": True} for c in columns], rows=2)


def test_dry_run_returns_the_request_with_matching_provenance(monkeypatch):
    monkeypatch.setenv("CAMPUS_EXPORT_DRY_RUN", "1")
    record_query(["district", "n"])
    record_query(["other"])
    answer = campus.export(pd.DataFrame({"district": ["Jung-gu"], "n": [12]}), name="t.parquet", reason="paper")
    request = answer["request"]
    assert answer["dry_run"] and request["files"][0]["name"] == "t.parquet"
    assert [e["output_columns"][0]["name"] for e in request["provenance"]] == ["district"]


def test_figure_and_file(monkeypatch, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("HOME", str(tmp_path))
    figure = plt.figure()
    assert build_request(figure, name="f.svg", reason="r")["files"][0]["name"] == "f.svg"
    (tmp_path / "notes.md").write_text("# results")
    assert build_request(tmp_path / "notes.md", name=None, reason="r")["files"][0]["name"] == "notes.md"


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda tmp: (tmp / "link.csv").symlink_to("/etc/hostname") or tmp / "link.csv", "symlinks"),
        (lambda tmp: "/etc/hostname", "home folder"),
        (lambda tmp: object(), "cannot export"),
    ],
)
def test_refused_inputs(monkeypatch, tmp_path, make, message):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(CampusExportError, match=message):
        build_request(make(tmp_path), name=None, reason="r")


def test_reason_is_required():
    with pytest.raises(CampusExportError, match="reason"):
        build_request(pd.DataFrame({"a": [1]}), name="a.csv", reason=" ")


def test_export_over_the_socket(campus_api, monkeypatch, egress_campus):
    from tests.egress_guard.corpus.cases import AGGREGATES
    from tests.egress_guard.corpus.workspace import Workspace
    from hub.db import session_scope
    from hub.egress.service import guard_catalog

    with session_scope(egress_campus.settings.db_url) as session:
        ws = Workspace(guard_catalog(session, egress_campus.settings))
    frame = ws.sql(AGGREGATES["bike_by_age"])
    provenance.record(**{k: v for k, v in ws.log[-1].items() if k != "at"})
    monkeypatch.setenv("CAMPUS_API_SOCKET", str(campus_api.socket))
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-alice")
    monkeypatch.delenv("CAMPUS_EXPORT_DRY_RUN", raising=False)
    answer = campus.export(frame, name="trips_by_age.csv", reason="chapter 3")
    assert answer["state"] == "released", answer
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "stolen")
    with pytest.raises(CampusExportError):
        campus.export(frame, name="again.csv", reason="x")
