"""Register the console with JupyterHub: a managed service at /services/console/.

Called from a JupyterHub config file:

    from hub.web.hubconfig import configure_console
    configure_console(c)

It adds the service (started and stopped by the hub, OAuth without a confirmation page),
lets its OAuth tokens carry the campus role scopes (so the console sees
`custom:campus:steward` etc. in the user model), and gives every hub user access to it
(`access:services!service=console`); what a user may see or do there is then up to their
campus roles and OPA.
"""

from __future__ import annotations

import os
import sys

from hub.auth.roles import CUSTOM_SCOPES

SERVICE = "console"
PORT_ENV = "CAMPUS_CONSOLE_PORT"
DEFAULT_PORT = 10102
# What the console needs from the hub's environment (it is not inherited otherwise). The
# OPA tokens when they come from the environment: the console writes the catalog.
PASSED_ENV = (
    "CAMPUS_HOME", "CAMPUS_DB_URL", "CAMPUS_DATA_ROOT", "CAMPUS_OPA_URL", "CAMPUS_OPA_TOKEN", "CAMPUS_OPA_CATALOG_TOKEN",
    "CAMPUS_BIN_DIR", "CAMPUS_CONSOLE_IMPORT_ROOTS", "CAMPUS_CONSOLE_HUB_SCOPES", "PATH",
)  # fmt: skip


def service_spec(port: int, environ: dict[str, str] | None = None) -> dict:
    """The JupyterHub service entry of the console (pure, so a test can pin it)."""
    env = os.environ if environ is None else environ
    return {
        "name": SERVICE,
        "display": True,
        "info": {"description": "Campus console: catalog, projects, review, audit"},
        "url": f"http://127.0.0.1:{port}",
        "command": [sys.executable, "-m", "hub.web"],
        "environment": {key: env[key] for key in PASSED_ENV if key in env},
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": sorted(CUSTOM_SCOPES),
    }


def configure_console(c, environ: dict[str, str] | None = None) -> None:
    """Add the console service and the access it needs to JupyterHub config `c`."""
    env = os.environ if environ is None else environ
    port = int(env.get(PORT_ENV, DEFAULT_PORT))
    services = list(c.JupyterHub.services) if isinstance(c.JupyterHub.services, list) else []
    c.JupyterHub.services = [s for s in services if s.get("name") != SERVICE] + [service_spec(port, env)]
    roles = list(c.JupyterHub.load_roles) if isinstance(c.JupyterHub.load_roles, list) else []
    user_role = next((r for r in roles if r.get("name") == "user"), None)
    if user_role is None:
        user_role = {"name": "user", "description": "Standard user privileges", "scopes": ["self"]}
        roles.append(user_role)
    access = f"access:services!service={SERVICE}"
    if access not in user_role["scopes"]:
        user_role["scopes"] = [*user_role["scopes"], access]
    c.JupyterHub.load_roles = roles
