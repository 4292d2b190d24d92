"""The Dask dashboard through the hub, and what a web server of the user's own cannot do with that route.

Threat model line: "file download through Jupyter" — here through the dashboard proxy.
bob's workspace runs campus.cluster() (the real dashboard), `python -m http.server` in his
home (which holds rows, also under dashboard-looking names), and a server of his own
answering dashboard paths with rows as CSV, as an attachment, as a stylesheet, oversized
or binary. Everything goes through the real hub, proxy and sandbox with bob's token.
"""

from __future__ import annotations

import re
from pathlib import Path

import bokeh
import distributed
import httpx
import pytest
import websocket

pytestmark = pytest.mark.slow

MARKER = "ROW-MARKER-5d21"
FILES_PORT = 8765  # python -m http.server in the home (the sandbox's loopback is its own)
OWN_PORT = 8766  # a server answering dashboard paths the way bob chooses

OWN_SERVER = r'''
"""bob's own web server: dashboard paths, answered with rows."""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROWS = open("/home/bob/data.csv", "rb").read()
ANSWERS = {
    "/status": (200, {"Content-Type": "text/csv"}, ROWS),
    "/workers": (200, {"Content-Type": "text/html", "Content-Disposition": 'attachment; filename="data.csv"'}, ROWS),
    "/tasks": (200, {"Content-Type": "text/html"}, b"<pre>" + ROWS * 100_000),
    "/system": (200, {"Content-Type": "text/html"}, b"PAR1\xff\xfe\x00" + ROWS),
    "/graph": (302, {"Location": "https://elsewhere.example/?" + ROWS.hex()}, b""),
    "/statics/css/base.css": (200, {"Content-Type": "text/css"}, ROWS),
    "/static/js/bokeh.min.js": (200, {"Content-Type": "text/javascript"}, b"var rows = `" + ROWS + b"`;"),
    "/groups": (200, {"Content-Type": "text/html", "X-Rows": ROWS.hex(), "Set-Cookie": "rows=" + ROWS.hex()},
                b"<html><body><pre>" + ROWS + b"</pre></body></html>"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        code, headers, body = ANSWERS.get(self.path.split("?")[0], (200, {"Content-Type": "text/html"}, ROWS))
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
'''

SETUP = f"""
import os, socket, subprocess, sys, time
import campus
client = campus.cluster(n_workers=1)
rows = "holder_id,amount_krw\\nH001-{MARKER},1000\\nH002-{MARKER},2000\\n"
os.makedirs("/home/bob/statics/css", exist_ok=True)
for name in ("data.csv", "status", "statics/css/base.css"):
    open("/home/bob/" + name, "w").write(rows)
open("/home/bob/own_server.py", "w").write({OWN_SERVER!r})
quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/home/bob", start_new_session=True)
subprocess.Popen([sys.executable, "-m", "http.server", "{FILES_PORT}", "--bind", "127.0.0.1"], **quiet)
subprocess.Popen([sys.executable, "/home/bob/own_server.py", "{OWN_PORT}"], **quiet)
for port in ({FILES_PORT}, {OWN_PORT}):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
print("LINK", client.dashboard_link)
"""


@pytest.fixture(scope="module")
def bob(campus_hub):
    session = campus_hub.session("bob")
    assert session.spawn().status_code < 400
    kernel = session.kernel()
    out, error = kernel.run(SETUP, timeout=180)
    assert error is None, error
    session.dashboard_link = re.search(r"LINK (\S+)", out).group(1)
    session.dashboard_port = int(re.search(r"/proxy/(\d+)/status$", session.dashboard_link).group(1))
    yield session
    kernel.close()
    session.stop()


def dashboard_base(bob) -> str:
    """The dashboard's folder under bob's server: /user/bob/proxy/PORT/."""
    return bob.dashboard_link.rsplit("/", 1)[0] + "/"


def request(bob, method: str, path: str, headers: dict | None = None) -> httpx.Response:
    """`method` on bob's server path `path`, with his token and `headers`, through the hub."""
    url = f"{bob.hub.url}/user/bob/{path}"
    return httpx.request(method, url, headers={**bob.headers, **(headers or {})}, timeout=60)


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 403, f"{response.request.url}: {response.status_code}"
    assert MARKER not in response.text
    assert MARKER.encode().hex() not in response.text
    assert "Content-Disposition" not in response.headers


# --- the dashboard works -------------------------------------------------------------


def test_dashboard_link_is_under_bobs_server(bob):
    assert bob.dashboard_link == f"/user/bob/proxy/{bob.dashboard_port}/status"


