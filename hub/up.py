"""`campus up`: start a whole campus on this machine, and stop all of it cleanly.

Order of start, each step waiting until the previous one answers:
1. the database is migrated to the newest schema;
2. OPA (hub.policy.server.OpaServer) serving policies/, then the catalog pushed to it, so
   the first spawn already gets a decision from the current catalog; OPA's tokens are
   created under $CAMPUS_HOME/secrets/ at the first start, and the hub and its services
   read them there (or inherit CAMPUS_OPA_TOKEN / CAMPUS_OPA_CATALOG_TOKEN if set);
3. JupyterHub with hub/jupyterhub_config.py, which starts configurable-http-proxy, the
   campus API and console services, and the catalog re-sync (hub.policy.resync: pushes
   the catalog again if OPA is restarted) itself, until the proxy answers /hub/health.

Stop in reverse order. JupyterHub stops every workspace sandbox and the proxy on SIGTERM
(`cleanup_servers`); whatever a crash leaves behind is removed at the next hub start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from hub.errors import CampusError
from hub.settings import REPO_ROOT, CampusSettings

HUB_CONFIG = Path(__file__).parent / "jupyterhub_config.py"


class CampusUpError(CampusError):
    """A part of the campus did not start; the message names it."""


def push_catalog(settings: CampusSettings) -> None:
    """Push the current catalog to the OPA server at settings.opa_url."""
    from hub.audit import lock_head
    from hub.catalog.service import policy_data
    from hub.db import session_scope
    from hub.policy.sync import push_catalog as push
    from hub.policy.tokens import read_token

    with session_scope(settings.db_url) as session:
        # The catalog writers' lock: a write pushed but not yet committed cannot be
        # overwritten by the older catalog read here (see hub.policy.resync).
        lock_head(session)
        push(settings.opa_url, policy_data(session), token=read_token(settings, "catalog") or "")


@dataclass
class Campus:
    """The running parts of one campus; `start()` then `stop()` (also as a context manager)."""

    settings: CampusSettings
    ip: str = "127.0.0.1"
    port: int = 8000
    proxy_api_port: int = 8001
    opa_port: int = 8181
    console_port: int = 10102
    start_api: bool = True
    api_port: int | None = None  # None: a free loopback port, chosen at start
    opa: object | None = None
    hub: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            CAMPUS_HOME=str(self.settings.home),
            CAMPUS_DB_URL=self.settings.db_url,
            CAMPUS_DATA_ROOT=str(self.settings.data_root),
            CAMPUS_OPA_URL=self.settings.opa_url,
            CAMPUS_BIN_DIR=str(self.settings.bin_dir),
            CAMPUS_HUB_IP=self.ip,
            CAMPUS_HUB_PORT=str(self.port),
            CAMPUS_PROXY_API_PORT=str(self.proxy_api_port),
            CAMPUS_CONSOLE_PORT=str(self.console_port),
            CAMPUS_API="1" if self.start_api else "0",
            CAMPUS_API_PORT=str(self.api_port),
            PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
        )
        return env

    def start(self, timeout: float = 60.0) -> "Campus":
        from hub.db import migrate
        from hub.policy.server import OpaServer

        if os.geteuid() != 0:
            raise CampusUpError("campus up must run as root: workspaces are bubblewrap sandboxes, each with its own uid")
        self.settings.run_dir.mkdir(parents=True, exist_ok=True)
        migrate(self.settings.db_url)
        self.settings = self.settings.model_copy(update={"opa_url": f"http://127.0.0.1:{self.opa_port}"})
        try:
            self.opa = OpaServer(settings=self.settings, port=self.opa_port).start()
            push_catalog(self.settings)
            if self.api_port is None:
                from hub.policy.server import free_port

                self.api_port = free_port()
            # The hub runs the campus API as a managed service (hub/service/hubconfig.py), so
            # that it gets its own API token to resolve the tokens of workspace kernels.
            env = self.env()
            command = [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)]
            with open(self.settings.run_dir / "hub.log", "ab") as log:
                self.hub = subprocess.Popen(
                    command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            self._wait_for_hub(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_hub(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.hub.poll() is not None:
                raise CampusUpError(f"JupyterHub exited with code {self.hub.returncode}; see {self.settings.run_dir / 'hub.log'}")
            try:
                if httpx.get(f"{self.url}/hub/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise CampusUpError(f"JupyterHub did not answer at {self.url} within {timeout:.0f} s; see {self.settings.run_dir / 'hub.log'}")

    def stop(self) -> None:
        """Stop the hub (and with it the proxy, the campus services and the workspaces), then OPA."""
        process = self.hub
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        self.hub = None
        if self.opa is not None:
            self.opa.stop()
            self.opa = None

    def __enter__(self) -> "Campus":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
