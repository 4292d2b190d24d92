"""A Dask aggregation over a dataset several times larger than the workspace's memory, in a sandbox.

A campus of its own, whose workspaces get a 1 GiB memory limit (a real cgroup, set by the
spawner), with one generated dataset that takes more than three times that in memory.
alice starts `campus.cluster()` in her sandbox and aggregates the whole dataset with Dask;
the answer must equal DuckDB's on the host, and the workspace's cgroup must show the limit
was in force and never exceeded.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from hub.settings import CampusSettings
from hub.spawner import limits

pytestmark = pytest.mark.slow

MEM_LIMIT = 1024**3
FILES, ROWS_PER_FILE, VALUE_COLUMNS = 26, 1_000_000, 16
# Dask splits a Parquet file only between row groups: 1/8 of a file each (about 17 MB in memory).
ROW_GROUP_ROWS = ROWS_PER_FILE // 8
IN_MEMORY_BYTES = FILES * ROWS_PER_FILE * (VALUE_COLUMNS + 1) * 8  # float64 values + int64 key
PASSWORDS = {"sam": "sam-pw-1", "alice": "alice-pw-1"}


def write_readings(folder: Path) -> Path:
    """`readings`: FILES Parquet files; few distinct values, so small on disk but full-size in memory."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(7)
    names = []
    for index in range(FILES):
        columns = {"sensor_group": rng.integers(0, 12, ROWS_PER_FILE)}
        for column in range(VALUE_COLUMNS):
            columns[f"v{column}"] = rng.integers(0, 16, ROWS_PER_FILE).astype("float64")
        name = f"part-{index:02d}.parquet"
        pq.write_table(pa.table(columns), folder / name, row_group_size=ROW_GROUP_ROWS)
        names.append(name)
    manifest = {
        "name": "readings",
        "title": "Generated sensor readings (out-of-core test)",
        "description": "Synthetic values, no personal data.",
        "owner": "data-steward@campus.example",
        "tier": "public",
        "files": names,
        "columns": [{"name": "sensor_group", "type": "integer", "class": "attribute", "description": "group"}]
        + [{"name": f"v{c}", "type": "float", "class": "attribute", "description": "value"} for c in range(VALUE_COLUMNS)],
    }
    path = folder / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return path


def build(settings: CampusSettings, source: Path) -> None:
    from hub.catalog.service import open_catalog

    manifest = write_readings(source / "readings")
    with open_catalog(settings=settings) as catalog:
        catalog.create_user("sam", ["steward"], actor="operator:test", password=PASSWORDS["sam"])
        catalog.create_user("alice", ["researcher"], actor="operator:test", password=PASSWORDS["alice"])
    with open_catalog(settings=settings) as catalog:
        catalog.register_dataset(manifest, actor="sam")
        catalog.create_project("sensors", actor="sam", max_tier="public")
        catalog.add_member("sensors", "alice", actor="sam")
        catalog.grant("sensors", "readings", actor="sam", expires="2099-01-01")


@pytest.fixture(scope="module")
def small_hub(tmp_path_factory):
    from tests.fixtures.hub import require_sandbox_host, running_campus

    require_sandbox_host()
    if limits.probe() == "none":
        pytest.skip("no writable cgroups here: the memory limit would only be an rlimit")
    extra_env = {"CAMPUS_MEM_LIMIT": str(MEM_LIMIT), "CAMPUS_CPU_LIMIT": "2"}
    with running_campus(tmp_path_factory.mktemp("small-campus"), build=build, passwords=PASSWORDS, extra_env=extra_env) as hub:
        yield hub


def memory_group(hub, user: str) -> tuple[int, int]:
    """(limit, peak usage) in bytes of `user`'s workspace memory cgroup."""
    root = limits.CGROUP_ROOT
    user = limits.group_name(hub.settings.home, user)
    if limits.probe() == "v2":
        group = root / limits.GROUP_PARENT / user
        return int((group / "memory.max").read_text()), int((group / "memory.peak").read_text())
    group = root / "memory" / limits.GROUP_PARENT / user
    return int((group / "memory.limit_in_bytes").read_text()), int((group / "memory.max_usage_in_bytes").read_text())


def test_dask_aggregation_larger_than_memory_completes_in_the_sandbox(small_hub):
    assert IN_MEMORY_BYTES >= 3 * MEM_LIMIT
    files = str(small_hub.settings.data_root / "readings" / "*.parquet")
    sums = ", ".join(f"sum(v{c}) AS v{c}" for c in range(VALUE_COLUMNS))
    expected = duckdb.sql(f"SELECT sensor_group, count(*) AS n, {sums} FROM '{files}' GROUP BY 1 ORDER BY 1").df()

    alice = small_hub.session("alice")
    assert alice.spawn(timeout=90).status_code < 400
    try:
        out, error = alice.run(
            "import json, campus\n"
            "client = campus.cluster()\n"
            "frame = campus.dask('readings')\n"
            "result = frame.assign(n=1).groupby('sensor_group').sum().compute()\n"
            "print(json.dumps({'workers': len(client.scheduler_info()['workers']),\n"
            "                  'memory_limit': campus.workspace.memory_limit(),\n"
            "                  'partitions': frame.npartitions,\n"
            "                  'result': result.sort_index().reset_index().to_dict('list')}))",
            timeout=900,
        )
        assert error is None, f"{error}\n{out[-2000:]}"
        limit, peak = memory_group(small_hub, "alice")
    finally:
        alice.stop()
    report = json.loads(out.strip().splitlines()[-1])
    assert report["memory_limit"] == MEM_LIMIT and limit == MEM_LIMIT
    assert report["partitions"] > FILES  # row groups, not whole files
    assert peak <= MEM_LIMIT
    got = report["result"]
    assert got["sensor_group"] == expected["sensor_group"].tolist()
    assert got["n"] == expected["n"].tolist()
    for column in range(VALUE_COLUMNS):
        assert got[f"v{column}"] == pytest.approx(expected[f"v{column}"].tolist())
