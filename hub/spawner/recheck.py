"""Grants of a running workspace, asked again while it runs (both spawners).

A workspace is started with what OPA allowed at spawn. While it runs, JupyterHub polls its
spawner (`Spawner.poll_interval`); on that poll `GrantRecheck.access_withdrawn()` asks OPA
again, at most every `grant_check_interval` seconds, about the workspace's project:

- its user is no longer a member of the project → withdrawn (even with nothing mounted);
- a dataset it mounted may no longer be used (grant revoked or expired) → withdrawn;
- OPA has not confirmed the grants for `policy_outage_grace` seconds → withdrawn (fail
  closed, but not on a brief OPA restart).

A withdrawal is audited as `workspace.access_withdrawn` with the reason; the spawner then
stops the workspace. The spawner provides `ask_policy(project)`, `project` and `mounted`
(the dataset names it mounted) and calls `grants_confirmed()` when the workspace starts.
"""

from __future__ import annotations

import asyncio
import time

from traitlets import Any, Integer
from traitlets.config import LoggingConfigurable

REFUSED_MESSAGE = "policy service unavailable"


def audit(event: str, actor: str, details: dict) -> None:
    """Append a workspace event to the campus audit log (own transaction)."""
    from hub.audit import record
    from hub.db import session_scope

    with session_scope() as session:
        record(session, event, actor, details=details)


class GrantRecheck(LoggingConfigurable):
    """Mixin for a Spawner: re-ask OPA about a running workspace and say when to stop it."""

    audit_hook = Any(
        audit,
        config=True,
        help="Callable(event, actor, details) writing to the campus audit log. Default: hub.audit.record.",
    )

    grant_check_interval = Integer(
        20,
        config=True,
        help="""Seconds between re-checks of a running workspace's grants (on JupyterHub's
        poll, `Spawner.poll_interval`, default 30 s). Default 20. Security: a revoked grant
        stops the workspace within about this plus the poll interval.""",
    )

    policy_outage_grace = Integer(
        300,
        config=True,
        help="""Seconds a running workspace may go without OPA confirming its grants before
        it is stopped. Default 300. Security: fail closed, but not on a brief restart of OPA.""",
    )

    _last_check = 0.0
    _last_confirmed = 0.0

    def grants_confirmed(self) -> None:
        """The workspace just started with grants OPA allowed: the clock starts now."""
        self._last_check = self._last_confirmed = time.monotonic()

    async def access_withdrawn(self) -> bool:
        """Re-ask OPA (throttled) whether this workspace may keep what it has; audit a withdrawal."""
        now = time.monotonic()
        if now - self._last_check < self.grant_check_interval:
            return False
        self._last_check = now
        try:
            decision = await self.ask_policy(self.project)
            error = getattr(decision, "error", "no decision")
        except Exception as exc:  # noqa: BLE001 - any failure to get an answer
            decision, error = None, f"{type(exc).__name__}: {exc}"
        details = {"project": self.project, "mounted": list(self.mounted)}
        if error:
            if now - self._last_confirmed < self.policy_outage_grace:
                self.log.warning("Grants of %s's workspace not re-checked: %s", self.user.name, error)
                return False
            details["reason"] = f"{REFUSED_MESSAGE}: {error}"
        else:
            self._last_confirmed = now
            if self.project is not None and self.project not in decision.projects:
                # Removed from the project: stop even a workspace that mounted nothing.
                details["reason"] = f"no longer a member of project {self.project}"
            else:
                withdrawn = sorted(set(self.mounted) - set(decision.allowed))
                if not withdrawn:
                    return False
                details["withdrawn"] = {name: decision.refused.get(name, "no longer granted to the project") for name in withdrawn}
        self.log.warning("Stopping %s's workspace: access withdrawn (%s)", self.user.name, details)
        await asyncio.to_thread(self.audit_hook, "workspace.access_withdrawn", self.user.name, details)
        return True
