"""Campus login and RBAC roles: the password check and the roles built from the users table."""

from __future__ import annotations

import bcrypt
import pytest

from hub.auth.campus import check_password
from hub.auth.roles import CUSTOM_SCOPES, managed_roles, role_definitions, roles_of

HASH = bcrypt.hashpw(b"right-password", bcrypt.gensalt(rounds=4)).decode()


@pytest.mark.parametrize(
    "password, stored, ok",
    [
        ("right-password", HASH, True),
        ("wrong-password", HASH, False),
        ("", HASH, False),
        ("right-password", "", False),  # SSO-only user: no password login
        ("right-password", "not-a-bcrypt-hash", False),
    ],
)
def test_check_password(password, stored, ok):
    assert check_password(password, stored) is ok


@pytest.mark.parametrize(
    "campus_roles, hub_roles",
    [
        (["researcher"], ["user", "campus-researcher"]),
        (["reviewer", "steward"], ["user", "campus-reviewer", "campus-steward"]),
        (["admin"], ["user"]),  # unknown campus roles give nothing
        ([], ["user"]),
    ],
)
def test_roles_of(campus_roles, hub_roles):
    assert [r["name"] for r in roles_of(campus_roles)] == hub_roles


def test_managed_roles_from_the_users_table_carry_custom_scopes():
    roles = {r["name"]: r for r in managed_roles({"alice": ["researcher"], "rita": ["reviewer"], "sam": ["steward"]})}
    assert roles["campus-reviewer"]["users"] == ["rita"]
    assert "custom:campus:review" in roles["campus-reviewer"]["scopes"]
    assert "custom:campus:review" not in roles["campus-researcher"]["scopes"]
    assert roles["campus-steward"]["scopes"] == ["self", "custom:campus:steward"]
    for role in roles.values():
        assert all(s == "self" or s in CUSTOM_SCOPES for s in role["scopes"])
    assert all("users" not in r for r in role_definitions())


def test_hub_gives_the_reviewer_the_review_scope(campus_hub):
    """Through the real hub: a steward's own token carries custom:campus:steward, alice's does not."""
    sam = campus_hub.session("sam").api("GET", "/hub/api/user").json()
    alice = campus_hub.session("alice").api("GET", "/hub/api/user").json()
    assert "campus-steward" in sam["roles"] and "custom:campus:steward" in sam["scopes"]
    assert "custom:campus:steward" not in alice["scopes"]
