"""`campus.dask`: a Dask DataFrame over a granted dataset, with the read recorded.

The read goes into the provenance log at the moment the DataFrame is made, as the SQL
equivalent of the read (SELECT the columns FROM the dataset), with the columns asked for (all of them when `columns` is not given): Dask may later prune
columns it does not need, so the record can only over-state what was read, never
under-state it. Pass `columns=` to read, and record, only what the analysis uses.
"""

from __future__ import annotations

import dask.dataframe as dd
import pyarrow.parquet as pq

from campus import catalog, provenance
from campus.errors import CampusClusterError, CampusQueryError
from campus.local_cluster import sizing

# A worker should hold several partitions at once, each a few times its on-disk size once
# in pandas: partitions of about 1/16 of a worker's memory keep it well inside its limit.
PARTITIONS_PER_WORKER_MEMORY = 16
MIN_BLOCKSIZE = 8 * 1024 * 1024


def default_blocksize() -> int | None:
    """Partition size for read_parquet, from the workspace limits; None keeps Dask's default."""
    try:
        _, memory = sizing()
    except CampusClusterError:  # too small for workers: Dask runs in the kernel, in small bites
        return MIN_BLOCKSIZE
    if not isinstance(memory, int):
        return None
    return max(MIN_BLOCKSIZE, memory // PARTITIONS_PER_WORKER_MEMORY)


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
        if "blocksize" not in options and "split_row_groups" not in options:
            blocksize = default_blocksize()
            if blocksize is not None:
                options["blocksize"] = blocksize
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
