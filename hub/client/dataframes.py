"""`campus.dask`: a Dask DataFrame over a granted dataset, with the read recorded.

The read goes into the provenance log at the moment the DataFrame is made, as the SQL
equivalent of the read (SELECT the columns FROM the dataset), with the columns asked for (all of them when `columns` is not given): Dask may later prune
columns it does not need, so the record can only over-state what was read, never
under-state it. Pass `columns=` to read, and record, only what the analysis uses.
"""

from __future__ import annotations

import warnings

import dask.dataframe as dd
import pyarrow as pa
import pyarrow.parquet as pq

from campus import catalog, provenance
from campus.errors import CampusClusterError, CampusQueryError
from campus.local_cluster import sizing

# A worker should hold several partitions at once, each a few times its on-disk size once
# in pandas: partitions of about 1/16 of a worker's memory keep it well inside its limit.
PARTITIONS_PER_WORKER_MEMORY = 16
MIN_BLOCKSIZE = 8 * 1024 * 1024
# What one value of a variable-width column (text, binary, nested) costs in pandas: an
# object pointer plus the Python object. Deliberately generous.
VARIABLE_WIDTH_BYTES = 64


def default_blocksize() -> int | None:
    """Target partition size in memory, from the workspace limits; None when unlimited."""
    try:
        _, memory = sizing()
    except CampusClusterError:  # too small for workers: Dask runs in the kernel, in small bites
        return MIN_BLOCKSIZE
    if not isinstance(memory, int):
        return None
    return max(MIN_BLOCKSIZE, memory // PARTITIONS_PER_WORKER_MEMORY)


def _in_memory_width(field: pa.Field) -> int:
    if pa.types.is_boolean(field.type):
        return 1
    if pa.types.is_dictionary(field.type):
        return VARIABLE_WIDTH_BYTES  # categories of text, as a rule
    try:
        return max(1, field.type.bit_width // 8)
    except ValueError:  # variable width: text, binary, nested
        return VARIABLE_WIDTH_BYTES


def row_groups_per_partition(files: list[str], columns: list[str] | None, target: int) -> tuple[int, int]:
    """(row groups per partition, in-memory bytes of the largest row group) for `target` bytes.

    Dask's own `blocksize` compares the row groups' *encoded* sizes from the Parquet
    footer, which understate memory many times over for dictionary-encoded or repetitive
    data (a 1 MB row group can be 17 MB in pandas). The in-memory size is estimated here
    from rows times column widths instead. The first file stands for all: a dataset's
    files share one schema and are written the same way.
    """
    metadata = pq.ParquetFile(files[0]).metadata
    schema = metadata.schema.to_arrow_schema()
    width = sum(_in_memory_width(field) for field in schema if columns is None or field.name in columns)
    rows = max((metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)), default=0)
    largest = rows * max(width, 1)
    return max(1, target // max(largest, 1)), largest


def _row_count(dataset: catalog.MountedDataset) -> int | None:
    if dataset.format != "parquet":
        return None  # counting CSV rows means reading the files: not worth it for a log entry
    try:
        return sum(pq.ParquetFile(path).metadata.num_rows for path in dataset.files)
    except OSError:
        return None


def dask(name: str, columns: list[str] | None = None, **options) -> dd.DataFrame:
    """A lazy Dask DataFrame over dataset `name` (Parquet or CSV), optionally only `columns`.

    Extra keyword options go to dask's read_parquet / read_csv.
    """
    dataset = catalog.get(name)
    known = [column.name for column in dataset.manifest.columns]
    if columns is not None:
        if isinstance(columns, str):
            columns = [columns]
        unknown = [column for column in columns if column not in known]
        if unknown:
            raise CampusQueryError(f"dataset '{name}' has no column {unknown[0]!r}; its columns: {', '.join(known)}")
    files = [str(path) for path in dataset.files]
    if dataset.format == "csv":
        frame = dd.read_csv(files, usecols=columns, **options)
    else:
        target = default_blocksize()
        if target is not None and "blocksize" not in options and "split_row_groups" not in options:
            per_partition, largest = row_groups_per_partition(files, columns, target)
            options.update(split_row_groups=per_partition, blocksize=None)
            if largest > PARTITIONS_PER_WORKER_MEMORY // 4 * target:
                # Dask cannot split inside a row group; DuckDB (campus.sql) streams through it.
                warnings.warn(
                    f"dataset '{name}' is stored in row groups of about {largest / 1e6:.0f} MB in memory, more than "
                    f"a quarter of a Dask worker here: Dask may run out of memory; campus.sql streams through them",
                    stacklevel=2,
                )
        frame = dd.read_parquet(files, columns=columns, **options)
    read = list(frame.columns)
    provenance.record(
        # The SQL equivalent of the read: the guard may re-run an entry's SQL to check it.
        sql="SELECT " + ", ".join(f'"{column}"' for column in read) + f' FROM "{name}"',
        datasets=[name],
        columns={name: read},
        aggregated=False,
        output_columns=[{"name": column, "sources": [f"{name}.{column}"], "aggregated": False} for column in read],
        rows=_row_count(dataset),
    )
    return frame
