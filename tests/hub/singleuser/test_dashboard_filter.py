"""The dashboard proxy's response filter on real tornado responses, one answer at a time
(the real server is attacked in tests/hub/attacks/test_dashboard_proxy.py)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import bokeh
import distributed
import pytest
from jupyter_server_proxy.handlers import RewritableResponse
from tornado.httpclient import HTTPRequest, HTTPResponse
from tornado.httputil import HTTPHeaders

from hub.singleuser.dashboard_filter import MAX_PAGE_BYTES, filter_response

BOKEH_JS = (Path(bokeh.__file__).parent / "server/static/js/bokeh.min.js").read_bytes()
DASK_CSS = (Path(distributed.__file__).parent / "http/static/css/base.css").read_bytes()
PAGE = b"<!DOCTYPE html><html><head><title>Dask Diagnostic UI</title></head><body></body></html>"
ROWS = b"holder_id,amount\nH001,1000\n"


def answer(path: str, body: bytes, content_type: str | None = "text/html", code: int = 200, **headers) -> RewritableResponse:
    """Pass a backend answer through the filter; return what the browser would get."""
    all_headers = HTTPHeaders({k.replace("_", "-"): v for k, v in headers.items()})
    if content_type:
        all_headers["Content-Type"] = content_type
    response = RewritableResponse(
        orig_response=HTTPResponse(HTTPRequest("http://localhost:8787" + path), code, headers=all_headers, buffer=BytesIO(body))
    )
    filter_response(response, path, 8787)
    return response


def assert_refused(response: RewritableResponse) -> None:
    assert response.code == 403
    assert response.body.startswith(b"refused by the campus")
    assert ROWS not in response.body
    assert "Content-Disposition" not in response.headers


def assert_passed(response: RewritableResponse, body: bytes) -> None:
    assert response.code in (200, 302, 304)
    assert response.body == body


PASSED = {
    "dashboard page": ("/status", PAGE, "text/html; charset=utf-8"),
    "plot index": ("/individual-plots.json", b'{"Task Stream": "/individual-task-stream"}', "application/json"),
    "bokeh javascript": ("/static/js/bokeh.min.js", BOKEH_JS, "text/javascript"),
    "dask css": ("/statics/css/base.css", DASK_CSS, "text/css"),
    "page not found": ("/static/js/missing.js", b"<html>404: Not Found</html>", "text/html"),
}
REFUSED = {
    "csv on a page route": ("/status", ROWS, "text/csv"),
    "no content type": ("/status", ROWS, None),
    "octet stream": ("/status", ROWS, "application/octet-stream"),
    "page too large": ("/status", b"<p>" + b"x" * MAX_PAGE_BYTES, "text/html"),
    "binary labelled html": ("/status", b"PAR1\xff\xfe\x00\x81", "text/html"),
    "rows as a stylesheet": ("/statics/css/base.css", ROWS, "text/css"),
    "rows as javascript": ("/static/js/bokeh.min.js", ROWS, "text/javascript"),
    "another package file": ("/static/js/bokeh.min.js", DASK_CSS, "text/javascript"),
    "static not in the packages": ("/statics/data.js", ROWS, "text/javascript"),
    "right file, wrong type": ("/statics/css/base.css", DASK_CSS, "text/csv"),
    "not a dashboard route": ("/data.csv", PAGE, "text/html"),
}


@pytest.mark.parametrize("path, body, content_type", PASSED.values(), ids=PASSED.keys())
def test_dashboard_answers_pass(path, body, content_type):
    code = 404 if "missing" in path else 200
    response = answer(path, body, content_type, code=code)
    assert response.code == code and response.body == body


@pytest.mark.parametrize("path, body, content_type", REFUSED.values(), ids=REFUSED.keys())
def test_other_answers_are_refused(path, body, content_type):
    assert_refused(answer(path, body, content_type))


@pytest.mark.parametrize("disposition", ["attachment", 'attachment; filename="rows.csv"', "inline"])
def test_content_disposition_is_refused(disposition):
    assert_refused(answer("/status", PAGE, Content_Disposition=disposition))


def test_only_dashboard_headers_pass():
    response = answer("/status", PAGE, X_Rows="H001,1000", Set_Cookie="rows=H001", Cache_Control="no-store")
    assert_passed(response, PAGE)
    assert set(response.headers) == {"Content-Type", "Cache-Control", "X-Content-Type-Options"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("location", ["https://elsewhere.example/?rows=H001", "//elsewhere.example/x", "javascript:alert(1)"])
def test_redirect_out_of_the_server_is_refused(location):
    assert_refused(answer("/info", b"", None, code=302, Location=location))


def test_redirect_on_the_server_and_not_modified_pass():
    assert answer("/info", b"", "text/html", code=302, Location="info/main/workers.html").headers["Location"] == "info/main/workers.html"
    assert_passed(answer("/static/js/bokeh.min.js", b"", None, code=304), b"")


def test_location_on_a_page_answer_is_refused():
    assert_refused(answer("/status", PAGE, Location="/user/bob/lab"))
