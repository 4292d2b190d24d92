"""The console end to end, in a real browser through the real hub OAuth.

One story, in order: a steward registers a dataset and grants it to a project; a
researcher's export request lands in review; a reviewer approves it with a reason; the
researcher downloads the released file; a reviewer cannot
approve their own request, neither through the page nor with a forged POST; the audit page
shows all of it and the chain verifies. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures.web import ARTIFACTS

pytestmark = pytest.mark.slow

SUMMARY = "district,total_sales_krw\nGangnam-gu,912345000\nMapo-gu,512000000\nJongno-gu,300000000\n"


@pytest.fixture(scope="module")
def story() -> dict:
    """What earlier steps of the story left for later ones."""
    return {}


def exports(campus):
    from hub.egress.service import ExportService

    return ExportService(campus.settings)


def submit(campus, user: str, files: list[tuple[str, bytes]], reason: str = "district totals for the paper") -> tuple[str, str]:
    service = exports(campus)
    request_id = service.submit(user=user, project="retail", reason=reason, files=files)
    outcome = service.process(request_id)
    return request_id, outcome.state


def test_steward_registers_a_dataset_from_the_server(console_page, story):
    tab = console_page("sam")
    tab.open("datasets/new")
    tab.shoot("dataset-new")
    tab.page.fill("input[name=server_path]", "store_sales/store_sales.parquet")
    tab.page.click("text=Preview columns")
    page = tab.page
    assert "/datasets/new/" in page.url
    # The suggestions come from names and values: the business number column is an identifier.
    row = page.locator("tr", has=page.locator("code", has_text="store_name"))
    assert "direct_identifier" in row.locator("td").nth(3).inner_text()
    assert page.locator("select[name=class-0]").input_value() == "direct_identifier"  # brn
    tab.shoot("dataset-preview")
    page.fill("input[name=title]", "Monthly sales per store")
    page.fill("textarea[name=description]", "Monthly card sales per store, synthetic")
    page.select_option("select[name=tier]", "confidential")
    for i, column_class in enumerate(["direct_identifier", "direct_identifier", "quasi_identifier", "quasi_identifier", "attribute", "sensitive", "sensitive"]):
        page.select_option(f"select[name=class-{i}]", column_class)
    page.click("button[value=register]")
    assert page.url.endswith("/datasets/store_sales"), page.locator(".error").all_inner_texts()
    assert "registered store_sales" in page.locator(".flash").inner_text()
    tab.shoot("dataset")
    tab.open("datasets")
    tab.shoot("datasets")
    assert not tab.errors


@pytest.mark.parametrize(
    "server_path, message",
    [
        ("/etc/passwd", "outside the import folders"),
        ("../../../../etc/hostname", "outside the import folders"),
        ("store_sales/missing.parquet", "is not a file"),
        ("", "give a file to upload or a server path"),
    ],
)
def test_server_paths_outside_the_import_folders_are_refused(console_page, server_path, message):
    tab = console_page("sam")
    tab.open("datasets/new")
    tab.page.fill("input[name=server_path]", server_path)
    tab.page.click("text=Preview columns")
    assert message in tab.page.locator(".error").inner_text()


def test_upload_preview_suggests_classes_from_values(console_page, tmp_path):
    data = tmp_path / "people.csv"
    data.write_text("who,contact,jumin,gu,spend\n김민준,010-1234-5678,900101-1234567,Mapo-gu,12000\n이서연,010-2222-3333,950505-2345678,Jongno-gu,8000\n")
    tab = console_page("sam")
    tab.open("datasets/new")
    tab.page.set_input_files("input[name=upload]", str(data))
    tab.page.click("text=Preview columns")
    chosen = [tab.page.locator(f"select[name=class-{i}]").input_value() for i in range(5)]
    assert chosen == ["direct_identifier", "direct_identifier", "direct_identifier", "quasi_identifier", "sensitive"]
    tab.page.click("button[value=discard]")
    assert "discarded" in tab.page.locator(".flash").inner_text()


def test_steward_creates_a_project_adds_members_and_grants(console_page, story):
    tab = console_page("sam")
    page = tab.page
    tab.open("projects")
    page.fill("section.card:last-of-type input[name=name]", "retail")
    page.select_option("section.card:last-of-type select[name=max_tier]", "confidential")
    page.click("text=Create project")
    assert "created project retail" in page.locator(".flash").inner_text()
    for member in ("alice", "rex"):
        page.select_option("#retail select[name=user]", member)
        page.click("#retail >> text=Add member")
        assert f"added {member} to retail" in page.locator(".flash").inner_text()
    expiry = (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%d")
    page.select_option("#retail select[name=dataset]", "store_sales")
    page.fill("#retail input[name=expires]", expiry)
    page.click("#retail >> button:text('Grant')")
    assert f"granted store_sales to retail until {expiry}" in page.locator(".flash").inner_text()
    assert "store_sales" in page.locator("#retail table").inner_text()
    tab.shoot("projects")
    assert not tab.errors


@pytest.mark.parametrize(
    "action, fields, message",
    [
        ("grant", {"dataset": "store_sales", "expires": "2001-01-01"}, "is in the past"),
        ("grant", {"dataset": "store_sales", "expires": "2099-01-01"}, "is already granted to project 'retail'"),
        ("member", {"user": "alice"}, "already a member"),
        ("revoke", {"dataset": "nonexistent"}, "unknown dataset"),
    ],
)
def test_refused_project_changes_say_why_and_change_nothing(console_page, console_campus, action, fields, message):
    from hub.db import session_scope
    from hub.audit import AuditHead

    with session_scope(console_campus.settings.db_url) as session:
        before = session.get(AuditHead, 1).last_seq
    tab = console_page("sam")
    tab.open("projects")
    token = tab.page.locator("#retail input[name=_xsrf]").first.get_attribute("value")
    # Not following the redirect, so that the next page shows the one-time message.
    response = tab.page.request.post(f"{console_campus.console}projects/retail/{action}", form={"_xsrf": token, **fields}, max_redirects=0)
    assert response.status == 302
    tab.open("projects")
    assert message in tab.page.locator(".flash.error").inner_text()
    with session_scope(console_campus.settings.db_url) as session:
        assert session.get(AuditHead, 1).last_seq == before


def test_researchers_and_reviewers_cannot_use_steward_pages(console_page):
    tab = console_page("alice")
    for path in ("datasets", "datasets/new", "projects", "policies", "audit"):
        response = tab.open(path)
        assert response.status == 403, path
    tab.shoot("forbidden")


def test_researcher_request_lands_in_review(console_campus, console_page, story):
    request_id, state = submit(console_campus, "alice", [("district_sales.csv", SUMMARY.encode())])
    assert state == "in_review", exports(console_campus).show(request_id, "alice")
    story["request"] = request_id
    tab = console_page("alice")
    tab.open("requests")
    assert request_id in tab.page.locator("table").inner_text()
    assert "in_review" in tab.page.locator("table").inner_text()
    tab.shoot("my-requests")


def test_reviewer_sees_the_queue_and_the_request(console_page, story):
    tab = console_page("rita")
    tab.open("review")
    assert story["request"] in tab.page.locator("table").inner_text()
    tab.shoot("review-queue")
    tab.open(f"review/{story['request']}")
    page = tab.page
    assert "district_sales.csv" in page.locator(".file").first.inner_text()
    assert page.locator("table.data td", has_text="Gangnam-gu").count() == 1
    assert page.locator("#decision button[value=approve]").count() == 1
    tab.shoot("review-request")
    assert not tab.errors


def test_reviewers_approve_with_a_reason_and_the_request_is_released(console_page, story):
    import re

    tab = console_page("rita")
    tab.open(f"review/{story['request']}")
    page = tab.page
    # How many approvals is the policy's answer (two when the request derives from store_sales,
    # registered above as a two-person dataset); the page shows it before anyone decides.
    required = int(re.search(r"Approvals: 0 of (\d)", page.locator("#decision").inner_text())[1])
    page.click("#decision button[value=approve]")  # no reason: the browser refuses to submit
    assert page.url.endswith(story["request"]) and page.locator(".flash").count() == 0
    page.fill("#decision textarea[name=reason]", "district totals, large cells, no identifiers")
    page.click("#decision button[value=approve]")
    if required == 2:
        assert "is now in_review" in page.locator(".flash").inner_text()
        assert "Approvals: 1 of 2" in page.locator("#decision").inner_text()
        # rita has had her say: the policy refuses her a second vote, and the page says so.
        assert "has already reviewed" in page.locator("#refused").inner_text()
        tab.shoot("review-first-of-two")
        tab = console_page("ravi")
        tab.open(f"review/{story['request']}")
        page = tab.page
        page.fill("#decision textarea[name=reason]", "agree: aggregates only")
        page.click("#decision button[value=approve]")
    assert "is now released" in page.locator(".flash").inner_text(), page.locator(".flash").inner_text()
    tab.shoot("review-released")


def test_researcher_downloads_the_released_file(console_page, story):
    tab = console_page("alice")
    tab.open(f"requests/{story['request']}")
    assert "released" in tab.page.locator("h1").inner_text()
    tab.shoot("my-request-released")
    with tab.page.expect_download() as event:
        tab.page.click("a.download")
    target = ARTIFACTS / "downloaded-district_sales.csv"
    event.value.save_as(target)
    assert target.read_text() == SUMMARY


def test_only_the_author_may_download(console_page, story):
    tab = console_page("rex")  # a researcher of the same project
    response = tab.open(f"requests/{story['request']}/download/district_sales.csv")
    assert response.status == 404


def test_reviewer_cannot_approve_their_own_request(console_campus, console_page, story):
    request_id, state = submit(console_campus, "rex", [("district_sales.csv", SUMMARY.encode())], reason="my own")
    assert state == "in_review"
    tab = console_page("rex")
    tab.open("review")
    assert "your own" in tab.page.locator("table").inner_text()
    tab.open(f"review/{request_id}")
    page = tab.page
    assert "may not review their own export request" in page.locator("#refused").inner_text()
    assert page.locator("#decision button").count() == 0
    tab.shoot("review-own-refused")
    # A forged POST, with a valid CSRF token taken from another form of the console, is refused too.
    tab.open(f"review/{story['request']}")
    token = tab.page.locator("input[name=_xsrf]").first.get_attribute("value") if tab.page.locator("input[name=_xsrf]").count() else None
    if token is None:  # the released request has no form: take the token from the cookie JupyterHub set
        token = next(c["value"] for c in tab.page.context.cookies() if c["name"] == "_xsrf")
    response = page.request.post(
        f"{console_campus.console}review/{request_id}", form={"_xsrf": token, "verdict": "approve", "reason": "looks fine to me"}, max_redirects=0
    )
    assert response.status == 302  # back to the page, which shows the policy's refusal
    tab.open(f"review/{request_id}")
    assert "may not review their own export request" in tab.page.locator(".flash").inner_text()
    assert exports(console_campus).show(request_id, "rex")["state"] == "in_review"
    story["own"] = request_id


def test_a_post_without_the_csrf_token_is_refused(console_campus, console_page, story):
    tab = console_page("ravi")
    tab.open("review")
    response = tab.page.request.post(f"{console_campus.console}review/{story['own']}", form={"verdict": "approve", "reason": "x"})
    assert response.status == 403
    assert exports(console_campus).show(story["own"], "ravi")["state"] == "in_review"


def test_audit_page_shows_the_story_and_the_chain_verifies(console_campus, console_page, story):
    tab = console_page("rita")
    tab.open("audit")
    text = tab.page.locator("table.audit").inner_text()
    for event in ("dataset.registered", "project.created", "project.member_added", "grant.created", "export.submitted", "export.reviewed", "export.released", "export.downloaded"):
        assert event in text, event
    assert tab.page.locator("svg.chart rect").count() >= 1
    tab.shoot("audit")
    tab.open("audit?event=export.downloaded")
    rows = tab.page.locator("table.audit tbody tr")
    assert rows.count() == 1 and "alice" in rows.first.inner_text()
    tab.open("audit?user=rex&event=export.submitted")
    assert tab.page.locator("table.audit tbody tr").count() == 1
    tab.page.click("text=Verify chain")
    result = tab.page.locator("#verify-result").inner_text()
    assert result.startswith("audit chain verified"), result
    tab.shoot("audit-verified")
    exported = tab.page.request.get(f"{console_campus.console}audit/export.csv?dataset=store_sales")
    records = list(csv.DictReader(io.StringIO(exported.text())))
    assert {r["event"] for r in records} >= {"dataset.registered", "grant.created"}
    assert all(r["dataset"] == "store_sales" for r in records)
    lines = tab.page.request.get(f"{console_campus.console}audit/export.jsonl?event=export.downloaded").text().splitlines()
    assert [json.loads(line)["subject"] for line in lines] == [story["request"]]
    assert not tab.errors


def test_a_tampered_audit_log_fails_verification_on_the_page(console_campus, console_page):
    from sqlalchemy import select

    from hub.audit import AuditEvent
    from hub.db import session_scope

    with session_scope(console_campus.settings.db_url) as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.event == "grant.created")).scalars().first()
        seq, original = event.seq, event.actor
        event.actor = "mallory"
    try:
        tab = console_page("rita")
        tab.open("audit/verify")
        result = tab.page.locator("#verify-result").inner_text()
        assert result == f"audit chain broken at event {seq}: content does not match its hash (event edited)"
        tab.shoot("audit-broken")
    finally:
        with session_scope(console_campus.settings.db_url) as session:
            session.get(AuditEvent, seq).actor = original


PWN = "window.pwned = true; document.title = 'pwned'"
NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {},
    "cells": [
        {"cell_type": "markdown", "id": "c1", "metadata": {}, "source": f"# Results <script>{PWN}</script>"},
        {
            "cell_type": "code",
            "id": "c2",
            "execution_count": 1,
            "metadata": {},
            "source": "display(HTML(payload))",
            "outputs": [
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {
                        "text/html": f'<script>{PWN}</script><img src="x" onerror="{PWN}"><a href="javascript:{PWN}">link</a>'
                        f'<iframe srcdoc="<script>{PWN}</script>"></iframe><table><tr><td id="x" onclick="{PWN}">safe cell</td></tr></table>',
                        "text/plain": "<IPython.core.display.HTML object>",
                    },
                },
                {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN}"/>'}},
                {"output_type": "display_data", "metadata": {}, "data": {"image/png": "PHNjcmlwdD53aW5kb3cucHduZWQ9dHJ1ZTwvc2NyaXB0Pg=="}},
                {"output_type": "stream", "name": "stdout", "text": f"<script>{PWN}</script>"},
            ],
        },
    ],
}


def test_nothing_in_a_researchers_files_runs_in_the_reviewers_browser(console_campus, console_page):
    files = [
        ("analysis.ipynb", json.dumps(NOTEBOOK).encode()),
        ("chart.svg", f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN}"><script>{PWN}</script></svg>'.encode()),
        ("fake.png", f"<html><script>{PWN}</script></html>".encode()),
        ("notes.txt", f"<script>{PWN}</script>".encode()),
    ]
    request_id, _ = submit(console_campus, "alice", files, reason="charts")
    tab = console_page("rita")
    response = tab.open(f"review/{request_id}")
    assert response.headers["content-security-policy"].startswith("default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'")
    page = tab.page
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert "pwned" not in page.title()
    assert page.locator("script, iframe, object, embed").count() == 0
    assert page.locator("[onerror], [onclick], [onload], a[href^='javascript']").count() == 0
    # What is harmless is still shown: the sanitised table and the sources as text.
    assert page.locator(".html-output td", has_text="safe cell").count() == 1
    assert "<script>" in page.locator("#file-2 pre.text").inner_text()  # the SVG, as escaped text
    assert "not the image its name claims" in page.locator("#file-3").inner_text()
    tab.shoot("review-hostile-files")
    # The image endpoint serves checked raster images only.
    for name in ("chart.svg", "fake.png"):
        assert page.request.get(f"{console_campus.console}review/{request_id}/image/{name}").status == 415


PAGES = {
    "sam": ["", "datasets", "datasets/store_sales", "datasets/new", "projects", "policies", "policies/file/campus/admin/admin.rego", "audit"],
    "rita": ["review", "audit", "audit/verify"],
    "alice": ["requests"],
}


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_pages_render_without_console_errors_and_fit_the_screen(console_page, viewport, story):
    for user, paths in PAGES.items():
        tab = console_page(user, viewport=viewport)
        for path in [*paths, *([f"review/{story['request']}"] if user == "rita" else []), *([f"requests/{story['request']}"] if user == "alice" else [])]:
            response = tab.open(path)
            assert response.status == 200, path
            assert not tab.errors, (path, tab.errors)
            # Wide tables scroll inside their own box: the page itself never scrolls sideways.
            assert tab.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
            if viewport["width"] < 500:
                tab.shoot("phone-" + (path.replace("/", "-") or "home"))


def test_steward_runs_the_policy_tests(console_page):
    tab = console_page("sam")
    tab.open("policies")
    tab.page.click("text=Run the policy tests")
    summary = tab.page.locator("#results p").first.inner_text()
    assert " tests passed, 0 failed; coverage " in summary, summary
    assert tab.page.locator("#results td", has_text="campus/admin/admin.rego").count() == 1
    tab.shoot("policies-tested")
