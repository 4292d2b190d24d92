"""Run the catalog re-sync (hub.policy.resync) as a JupyterHub managed service of the hub.

The hub holds what the re-sync needs (the campus database URL, OPA's address, the catalog
token) and restarts a managed service that exits. The service has no URL: nothing is
routed to it and it is given no scopes. Used by hub/jupyterhub_config.py (`campus up`) and
by hub/kube/hub_config.py (the Kubernetes hub).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from hub.policy.resync import DEFAULT_EVERY

SERVICE = "catalog-resync"
# The catalog token only through the environment when the hub has it there (Kubernetes:
# the chart's Secret); on one machine the service reads it under CAMPUS_HOME/secrets/.
PASSED_ENV = ("CAMPUS_HOME", "CAMPUS_DB_URL", "CAMPUS_OPA_URL", "CAMPUS_OPA_CATALOG_TOKEN", "PATH")


def service_spec(environ: Mapping[str, str] | None = None, every: float = DEFAULT_EVERY) -> dict:
    """The JupyterHub service entry that runs the re-sync every `every` seconds."""
    env = os.environ if environ is None else environ
    return {
        "name": SERVICE,
        "command": [sys.executable, "-m", "hub.policy.resync", "--every", f"{every:g}"],
        "environment": {key: env[key] for key in PASSED_ENV if key in env},
    }


def configure_resync(c, environ: Mapping[str, str] | None = None, every: float = DEFAULT_EVERY) -> None:
    """Add (or replace) the re-sync service in `c.JupyterHub.services`."""
    services = list(c.JupyterHub.services) if isinstance(c.JupyterHub.services, list) else []
    c.JupyterHub.services = [s for s in services if s.get("name") != SERVICE] + [service_spec(environ, every)]
