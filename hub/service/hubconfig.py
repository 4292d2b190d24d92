"""Register the campus API with JupyterHub: a managed service at /services/campus/.

From a JupyterHub config file:

    from hub.service.hubconfig import configure_api
    configure_api(c)

The hub starts `python -m hub.service` with its own API token (so HubAuth can resolve
the tokens of workspace kernels) and routes /services/campus/ to it.
"""

from __future__ import annotations

import os
import sys

SERVICE = "campus"
PORT_ENV = "CAMPUS_API_PORT"
DEFAULT_PORT = 10101
# CAMPUS_OPA_TOKEN when the campus's decision token comes from the environment (else the
# service reads it under CAMPUS_HOME); the API only asks OPA, so never the catalog token.
PASSED_ENV = ("CAMPUS_HOME", "CAMPUS_DB_URL", "CAMPUS_DATA_ROOT", "CAMPUS_OPA_URL", "CAMPUS_OPA_TOKEN", "CAMPUS_BIN_DIR", "PATH")


def service_spec(port: int, environ: dict[str, str] | None = None) -> dict:
    env = os.environ if environ is None else environ
    return {
        "name": SERVICE,
        "url": f"http://127.0.0.1:{port}",
        "command": [sys.executable, "-m", "hub.service"],
        "environment": {key: env[key] for key in PASSED_ENV if key in env},
    }


def configure_api(c, environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    port = int(env.get(PORT_ENV, DEFAULT_PORT))
    services = list(c.JupyterHub.services) if isinstance(c.JupyterHub.services, list) else []
    c.JupyterHub.services = [s for s in services if s.get("name") != SERVICE] + [service_spec(port, env)]
