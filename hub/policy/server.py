"""Run the pinned OPA binary as the campus policy server.

`OpaServer` starts `opa run --server` on loopback, loading policies/ as a bundle (so that
the catalog pushed to /v1/data/campus/catalog lives beside it, outside the bundle's roots),
watching the files so that a changed policy takes effect without a restart, with decision
logs written to the console, which is redirected to $CAMPUS_HOME/run/opa.log.

Its REST API demands a bearer token (`--authentication=token --authorization=basic`, rules
in policies/system/authz): the campus's two tokens (hub.policy.tokens, created at first
start) reach OPA in its environment only, never on its command line, where `ps` shows them.

Used by `campus up` and by the test fixture `opa_server` (tests/fixtures/opa.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from hub.errors import CampusError
from hub.policy.tokens import OpaTokens, ensure_tokens
from hub.settings import REPO_ROOT, CampusSettings, get_settings

POLICIES_DIR = REPO_ROOT / "policies"


class OpaServerError(CampusError):
    """The OPA server could not be started (missing binary, bad policy, port in use)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (for tests; a race is possible but harmless)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def opa_command(*, binary: Path, policies: Path, addr: str, watch: bool) -> list[str]:
    """The command line of the policy server (pure, so that a test can pin it)."""
    command = [
        str(binary),
        "run",
        "--server",
        # Loopback only (the caller passes 127.0.0.1:<port>); no diagnostic address is opened.
        "--addr",
        addr,
        # Every request needs the campus's bearer token, checked by data.system.authz
        # (policies/system/authz, part of the bundle): without it OPA answers 401 to
        # everything but GET /health. Without that policy loaded, OPA refuses everything.
        "--authentication=token",
        "--authorization=basic",
        # A bundle, not loose files: its roots (policies/.manifest) protect the policy data
        # from writes through the REST API, and a file-watch reload replaces only the roots,
        # keeping the catalog pushed to campus/catalog.
        "--bundle",
        str(policies),
        # The Rego tests live beside the policies but are not part of the served bundle
        # (their packages are outside the bundle's roots).
        "--ignore",
        "*_test.rego",
        # Nothing may reach the internet at run time: no version check.
        "--skip-version-check",
        "--log-format",
        "json",
        # info: besides decision logs, a failed reload of an edited policy is logged.
        "--log-level",
        "info",
        "--set",
        "decision_logs.console=true",
    ]
    if watch:
        command.append("--watch")
    return command


class OpaServer:
    """One OPA server process serving policies/ on loopback."""

    def __init__(
        self,
        *,
        settings: CampusSettings | None = None,
        port: int | None = None,
        policies: Path | None = None,
        watch: bool = True,
        log_path: Path | None = None,
    ):
        self.settings = settings or get_settings()
        configured = urlsplit(self.settings.opa_url)
        self.host = "127.0.0.1"
        self.port = port if port is not None else (configured.port or 8181)
        self.policies = Path(policies or POLICIES_DIR).resolve()
        self.watch = watch
        self.log_path = log_path or self.settings.run_dir / "opa.log"
        self.binary = self.settings.tool("opa")
        self._process: subprocess.Popen | None = None
        self.tokens: OpaTokens | None = None  # set by start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def command(self) -> list[str]:
        return opa_command(binary=self.binary, policies=self.policies, addr=f"{self.host}:{self.port}", watch=self.watch)

    def start(self, timeout: float = 15.0) -> "OpaServer":
        """Start the server and wait until /health answers; raise OpaServerError if it does not."""
        if self._process and self._process.poll() is None:
            return self
        if not os.access(self.binary, os.X_OK):
            raise OpaServerError(f"OPA binary {self.binary} is missing: run `make tools`")
        if not self.policies.is_dir():
            raise OpaServerError(f"policy folder {self.policies} does not exist")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.tokens = ensure_tokens(self.settings)
        with open(self.log_path, "ab") as log:
            # OPA's whole environment is the two tokens: policies can read the environment
            # (opa.runtime()), and nothing else of the campus's belongs there.
            self._process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self.tokens.environment()
            )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as http:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise OpaServerError(f"OPA exited with code {self._process.returncode}: {self._log_tail()}")
                try:
                    if http.get(f"{self.url}/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        self.stop()
        raise OpaServerError(f"OPA did not become healthy on {self.url} within {timeout:.0f} s: {self._log_tail()}")

    def _log_tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after `timeout` seconds)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> "OpaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
