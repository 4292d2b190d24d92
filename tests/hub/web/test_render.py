"""Safe rendering of request files for reviewers (hub/web/render.py)."""

import base64
import json

import pytest

from hub.web.render import image_type, render_file, sanitise_html

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.mark.parametrize(
    "html, kept, gone",
    [
        ("<script>alert(1)</script><b>x</b>", "<b>x</b>", ["script", "alert"]),
        ('<img src=x onerror="alert(1)">', "", ["img", "onerror"]),
        ('<a href="javascript:alert(1)">a</a>', "a", ["javascript", "href"]),
        ('<table><tr><td style="x" onclick="y">1</td></tr></table>', "<td>1</td>", ["style", "onclick"]),
        ("<iframe srcdoc='<script>x</script>'></iframe><svg onload=alert(1)>", "", ["iframe", "svg", "onload"]),
        ("<style>body{display:none}</style><p>p</p>", "<p>p</p>", ["style", "display"]),
    ],
)
def test_sanitise_html_keeps_text_and_tables_only(html, kept, gone):
    clean = str(sanitise_html(html))
    assert kept in clean
    for word in gone:
        assert word not in clean


@pytest.mark.parametrize("data, expected", [(PNG, "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg"), (b"GIF89a", "image/gif"), (b"<svg/>", None), (b"<html>", None)])
def test_image_type_by_magic_bytes(data, expected):
    assert image_type(data) == expected


def test_table_cells_named_by_findings_are_flagged(tmp_path):
    (tmp_path / "t.csv").write_text("district,n\nA,3\nB,40\nC,50\n")
    findings = [
        {"check": "sdc", "severity": "deny", "message": "small", "location": "t.csv:row 2, column n"},
        {"check": "sdc", "severity": "deny", "message": "dominated", "location": "t.csv:cell C"},
        {"check": "pii", "severity": "review", "message": "other file", "location": "u.csv:row 2, column n"},
    ]
    rendered = render_file(tmp_path / "t.csv", "t.csv", findings)
    assert rendered.kind == "table" and len(rendered.findings) == 2
    flagged = {(i, c) for i in range(3) for c in rendered.table.columns if rendered.table.is_flagged(i, c)}
    assert flagged == {(0, "n"), (2, "district"), (2, "n")}


def test_notebook_outputs_are_text_sanitised_html_or_checked_images(tmp_path):
    notebook = {
        "nbformat": 4,
        "cells": [
            {
                "cell_type": "code",
                "source": ["x"],
                "outputs": [
                    {"output_type": "display_data", "data": {"text/html": "<script>bad()</script><i>ok</i>"}},
                    {"output_type": "display_data", "data": {"image/png": base64.b64encode(PNG).decode()}},
                    {"output_type": "display_data", "data": {"image/png": base64.b64encode(b"<svg onload=x>").decode()}},
                    {"output_type": "error", "traceback": ["\x1b[31mValueError\x1b[0m: <b>"]},
                ],
            }
        ],
    }
    (tmp_path / "n.ipynb").write_text(json.dumps(notebook))
    rendered = render_file(tmp_path / "n.ipynb", "n.ipynb", [{"location": "n.ipynb:cell 1:output 1"}])
    outputs = rendered.cells[0].outputs
    assert rendered.cells[0].flagged
    assert [o.kind for o in outputs] == ["html", "image", "text", "error"]
    assert str(outputs[0].html) == "<i>ok</i>"
    assert outputs[1].image.startswith("data:image/png;base64,")
    assert outputs[3].text == "ValueError: <b>"  # escaped by the template, ANSI colours removed


@pytest.mark.parametrize("name, body", [("broken.csv", b'"a\n\x00'), ("broken.ipynb", b"{not json"), ("broken.zip", b"PK\x03\x04junk")])
def test_broken_files_are_shown_as_broken_not_as_errors(tmp_path, name, body):
    (tmp_path / name).write_bytes(body)
    rendered = render_file(tmp_path / name, name, [])
    assert rendered.kind in ("other", "table") and (rendered.kind == "table" or rendered.note.startswith("cannot be shown"))
