"""Reading a dataset's files before registration: format, schema, row count, checksums.

Nothing here writes. DuckDB reads the schema of Parquet and CSV alike; its types are
mapped to the manifest's logical types so that a mismatch can be named precisely.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from hub.catalog.manifest import DatasetManifest
from hub.errors import ManifestError

PARQUET_MAGIC = b"PAR1"

_TYPE_PREFIXES = [
    ("TIMESTAMP", "timestamp"),
    ("DATE", "date"),
    ("BOOLEAN", "boolean"),
    ("VARCHAR", "string"),
    ("DECIMAL", "float"),
    ("DOUBLE", "float"),
    ("FLOAT", "float"),
    ("REAL", "float"),
    ("HUGEINT", "integer"),
    ("UHUGEINT", "integer"),
    ("BIGINT", "integer"),
    ("UBIGINT", "integer"),
    ("INTEGER", "integer"),
    ("UINTEGER", "integer"),
    ("SMALLINT", "integer"),
    ("USMALLINT", "integer"),
    ("TINYINT", "integer"),
    ("UTINYINT", "integer"),
]


def logical_type(duckdb_type: str) -> str:
    """The manifest type for a DuckDB type name ('other' when there is none)."""
    upper = duckdb_type.upper()
    for prefix, name in _TYPE_PREFIXES:
        if upper.startswith(prefix):
            return name
    return "other"


@dataclass(frozen=True)
class DataProfile:
    schema: dict[str, str]  # column -> logical type
    row_count: int


def _check_format(path: Path) -> str:
    if not path.is_file():
        raise ManifestError(f"data file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        with path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(-4, 2) if path.stat().st_size >= 8 else None
            tail = handle.read(4)
        if head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
            raise ManifestError(f"data file {path.name} is not a Parquet file")
        return "parquet"
    if suffix == ".csv":
        with path.open("rb") as handle:
            sample = handle.read(1 << 20)
        if b"\x00" in sample:
            raise ManifestError(f"data file {path.name} is not a text CSV file")
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as error:
            # The sample may end inside a multi-byte character; only earlier errors count.
            if error.start < len(sample) - 4:
                raise ManifestError(f"data file {path.name} is not UTF-8 (byte {error.start}): convert it first") from None
        return "csv"
    raise ManifestError(f"data file {path.name} is not Parquet or CSV")


def relation_sql(paths: list[Path], fmt: str) -> str:
    """A DuckDB table function reading all `paths` (all of one format)."""
    listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    if fmt == "parquet":
        return f"read_parquet([{listing}])"
    return f"read_csv([{listing}], header=true, auto_detect=true)"


def profile(paths: list[Path]) -> DataProfile:
    """Schema and row count of the files; ManifestError if unreadable or inconsistent."""
    formats = {_check_format(path) for path in paths}
    if len(formats) > 1:
        raise ManifestError("data files mix Parquet and CSV; use one format per dataset")
    source = relation_sql(paths, formats.pop())
    connection = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        described = connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        row_count = connection.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0]
        raise ManifestError(f"cannot read the data files: {first_line}") from None
    finally:
        connection.close()
    return DataProfile(schema={row[0]: logical_type(row[1]) for row in described}, row_count=int(row_count))


def check_against_manifest(manifest: DatasetManifest, data: DataProfile) -> None:
    """Every column classified, every declared column present, types as declared."""
    declared = {column.name: column.type.value for column in manifest.columns}
    for name in data.schema:
        if name not in declared:
            raise ManifestError(f"column {name!r} is in the data but not classified in the manifest")
    for name, declared_type in declared.items():
        if name not in data.schema:
            raise ManifestError(f"column {name!r} is declared in the manifest but missing from the data")
        actual = data.schema[name]
        if actual != declared_type:
            raise ManifestError(f"column {name!r} is declared {declared_type} but the data holds {actual}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
