"""The server side of the Trusted Types default policy: which answers get the script, and where.
(The policy itself runs in chromium in test_trusted_types_js.py; the real lab is attacked in
tests/hub/attacks/test_browser_egress.py.)"""

from __future__ import annotations

import pytest
from tornado.httputil import HTTPHeaders
from traitlets.config import Config

from hub.singleuser import csp, server_config, trusted_types

TAG = trusted_types.script_tag("/user/bob/")
LAB_PAGE = b'<!doctype html><html lang="en"><head><meta charset="utf-8"><script defer src="main.js"></script></head><body></body></html>'


def first_chunk(body: bytes, content_type: str = "text/html; charset=UTF-8", policy: str = csp.WORKSPACE_POLICY):
    headers = HTTPHeaders({"Content-Type": content_type, "Content-Security-Policy": policy, "Content-Length": str(len(body))})
    transform = trusted_types.transform_for("/user/bob/")(request=None)
    _status, headers, chunk = transform.transform_first_chunk(200, headers, body, True)
    return headers, chunk


def test_the_tag_loads_the_script_from_this_server():
    assert TAG == (b'<script src="/user/bob/campus/trusted_types.js?v=' + trusted_types.VERSION.encode() + b'"></script>')


def test_a_base_url_cannot_break_out_of_the_attribute():
    tag = trusted_types.script_tag('/user/"><img src=x>/')
    assert tag.count(b'"') == 2 and tag.count(b"<") == 2  # src="…" and <script></script> only


def test_the_lab_page_gets_the_script_before_any_other():
    headers, chunk = first_chunk(LAB_PAGE)
    assert chunk.startswith(b'<!doctype html><html lang="en"><head>' + TAG + b'<meta charset="utf-8">')
    assert chunk.count(TAG) == 1
    assert headers["Content-Length"] == str(len(chunk))


@pytest.mark.parametrize(
    "page",
    [b"<HTML><HEAD>TITLE</HEAD></HTML>", b'<html><head data-x="1">TITLE</head></html>', b"<html><head\n>TITLE</head></html>"],
)
def test_any_spelling_of_head_gets_it(page):
    _headers, chunk = first_chunk(page)
    assert TAG in chunk and chunk.index(TAG) < chunk.index(b"TITLE")


@pytest.mark.parametrize(
    ("body", "content_type", "policy"),
    [
        (LAB_PAGE, "text/html", csp.DASHBOARD_POLICY),  # a Dask dashboard page: no Trusted Types there
        (b'{"head": "<head>"}', "application/json", csp.WORKSPACE_POLICY),  # the API
        (b"<head>", "text/plain", csp.WORKSPACE_POLICY),
        (LAB_PAGE, "text/html", ""),
        (b"<header>no head here</header>", "text/html", csp.WORKSPACE_POLICY),  # fails closed in the browser
    ],
)
def test_other_answers_are_left_as_they_are(body, content_type, policy):
    headers, chunk = first_chunk(body, content_type, policy)
    assert chunk == body
    assert headers["Content-Length"] == str(len(body))


def test_the_workspace_policy_requires_trusted_types_and_names_every_policy():
    assert trusted_types.requires_trusted_types(HTTPHeaders({"Content-Type": "text/html", "Content-Security-Policy": csp.WORKSPACE_POLICY}))
    names = csp.WORKSPACE_DIRECTIVES["trusted-types"][0].split()
    assert names[:2] == ["default", "campus-parse"]  # the two policies of static/trusted_types.js
    assert "'allow-duplicates'" not in names  # nothing else can take campus-parse's name


def test_the_script_creates_exactly_the_campus_policies():
    script = (trusted_types.STATIC / trusted_types.SCRIPT).read_text()
    assert 'createPolicy("campus-parse"' in script and 'createPolicy("default"' in script


def test_server_config_enables_the_extension():
    c = Config()
    server_config.apply(c)
    assert c.ServerApp.jpserver_extensions["hub.singleuser.trusted_types"] is True
