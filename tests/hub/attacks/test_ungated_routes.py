"""Attacks on the routes the authorizer is not asked about, from the browser side.

jupyter_server asks the authorizer only from handler methods decorated with `@authorized`;
JupyterLab's own APIs, jupyter-lsp and any other extension's handlers are not. The campus
therefore refuses, before any handler runs, every route it has not audited and every
request the authorizer's rules refuse (hub/singleuser/route_guard.py). Each attack below
plants rows in alice's home, tries to get them back through one of those routes, and
asserts that the answer is refused and carries no row; a positive control shows the
route itself still works for what the lab needs.
"""

from __future__ import annotations

import base64
import json

import pytest

pytestmark = pytest.mark.slow

MARKER = "ROW-MARKER-9c1e"
# The Parquet footer magic: a base64 answer of the planted Parquet file would decode to it.
PARQUET_MAGIC = base64.b64encode(b"PAR1").decode()[:4]


@pytest.fixture(scope="module")
def alice(campus_hub):
    session = campus_hub.session("alice")
    assert session.spawn().status_code < 400
    out, error = session.run(
        "import duckdb, json, os, shutil\n"
        "rows = duckdb.sql(\"select * from '/data/card_spending/card_spending.parquet' limit 20\").df()\n"
        f"rows['marker'] = '{MARKER}'\n"
        "rows.to_csv('/home/alice/rows.csv')\n"
        "rows.to_parquet('/home/alice/rows.parquet')\n"
        "os.makedirs('/home/alice/cfg', exist_ok=True)\n"
        "rows.to_json('/home/alice/cfg/rows.json', orient='records')\n"
        # A kernelspec of the user's own (IPython's folder is on jupyter_client's search path
        # unless the campus pins it), with a copy of the rows as its 'logo' and as a file.
        "spec = '/home/alice/.ipython/kernels/own'\n"
        "os.makedirs(spec, exist_ok=True)\n"
        "json.dump({'argv': ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], 'display_name': 'own', 'language': 'python'}, open(spec + '/kernel.json', 'w'))\n"
        "shutil.copy('/home/alice/rows.parquet', spec + '/rows.parquet')\n"
        "shutil.copy('/home/alice/rows.csv', spec + '/logo-64x64.png')\n"
        "open('/home/alice/script.py', 'w').write('print(1)\\n')\n"
        "print('ready')"
    )
    assert error is None and "ready" in out, error
    yield session
    session.stop()


def assert_refused(response, *statuses):
    statuses = statuses or (403, 404)
    assert response.status_code in statuses, f"{response.request.url}: {response.status_code} {response.text[:200]}"
    assert MARKER not in response.text
    assert "holder_id" not in response.text


def copy_and_rename(alice, source: str, target: str) -> None:
    """Copy `source` and rename the copy `target`, through the contents API as the lab would."""
    alice.server("DELETE", f"api/contents/{target}")
    copied = alice.server("POST", "api/contents", json={"copy_from": source})
    assert copied.status_code == 201, copied.text
    renamed = alice.server("PATCH", f"api/contents/{copied.json()['path']}", json={"path": target})
    assert renamed.status_code == 200, renamed.text


# --- contents API: a binary file under an editable name ---------------------------------

# Without `format`, the contents manager decodes a file as UTF-8 and falls back to base64:
# a Parquet file renamed .txt would come back whole.
DISGUISED_READS = {
    "no format": "api/contents/disguised.txt?content=1",
    "type file, no format": "api/contents/disguised.txt?type=file&content=1",
    "as a notebook name, type file": "api/contents/disguised.ipynb?type=file&content=1",
    "format json": "api/contents/disguised.txt?type=file&format=json&content=1",
}


@pytest.mark.parametrize("path", DISGUISED_READS.values(), ids=DISGUISED_READS.keys())
def test_renamed_binary_file_is_not_returned(alice, path):
    copy_and_rename(alice, "rows.parquet", "disguised.txt")
    copy_and_rename(alice, "rows.parquet", "disguised.ipynb")
    response = alice.server("GET", path)
    assert_refused(response, 400, 403, 404)
    assert '"format": "base64"' not in response.text and '"format":"base64"' not in response.text
    assert PARQUET_MAGIC not in response.text


def test_renamed_binary_file_as_text_is_an_error_not_bytes(alice):
    copy_and_rename(alice, "rows.parquet", "disguised.txt")
    response = alice.server("GET", "api/contents/disguised.txt?type=file&format=text&content=1")
    assert_refused(response, 400, 403)


def test_the_editor_still_reads_a_text_file(alice):
    response = alice.server("GET", "api/contents/script.py?type=file&format=text&content=1")
    assert response.status_code == 200 and response.json()["content"] == "print(1)\n"
    # A notebook opens without naming a format (the lab asks type=notebook).
    assert alice.server("POST", "api/contents", json={"type": "notebook"}).status_code == 201


# --- kernelspec resources -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["kernelspecs/own/rows.parquet", "kernelspecs/own/logo-64x64.png", "kernelspecs/own/kernel.json"])
def test_kernelspec_of_the_users_own_serves_nothing(alice, path):
    assert_refused(alice.server("GET", path))


