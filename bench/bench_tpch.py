"""TPC-H SF1 through `campus.sql` against raw DuckDB on the same Parquet files.

    python -m bench.bench_tpch [--rounds 5] [--scale 1]

The data is generated once with `tpchgen-cli` into .campus/bench/tpch-sf<scale>/ and laid
out the way a workspace sees it (one folder per table with its manifest.json). Each round
runs every query three ways, in turn, on the same files:

    raw       a plain DuckDB connection with one view per table
    campus    campus.sql with the analysis cache emptied first: parse, table check,
              sqlglot provenance, run, record (what a new query costs)
    cached    campus.sql again: the analysis comes from the cache (a re-run)

The best of the rounds counts per query. The goal: campus total <= 1.05 x raw total.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).resolve().parent / "tpch"
TABLES = ("customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier")
GOAL = 1.05


def _manifest_type(arrow_type: str) -> str:
    if arrow_type.startswith(("int", "uint")):
        return "integer"
    if arrow_type.startswith(("decimal", "double", "float")):
        return "float"
    if arrow_type.startswith("date"):
        return "date"
    return "string"


def ensure_data(scale: int) -> Path:
    """The workspace-shaped data folder, generated on first use (about 5 s at SF1)."""
    root = REPO / ".campus" / "bench" / f"tpch-sf{scale}"
    if (root / "done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    raw = root / "raw"
    tool = Path(sys.executable).parent / "tpchgen-cli"
    command = [str(tool) if tool.exists() else "tpchgen-cli", "parquet", "-s", str(scale), "--output-dir", str(raw)]
    print(f"generating TPC-H SF{scale} into {root} ...", flush=True)
    subprocess.run(command, check=True)
    for table in TABLES:
        folder = root / table
        folder.mkdir(parents=True)
        (raw / f"{table}.parquet").rename(folder / f"{table}.parquet")
        schema = pq.read_schema(folder / f"{table}.parquet")
        manifest = {
            "name": table,
            "title": f"TPC-H {table}",
            "description": f"TPC-H {table} at scale factor {scale}",
            "owner": "bench@campus.example",
            "tier": "public",
            "files": [f"{table}.parquet"],
            "columns": [{"name": f.name, "type": _manifest_type(str(f.type)), "class": "attribute"} for f in schema],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    raw.rmdir()
    (root / "done").touch()
    return root


def load_queries() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(QUERIES.glob("q*.sql"))}


def raw_connection(root: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    for table in TABLES:
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{root / table / (table + '.parquet')}')")
    return connection


def timed(run) -> tuple[float, int]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, len(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_tpch", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per query; the best counts (default 5)")
    parser.add_argument("--scale", type=int, default=1, help="TPC-H scale factor (default 1)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.scale < 1:
        parser.error("--rounds and --scale must be at least 1")

    root = ensure_data(args.scale)
    os.environ["CAMPUS_DATA_DIR"] = str(root)
    os.environ.setdefault("CAMPUS_SCRATCH_DIR", str(root.parent / "scratch"))
    import campus
    from campus import query

    queries = load_queries()
    raw = raw_connection(root)
    campus.sql("SELECT 1")  # open the campus connection outside the timings, as a kernel would have
    def run_raw(text: str):
        return raw.sql(text).df()

    def run_campus(text: str):
        query.reset()  # a new query: parse, check and analyse it
        return campus.sql(text)

    def run_cached(text: str):
        query.analyse(text)  # untimed: make sure the analysis is cached, as for a re-run
        start = time.perf_counter()
        result = campus.sql(text)
        return result, time.perf_counter() - start

    best: dict[str, list[float]] = {name: [float("inf")] * 3 for name in queries}
    for round_ in range(args.rounds):
        for name, text in queries.items():
            times, rows = [0.0] * 3, [0] * 3
            # Rotate who goes first, so that no variant always finds the files freshly cached.
            for index in [(round_ + offset) % 3 for offset in range(3)]:
                if index == 2:
                    result, times[2] = run_cached(text)
                    rows[2] = len(result)
                else:
                    times[index], rows[index] = timed(lambda: (run_raw, run_campus)[index](text))
            if len(set(rows)) != 1:
                raise RuntimeError(f"{name}: row counts differ: raw {rows[0]}, campus {rows[1]}, cached {rows[2]}")
            best[name] = [min(a, b) for a, b in zip(best[name], times)]

    print(f"TPC-H SF{args.scale}, best of {args.rounds} rounds, seconds; DuckDB {duckdb.__version__}")
    print(f"{'query':<6} {'raw':>8} {'campus':>8} {'ratio':>6} {'cached':>8} {'ratio':>6}")
    for name, (raw_time, campus_time, cached_time) in best.items():
        print(f"{name:<6} {raw_time:8.3f} {campus_time:8.3f} {campus_time / raw_time:6.2f} {cached_time:8.3f} {cached_time / raw_time:6.2f}")
    totals = [sum(times[index] for times in best.values()) for index in range(3)]
    ratio, cached_ratio = totals[1] / totals[0], totals[2] / totals[0]
    print(f"{'total':<6} {totals[0]:8.3f} {totals[1]:8.3f} {ratio:6.3f} {totals[2]:8.3f} {cached_ratio:6.3f}")
    verdict = "meets" if ratio <= GOAL else "MISSES"
    print(f"campus / raw = {ratio:.3f} (new queries), {cached_ratio:.3f} (re-runs): {verdict} the goal of {GOAL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
