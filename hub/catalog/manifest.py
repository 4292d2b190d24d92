"""The dataset manifest: what a steward declares when registering a dataset.

A manifest is YAML. It names the data file(s), who owns the dataset, how sensitive it is
(tier), how every column must be treated (class) and the disclosure thresholds that the
egress guard and the `campus.egress` policy apply to anything derived from it. Unknown
keys are refused at load time, naming the key (a typo in a threshold must never silently
fall back to a default).

Defaults of the disclosure settings follow ACRO (SACRO's output checker): minimum cell
count 10, dominance n-k rule with n=2 and k=0.90, p-ratio 0.10.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hub.errors import ManifestError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


class Tier(StrEnum):
    """Sensitivity tiers, least to most sensitive. A project may use datasets up to its tier."""

    public = "public"
    internal = "internal"
    confidential = "confidential"
    restricted = "restricted"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


class ColumnClass(StrEnum):
    """How a column may be used and released."""

    direct_identifier = "direct_identifier"  # names, RRNs, phones, ids: never released
    quasi_identifier = "quasi_identifier"  # birth year, sex, district: combinations identify
    sensitive = "sensitive"  # amounts, health values: aggregate only, dominance applies
    attribute = "attribute"  # anything else


class ColumnType(StrEnum):
    """Logical column types, matched against the data's physical types at registration."""

    string = "string"
    integer = "integer"
    float = "float"
    boolean = "boolean"
    date = "date"
    timestamp = "timestamp"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    name: str
    type: ColumnType
    column_class: ColumnClass = Field(alias="class")
    description: str = ""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DisclosureSettings(_Strict):
    """Thresholds of statistical disclosure control for outputs derived from the dataset."""

    min_cell_count: Annotated[int, Field(ge=1)] = 10
    dominance_n: Annotated[int, Field(ge=1)] = 2
    dominance_k: Annotated[float, Field(gt=0, le=1)] = 0.90
    p_ratio: Annotated[float, Field(ge=0, le=1)] = 0.10
    zeros_disclosive: bool = False
    # An output with at least this fraction of the source's rows is treated as record-level.
    max_row_fraction: Annotated[float, Field(gt=0, le=1)] = 0.5


class DatasetManifest(_Strict):
    name: str
    title: str
    description: str
    owner: str
    tier: Tier
    files: Annotated[list[str], Field(min_length=1)]
    two_person_review: bool = False
    disclosure: DisclosureSettings = DisclosureSettings()
    columns: Annotated[list[ColumnSpec], Field(min_length=1)]

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError(f"dataset name {value!r} must be lowercase letters, digits and '_' (it becomes a SQL view name)")
        return value

    @field_validator("files")
    @classmethod
    def _files_are_relative(cls, value: list[str]) -> list[str]:
        for item in value:
            path = Path(item)
            if path.is_absolute() or ".." in path.parts:
                raise ValueError(f"file {item!r} must be a path relative to the manifest, without '..'")
            if path.suffix.lower() not in {".parquet", ".csv"}:
                raise ValueError(f"file {item!r} is not Parquet or CSV")
        return value

    @model_validator(mode="after")
    def _columns_unique(self) -> "DatasetManifest":
        seen: set[str] = set()
        for column in self.columns:
            if column.name in seen:
                raise ValueError(f"column {column.name!r} is declared twice")
            seen.add(column.name)
        return self

    def columns_of_class(self, column_class: ColumnClass) -> list[str]:
        return [c.name for c in self.columns if c.column_class == column_class]

    def to_document(self) -> dict:
        """The manifest as plain JSON-able data, with `class` spelled as in YAML."""
        return self.model_dump(mode="json", by_alias=True)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "manifest"
    if first["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    if first["type"] == "missing":
        return f"missing key {where!r}"
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


def parse_manifest(document: object, source: str = "manifest") -> DatasetManifest:
    """Validate an already-parsed manifest document; raise ManifestError naming the problem."""
    if not isinstance(document, dict):
        raise ManifestError(f"{source}: a manifest must be a YAML mapping")
    try:
        return DatasetManifest.model_validate(document)
    except ValidationError as error:
        raise ManifestError(f"{source}: {_describe(error)}") from None


def load_manifest(path: Path) -> DatasetManifest:
    """Read and validate a manifest file; raise ManifestError with one clear line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not UTF-8 text") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ManifestError(f"{path}: malformed YAML{where}") from None
    return parse_manifest(document, str(path))
