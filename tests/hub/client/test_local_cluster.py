"""campus.cluster: a LocalCluster sized to the workspace, on loopback, dashboard via the proxy."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import campus
from campus import catalog, local_cluster
from campus.errors import CampusClusterError


@pytest.mark.parametrize(("env", "arguments", "expected"), [
    ({"CAMPUS_CPUS": "2", "CAMPUS_MEM_LIMIT": "4G"}, {}, (2, 1_200_000_000)),
    ({"CPU_LIMIT": "1.5", "MEM_LIMIT": "1000000000"}, {}, (1, 600_000_000)),
    ({"CAMPUS_CPUS": "2", "CAMPUS_MEM_LIMIT": "4G"}, {"n_workers": 4}, (4, 600_000_000)),
    ({"CAMPUS_CPUS": "2"}, {}, (2, "auto")),
    ({"CAMPUS_CPUS": "2", "CAMPUS_MEM_LIMIT": "4G"}, {"memory_per_worker": "1GB"}, (2, "1GB")),
    # too little memory for one worker per CPU: fewer workers, each viable
    ({"CAMPUS_CPUS": "4", "CAMPUS_MEM_LIMIT": "2G"}, {}, (3, 400_000_000)),
    ({"CAMPUS_CPUS": "4", "CAMPUS_MEM_LIMIT": "1G"}, {}, (1, 600_000_000)),
])
def test_sizing(workspace, monkeypatch, env, arguments, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert local_cluster.sizing(**arguments) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CAMPUS_MEM_LIMIT", "lots", "CAMPUS_MEM_LIMIT='lots' is not a size"),
    ("CAMPUS_CPUS", "two", "CAMPUS_CPUS='two' is not a number of CPUs"),
])
def test_bad_limits(workspace, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        local_cluster.sizing()


def test_too_little_memory_for_any_worker(workspace, monkeypatch):
    monkeypatch.setenv("CAMPUS_MEM_LIMIT", "512M")
    with pytest.raises(CampusClusterError, match=r"memory \(0.5 GB\) is too small for Dask workers"):
        campus.cluster()


def test_negative_workers(workspace):
    with pytest.raises(CampusClusterError, match="at least 1"):
        local_cluster.sizing(n_workers=-1)


def test_cluster_on_loopback_with_dashboard_through_the_proxy(workspace, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setenv("CAMPUS_CPUS", "2")
    monkeypatch.setenv("CAMPUS_MEM_LIMIT", "2G")
    client = campus.cluster()
    assert campus.cluster() is client  # one per kernel
    port = client.cluster.scheduler.http_server.port
    assert client.dashboard_link == f"/user/alice/proxy/{port}/status"
    info = client.scheduler_info()
    assert len(info["workers"]) == 2
    for address, worker in info["workers"].items():
        assert urlparse(address).hostname == "127.0.0.1"
        assert worker["memory_limit"] == 600_000_000
        assert worker["nthreads"] == 1
    assert urlparse(client.scheduler.address).hostname == "127.0.0.1"
    assert campus.dask("card_spending")["amount_krw"].sum().compute() == 820000.0


def _write_big_dataset(root, *, copies: int, rows: int) -> None:
    """`copies` Parquet files of `rows` rows each (3 float/int columns, 24 bytes a row in memory)."""
    folder = root / "big"
    folder.mkdir()
    rng = np.random.default_rng(7)
    table = pa.table({"key": rng.integers(0, 1000, rows), "a": rng.random(rows), "b": rng.random(rows)})
    files = []
    for index in range(copies):
        pq.write_table(table, folder / f"big-{index}.parquet", row_group_size=500_000, compression="none")
        files.append(f"big-{index}.parquet")
    manifest = {
        "name": "big", "title": "Big", "description": "larger than memory", "owner": "steward@campus.example",
        "tier": "public", "files": files,
        "columns": [{"name": "key", "type": "integer", "class": "attribute"},
                    {"name": "a", "type": "float", "class": "attribute"},
                    {"name": "b", "type": "float", "class": "attribute"}],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.slow
def test_aggregation_larger_than_memory_completes(workspace, monkeypatch):
    # 72 M rows = 1.7 GB in memory, over two workers of 420 MB (60 % of 1.4 GB) each.
    copies, rows = 18, 4_000_000
    _write_big_dataset(workspace, copies=copies, rows=rows)
    monkeypatch.setenv("CAMPUS_CPUS", "2")
    monkeypatch.setenv("CAMPUS_MEM_LIMIT", "1.4G")
    catalog.reset()
    client = campus.cluster()
    memory = sum(worker["memory_limit"] for worker in client.scheduler_info()["workers"].values())
    assert copies * rows * 24 > 2 * memory
    # A streaming reduction (split_out=1: a tree of partial sums, no shuffle) never holds the data.
    result = campus.dask("big").groupby("key").agg({"a": "sum", "b": "count"}, split_out=1).compute()
    assert len(result) == 1000
    assert result["b"].sum() == copies * rows
