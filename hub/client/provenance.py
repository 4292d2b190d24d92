"""The kernel's provenance log: every query and dataset read made through `campus`.

`campus.export` attaches this log to an export request, so that the egress guard knows
which dataset columns the exported figures may derive from and whether they were
aggregated. Entries are plain JSON-able dicts with exactly these keys:

    sql             the query text as run (for a Dask read: the equivalent SELECT)
    datasets        dataset names read
    columns         {dataset: [columns read]}
    aggregated      whether the result rows are groups rather than records
    output_columns  [{"name", "sources": ["dataset.column"], "aggregated"}], one per result column
    rows            row count of the result
    at              when it ran, RFC 3339 UTC

The log lives in the kernel's memory: it is a record of what the researcher did, kept for
the guard, not a security boundary (anyone in the kernel could bypass the client).
"""

from __future__ import annotations

import copy
import threading
from datetime import UTC, datetime

KEYS = ("sql", "datasets", "columns", "aggregated", "output_columns", "rows", "at")

_entries: list[dict] = []
_lock = threading.Lock()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record(*, sql: str, datasets, columns, aggregated: bool, output_columns, rows: int | None) -> dict:
    """Append one entry; return it."""
    entry = {
        "sql": sql,
        "datasets": list(datasets),
        "columns": {name: list(cols) for name, cols in columns.items()},
        "aggregated": bool(aggregated),
        "output_columns": [dict(item) for item in output_columns],
        "rows": rows,
        "at": now(),
    }
    with _lock:
        _entries.append(entry)
    return entry


def log() -> list[dict]:
    """A copy of every entry so far, oldest first (changing it does not change the log)."""
    with _lock:
        return copy.deepcopy(_entries)


def reset() -> None:
    """Empty the log (tests only: a researcher's log is the kernel's history)."""
    with _lock:
        _entries.clear()
