"""Attacks from the browser side: the user's own token tries every route that returns a file.

Threat model line: "file download through Jupyter (files handler, contents API, nbconvert
export, archive download)". The workspace holds copies of dataset rows in the user's home
(a CSV, a Parquet file, a notebook with rows in its outputs, a symlink into /data); every
download route must be refused and its body must not contain the rows. The lab itself
must keep working (notebooks and scripts open in the editor).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

MARKER = "ROW-MARKER-7f3a"


@pytest.fixture(scope="module")
def alice(campus_hub):
    session = campus_hub.session("alice")
    assert session.spawn().status_code < 400
    kernel = session.kernel()
    out, error = kernel.run(
        "import duckdb, json, os, nbformat, shutil\n"
        "rows = duckdb.sql(\"select * from '/data/card_spending/card_spending.parquet' limit 20\").df()\n"
        f"rows['marker'] = '{MARKER}'\n"
        "rows.to_csv('/home/alice/rows.csv')\n"
        "rows.to_parquet('/home/alice/rows.parquet')\n"
        "open('/home/alice/rows.txt', 'w').write(rows.to_csv())\n"
        "os.makedirs('/home/alice/out', exist_ok=True); shutil.copy('/home/alice/rows.csv', '/home/alice/out/rows.csv')\n"
        "os.symlink('/data/card_spending/manifest.json', '/home/alice/link.txt')\n"
        "nb = nbformat.v4.new_notebook()\n"
        "cell = nbformat.v4.new_code_cell('rows')\n"
        "cell.outputs = [nbformat.v4.new_output('stream', name='stdout', text=rows.to_csv())]\n"
        "nb.cells.append(cell); nbformat.write(nb, '/home/alice/analysis.ipynb')\n"
        "open('/home/alice/script.py', 'w').write('print(1)\\n')\n"
        "print('ready')"
    )
    kernel.close()
    assert error is None and "ready" in out, error
    yield session
    session.stop()


# (method, path) -> must be refused; each is a way a browser gets a file's bytes.
DOWNLOAD_ROUTES = {
    "files handler": ("GET", "files/rows.csv"),
    "files handler, download": ("GET", "files/rows.csv?download=1"),
    "files handler, binary": ("GET", "files/rows.parquet"),
    "files handler, dot segment": ("GET", "./files/rows.csv"),
    "files handler, encoded": ("GET", "%66iles/rows.csv"),
    "view handler": ("GET", "view/rows.csv"),
    "contents with content": ("GET", "api/contents/rows.csv?content=1"),
    "contents as text": ("GET", "api/contents/rows.csv?type=file&format=text&content=1"),
    "contents as base64": ("GET", "api/contents/rows.parquet?type=file&format=base64&content=1"),
    "contents base64 of a text file": ("GET", "api/contents/rows.txt?format=base64&content=1"),
    "contents of a symlink into /data": ("GET", "api/contents/link.txt?type=file&format=text&content=1"),
    "contents in a folder": ("GET", "api/contents/out/rows.csv?content=1"),
    "nbconvert html download": ("GET", "nbconvert/html/analysis.ipynb?download=true"),
    "nbconvert script": ("GET", "nbconvert/script/analysis.ipynb"),
    "nbconvert api": ("GET", "api/nbconvert"),
    "nbconvert post": ("POST", "nbconvert/html"),
    "archive download": ("GET", "directories/out?archiveToken=x&archiveFormat=zip"),
    "archive api": ("GET", "api/archive/out"),
    "server proxy": ("GET", "proxy/8000/rows.csv"),
    "notebook download param": ("GET", "api/contents/analysis.ipynb?download=1"),
}


@pytest.mark.parametrize("method, path", DOWNLOAD_ROUTES.values(), ids=DOWNLOAD_ROUTES.keys())
def test_download_route_is_refused(alice, method, path):
    response = alice.server(method, path)
    assert response.status_code in (403, 404), f"{path}: {response.status_code}"
    assert MARKER not in response.text
    assert "holder_id" not in response.text


@pytest.mark.parametrize(
    "path",
    ["files/rows.csv", "api/contents/rows.csv?content=1", "nbconvert/html/analysis.ipynb", "view/rows.csv"],
)
def test_existing_download_routes_answer_403_not_404(alice, path):
    """The routes that exist in this server are refused by the authorizer, not just missing."""
    assert alice.server("GET", path).status_code == 403


# The lab must keep working: these are what it needs, and they are allowed.
LAB_NEEDS = {
    "folder listing": "api/contents?content=1",
    "notebook open": "api/contents/analysis.ipynb?type=notebook&content=1",
    "script in the editor": "api/contents/script.py?type=file&format=text&content=1",
    "metadata of a data file": "api/contents/rows.csv?content=0",
    "lab page": "lab",
    "kernel specs": "api/kernelspecs",
}


@pytest.mark.parametrize("path", LAB_NEEDS.values(), ids=LAB_NEEDS.keys())
def test_lab_keeps_working(alice, path):
    assert alice.server("GET", path).status_code == 200


def test_watermark_carries_the_user_name(alice):
    lab = alice.server("GET", "lab").text
    assert "custom/custom.css" in lab
    css = alice.server("GET", "custom/custom.css").text
    assert "alice" in css and "body::after" in css


def test_download_plugins_are_disabled_and_locked(alice):
    lab = alice.server("GET", "lab").text
    for plugin in ("@jupyterlab/docmanager-extension:download", "@jupyterlab/filebrowser-extension:download", "@jupyterlab/notebook-extension:export"):
        assert plugin in lab  # listed in the page config's disabled and locked extensions
    assert '"lockedExtensions"' in lab or "lockedExtensions" in lab


def test_another_users_server_is_refused(campus_hub, alice):
    bob = campus_hub.session("bob")
    response = bob.api("GET", "/user/alice/api/contents")
    assert response.status_code in (403, 404) or "/hub/" in str(response.url)
