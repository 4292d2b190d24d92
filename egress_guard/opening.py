"""Opening the files of a request into artifacts, safely.

Every file is sized before it is read (a 2 GB file is refused by its size, never read),
sniffed by content as well as by name, and parsed by a library that does not execute
anything. Archives are listed, and their total uncompressed size and compression ratio
capped, before a single member is decompressed (zip bombs); members are read in memory and
never extracted to disk (no zip-slip). Notebooks are opened cell by cell. Images are
re-encoded without their metadata. Anything that does not parse becomes a problem on the
artifact, which the structure check reports: nothing here raises on bad input.
"""

from __future__ import annotations

import base64
import io
import json
import os
import stat
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from egress_guard.artifacts import Artifact, TextBlock
from egress_guard.findings import Severity

EXTENSION_KINDS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".json": "json",
    ".xlsx": "xlsx",
    ".png": "image",
    ".svg": "svg",
    ".pdf": "pdf",
    ".txt": "text",
    ".md": "text",
    ".ipynb": "notebook",
    ".zip": "archive",
}


class Limits(BaseModel):
    """Size limits of a request, from the guard configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_file_bytes: int = Field(50 * 2**20, ge=1)
    max_request_bytes: int = Field(200 * 2**20, ge=1)
    max_rows: int = Field(1_000_000, ge=1)
    max_archive_members: int = Field(500, ge=1)
    max_uncompressed_bytes: int = Field(200 * 2**20, ge=1)
    max_compression_ratio: float = Field(100.0, gt=1)
    max_nesting: int = Field(2, ge=0)
    max_image_pixels: int = Field(40_000_000, ge=1)


def safe_name(name: str) -> bool:
    """A request file name: relative, no '..', no backslash, no control characters."""
    if not name or "\\" in name or "\x00" in name or any(ord(c) < 32 for c in name):
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and path.parts[:1] != ("",)


def open_request(root: Path, names: list[str], limits: Limits) -> list[Artifact]:
    """Open the named files under `root` (the request folder); refuse anything outside it."""
    artifacts: list[Artifact] = []
    total = 0
    real_root = root.resolve()
    for name in names:
        artifact = Artifact(name=name, kind=kind_of(name))
        artifacts.append(artifact)
        if not safe_name(name):
            artifact.problem(Severity.deny, "file name leaves the request folder (absolute path or '..')")
            continue
        path = root / name
        try:
            info = path.lstat()
        except OSError:
            artifact.problem(Severity.deny, "file is missing from the request folder")
            continue
        # A symlink could point at a dataset or another user's home: never follow it.
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
            artifact.problem(Severity.deny, "not a regular file (symlink or special file)")
            continue
        if not path.resolve().is_relative_to(real_root):
            artifact.problem(Severity.deny, "file resolves outside the request folder")
            continue
        artifact.path, artifact.size = path, info.st_size
        total += info.st_size
        if info.st_size > limits.max_file_bytes:
            artifact.problem(Severity.deny, f"file is {info.st_size} bytes, over the limit of {limits.max_file_bytes}")
            continue
        if total > limits.max_request_bytes:
            artifact.problem(Severity.deny, f"request exceeds {limits.max_request_bytes} bytes in total")
            continue
        data = _read_nofollow(path)
        artifacts.extend(open_bytes(artifact, data, limits, depth=0))
    return artifacts


def _read_nofollow(path: Path) -> bytes:
    # O_NOFOLLOW closes the race between the lstat above and this open.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def kind_of(name: str) -> str:
    return EXTENSION_KINDS.get(PurePosixPath(name).suffix.lower(), "unknown")


def _sniff_ok(kind: str, data: bytes) -> bool:
    """Does the content match what the name claims? (A renamed Parquet file is not a CSV.)"""
    head = data[:8]
    binary = {"parquet": b"PAR1", "image": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF", "archive": b"PK", "xlsx": b"PK"}
    if kind in binary:
        return head.startswith(binary[kind])
    # Text kinds must not be one of the binary formats in disguise.
    return not any(head.startswith(magic) for magic in (b"PAR1", b"\x89PNG", b"%PDF", b"PK\x03\x04", b"\x1f\x8b"))


def open_bytes(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> list[Artifact]:
    """Fill `artifact` from `data`; return further artifacts found inside it (members, outputs)."""
    artifact.size = artifact.size or len(data)
    if artifact.kind == "unknown":
        artifact.problem(Severity.deny, f"file type {PurePosixPath(artifact.name).suffix or '(none)'} is not on the allow-list")
        return []
    if not _sniff_ok(artifact.kind, data):
        artifact.problem(Severity.deny, f"content does not match the {artifact.kind} file type")
        return []
    try:
        opener = _OPENERS[artifact.kind]
        return opener(artifact, data, limits, depth) or []
    except Exception as error:  # noqa: BLE001 - any parser failure is a finding, never a crash
        artifact.problem(Severity.deny, f"could not be parsed as {artifact.kind}: {type(error).__name__}: {str(error)[:160]}")
        return []


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text (byte {error.start}); save it as UTF-8") from None


def _check_rows(artifact: Artifact, frame: pd.DataFrame, limits: Limits) -> pd.DataFrame:
    if len(frame) > limits.max_rows:
        artifact.problem(Severity.deny, f"table has more than {limits.max_rows} rows")
    return frame


def _open_delimited(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> None:
    text = _text(data)
    sep = "\t" if artifact.kind == "tsv" else ","
    frame = pd.read_csv(io.StringIO(text), sep=sep, nrows=limits.max_rows + 1, low_memory=False)
    artifact.table = _check_rows(artifact, frame, limits)


def _open_parquet(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> None:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(io.BytesIO(data))
    if parquet.metadata.num_rows > limits.max_rows:
        artifact.problem(Severity.deny, f"table has {parquet.metadata.num_rows} rows, over the limit of {limits.max_rows}")
        return
    artifact.table = parquet.read().to_pandas()
    metadata = parquet.schema_arrow.metadata or {}
    # Key-value metadata can carry anything (pandas stores its schema there): scan it as text.
    artifact.texts.append(TextBlock(f"{artifact.name}:metadata", " ".join(v.decode("utf-8", "replace") for v in metadata.values())))


def _open_json(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> None:
    document = json.loads(_text(data))
    strings: list[str] = []
    _collect_strings(document, strings)
    artifact.texts.append(TextBlock(artifact.name, "\n".join(strings)))
    # A list of records or a dict of equal-length lists is a table: check it as one.
    if isinstance(document, list) and document and all(isinstance(row, dict) for row in document):
        artifact.table = _check_rows(artifact, pd.DataFrame.from_records(document), limits)
    elif isinstance(document, dict) and document and all(isinstance(v, list) for v in document.values()):
        if len({len(v) for v in document.values()}) == 1:
            artifact.table = _check_rows(artifact, pd.DataFrame(document), limits)


def _collect_strings(node: object, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            out.append(str(key))
            _collect_strings(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_strings(value, out)
    elif isinstance(node, int) and not isinstance(node, bool) and abs(node) >= 10**8:
        out.append(str(node))  # long integers may be identifiers written as numbers


def _open_text(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> None:
    artifact.texts.append(TextBlock(artifact.name, _text(data)))


def _zip_guard(archive: zipfile.ZipFile, artifact: Artifact, limits: Limits, packed: int) -> bool:
    """Refuse an archive by its directory alone, before decompressing anything."""
    members = archive.infolist()
    if len(members) > limits.max_archive_members:
        artifact.problem(Severity.deny, f"archive has {len(members)} members, over the limit of {limits.max_archive_members}")
        return False
    declared = sum(m.file_size for m in members)
    if declared > limits.max_uncompressed_bytes:
        artifact.problem(Severity.deny, f"archive expands to {declared} bytes, over the limit of {limits.max_uncompressed_bytes}")
        return False
    if declared > limits.max_compression_ratio * max(packed, 1):
        artifact.problem(Severity.deny, f"archive compression ratio {declared / max(packed, 1):.0f} is over {limits.max_compression_ratio:.0f} (zip bomb?)")
        return False
    return True


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    # The directory's sizes can lie: read at most the declared size plus one byte.
    with archive.open(member) as handle:
        data = handle.read(member.file_size + 1)
    if len(data) > member.file_size:
        raise ValueError("member is larger than the archive directory declares")
    return data


def _open_archive(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> list[Artifact]:
    if depth >= limits.max_nesting:
        artifact.problem(Severity.deny, "archives nested too deeply")
        return []
    archive = zipfile.ZipFile(io.BytesIO(data))
    if not _zip_guard(archive, artifact, limits, len(data)):
        return []
    found: list[Artifact] = []
    for member in archive.infolist():
        if member.is_dir():
            continue
        child = Artifact(name=f"{artifact.name}/{member.filename}", kind=kind_of(member.filename), parent=artifact.name, size=member.file_size)
        found.append(child)
        if not safe_name(member.filename):
            child.problem(Severity.deny, "archive member path leaves the archive (absolute or '..')")
            continue
        if member.flag_bits & 0x1:
            child.problem(Severity.deny, "archive member is encrypted and cannot be checked")
            continue
        try:
            member_data = _read_member(archive, member)
        except Exception as error:  # noqa: BLE001
            child.problem(Severity.deny, f"archive member could not be read: {error}")
            continue
        found.extend(open_bytes(child, member_data, limits, depth + 1))
    return found


def _open_xlsx(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> list[Artifact]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    if not _zip_guard(archive, artifact, limits, len(data)):
        return []
    if any(m.filename.lower().endswith(".bin") for m in archive.infolist()):
        artifact.problem(Severity.deny, "workbook contains macros or embedded binaries")
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl", nrows=limits.max_rows + 1)
    found = []
    for index, (sheet, frame) in enumerate(sheets.items()):
        if index == 0:
            artifact.table = _check_rows(artifact, frame, limits)
            continue
        child = Artifact(name=f"{artifact.name}:{sheet}", kind="table", parent=artifact.name)
        child.table = _check_rows(child, frame, limits)
        found.append(child)
    return found


def _open_image(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > limits.max_image_pixels:
            artifact.problem(Severity.deny, f"image has {image.width}x{image.height} pixels, over the limit")
            return
        image.load()
        # Text chunks (tEXt/iTXt/zTXt) and EXIF can carry anything: scan, then strip.
        meta = [f"{k}={v}" for k, v in image.info.items() if isinstance(v, (str, bytes))]
        if meta:
            artifact.texts.append(TextBlock(f"{artifact.name}:metadata", "\n".join(str(m) for m in meta)))
        # Rebuild from the pixels alone, so no chunk of the original survives.
        clean = Image.frombytes(image.mode, image.size, image.tobytes())
        if image.mode == "P" and image.getpalette():
            clean.putpalette(image.getpalette())
        out = io.BytesIO()
        clean.save(out, format="PNG")
        artifact.release_bytes = out.getvalue()
    # Data appended after the image end (IEND) would survive a naive copy; the re-encode drops it.


def _open_svg(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> None:
    from defusedxml import ElementTree

    text = _text(data)
    # A DOCTYPE is normal in SVG (matplotlib writes one); entities and external references are not.
    root = ElementTree.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    texts: list[str] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in ("script", "foreignobject", "iframe", "embed", "object"):
            artifact.problem(Severity.deny, f"SVG contains <{tag}> (active content is refused)")
        for key, value in element.attrib.items():
            attr = key.rsplit("}", 1)[-1].lower()
            if attr.startswith("on"):
                artifact.problem(Severity.deny, f"SVG has an event handler attribute {attr!r}")
            if attr == "href" and not value.startswith(("#", "data:image/png")):
                artifact.problem(Severity.deny, f"SVG links to an external resource {value[:60]!r}")
            if attr not in ("d", "points", "transform", "style", "x", "y", "width", "height", "viewbox", "clip-path"):
                texts.append(value)
        if element.text and element.text.strip():
            texts.append(element.text)
    artifact.texts.append(TextBlock(artifact.name, "\n".join(texts)))


def _open_pdf(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        artifact.problem(Severity.deny, "PDF is encrypted and cannot be checked")
        return
    if "/JavaScript" in str(reader.trailer.get("/Root", {})) or "/EmbeddedFiles" in data.decode("latin-1"):
        artifact.problem(Severity.deny, "PDF contains JavaScript or embedded files")
    for number, page in enumerate(reader.pages, start=1):
        artifact.texts.append(TextBlock(f"{artifact.name}:page {number}", page.extract_text() or ""))
    info = reader.metadata or {}
    artifact.texts.append(TextBlock(f"{artifact.name}:metadata", " ".join(str(v) for v in info.values())))


def _open_notebook(artifact: Artifact, data: bytes, limits: Limits, depth: int) -> list[Artifact]:
    import nbformat

    notebook = nbformat.reads(_text(data), as_version=4)
    found: list[Artifact] = []
    for number, cell in enumerate(notebook.cells, start=1):
        where = f"{artifact.name}:cell {number}"
        artifact.texts.append(TextBlock(f"{where}:source", cell.get("source", "")))
        for out_number, output in enumerate(cell.get("outputs", []), start=1):
            out_where = f"{where}:output {out_number}"
            if output.get("output_type") == "stream":
                artifact.texts.append(TextBlock(out_where, _join(output.get("text", ""))))
            elif output.get("output_type") == "error":
                artifact.texts.append(TextBlock(out_where, "\n".join(output.get("traceback", []))))
            for mime, value in (output.get("data") or {}).items():
                found.extend(_notebook_output(artifact, out_where, mime, value, limits, depth))
    artifact.texts.append(TextBlock(f"{artifact.name}:metadata", json.dumps(notebook.metadata, ensure_ascii=False)))
    return found


def _join(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _notebook_output(parent: Artifact, where: str, mime: str, value: object, limits: Limits, depth: int) -> list[Artifact]:
    if mime == "image/png":
        child = Artifact(name=f"{where}:image/png", kind="image", parent=parent.name)
        return [child, *open_bytes(child, base64.b64decode(_join(value)), limits, depth + 1)]
    if mime == "image/svg+xml":
        child = Artifact(name=f"{where}:image/svg", kind="svg", parent=parent.name)
        return [child, *open_bytes(child, _join(value).encode(), limits, depth + 1)]
    if mime == "text/html":
        return _html_output(parent, where, _join(value))
    text = _join(value) if not isinstance(value, (dict, list)) else json.dumps(value, ensure_ascii=False)
    parent.texts.append(TextBlock(f"{where}:{mime}", text))
    return []


def _html_output(parent: Artifact, where: str, html: str) -> list[Artifact]:
    """A rendered DataFrame in a notebook is a table: check it as one, and its text too."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    parent.texts.append(TextBlock(f"{where}:text/html", soup.get_text(" ")))
    found = []
    for number, table in enumerate(soup.find_all("table"), start=1):
        rows = [[cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
        rows = [r for r in rows if r]
        if len(rows) < 2:
            continue
        header, body = rows[0], rows[1:]
        width = max(len(r) for r in body)
        header = (header + [f"col{i}" for i in range(len(header), width)])[-width:]
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in body], columns=_unique(header))
        frame = _numeric(frame)
        child = Artifact(name=f"{where}:table {number}", kind="table", parent=parent.name, table=frame)
        found.append(child)
    return found


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name or "index"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return out


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        converted = pd.to_numeric(frame[column].astype(str).str.replace(",", ""), errors="coerce")
        if converted.notna().all():
            frame[column] = converted
    return frame


_OPENERS = {
    "csv": _open_delimited,
    "tsv": _open_delimited,
    "parquet": _open_parquet,
    "json": _open_json,
    "xlsx": _open_xlsx,
    "image": _open_image,
    "svg": _open_svg,
    "pdf": _open_pdf,
    "text": _open_text,
    "notebook": _open_notebook,
    "archive": _open_archive,
}