def test_dashboard_page_through_the_hub(bob):
    response = bob.api("GET", bob.dashboard_link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Dask" in response.text and "Bokeh" in response.text


@pytest.mark.parametrize(("pattern", "package_file"), [
    (r'href="(statics/css/base\.css)"', Path(distributed.__file__).parent / "http/static/css/base.css"),
    (r'src="(static/js/bokeh\.min\.js\?v=[0-9a-f]+)"', Path(bokeh.__file__).parent / "server/static/js/bokeh.min.js"),
])
def test_dashboard_assets_through_the_hub(bob, pattern, package_file):
    page = bob.api("GET", bob.dashboard_link).text
    reference = re.search(pattern, page).group(1)
    response = bob.api("GET", dashboard_base(bob) + reference)
    assert response.status_code == 200
    assert response.content == package_file.read_bytes()


def test_dashboard_websocket_through_the_hub(bob, campus_hub):
    page = bob.api("GET", bob.dashboard_link).text
    token = re.search(r'"token":"([^"]+)"', page).group(1)
    url = campus_hub.url.replace("http://", "ws://") + bob.dashboard_link + "/ws"
    ws = websocket.create_connection(url, header=[f"Authorization: token {bob.token}"], subprotocols=["bokeh", token], timeout=30)
    try:
        assert '"msgtype":"ACK"' in ws.recv().replace(" ", "")  # Bokeh's first message: the header of its ACK
    finally:
        ws.close()


# --- attacks --------------------------------------------------------------------------

# (method, path, headers); {dash} is the real dashboard's port. Each is refused with 403.
REFUSED = {
    "file of the home": ("GET", f"proxy/{FILES_PORT}/data.csv", {}),
    "file of the home, other name": ("GET", f"proxy/{FILES_PORT}/own_server.py", {}),
    "folder listing": ("GET", f"proxy/{FILES_PORT}/", {}),
    "file named like a page": ("GET", f"proxy/{FILES_PORT}/status", {}),
    "file named like a stylesheet": ("GET", f"proxy/{FILES_PORT}/statics/css/base.css", {}),
    "encoded dot segments": ("GET", f"proxy/{FILES_PORT}/statics/%2e%2e/data.csv", {}),
    "page as text/csv": ("GET", f"proxy/{OWN_PORT}/status", {}),
    "page as an attachment": ("GET", f"proxy/{OWN_PORT}/workers", {}),
    "page too large": ("GET", f"proxy/{OWN_PORT}/tasks", {}),
    "binary page": ("GET", f"proxy/{OWN_PORT}/system", {}),
    "redirect out of the hub": ("GET", f"proxy/{OWN_PORT}/graph", {}),
    "rows as the dashboard's css": ("GET", f"proxy/{OWN_PORT}/statics/css/base.css", {}),
    "rows as bokeh's javascript": ("GET", f"proxy/{OWN_PORT}/static/js/bokeh.min.js", {}),
    "post to a page": ("POST", f"proxy/{OWN_PORT}/status", {}),
    "post to the dashboard": ("POST", "proxy/{dash}/status", {}),
    "put to the dashboard": ("PUT", "proxy/{dash}/status", {}),
    "delete": ("DELETE", "proxy/{dash}/status", {}),
    "head": ("HEAD", "proxy/{dash}/status", {}),
    "options": ("OPTIONS", "proxy/{dash}/status", {}),
    "download argument": ("GET", "proxy/{dash}/status?download=1", {}),
    "streamed answer": ("GET", f"proxy/{OWN_PORT}/status", {"Accept": "text/event-stream"}),
    "host and port": ("GET", f"proxy/localhost:{FILES_PORT}/data.csv", {}),
    "absolute": ("GET", f"proxy/absolute/{FILES_PORT}/data.csv", {}),
    "dashboard json api": ("GET", "proxy/{dash}/json/identity.json", {}),
    "server-proxy info": ("GET", "server-proxy/servers-info", {}),
    "server-proxy to a port": ("GET", f"server-proxy/{FILES_PORT}/data.csv", {}),
}


@pytest.mark.parametrize("method, path, headers", REFUSED.values(), ids=REFUSED.keys())
def test_proxy_attack_is_refused(bob, method, path, headers):
    assert_refused(request(bob, method, path.format(dash=bob.dashboard_port), headers))


@pytest.mark.parametrize("path", [f"proxy/{FILES_PORT}/data.csv", f"proxy/{OWN_PORT}/status", "proxy/{dash}/status"])
def test_websocket_outside_the_dashboard_ws_routes_is_refused(bob, campus_hub, path):
    url = campus_hub.url.replace("http://", "ws://") + "/user/bob/" + path.format(dash=bob.dashboard_port)
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, header=[f"Authorization: token {bob.token}"], timeout=30)
    assert refused.value.status_code == 403


def test_users_own_page_shows_only_as_a_page(bob):
    """What remains: a server of bob's may answer a dashboard path with an HTML page of rows.

    The browser shows it, as it shows a cell output; it carries no file, no cookie and no
    header of the server's choosing.
    """
    response = request(bob, "GET", f"proxy/{OWN_PORT}/groups")
    assert response.status_code == 200 and MARKER in response.text
    assert "X-Rows" not in response.headers and "Set-Cookie" not in response.headers
    assert "Content-Disposition" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("user", ["sam", None])
def test_other_users_cannot_reach_bobs_dashboard(campus_hub, bob, user):
    headers = campus_hub.session(user).headers if user else {}
    for path in (bob.dashboard_link, f"/user/bob/proxy/{OWN_PORT}/groups"):
        response = httpx.get(campus_hub.url + path, headers=headers, timeout=30, follow_redirects=False)
        assert response.status_code != 200, path
        assert "Dask" not in response.text and MARKER not in response.text
