"""campus.dask: Dask DataFrames over granted datasets, with the read in the provenance log."""

from __future__ import annotations

import dask.dataframe as dd
import pytest

import campus
from campus import dataframes


def test_parquet_dataset(workspace):
    frame = campus.dask("card_spending")
    assert isinstance(frame, dd.DataFrame)
    totals = frame.groupby("district")["amount_krw"].sum().compute()
    assert totals["Gangnam"] == 190000.0
    (entry,) = campus.provenance.log()
    assert entry == entry | {
        "sql": 'SELECT "holder_id", "district", "category", "amount_krw" FROM "card_spending"',
        "datasets": ["card_spending"],
        "columns": {"card_spending": ["holder_id", "district", "category", "amount_krw"]},
        "aggregated": False,
        "rows": 40,
    }
    assert entry["output_columns"][0] == {"name": "holder_id", "sources": ["card_spending.holder_id"], "aggregated": False}


def test_only_the_columns_asked_for_are_read_and_recorded(workspace):
    frame = campus.dask("card_spending", columns=["district", "amount_krw"])
    assert list(frame.columns) == ["district", "amount_krw"]
    entry = campus.provenance.log()[0]
    assert entry["columns"] == {"card_spending": ["district", "amount_krw"]}
    assert entry["sql"] == 'SELECT "district", "amount_krw" FROM "card_spending"'
    assert len(campus.sql(entry["sql"])) == 40  # the recorded SQL re-runs


def test_csv_dataset(workspace):
    frame = campus.dask("stations")
    assert frame["docks"].sum().compute() == 60
    assert campus.provenance.log()[0]["rows"] is None  # not counted: that would read the files


@pytest.mark.parametrize(("call", "message"), [
    (lambda: campus.dask("health_records"), "project mobility has no grant for dataset 'health_records'"),
    (lambda: campus.dask("nosuch"), "no dataset named 'nosuch'"),
    (lambda: campus.dask("card_spending", columns=["amount"]), "dataset 'card_spending' has no column 'amount'"),
])
def test_refused(workspace, call, message):
    with pytest.raises(campus.CampusQueryError, match=message):
        call()
    assert campus.provenance.log() == []


@pytest.mark.parametrize(("env", "expected"), [
    ({}, None),
    ({"CAMPUS_MEM_LIMIT": "16G", "CAMPUS_CPUS": "2"}, 16 * 10**9 * 6 // 10 // 2 // 16),
    ({"CAMPUS_MEM_LIMIT": "100M", "CAMPUS_CPUS": "4"}, dataframes.MIN_BLOCKSIZE),
])
def test_partitions_follow_worker_memory(workspace, monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert dataframes.default_blocksize() == expected


def test_partitions_are_sized_in_memory_not_by_encoded_bytes(workspace, tmp_path, monkeypatch):
    """Repetitive values encode to almost nothing; a partition must still fit a worker once decoded."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "repetitive.parquet"
    table = pa.table({f"v{i}": np.zeros(400_000) for i in range(4)})  # 12.8 MB in memory, tiny on disk
    pq.write_table(table, path, row_group_size=50_000)  # 8 row groups of 1.6 MB in memory each
    assert pq.ParquetFile(path).metadata.row_group(0).total_byte_size < 100_000
    per_partition, largest = dataframes.row_groups_per_partition([str(path)], None, 4_000_000)
    assert (per_partition, largest) == (2, 1_600_000)
    per_partition, _ = dataframes.row_groups_per_partition([str(path)], ["v0"], 4_000_000)
    assert per_partition == 10
