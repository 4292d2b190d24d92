"""Which project a workspace works for: chosen when it starts, one at a time.

A workspace mounts the datasets granted to one project, never the union over all of a
user's projects: datasets granted to different projects (for different purposes, often
under different agreements) must not meet in one kernel, and an export request belongs
to exactly one project, whose reviewers and thresholds apply.

A member of one project gets it without being asked. A member of several picks one on
the spawn page (JupyterHub's options form, `form()`) or passes it in the REST API's
`user_options` ({"project": "..."}); starting without a choice is refused with the list of
choices. Used by both spawners (hub/spawner/spawner.py and hub/kube/spawner.py).
"""

from __future__ import annotations

from html import escape

from traitlets import default
from traitlets.config import LoggingConfigurable

from hub.errors import CampusError


class ProjectChoiceError(CampusError):
    """The workspace cannot start: no project or a project the user is not in was chosen."""

    def __init__(self, message: str):
        super().__init__(message)
        # JupyterHub shows this attribute to the user (spawn page and API error).
        self.jupyterhub_message = message


def requested(user_options: dict | None) -> str | None:
    """The project asked for in the spawn options, if any (blank counts as none)."""
    value = (user_options or {}).get("project")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProjectChoiceError("the project of a workspace must be given as its name")
    return value.strip() or None


def choose(wanted: str | None, projects: list[str]) -> str | None:
    """The project the workspace works for; None for a user in no project (a workspace without data)."""
    if wanted is not None:
        if wanted not in projects:
            mine = ", ".join(projects) or "none"
            raise ProjectChoiceError(f"you are not a member of project {wanted!r} (your projects: {mine})")
        return wanted
    if len(projects) > 1:
        raise ProjectChoiceError(f"choose the project this workspace works for: {', '.join(projects)}")
    return projects[0] if projects else None


def form(projects: list[str]) -> str:
    """The spawn page's project chooser; empty (no form at all) for fewer than two projects."""
    if len(projects) < 2:
        return ""
    options = "\n".join(f'  <option value="{escape(name)}">{escape(name)}</option>' for name in projects)
    return (
        '<label for="campus-project">Project for this workspace</label>\n'
        '<select id="campus-project" name="project" class="form-control" required>\n'
        f"{options}\n"
        "</select>\n"
        "<p>The workspace mounts the datasets granted to this project only; "
        "exports from it are requests of this project.</p>"
    )


def remember(spawner, name: str | None) -> None:
    """Record the chosen project in the server's user_options, where the hub API shows it.

    Services that act for the workspace (dask-gateway on Kubernetes) read the project from
    the hub's model of the running server, never from the user. Saved in the hub's
    database too, so it survives a hub restart and is the default of the next start.
    """
    if name is None:
        return
    spawner.user_options = {**(spawner.user_options or {}), "project": name}
    orm_spawner = getattr(spawner, "orm_spawner", None)
    if orm_spawner is not None:
        orm_spawner.user_options = spawner.user_options
        spawner.db.commit()


async def options_form(spawner) -> str:
    """JupyterHub's options_form for a spawner with `ask_policy(project)`: the chooser, or nothing.

    If the policy cannot be asked the page shows no form; start() then asks again and
    refuses with a clear message, so nothing is decided here.
    """
    try:
        decision = await spawner.ask_policy(None)
    except Exception:  # noqa: BLE001 - the refusal happens, audited, in start()
        return ""
    return "" if getattr(decision, "error", None) else form(decision.projects)


def from_form(formdata: dict[str, list[str]]) -> dict[str, str]:
    """JupyterHub's options_from_form: the form's fields (lists of strings) to user_options."""
    values = formdata.get("project") or [""]
    return {"project": values[0]}


class ProjectChoice(LoggingConfigurable):
    """Mixin for a Spawner with `ask_policy(project)`: the spawn page asks for the project."""

    @default("options_form")
    def _default_options_form(self):
        return options_form

    @default("options_from_form")
    def _default_options_from_form(self):
        return from_form
