"""Server extension: every page whose policy requires Trusted Types loads the campus default policy first.

The workspace policy (csp.py) has `require-trusted-types-for 'script'`: the browser then
refuses a plain string at every HTML and script sink unless a Trusted Types *default*
policy turns it into a trusted value. static/trusted_types.js creates that policy: it lets
everything through except the <meta>, <base> and <link> elements, so an HTML output
cannot navigate the tab to another site (a `<meta http-equiv="refresh">`), which no CSP
directive governs.

This extension
- serves the script at `<base_url>campus/trusted_types.js` (same origin: script-src 'self'
  allows it, no inline script is needed);
- puts `<script src=…>` right after `<head>` of every HTML answer whose
  Content-Security-Policy requires Trusted Types (the lab page, its not-found page, the
  server's error pages), as a tornado output transform. The tag is synchronous and the
  lab's bundles are `defer`, so the policy exists before any of the lab's code runs.
  JupyterLab's template is left as installed.

Fail closed: an HTML answer without a `<head>` gets no script, and a page whose script
does not load has no default policy; there every sink throws instead of rendering HTML
unchecked.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from tornado import httputil
from tornado.web import OutputTransform

STATIC = Path(__file__).parent / "static"
SCRIPT = "trusted_types.js"
ROUTE = "campus/"
# The version in the URL changes with the file, so a browser never keeps an old policy.
VERSION = hashlib.sha256((STATIC / SCRIPT).read_bytes()).hexdigest()[:16]

_HEAD = re.compile(rb"<head(?:\s[^>]*)?>", re.IGNORECASE)


def script_tag(base_url: str) -> bytes:
    """The tag that loads the default policy from this server under `base_url`."""
    src = url_path_join(base_url, ROUTE, SCRIPT) + f"?v={VERSION}"
    return f'<script src="{html.escape(src, quote=True)}"></script>'.encode()


def requires_trusted_types(headers: httputil.HTTPHeaders) -> bool:
    """Whether an answer with `headers` is a page whose policy requires Trusted Types."""
    content_type = headers.get("Content-Type", "")
    policy = headers.get("Content-Security-Policy", "")
    return content_type.startswith("text/html") and "require-trusted-types-for" in policy


def inject(page: bytes, tag: bytes) -> bytes:
    """`page` with `tag` right after its first <head> tag (unchanged if it has none)."""
    return _HEAD.sub(lambda head: head.group(0) + tag, page, count=1)


def transform_for(base_url: str) -> type[OutputTransform]:
    """The output transform class that injects the script tag of `base_url`."""
    tag = script_tag(base_url)

    class TrustedTypesTransform(OutputTransform):
        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            # A page is written at once (the first chunk holds its <head>); when not, the
            # page gets no policy and fails closed.
            if chunk and requires_trusted_types(headers):
                chunk = inject(chunk, tag)
                if "Content-Length" in headers:
                    headers["Content-Length"] = str(len(chunk))
            return status_code, headers, chunk

    return TrustedTypesTransform


def _jupyter_server_extension_points():
    return [{"module": "hub.singleuser.trusted_types"}]


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    base_url = web_app.settings["base_url"]
    route = url_path_join(base_url, ROUTE, "(trusted_types\\.js)")
    web_app.add_handlers(".*", [(route, FileFindHandler, {"path": [str(STATIC)]})])
    # First: a transform that compresses (tornado's gzip, if ever enabled) must see the
    # page with the tag, not the other way round.
    web_app.transforms.insert(0, transform_for(base_url))
    serverapp.log.info("campus: Trusted Types default policy at %s", route)
