"""`campus project remove-member` on SQLite and PostgreSQL, against the real OPA server.

The other `campus project` commands are exercised in tests/hub/catalog/test_service.py,
whose campus (a steward sam, a researcher alice) and helpers these tests share.
"""

from __future__ import annotations

import json

import pytest

from hub.catalog.service import open_catalog
from tests.hub.catalog.test_service import campus, cli, copy_dataset, demo_source, opa_catalog, snapshot  # noqa: F401 - fixtures


@pytest.fixture
def spending(campus, demo_source, tmp_path):  # noqa: F811 - the shared fixtures
    """Project 'spending' with alice as a member and card_spending granted; rita reviews."""
    with open_catalog(settings=campus) as catalog:
        catalog.create_user("rita", ["reviewer"], actor="operator:test")
        catalog.register_dataset(copy_dataset(demo_source, "card_spending", tmp_path), actor="sam")
        catalog.create_project("spending", actor="sam", max_tier="restricted")
        catalog.add_member("spending", "alice", actor="sam")
        catalog.grant("spending", "card_spending", actor="sam", expires="2099-01-01")
    return campus


def test_remove_member_takes_the_user_out_and_reaches_the_policy(spending):
    result = cli("project", "remove-member", "spending", "alice", "--as", "sam")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "removed alice from spending"
    assert opa_catalog(spending)["projects"]["spending"]["members"] == []
    listed = json.loads(cli("project", "list", "--json").output)
    assert [(p["name"], p["members"]) for p in listed] == [("spending", [])]
    last = json.loads(cli("audit", "export").output.splitlines()[-1])
    assert (last["event"], last["actor"], last["project"], last["subject"]) == ("project.member_removed", "sam", "spending", "alice")


REFUSED = {
    "researcher": (("spending", "alice", "--as", "alice"), "alice may not project.remove_member: it needs the role steward"),
    "reviewer": (("spending", "alice", "--as", "rita"), "rita may not project.remove_member: it needs the role steward"),
    "not a member": (("spending", "rita", "--as", "sam"), "user 'rita' is not a member of project 'spending'"),
    "unknown project": (("nope", "alice", "--as", "sam"), "unknown project 'nope'"),
    "unknown user": (("spending", "mallory", "--as", "sam"), "unknown user 'mallory'"),
}


@pytest.mark.parametrize("args, expected", REFUSED.values(), ids=REFUSED.keys())
def test_refused_removal_is_one_line_exit_2_and_changes_nothing(spending, args, expected):
    before = snapshot(spending)
    result = cli("project", "remove-member", *args)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"error: {expected}"
    assert snapshot(spending) == before


def test_remove_member_without_the_actor_is_misuse(spending):
    before = snapshot(spending)
    result = cli("project", "remove-member", "spending", "alice")
    assert result.exit_code == 2
    assert snapshot(spending) == before
