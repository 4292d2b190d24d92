"""Provenance of an output: the queries the workspace kernel ran through the campus client.

The client (`campus.provenance.log()`) records, per query, its SQL, the datasets and
columns it read, and per output column the source columns it derives from and whether it
was aggregated. Provenance comes from the workspace, where the researcher controls
everything, so the guard treats it as a claim: it links entries to outputs by column
names, and the SDC check re-runs the SQL against the source data to verify the claim and
learn the true cell counts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from egress_guard.artifacts import Artifact


class OutputColumn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    sources: list[str] = Field(default_factory=list)
    aggregated: bool = False


class ProvenanceEntry(BaseModel):
    """One query as the client logged it. Unknown keys are ignored (newer clients)."""

    model_config = ConfigDict(extra="ignore")

    sql: str
    datasets: list[str] = Field(default_factory=list)
    columns: dict[str, list[str]] = Field(default_factory=dict)
    aggregated: bool = False
    output_columns: list[OutputColumn] = Field(default_factory=list)
    rows: int | None = None
    at: str = ""

    @property
    def output_names(self) -> set[str]:
        return {c.name.casefold() for c in self.output_columns}


def parse_provenance(document: object) -> tuple[list[ProvenanceEntry], str | None]:
    """Entries of a provenance log, or an error line naming the first bad entry."""
    if document is None:
        return [], None
    if not isinstance(document, list):
        return [], "provenance must be a list of query records"
    entries = []
    for index, item in enumerate(document):
        try:
            entries.append(ProvenanceEntry.model_validate(item))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return [], f"provenance entry {index}: {where}: {first['msg']}"
    return entries, None


def link(artifacts: list[Artifact], entries: list[ProvenanceEntry]) -> dict[str, list[ProvenanceEntry]]:
    """Which entries each artifact derives from.

    A table links to the newest entries whose output columns include all of its columns
    (the index column pandas writes, if unnamed, is ignored). Figures and documents link
    to every entry sent with the request: the client sends only the queries behind them.
    """
    links: dict[str, list[ProvenanceEntry]] = {}
    for artifact in artifacts:
        if artifact.table is not None:
            columns = {str(c).casefold() for c in artifact.table.columns if not str(c).startswith("Unnamed:")}
            matched = [e for e in reversed(entries) if columns and columns <= e.output_names]
            links[artifact.name] = matched[:1]
        elif artifact.kind in ("image", "svg", "pdf"):
            links[artifact.name] = list(entries)
        else:
            links[artifact.name] = []
    return links
