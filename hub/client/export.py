"""`campus.export`: ask the egress guard to let a result leave the campus.

    campus.export(df, name="spending_by_district.csv", reason="Figure 2 of the paper")
    campus.export(fig, name="figure2.png", reason="...")          # a matplotlib figure
    campus.export("results/table.parquet", reason="...")           # a file in your home

In JupyterLab: `%load_ext campus.export`, then

    %export df spending_by_district.csv Figure 2 of the paper

The request goes to the campus API over the workspace's only way out, the Unix socket
at $CAMPUS_API_SOCKET, authenticated with the kernel's JupyterHub token. It carries the
files and the kernel's provenance log (campus.provenance.log()): for a DataFrame the
queries whose result columns it has, for a figure the last query (pass `provenance=` to
choose), for a file the whole log. The guard checks the request; an approved result is
downloadable from the campus web page, never from the workspace.

With CAMPUS_EXPORT_DRY_RUN=1 nothing is sent: the request that would be sent is returned
(for notebooks tested outside a workspace).
"""

from __future__ import annotations

import base64
import io
import os
import stat
from pathlib import Path, PurePosixPath

from campus import catalog
from campus.errors import CampusError

DEFAULT_SOCKET = "/run/campus/api/api.sock"
TABLE_WRITERS = {".csv", ".tsv", ".parquet", ".json", ".xlsx"}
FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
TIMEOUT_S = 120.0


class CampusExportError(CampusError):
    """An export request could not be made or was refused."""


def _table_bytes(frame, name: str) -> bytes:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in TABLE_WRITERS:
        raise CampusExportError(f"a DataFrame is exported as {', '.join(sorted(TABLE_WRITERS))}, not {suffix or 'no extension'}")
    out = io.BytesIO()
    if suffix == ".csv":
        out.write(frame.to_csv(index=False).encode())
    elif suffix == ".tsv":
        out.write(frame.to_csv(index=False, sep="\t").encode())
    elif suffix == ".parquet":
        frame.to_parquet(out, index=False)
    elif suffix == ".json":
        out.write(frame.to_json(orient="records", force_ascii=False, date_format="iso").encode())
    else:
        frame.to_excel(out, index=False, engine="openpyxl")
    return out.getvalue()


def _figure_bytes(figure, name: str) -> bytes:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in FIGURE_FORMATS:
        raise CampusExportError(f"a figure is exported as .png, .svg or .pdf, not {suffix or 'no extension'}")
    out = io.BytesIO()
    figure.savefig(out, format=FIGURE_FORMATS[suffix], metadata={})
    return out.getvalue()


def _file_bytes(path: Path) -> bytes:
    """Read a file of the user's home; refuse symlinks and anything outside the home."""
    home = Path(os.environ.get("HOME", "/")).resolve()
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        mode = absolute.lstat().st_mode
    except OSError:
        raise CampusExportError(f"{path}: no such file") from None
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        raise CampusExportError(f"{path}: not a regular file (symlinks are refused)")
    if not absolute.resolve().is_relative_to(home):
        raise CampusExportError(f"{path}: only files in your home folder can be exported")
    fd = os.open(absolute, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _is_dataframe(obj) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "to_csv")


def _is_figure(obj) -> bool:
    return hasattr(obj, "savefig")


def build_request(obj, *, name: str | None, reason: str, provenance: list[dict] | None = None, project: str | None = None) -> dict:
    """The JSON body of an export request for `obj` (DataFrame, figure or file path)."""
    from campus import provenance as log

    if not reason or not reason.strip():
        raise CampusExportError("say why this result must leave: reason=...")
    entries = log.log()
    if _is_dataframe(obj):
        name = name or "table.csv"
        data = _table_bytes(obj, name)
        columns = {str(c).casefold() for c in obj.columns}
        default = [e for e in entries if columns <= {c["name"].casefold() for c in e.get("output_columns", [])}][-1:]
    elif _is_figure(obj):
        name = name or "figure.png"
        data = _figure_bytes(obj, name)
        default = entries[-1:]
    elif isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        name = name or path.name
        data = _file_bytes(path)
        default = entries
    else:
        raise CampusExportError(f"cannot export a {type(obj).__name__}: give a DataFrame, a matplotlib figure or a file path")
    if "/" in name or name in ("", ".", ".."):
        raise CampusExportError(f"export name {name!r} must be a plain file name")
    body = {
        "reason": reason,
        "files": [{"name": name, "content_base64": base64.b64encode(data).decode()}],
        "provenance": provenance if provenance is not None else default,
    }
    project = project or catalog.project()  # the workspace's project, set at spawn
    if project:
        body["project"] = project
    return body


def export(obj, name: str | None = None, reason: str = "", *, provenance: list[dict] | None = None, project: str | None = None) -> dict:
    """Ask to export `obj`; returns {"id", "state", "reasons"} (or the request, in dry-run mode)."""
    body = build_request(obj, name=name, reason=reason, provenance=provenance, project=project)
    if os.environ.get("CAMPUS_EXPORT_DRY_RUN") == "1":
        return {"dry_run": True, "request": body}
    import httpx

    socket = os.environ.get("CAMPUS_API_SOCKET", DEFAULT_SOCKET)
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not token:
        raise CampusExportError("no JUPYTERHUB_API_TOKEN: exports work only inside a campus workspace")
    try:
        with httpx.Client(transport=httpx.HTTPTransport(uds=socket), base_url="http://campus", timeout=TIMEOUT_S) as client:
            response = client.post("/api/exports", json=body, headers={"Authorization": f"token {token}"})
    except httpx.HTTPError as error:
        raise CampusExportError(f"the campus API at {socket} did not answer ({type(error).__name__})") from None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code >= 400:
        raise CampusExportError(answer.get("error") or f"export refused (HTTP {response.status_code})")
    return answer


def _export_magic(line: str, local_ns: dict) -> dict:
    parts = line.split(maxsplit=2)
    if len(parts) < 3:
        raise CampusExportError("usage: %export VARIABLE NAME REASON...   e.g. %export df table.csv Figure 2")
    variable, name, reason = parts
    if variable not in local_ns:
        raise CampusExportError(f"no variable named {variable!r}")
    return export(local_ns[variable], name=name, reason=reason)


def load_ipython_extension(ipython) -> None:
    """`%load_ext campus.export`: registers the `%export VARIABLE NAME REASON` line magic."""

    def export_magic(line: str):
        return _export_magic(line, ipython.user_ns)

    ipython.register_magic_function(export_magic, magic_kind="line", magic_name="export")
