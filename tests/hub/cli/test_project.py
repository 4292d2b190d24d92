"""`campus project remove-member` on SQLite and PostgreSQL, against the real OPA server.

The other `campus project` commands are exercised in tests/hub/catalog/test_service.py;
both use the campus of tests/fixtures/catalog.py (a steward sam, a researcher alice).
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.catalog import campus, cli, demo_source, membership, opa_catalog, snapshot  # noqa: F401 - fixtures


def test_remove_member_takes_the_user_out_and_reaches_the_policy(membership):
    result = cli("project", "remove-member", "spending", "alice", "--as", "sam")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "removed alice from spending"
    assert opa_catalog(membership)["projects"]["spending"]["members"] == []
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
def test_refused_removal_is_one_line_exit_2_and_changes_nothing(membership, args, expected):
    before = snapshot(membership)
    result = cli("project", "remove-member", *args)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"error: {expected}"
    assert snapshot(membership) == before


def test_remove_member_without_the_actor_is_misuse(membership):
    before = snapshot(membership)
    result = cli("project", "remove-member", "spending", "alice")
    assert result.exit_code == 2
    assert snapshot(membership) == before
