"""JupyterHub RBAC for the campus: one role per kind of user, custom scopes for the campus service.

The campus web service authorises by scope, not by name: a reviewer's token carries
`custom:campus:review`, a steward's `custom:campus:steward`. Roles are rebuilt from the
campus `users` table at hub start (`managed_roles`) and at every login (`roles_of`), so a
role change in the catalog takes effect at the user's next login.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

CUSTOM_SCOPES = {
    "custom:campus:research": {"description": "Use a campus workspace and submit export requests."},
    "custom:campus:steward": {"description": "Register datasets, manage projects and grants, edit policies."},
    "custom:campus:review": {"description": "Review export requests and read the audit log."},
}

# campus role -> (JupyterHub role name, scopes). "self" gives a user their own server.
ROLE_SCOPES: dict[str, tuple[str, list[str]]] = {
    "researcher": ("campus-researcher", ["self", "custom:campus:research"]),
    "steward": ("campus-steward", ["self", "custom:campus:steward"]),
    "reviewer": ("campus-reviewer", ["self", "custom:campus:review"]),
}


def roles_of(campus_roles: Sequence[str]) -> list[dict]:
    """JupyterHub roles (as an authenticator returns them) for a user's campus roles.

    JupyterHub's own "user" role is kept: role sync strips every role not listed.
    Unknown campus roles are ignored.
    """
    names = sorted({ROLE_SCOPES[r][0] for r in campus_roles if r in ROLE_SCOPES})
    return [{"name": name} for name in ["user", *names]]


def managed_roles(users: Mapping[str, Sequence[str]]) -> list[dict]:
    """The roles to load at hub start, with their members, from {user: [campus roles]}."""
    result = []
    for campus_role, (name, scopes) in ROLE_SCOPES.items():
        members = sorted(user for user, roles in users.items() if campus_role in roles)
        result.append(
            {
                "name": name,
                "description": f"campus {campus_role}",
                "scopes": list(scopes),
                "users": members,
            }
        )
    return result


def role_definitions() -> list[dict]:
    """The campus roles without members, for `JupyterHub.load_roles` when an external
    authenticator assigns them at login (members may not be listed then)."""
    return [{k: v for k, v in role.items() if k != "users"} for role in managed_roles({})]
