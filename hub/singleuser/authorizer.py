"""The workspace server's authorizer: every route that hands a file's bytes to the browser is refused.

JupyterHub's own authorizer checks that the caller may access this server at all; this
subclass then refuses, with 403, whatever would carry data out of the workspace as a file:

| route                                   | why it is refused                                  |
|-----------------------------------------|----------------------------------------------------|
| /files/…  (and ?download=1)             | serves any file's raw bytes as a download          |
| /view/…                                 | renders a file from /files in the browser          |
| /nbconvert/…, /api/nbconvert            | "Download as" / "Export notebook as" any format    |
| /directories/…, /api/archive…           | archive (zip/tar) download of a folder             |
| /proxy/… except a Dask dashboard read   | a web server started in the workspace would serve  |
| (dashboard_routes.py), /server-proxy/…  | files to the browser; answers that pass are        |
|                                         | filtered too (dashboard_filter.py)                 |
| contents API read with format=base64    | a file's raw bytes (any binary: parquet, zip, xlsx)|
| contents API read with content of a file| unless it is a notebook or an allow-listed text     |
| whose type is not editable here         | type the editor needs (.py, .sql, .md, …)          |
| contents API read of anything under a   | a symlink in the home pointing into /data          |
| dataset mount                           |                                                    |
| contents API read of a file's content   | the type is the name's: a Parquet file renamed     |
| without format=text (notebooks aside)   | .txt would come back base64                        |

Allowed: listing folders, notebooks (the lab must open them), text files of allow-listed
types in the editor. What the lab shows can be seen on screen, as every cell output can:
that is seeing data, which the campus allows; carrying a file out is what is blocked.

jupyter_server asks the authorizer only from handlers decorated with `@authorized`; the
route guard (route_guard.py) applies `refusal()` to every request, whatever its handler.
"""

from __future__ import annotations

import os
import posixpath
from urllib.parse import unquote

from jupyterhub.singleuser.extension import JupyterHubAuthorizer
from traitlets import List, Unicode

from hub.singleuser import dashboard_routes

BLOCKED_PREFIXES = ("files/", "view/", "nbconvert/", "api/nbconvert", "directories/", "api/archive", "server-proxy/")


class CampusAuthorizer(JupyterHubAuthorizer):
    """JupyterHubAuthorizer that also refuses every file-download route."""

    editable_extensions = List(
        Unicode(),
        default_value=[".ipynb", ".py", ".sql", ".md", ".txt", ".r", ".toml", ".yaml", ".yml", ".sh", ".cfg", ".ini"],
        config=True,
        help="""File types whose content the contents API returns (as text), for the editor.

        Security: a data file type here (.csv, .json, .parquet) would let the contents API
        return a dataset copy; a renamed file is still only shown on screen, never base64.""",
    )

    data_dir = Unicode(
        "/data",
        config=True,
        help="Where datasets are mounted; content reads that resolve inside it are refused.",
    )

    def is_authorized(self, handler, user, action, resource):
        if not super().is_authorized(handler, user, action, resource):
            return False
        reason = self.refusal(handler)
        if reason:
            self.log.warning("campus: refused %s %s for %s: %s", handler.request.method, handler.request.path, user.username, reason)
            return False
        return True

    def _relative_path(self, handler) -> str:
        base = handler.base_url or "/"
        path = unquote(handler.request.path)
        if path.startswith(base):
            path = path[len(base) :]
        return path.lstrip("/")

    def refusal(self, handler) -> str | None:
        """Why this request must be refused, or None if it may go ahead."""
        path = self._relative_path(handler)
        # Normalise first so that /user/x/./files/ or a doubled slash cannot slip through.
        normal = posixpath.normpath("/" + path).lstrip("/") + ("/" if path.endswith("/") else "")
        for prefix in BLOCKED_PREFIXES:
            if normal == prefix.rstrip("/") or normal.startswith(prefix):
                return f"download route {prefix.rstrip('/')} is disabled"
        if handler.get_query_argument("download", None) not in (None, "0", "false"):
            return "download parameter"
        if any(p == "proxy" or p.startswith("proxy/") for p in (path, normal)):
            # Decided on the path as sent (decoded, not normalised): a dot segment or a
            # doubled slash is simply not a dashboard route, and proxy/1/../../lab is not
            # taken for the lab page.
            return dashboard_routes.refusal(path, handler.request.method, handler.request.headers)
        if normal.startswith("api/contents") and handler.request.method == "GET":
            return self._contents_refusal(handler, normal[len("api/contents") :])
        return None

    def _contents_refusal(self, handler, file_path: str) -> str | None:
        if file_path.endswith("/checkpoints") or "/checkpoints/" in file_path:
            return None
        if handler.get_query_argument("format", None) == "base64":
            return "binary content"
        if handler.get_query_argument("content", "1") in ("0", "false"):
            return None
        root = getattr(handler.contents_manager, "root_dir", None)
        if root:
            real = os.path.realpath(os.path.join(root, file_path.lstrip("/")))
            if real == self.data_dir or real.startswith(self.data_dir.rstrip("/") + "/"):
                return "dataset file"
            if os.path.isdir(real) or not os.path.exists(real):
                return None  # folder listing, or a 404 from the contents manager
        kind = handler.get_query_argument("type", None)
        if kind == "directory":
            return None
        ext = os.path.splitext(file_path)[1].lower()
        if ext not in self.editable_extensions:
            return f"content of {ext or 'extension-less'} files is not served"
        # The type is the name's, not the content's: a Parquet file renamed .txt is still
        # Parquet. Asked without format=text, the contents manager falls back to base64 for
        # bytes that are not UTF-8; with it, such a file is an error. A notebook is parsed
        # as JSON (type notebook, or no type for an .ipynb name), never returned as bytes.
        fmt = handler.get_query_argument("format", None)
        if ext == ".ipynb" and kind != "file" and fmt in (None, "json"):
            return None
        if fmt != "text":
            return "file content is served as text only (format=text)"
        return None
