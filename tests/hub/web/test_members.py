"""A steward removes a project member through the console, in a real browser.

The removal is asked for on the projects page (the confirmation names the user and the
project), decided by campus.admin, audited as project.member_removed, and pushed to OPA:
the removed user's access decision no longer lists the project.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def members_on_page(tab, project: str) -> list[str]:
    return tab.page.locator(f"#{project} ul.members .member").all_inner_texts()


def test_steward_removes_a_member_through_the_page(console_campus, console_page):
    from hub.catalog.service import open_catalog
    from hub.policy.client import PolicyClient

    with open_catalog(settings=console_campus.settings) as catalog:
        catalog.create_project("lab", actor="sam", max_tier="internal")
        for member in ("alice", "rex"):
            catalog.add_member("lab", member, actor="sam")
    policy = PolicyClient.for_campus(console_campus.settings)
    assert "lab" in policy.access("alice").projects

    tab = console_page("sam")
    page = tab.page
    tab.open("projects")
    assert members_on_page(tab, "lab") == ["alice", "rex"]
    alice = page.locator("#lab ul.members li", has=page.locator(".member", has_text="alice"))
    confirm = alice.locator("button.danger")
    assert not confirm.is_visible()  # nothing is removed by one stray click
    alice.locator("summary").click()
    assert "Remove alice from project lab?" in alice.locator("form").inner_text()
    tab.shoot("projects-remove-member")
    confirm.click()
    assert "removed alice from lab" in page.locator(".flash").inner_text()
    assert members_on_page(tab, "lab") == ["rex"]
    assert not tab.errors

    assert "lab" not in policy.access("alice").projects
    assert "lab" in policy.access("rex").projects
    policy.close()

    auditor = console_page("rita")
    auditor.open("audit?event=project.member_removed")
    rows = auditor.page.locator("table.audit tbody tr")
    assert rows.count() == 1
    assert all(word in rows.first.inner_text() for word in ("sam", "lab", "alice"))


def test_removing_someone_who_is_not_a_member_says_so_and_changes_nothing(console_campus, console_page):
    from hub.audit import AuditHead
    from hub.db import session_scope

    tab = console_page("sam")
    tab.open("projects")
    token = tab.page.locator("input[name=_xsrf]").first.get_attribute("value")
    with session_scope(console_campus.settings.db_url) as session:
        before = session.get(AuditHead, 1).last_seq
    response = tab.page.request.post(f"{console_campus.console}projects/lab/remove-member", form={"_xsrf": token, "user": "ravi"}, max_redirects=0)
    assert response.status == 302
    tab.open("projects")
    assert "user 'ravi' is not a member of project 'lab'" in tab.page.locator(".flash.error").inner_text()
    with session_scope(console_campus.settings.db_url) as session:
        assert session.get(AuditHead, 1).last_seq == before


def test_a_removal_without_the_csrf_token_is_refused(console_campus, console_page):
    tab = console_page("sam")
    tab.open("projects")
    response = tab.page.request.post(f"{console_campus.console}projects/lab/remove-member", form={"user": "rex"})
    assert response.status == 403
    tab.open("projects")
    assert members_on_page(tab, "lab") == ["rex"]
