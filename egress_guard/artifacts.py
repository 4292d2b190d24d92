"""The guard's view of an export request: every file opened into tables and texts.

Opening (egress_guard.opening) turns each file, and each member of an archive or notebook,
into an `Artifact`. Checks never read files themselves: they analyse artifacts, so an
archive member or a notebook output is checked exactly like a top-level file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from egress_guard.findings import Severity

# Kinds the policy knows as tables (policies/campus/egress/data.json `table_kinds`).
TABLE_KINDS = ("table", "csv", "tsv", "parquet", "xlsx")


@dataclass(frozen=True)
class TextBlock:
    """A piece of free text and where it came from (e.g. "nb.ipynb:cell 3:output 1")."""

    location: str
    text: str


@dataclass(frozen=True)
class Problem:
    """Something structurally wrong with a file, found while opening it."""

    severity: Severity
    message: str


@dataclass
class Artifact:
    """One checkable thing: a file of the request or a part of one.

    `kind` is one of csv, tsv, parquet, json, xlsx, table (a table found inside another
    file), image, svg, pdf, text, notebook, archive, unknown. `release_bytes`, when set, is
    what leaves instead of the original file (images with their metadata stripped).
    """

    name: str
    kind: str
    size: int = 0
    path: Path | None = None
    parent: str | None = None
    table: pd.DataFrame | None = None
    texts: list[TextBlock] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    release_bytes: bytes | None = None

    @property
    def is_table(self) -> bool:
        return self.table is not None

    @property
    def top_level(self) -> bool:
        return self.parent is None

    def problem(self, severity: Severity, message: str) -> None:
        self.problems.append(Problem(severity, message))
