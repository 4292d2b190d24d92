"""Render the files of an export request for a reviewer, so that nothing in them can run.

A researcher controls every byte of these files, so each kind is turned into data the
templates escape: tables become rows of strings (cells named by the guard's findings are
marked), text and notebook sources become escaped text, HTML outputs of notebooks are
sanitised by nh3 (ammonia) to a few table and text tags without attributes, and images are
served by the console only after their magic bytes match an allowed raster format. SVG and
PDF are never shown as themselves. The page's Content-Security-Policy forbids scripts anyway:
this module is the first line, the CSP the second.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nh3
import pandas as pd
from markupsafe import Markup

MAX_ROWS = 200
MAX_TEXT = 200_000
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ROW_CELL = re.compile(r"^row (?P<line>\d+), column (?P<column>.+)$")
SAFE_TAGS = {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "p", "br", "b", "i", "em", "strong", "code", "pre", "ul", "ol", "li", "span", "div", "h1", "h2", "h3", "h4"}

# Raster images by magic bytes; nothing else is served as an image.
IMAGE_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}


def image_type(data: bytes) -> str | None:
    """The content type of a PNG, JPEG or GIF (by magic bytes), else None."""
    for magic, kind in IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def sanitise_html(html: str) -> Markup:
    """HTML reduced to harmless table and text tags, no attributes (scripts and their text removed)."""
    return Markup(nh3.clean(html, tags=SAFE_TAGS, attributes={}, url_schemes=set(), link_rel=None))


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    total_rows: int
    flagged: set[tuple[int, str]] = field(default_factory=set)  # (row index, column)
    flagged_columns: set[str] = field(default_factory=set)
    flagged_rows: set[int] = field(default_factory=set)

    def is_flagged(self, row: int, column: str) -> bool:
        return (row, column) in self.flagged or column in self.flagged_columns or row in self.flagged_rows


@dataclass
class NotebookOutput:
    kind: str  # text, html, image, error
    text: str = ""
    html: Markup | None = None
    image: str | None = None  # a data: URI of a checked raster image


@dataclass
class NotebookCell:
    index: int
    cell_type: str
    source: str
    outputs: list[NotebookOutput]
    flagged: bool = False


@dataclass
class RenderedFile:
    name: str
    kind: str  # table, image, notebook, text, archive, other
    table: Table | None = None
    text: str | None = None
    cells: list[NotebookCell] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    image_type: str | None = None
    note: str = ""
    findings: list[dict] = field(default_factory=list)
    whole_file_flagged: bool = False


def _locations(name: str, findings: list[dict]) -> tuple[list[dict], list[str]]:
    """The findings about file `name`, and the part of each location after the file name."""
    mine, parts = [], []
    for finding in findings:
        location = finding.get("location") or ""
        if location == name or location.startswith(name + ":"):
            mine.append(finding)
            parts.append(location[len(name) + 1 :])
    return mine, parts


def _mark_table(table: Table, parts: list[str], frame: pd.DataFrame) -> None:
    keys = [" / ".join(str(v) for v in row[:k]) for row in frame.itertuples(index=False) for k in range(1, len(frame.columns) + 1)]
    width = len(frame.columns)
    for part in parts:
        if match := ROW_CELL.match(part):
            # Finding rows count file lines: line 1 is the header, so data row i is line i + 2.
            table.flagged.add((int(match["line"]) - 2, match["column"]))
        elif part.startswith("column "):
            table.flagged_columns.add(part.removeprefix("column "))
        elif part.startswith("cell "):
            wanted = part.removeprefix("cell ")
            for index, key in enumerate(keys):
                if key == wanted:
                    table.flagged_rows.add(index // width)


def _table(frame: pd.DataFrame, parts: list[str]) -> Table:
    frame = frame.astype(str)
    table = Table(columns=[str(c) for c in frame.columns], rows=frame.head(MAX_ROWS).values.tolist(), total_rows=len(frame))
    _mark_table(table, parts, frame.head(MAX_ROWS))
    return table


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return pd.read_csv(path, sep=TABLE_SUFFIXES[suffix], dtype=str, keep_default_na=False, nrows=100_000)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix == ".xlsx":
        return pd.read_excel(path, dtype=str)
    raise ValueError(f"not a table: {path.name}")


def _text_of(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _output(output: dict) -> NotebookOutput:
    kind = output.get("output_type")
    if kind == "stream":
        return NotebookOutput("text", text=ANSI.sub("", _text_of(output.get("text")))[:MAX_TEXT])
    if kind == "error":
        trace = "\n".join(output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"])
        return NotebookOutput("error", text=ANSI.sub("", trace)[:MAX_TEXT])
    data = output.get("data") or {}
    for mime in ("image/png", "image/jpeg", "image/gif"):
        if mime in data:
            try:
                raw = base64.b64decode(_text_of(data[mime]), validate=False)
            except (binascii.Error, ValueError):
                continue
            checked = image_type(raw)
            if checked:  # the bytes, not the claimed type, decide
                return NotebookOutput("image", image="data:" + checked + ";base64," + base64.b64encode(raw).decode())
    if "text/html" in data:
        return NotebookOutput("html", html=sanitise_html(_text_of(data["text/html"])[:MAX_TEXT]))
    if "text/plain" in data:
        return NotebookOutput("text", text=_text_of(data["text/plain"])[:MAX_TEXT])
    shown = ", ".join(sorted(data)) or "nothing"
    return NotebookOutput("text", text=f"(output of type {shown}: not shown)")


def _notebook(path: Path, parts: list[str]) -> list[NotebookCell]:
    document = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    # The guard numbers cells from 1 ("nb.ipynb:cell 3:output 1").
    flagged = {int(m.group(1)) for p in parts if (m := re.match(r"cell (\d+)", p))}
    cells = []
    for index, cell in enumerate(document.get("cells") or []):
        outputs = [_output(o) for o in cell.get("outputs") or [] if isinstance(o, dict)]
        # Markdown is shown as its source: rendering it would be rendering researcher HTML.
        cells.append(NotebookCell(index + 1, str(cell.get("cell_type", "code")), _text_of(cell.get("source"))[:MAX_TEXT], outputs, index + 1 in flagged))
    return cells


def render_file(path: Path, name: str, findings: list[dict]) -> RenderedFile:
    """A request file, ready for the template; never raises on a malformed file."""
    mine, parts = _locations(name, findings)
    rendered = RenderedFile(name=name, kind="other", findings=mine, whole_file_flagged="" in parts)
    suffix = Path(name).suffix.lower()
    try:
        if suffix in (*TABLE_SUFFIXES, ".parquet", ".xlsx"):
            rendered.kind, rendered.table = "table", _table(_read_table(path), parts)
        elif suffix == ".ipynb":
            rendered.kind, rendered.cells = "notebook", _notebook(path, parts)
        elif suffix in (".png", ".jpg", ".jpeg", ".gif", ".webp"):
            rendered.image_type = image_type(path.read_bytes()[:16])
            rendered.kind = "image" if rendered.image_type else "other"
            rendered.note = "" if rendered.image_type else "the file's bytes are not the image its name claims: not shown"
        elif suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                rendered.kind, rendered.members = "archive", [f"{i.filename} ({i.file_size} bytes)" for i in archive.infolist()]
        elif suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            rendered.kind, rendered.text = "text", "\n\n".join((page.extract_text() or "") for page in reader.pages[:5])[:MAX_TEXT]
            rendered.note = "PDF shown as its extracted text (first pages)"
        else:
            # Everything else, SVG and HTML included, is shown as text, never interpreted.
            rendered.kind, rendered.text = "text", path.read_bytes()[:MAX_TEXT].decode("utf-8", errors="replace")
    except Exception as error:  # noqa: BLE001 - a broken file is shown as broken, not as a 500
        rendered.kind, rendered.note = "other", f"cannot be shown: {type(error).__name__}: {str(error)[:200]}"
    return rendered
