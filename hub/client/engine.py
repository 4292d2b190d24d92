"""The kernel's DuckDB connection: one view per granted dataset, locked down.

Made once per kernel, on first use. Each mounted dataset becomes a view named after it
over read_parquet/read_csv of its files. Then the connection is closed to everything else:

- no extension is installed or loaded behind the researcher's back (there is no network;
  an attempt would only hang for seconds before failing);
- `allowed_paths` admits the datasets' own files and nothing else, and
  `enable_external_access=false` refuses any other path (reading /etc/passwd, COPY TO,
  ATTACH, INSTALL). The views keep working because their files are allowed. (DuckDB
  would also let those exact files be overwritten: the read-only mount prevents that.)
- `python_enable_replacements=false`: a query cannot pick up Python variables by name;
- `lock_configuration=true`, last, so that none of the above can be SET back.

Memory and threads follow the workspace limits (CAMPUS_MEM_LIMIT / CAMPUS_CPUS).
"""

from __future__ import annotations

import functools
import threading
import warnings

import duckdb

from campus import catalog, workspace

# DuckDB gets this share of the workspace memory; the rest is for Python, pandas results
# and a Dask cluster started beside it.
DUCKDB_MEMORY_SHARE = 0.6


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reader(dataset: catalog.MountedDataset) -> str:
    files = "[" + ", ".join(_literal(str(path)) for path in dataset.files) + "]"
    if dataset.format == "csv":
        return f"read_csv({files}, header = true)"
    return f"read_parquet({files})"


def config() -> dict[str, object]:
    """Settings applied when the connection is opened."""
    settings: dict[str, object] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    limit = workspace.memory_limit()
    if limit:
        settings["memory_limit"] = f"{int(limit * DUCKDB_MEMORY_SHARE) // (1024 * 1024)}MiB"
    threads = workspace.cpus()
    if threads:
        settings["threads"] = threads
    return settings


class Engine:
    """A locked DuckDB connection with the dataset views, and their schemas for analysis."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # a DuckDB connection serves one query at a time
        self.connection = duckdb.connect(":memory:", config=config())
        self.schemas: dict[str, dict[str, str]] = {}
        allowed = []
        for dataset in catalog.mounted().values():
            try:
                self.connection.execute(f'CREATE VIEW "{dataset.name}" AS SELECT * FROM {_reader(dataset)}')
                described = self.connection.execute(f'DESCRIBE "{dataset.name}"').fetchall()
            except duckdb.Error as error:
                warnings.warn(f"dataset {dataset.name} cannot be read ({str(error).splitlines()[0]}); skipped", stacklevel=3)
                self.connection.execute(f'DROP VIEW IF EXISTS "{dataset.name}"')
                continue
            self.schemas[dataset.name] = {row[0]: row[1] for row in described}
            allowed.extend(str(path) for path in dataset.files)
        spill = workspace.scratch_dir() / "duckdb"
        try:
            spill.mkdir(parents=True, exist_ok=True)
            # DuckDB always admits its own temp folder; it is the workspace's scratch, not a way out.
            self.connection.execute(f"SET temp_directory = {_literal(str(spill))}")
        except OSError:
            pass  # no writable scratch: DuckDB keeps everything in memory and says so if it runs out
        self.connection.execute(f"SET allowed_paths = [{', '.join(_literal(path) for path in allowed)}]")
        self.connection.execute("SET enable_external_access = false")
        self.connection.execute("SET python_enable_replacements = false")
        self.connection.execute("SET lock_configuration = true")

    @functools.cached_property
    def analysis_schema(self):
        """The views' schemas prepared for sqlglot (see campus.lineage)."""
        from campus.lineage import prepare_schema

        return prepare_schema(self.schemas)


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get() -> Engine:
    """The kernel's engine, made on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine


def reset() -> None:
    """Drop the engine (tests change the mounted datasets between cases)."""
    global _engine
    with _engine_lock:
        if _engine is not None:
            _engine.connection.close()
        _engine = None