def test_kernelspecs_are_only_the_campus_ones(alice):
    specs = alice.server("GET", "api/kernelspecs")
    assert specs.status_code == 200
    assert set(specs.json()["kernelspecs"]) == {"python3"}, specs.json()["kernelspecs"].keys()


# --- JupyterLab's own APIs (not gated by the authorizer) ----------------------------------

TRAVERSAL = "..%2F" * 12 + "home%2Falice%2F"

LAB_API_ATTACKS = {
    "settings schema path traversal": ("GET", f"lab/api/settings/{TRAVERSAL}cfg:rows"),
    "settings schema from an absolute path": ("GET", "lab/api/settings/%2Fhome%2Falice%2Fcfg:rows"),
    "settings write outside the settings folder": ("PUT", f"lab/api/settings/{TRAVERSAL}cfg:planted"),
    "themes path traversal": ("GET", f"lab/api/themes/{TRAVERSAL}rows.csv"),
    "lab extensions path traversal": ("GET", f"lab/extensions/{TRAVERSAL}rows.csv"),
    "static path traversal": ("GET", f"static/{TRAVERSAL}rows.csv"),
    "custom path traversal": ("GET", f"custom/{TRAVERSAL}rows.csv"),
    "workspace id traversal": ("GET", f"lab/api/workspaces/{TRAVERSAL}cfg%2Frows"),
    "licenses as a download": ("GET", "lab/api/licenses/?download=1"),
    "translations download param": ("GET", "lab/api/translations/en?download=1"),
    "lab build": ("POST", "lab/api/build"),
    "extension manager": ("POST", "lab/api/extensions"),
    "plugin manager re-enables the Javascript renderer": ("POST", "lab/api/plugins"),
    "language server status": ("GET", "lsp/status"),
    "language server websocket": ("GET", "lsp/ws/pylsp"),
    "notebooks redirect": ("GET", "api/notebooks/rows.csv"),
    "prometheus metrics": ("GET", "metrics"),
    "an unaudited route": ("GET", "api/collaboration/room/x"),
    "CORS preflight on the contents API": ("OPTIONS", "api/contents/rows.csv"),
}


@pytest.mark.parametrize("method, path", LAB_API_ATTACKS.values(), ids=LAB_API_ATTACKS.keys())
def test_lab_api_attack_is_refused(alice, method, path):
    body = None
    if method in ("PUT", "POST"):
        body = {"raw": json.dumps({"x": 1}), "cmd": "enable", "plugin_name": "@jupyterlab/javascript-extension:factory"}
    response = alice.server(method, path, json=body)
    assert_refused(response)


def test_plugin_manager_cannot_unlock_the_javascript_renderer(alice):
    response = alice.server("POST", "lab/api/plugins", json={"cmd": "enable", "plugin_name": "@jupyterlab/javascript-extension:factory"})
    assert response.status_code == 403
    page = alice.server("GET", "lab").text
    start = page.index(">", page.index('id="jupyter-config-data"')) + 1
    config = json.loads(page[start : page.index("</script>", start)])
    assert "@jupyterlab/javascript-extension" in config["disabledExtensions"]
    # The plugin list the lab's plugin manager shows still answers.
    assert alice.server("GET", "lab/api/plugins").status_code == 200


def test_workspace_saved_under_a_traversal_id_stays_a_workspace(alice):
    """Whatever id is sent, the workspace is a file of the workspaces folder, not of the home."""
    data = {"data": {"marker": "harmless"}, "metadata": {"id": "../../../x"}}
    alice.server("PUT", f"lab/api/workspaces/{TRAVERSAL}planted", json=data)
    listing = alice.server("GET", "api/contents?content=1").json()["content"]
    assert "planted" not in {item["name"] for item in listing}
    assert "planted.jupyterlab-workspace" not in {item["name"] for item in listing}


# Positive controls: what the lab needs of these APIs still answers.
LAB_API_NEEDS = {
    "settings": "lab/api/settings",
    "one plugin's settings": "lab/api/settings/@jupyterlab/apputils-extension:themes",
    "workspaces": "lab/api/workspaces",
    "translations": "lab/api/translations",
    "listings": "lab/api/listings/@jupyterlab/extensionmanager-extension/listings.json",
    "licenses": "lab/api/licenses/",
    "the lab page of a folder": "lab/tree/cfg",
    "the identity": "api/me",
    "the trusted types policy": "campus/trusted_types.js",
}


@pytest.mark.parametrize("path", LAB_API_NEEDS.values(), ids=LAB_API_NEEDS.keys())
def test_lab_api_needed_by_the_lab_answers(alice, path):
    response = alice.server("GET", path)
    assert response.status_code == 200, f"{path}: {response.status_code}"


def test_settings_are_saved_where_the_lab_reads_them(alice):
    """PUT then GET of a plugin's settings round-trips (the user's own input, no file of the home)."""
    raw = json.dumps({"theme": "JupyterLab Dark"})
    put = alice.server("PUT", "lab/api/settings/@jupyterlab/apputils-extension:themes", json={"raw": raw})
    if put.status_code == 204:
        got = alice.server("GET", "lab/api/settings/@jupyterlab/apputils-extension:themes").json()
        assert got["raw"] == raw
    else:
        # The settings folder is part of the read-only configuration: refused, nothing written.
        assert put.status_code in (403, 500), put.status_code
