"""The datasets this workspace can see: the mounted folders and their manifests.

A granted dataset is mounted read-only at $CAMPUS_DATA_DIR/<name>/ with its data files and
manifest.json (the manifest document of hub/catalog/manifest.py; a manifest.yaml as
written by the demo-data generator is read too when there is no JSON). The spawner also
writes $CAMPUS_CATALOG, a JSON file `{"project": "...", "datasets": ["name", ...]}` naming
the workspace's project and every registered dataset, so that a query on a dataset that
exists but was not granted can say so instead of "unknown".

A folder whose manifest is missing or invalid is skipped with a warning: one broken mount
must not take the others down, and a dataset without a valid manifest has no column
classes, so the campus would not know how to treat what is derived from it.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from campus import workspace
from hub.catalog.manifest import ColumnClass, DatasetManifest, load_manifest, parse_manifest
from hub.errors import ManifestError


@dataclass(frozen=True)
class MountedDataset:
    """A dataset as mounted in this workspace."""

    manifest: DatasetManifest
    folder: Path

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def files(self) -> list[Path]:
        return [self.folder / item for item in self.manifest.files]

    @property
    def format(self) -> str:
        """"parquet" or "csv" (the manifest model only admits these two suffixes)."""
        suffixes = {path.suffix.lower() for path in self.files}
        return "csv" if suffixes == {".csv"} else "parquet"

    def column_classes(self) -> dict[str, str]:
        return {column.name: column.column_class.value for column in self.manifest.columns}


def _load(folder: Path) -> MountedDataset | None:
    manifest_path = folder / "manifest.json"
    try:
        if not manifest_path.exists() and (folder / "manifest.yaml").exists():
            # A folder written by `python -m demo_data` and not registered yet: lets the
            # client be tried over freshly generated data, outside a campus.
            manifest_path = folder / "manifest.yaml"
            manifest = load_manifest(manifest_path)
        else:
            document = json.loads(manifest_path.read_text(encoding="utf-8"))
            manifest = parse_manifest(document, str(manifest_path))
    except FileNotFoundError:
        warnings.warn(f"{folder}: no manifest.json; dataset skipped", stacklevel=3)
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        warnings.warn(f"{manifest_path}: not valid JSON; dataset skipped", stacklevel=3)
        return None
    except ManifestError as error:
        warnings.warn(f"{error}; dataset skipped", stacklevel=3)
        return None
    if manifest.name != folder.name:
        warnings.warn(f"{manifest_path}: names dataset {manifest.name!r} but is mounted as {folder.name!r}; skipped", stacklevel=3)
        return None
    suffixes = {Path(item).suffix.lower() for item in manifest.files}
    if len(suffixes) > 1:
        warnings.warn(f"{manifest_path}: mixes Parquet and CSV files; dataset skipped", stacklevel=3)
        return None
    return MountedDataset(manifest=manifest, folder=folder)


@functools.cache
def mounted() -> dict[str, MountedDataset]:
    """The granted datasets, by name. Read once per kernel: mounts do not change while it runs."""
    root = workspace.data_dir()
    if not root.is_dir():
        return {}
    found = {}
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            dataset = _load(folder)
            if dataset is not None:
                found[dataset.name] = dataset
    return found


@functools.cache
def _campus_catalog() -> dict:
    """The spawner's catalog.json, or {} when the workspace was not given one."""
    try:
        document = json.loads(workspace.catalog_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def registered() -> frozenset[str] | None:
    """Names of every dataset registered on the campus, or None when the workspace was not told."""
    names = _campus_catalog().get("datasets")
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return None
    return frozenset(names)


def project() -> str | None:
    """The project this workspace works for (CAMPUS_PROJECT, else the spawner's catalog.json)."""
    name = os.environ.get("CAMPUS_PROJECT") or _campus_catalog().get("project")
    return name if isinstance(name, str) and name else None


def why_unavailable(name: str) -> str:
    """One line explaining why `name` cannot be queried here."""
    available = ", ".join(sorted(mounted())) or "none"
    known = registered()
    if known is not None and name in known:
        name_of_project = project()
        whose = f"project {name_of_project}" if name_of_project else "this workspace's project"
        return f"{whose} has no grant for dataset '{name}' (ask a data steward for one); mounted here: {available}"
    if known is not None:
        return f"there is no dataset named '{name}' in the campus catalog; mounted here: {available}"
    return f"dataset '{name}' is not mounted in this workspace; mounted here: {available}"


def get(name: str) -> MountedDataset:
    from campus.errors import CampusQueryError

    dataset = mounted().get(name)
    if dataset is None:
        raise CampusQueryError(why_unavailable(name))
    return dataset


def _classes(dataset: MountedDataset, column_class: ColumnClass) -> str:
    return ", ".join(dataset.manifest.columns_of_class(column_class))


def datasets() -> pd.DataFrame:
    """One row per mounted dataset: what it is and how its columns must be treated."""
    rows = [
        {
            "name": dataset.name,
            "title": dataset.manifest.title,
            "tier": dataset.manifest.tier.value,
            "description": dataset.manifest.description,
            "columns": len(dataset.manifest.columns),
            "direct_identifiers": _classes(dataset, ColumnClass.direct_identifier),
            "quasi_identifiers": _classes(dataset, ColumnClass.quasi_identifier),
            "sensitive": _classes(dataset, ColumnClass.sensitive),
        }
        for dataset in mounted().values()
    ]
    columns = ["name", "title", "tier", "description", "columns", "direct_identifiers", "quasi_identifiers", "sensitive"]
    return pd.DataFrame(rows, columns=columns)


def describe(name: str) -> pd.DataFrame:
    """The columns of one mounted dataset: name, type, class, description."""
    dataset = get(name)
    rows = [
        {"name": c.name, "type": c.type.value, "class": c.column_class.value, "description": c.description}
        for c in dataset.manifest.columns
    ]
    return pd.DataFrame(rows, columns=["name", "type", "class", "description"])


def reset() -> None:
    """Forget what was read (tests point CAMPUS_DATA_DIR somewhere new)."""
    mounted.cache_clear()
    _campus_catalog.cache_clear()
