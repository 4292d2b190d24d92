"""Everything a check may look at while analysing one request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from egress_guard.artifacts import Artifact
from egress_guard.provenance import ProvenanceEntry
from egress_guard.source import DatasetInfo, SourceData


class Thresholds(BaseModel):
    """Disclosure thresholds for the request's source datasets (strictest wins; from OPA)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    min_cell_count: int = 10
    dominance_n: int = 2
    dominance_k: float = 0.9
    p_ratio: float = 0.1
    zeros_disclosive: bool = False
    max_row_fraction: float = 0.5


@dataclass(frozen=True)
class RequestInfo:
    id: str
    user: str
    project: str


@dataclass
class LedgerTable:
    """An aggregate table as remembered by the release ledger: its dimensions and cell counts."""

    request_id: str
    name: str
    datasets: list[str]
    dims: list[str]
    cells: dict[str, float]

    def as_dict(self) -> dict:
        return {"request_id": self.request_id, "name": self.name, "datasets": self.datasets, "dims": self.dims, "cells": self.cells}


@dataclass
class CheckContext:
    request: RequestInfo
    artifacts: list[Artifact]
    provenance: list[ProvenanceEntry]
    links: dict[str, list[ProvenanceEntry]]
    catalog: dict[str, DatasetInfo]
    fingerprints_root: Path
    thresholds_provider: Callable[[list[str]], dict]
    earlier_releases: list[LedgerTable] = field(default_factory=list)
    # Filled while checking:
    datasets: set[str] = field(default_factory=set)
    ledger_out: list[LedgerTable] = field(default_factory=list)
    _thresholds: Thresholds | None = None
    _source: SourceData | None = None

    @property
    def tables(self) -> list[Artifact]:
        return [a for a in self.artifacts if a.table is not None]

    def thresholds(self) -> Thresholds:
        """Asked once, after structure and fingerprints have inferred the datasets.

        The provider raises PolicyUnavailable when OPA cannot answer: the check stops
        there and the request is kept, never released.
        """
        if self._thresholds is None:
            self._thresholds = Thresholds.model_validate(self.thresholds_provider(sorted(self.datasets)))
        return self._thresholds

    @property
    def source(self) -> SourceData:
        if self._source is None:
            self._source = SourceData(self.catalog)
        return self._source

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
