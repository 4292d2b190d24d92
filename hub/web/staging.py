"""Datasets on their way in: an upload or a server-side file, held until the steward confirms.

Step one stages the file (an upload is written, a server-side file is linked from one of the
configured import folders, never from anywhere else) and profiles it: schema, sample values
and a suggested class per column. Step two writes the manifest the steward filled in next to
the file and hands it to the catalog service, which validates and registers it all or
nothing. A staging folder belongs to the user who made it and is removed after registration.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from hub.catalog.inspect import profile, relation_sql
from hub.errors import CatalogError
from hub.web.infer import suggest

SUFFIXES = (".csv", ".parquet")
SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
TOKEN = re.compile(r"^[0-9a-f]{32}$")
SAMPLES = 5
SUGGEST_ROWS = 200
MAX_AGE_S = 24 * 3600


@dataclass(frozen=True)
class ColumnPreview:
    name: str
    type: str
    samples: list[str]
    suggested: str
    reason: str


@dataclass(frozen=True)
class Staged:
    token: str
    folder: Path
    owner: str
    filename: str
    rows: int
    columns: list[ColumnPreview]


def _safe_filename(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    if not SAFE_FILENAME.match(base) or not base.lower().endswith(SUFFIXES):
        raise CatalogError(f"file name {name!r} must be a plain .csv or .parquet name (letters, digits, '.', '_', '-')")
    return base


def _new_folder(root: Path, owner: str) -> tuple[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    _sweep(root)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(mode=0o700)
    (folder / "owner.json").write_text(json.dumps({"owner": owner, "at": time.time()}))
    return token, folder


def _sweep(root: Path) -> None:
    """Remove staging folders nobody confirmed within a day."""
    now = time.time()
    for folder in root.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > MAX_AGE_S:
            shutil.rmtree(folder, ignore_errors=True)


def stage_upload(root: Path, owner: str, filename: str, body: bytes) -> str:
    """Write an uploaded file into a new staging folder; return its token."""
    name = _safe_filename(filename)
    if not body:
        raise CatalogError(f"the uploaded file {name!r} is empty")
    token, folder = _new_folder(root, owner)
    (folder / name).write_bytes(body)
    return token


def stage_server_path(root: Path, owner: str, path: str, import_roots: tuple[Path, ...]) -> str:
    """Link a server-side file, which must lie inside an import folder; return the token."""
    if not path.strip():
        raise CatalogError("give a file to upload or a server path")
    candidate = Path(path.strip())
    if not candidate.is_absolute() and import_roots:
        candidate = import_roots[0] / candidate
    resolved = candidate.resolve()
    if not any(resolved.is_relative_to(r) for r in import_roots):
        allowed = ", ".join(str(r) for r in import_roots) or "(none configured)"
        raise CatalogError(f"server path {path!r} is outside the import folders {allowed}")
    if not resolved.is_file():
        raise CatalogError(f"server path {path!r} is not a file")
    name = _safe_filename(resolved.name)
    token, folder = _new_folder(root, owner)
    (folder / name).symlink_to(resolved)
    return token


def folder_of(root: Path, token: str, owner: str) -> Path:
    """The staging folder of `token`, if it exists and belongs to `owner`."""
    folder = root / token
    if not TOKEN.match(token) or not (folder / "owner.json").is_file():
        raise CatalogError("this upload is unknown or expired; start again")
    if json.loads((folder / "owner.json").read_text()).get("owner") != owner:
        raise CatalogError("this upload belongs to another user")
    return folder


def data_file(folder: Path) -> Path:
    files = [p for p in folder.iterdir() if p.name.lower().endswith(SUFFIXES)]
    if len(files) != 1:
        raise CatalogError("the staging folder holds no data file; start again")
    return files[0]


def preview(root: Path, token: str, owner: str) -> Staged:
    """Schema, row count, sample values and suggested classes of a staged file."""
    folder = folder_of(root, token, owner)
    path = data_file(folder)
    data = profile([path])
    source = relation_sql([path.resolve()], "parquet" if path.suffix.lower() == ".parquet" else "csv")
    connection = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        columns = []
        for name, logical in data.schema.items():
            quoted = '"' + name.replace('"', '""') + '"'
            rows = connection.execute(
                f"SELECT DISTINCT CAST({quoted} AS VARCHAR) AS v FROM (SELECT {quoted} FROM {source} LIMIT {SUGGEST_ROWS}) WHERE {quoted} IS NOT NULL LIMIT 50"
            ).fetchall()
            values = [str(r[0]) for r in rows]
            hint = suggest(name, values)
            columns.append(ColumnPreview(name, logical, [v[:60] for v in values[:SAMPLES]], hint.column_class.value, hint.reason))
    finally:
        connection.close()
    return Staged(token=token, folder=folder, owner=owner, filename=path.name, rows=data.row_count, columns=columns)


def write_manifest(folder: Path, document: dict) -> Path:
    """Write the steward's manifest beside the staged file; the catalog validates it."""
    document = {**document, "files": [data_file(folder).name]}
    target = folder / "manifest.yaml"
    target.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def discard(root: Path, token: str, owner: str) -> None:
    shutil.rmtree(folder_of(root, token, owner), ignore_errors=True)
