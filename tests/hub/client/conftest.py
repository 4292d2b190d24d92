"""A workspace view of the data for client tests: small datasets in a temporary folder.

`workspace` points CAMPUS_DATA_DIR (and the catalog file, scratch folder) at a fresh
temporary folder holding two granted datasets, and forgets everything the client cached,
so each test sees exactly the mounts it made.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import campus
from campus import catalog, engine, local_cluster, provenance, query


def write_dataset(root: Path, name: str, table: pa.Table, classes: dict[str, str], *, fmt: str = "parquet",
                  tier: str = "restricted", files: int = 1) -> Path:
    """Mount `table` as dataset `name` under `root`, split over `files` files, with a manifest."""
    folder = root / name
    folder.mkdir(parents=True)
    names = []
    step = -(-table.num_rows // files)
    for index in range(files):
        part = table.slice(index * step, step)
        file_name = f"{name}-{index}.{fmt}"
        if fmt == "csv":
            pacsv.write_csv(part, folder / file_name)
        else:
            pq.write_table(part, folder / file_name)
        names.append(file_name)
    types = {"int64": "integer", "double": "float", "string": "string", "large_string": "string", "bool": "boolean"}
    document = {
        "name": name,
        "title": name.replace("_", " ").title(),
        "description": f"test dataset {name}",
        "owner": "steward@campus.example",
        "tier": tier,
        "files": names,
        "columns": [
            {"name": field.name, "type": types.get(str(field.type), "timestamp"), "class": classes.get(field.name, "attribute"),
             "description": ""}
            for field in table.schema
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


SPENDING = pa.table({
    "holder_id": [f"H{i:03d}" for i in range(40)],
    "district": ["Gangnam", "Mapo", "Jongno", "Songpa"] * 10,
    "category": ["food", "travel"] * 20,
    "amount_krw": [1000.0 * (i + 1) for i in range(40)],
})
STATIONS = pa.table({
    "station": ["S1", "S2", "S3"],
    "district": ["Gangnam", "Mapo", "Jongno"],
    "docks": [10, 20, 30],
})
SPENDING_CLASSES = {"holder_id": "direct_identifier", "district": "quasi_identifier", "amount_krw": "sensitive"}


def reset_client() -> None:
    for module in (query, engine, catalog, provenance):
        module.reset()
    local_cluster.shutdown()


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A workspace with card_spending (Parquet, 2 files) and stations (CSV) granted."""
    data = tmp_path / "data"
    data.mkdir()
    write_dataset(data, "card_spending", SPENDING, SPENDING_CLASSES, files=2)
    write_dataset(data, "stations", STATIONS, {}, fmt="csv", tier="public")
    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps({"project": "mobility", "datasets": ["card_spending", "stations", "health_records"]}), encoding="utf-8")
    monkeypatch.setenv("CAMPUS_DATA_DIR", str(data))
    monkeypatch.setenv("CAMPUS_CATALOG", str(catalog_file))
    monkeypatch.setenv("CAMPUS_SCRATCH_DIR", str(tmp_path / "scratch"))
    for name in ("CAMPUS_MEM_LIMIT", "MEM_LIMIT", "CAMPUS_CPUS", "CPU_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    reset_client()
    yield data
    reset_client()


__all__ = ["campus", "write_dataset", "reset_client"]
