"""campus.sql: results, researcher-facing errors, and the provenance each run leaves."""

from __future__ import annotations

import json

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import campus
from campus import query

TOTALS = "SELECT district, sum(amount_krw) AS total, count(*) AS n FROM card_spending GROUP BY district ORDER BY district"


@pytest.mark.parametrize(("output", "kind"), [("pandas", pd.DataFrame), ("arrow", pa.Table), ("polars", pl.DataFrame)])
def test_outputs(workspace, output, kind):
    result = campus.sql(TOTALS, output=output)
    assert isinstance(result, kind)
    assert list(result.columns if output != "arrow" else result.column_names) == ["district", "total", "n"]
    assert len(result) == 4


def test_views_over_parquet_and_csv(workspace):
    frame = campus.sql(
        "SELECT s.station, count(*) AS n FROM card_spending c JOIN stations s ON c.district = s.district "
        "GROUP BY s.station ORDER BY s.station"
    )
    assert frame.to_dict("list") == {"station": ["S1", "S2", "S3"], "n": [10, 10, 10]}
    assert campus.sql("SELECT count(*) AS n FROM card_spending")["n"][0] == 40  # both Parquet files


def test_provenance_entry(workspace):
    campus.sql(TOTALS)
    (entry,) = campus.provenance.log()
    assert set(entry) == {"sql", "datasets", "columns", "aggregated", "output_columns", "rows", "at"}
    assert entry["sql"] == TOTALS
    assert entry["datasets"] == ["card_spending"]
    assert entry["columns"] == {"card_spending": ["amount_krw", "district"]}
    assert entry["aggregated"] is True
    assert entry["output_columns"] == [
        {"name": "district", "sources": ["card_spending.district"], "aggregated": False},
        {"name": "total", "sources": ["card_spending.amount_krw"], "aggregated": True},
        {"name": "n", "sources": [], "aggregated": True},
    ]
    assert entry["rows"] == 4
    assert entry["at"].endswith("Z")
    json.dumps(entry)  # JSON-able as is


def test_engine_names_are_recorded(workspace):
    campus.sql("SELECT count(*), sum(amount_krw) FROM card_spending")
    names = [column["name"] for column in campus.provenance.log()[-1]["output_columns"]]
    assert names == ["count_star()", "sum(amount_krw)"]


def test_unsure_analysis_records_everything(workspace):
    campus.sql("SELECT COLUMNS('amount|district') FROM card_spending")
    entry = campus.provenance.log()[-1]
    assert entry["aggregated"] is False
    assert entry["columns"] == {"card_spending": ["holder_id", "district", "category", "amount_krw"]}
    assert [column["name"] for column in entry["output_columns"]] == ["district", "amount_krw"]
    assert all("card_spending.holder_id" in column["sources"] for column in entry["output_columns"])


def test_log_is_a_copy(workspace):
    campus.sql("SELECT 1")
    campus.provenance.log()[0]["sql"] = "tampered"
    campus.provenance.log().clear()
    assert campus.provenance.log()[0]["sql"] == "SELECT 1"


def test_analysis_is_cached_by_text(workspace, monkeypatch):
    campus.sql(TOTALS)
    calls = []
    monkeypatch.setattr(query.lineage, "parse", lambda sql: calls.append(sql))
    campus.sql(TOTALS)
    assert calls == []
    assert len(campus.provenance.log()) == 2  # every run is logged, cached or not


@pytest.mark.parametrize(("sql", "message"), [
    ("SELECT * FROM health_records", "project mobility has no grant for dataset 'health_records'"),
    ("SELECT * FROM nosuch", "there is no dataset named 'nosuch' in the campus catalog"),
    ("SELECT * FROM card_spending c JOIN health_records h ON true", "no grant for dataset 'health_records'"),
    ("SELECT * FROM other.card_spending", "no dataset named 'other.card_spending'"),
    ("SELECT district,\n  sum(amount_krw FROM card_spending", "syntax error at line 2"),
    ("SELECT amout FROM card_spending", 'Referenced column "amout" not found.*Candidate bindings: "amount_krw"'),
    ("SELECT * FROM read_parquet('/etc/hosts')", "reads files directly"),
    ("DROP VIEW card_spending", "DROP statements are not available"),
])
def test_errors_a_researcher_understands(workspace, sql, message):
    with pytest.raises(campus.CampusQueryError, match=message) as raised:
        campus.sql(sql)
    assert "\n" not in str(raised.value)
    assert campus.provenance.log() == []  # nothing ran, nothing logged


def test_not_mounted_without_a_catalog(workspace, monkeypatch, tmp_path):
    monkeypatch.setenv("CAMPUS_CATALOG", str(tmp_path / "absent.json"))
    campus.catalog.reset()
    with pytest.raises(campus.CampusQueryError, match="dataset 'health_records' is not mounted in this workspace; mounted here: card_spending, stations"):
        campus.sql("SELECT * FROM health_records")


@pytest.mark.parametrize("bad", [None, 42, b"SELECT 1"])
def test_query_must_be_text(workspace, bad):
    with pytest.raises(campus.CampusQueryError, match="a query is text"):
        campus.sql(bad)


def test_unknown_output(workspace):
    with pytest.raises(campus.CampusQueryError, match="output must be one of pandas, arrow, polars"):
        campus.sql("SELECT 1", output="csv")


def test_error_renders_as_one_line_in_ipython(workspace):
    with pytest.raises(campus.CampusQueryError) as raised:
        campus.sql("SELECT * FROM nosuch")
    assert raised.value._render_traceback_() == [f"CampusQueryError: {raised.value}"]
