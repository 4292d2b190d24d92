"""Read-only access to the registered source data, for re-running provenance queries.

One in-memory DuckDB connection per check, with one view per dataset over its registered
files. The connection may read only the dataset folders (`allowed_directories`, then
external access off and the configuration locked), and only single SELECT statements
validated by sqlglot reach it, so a forged provenance query can neither read other files
nor write. Every query runs under a time limit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlglot
from sqlglot import exp

from hub.catalog.manifest import ColumnClass, DatasetManifest


class SourceError(Exception):
    """A provenance query could not be validated or re-run."""


@dataclass(frozen=True)
class DatasetInfo:
    """A registered dataset as the guard needs it."""

    name: str
    manifest: DatasetManifest
    row_count: int
    folder: Path

    def columns_of(self, column_class: ColumnClass) -> list[str]:
        return self.manifest.columns_of_class(column_class)

    @property
    def column_classes(self) -> dict[str, str]:
        return {c.name: c.column_class.value for c in self.manifest.columns}

    @property
    def entity_column(self) -> str | None:
        """The column naming who contributes a row (first direct identifier), if any."""
        ids = self.columns_of(ColumnClass.direct_identifier)
        return ids[0] if ids else None


def validate_select(sql: str, datasets: set[str]) -> exp.Expression:
    """Parse one SELECT over known datasets; raise SourceError otherwise."""
    try:
        statements = sqlglot.parse(sql, read="duckdb")
    except sqlglot.errors.SqlglotError as error:
        raise SourceError(f"query does not parse: {str(error).splitlines()[0][:120]}") from None
    statements = [s for s in statements if s is not None]
    if len(statements) != 1 or not isinstance(statements[0], (exp.Select, exp.Union, exp.Subquery)):
        raise SourceError("query is not a single SELECT")
    tree = statements[0]
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise SourceError("query reads from a table function, not a dataset")
        if table.name not in datasets and table.name not in ctes:
            raise SourceError(f"query reads {table.name!r}, which is not a registered dataset")
    return tree


class SourceData:
    """Lazily opened, read-only DuckDB over the registered datasets."""

    def __init__(self, datasets: dict[str, DatasetInfo], timeout_s: float = 20.0):
        self.datasets = datasets
        self.timeout_s = timeout_s
        self._connection = None

    def _connect(self):
        import duckdb

        connection = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False, "threads": 2})
        folders = sorted({str(info.folder.resolve()) + "/" for info in self.datasets.values()})
        connection.execute("SET allowed_directories = ?", [folders])
        connection.execute("SET enable_external_access = false")
        for name, info in self.datasets.items():
            files = [str((info.folder / f).resolve()) for f in info.manifest.files]
            reader = "read_parquet" if files[0].endswith(".parquet") else "read_csv_auto"
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            connection.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {reader}([{listed}])')
        connection.execute("SET lock_configuration = true")
        return connection

    def query(self, tree: exp.Expression, max_rows: int = 200_000) -> pd.DataFrame:
        """Run a validated query and return at most max_rows rows (SourceError on failure)."""
        if self._connection is None:
            self._connection = self._connect()
        connection = self._connection
        timer = threading.Timer(self.timeout_s, connection.interrupt)
        timer.start()
        try:
            sql = tree.sql(dialect="duckdb")
            return connection.execute(f"SELECT * FROM ({sql}) LIMIT {int(max_rows)}").df()
        except Exception as error:  # noqa: BLE001 - any engine error is a finding, not a crash
            raise SourceError(f"query failed on the source data: {str(error).splitlines()[0][:160]}") from None
        finally:
            timer.cancel()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
