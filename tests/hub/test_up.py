"""`campus up` as an operator runs it: everything starts, answers, and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from hub.db import migrate
from hub.policy.server import free_port

pytestmark = pytest.mark.slow

CAMPUS = os.path.join(os.path.dirname(sys.executable), "campus")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_campus_up_starts_everything_and_ctrl_c_stops_it(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("campus up needs root (bubblewrap sandboxes)")
    home = tmp_path / "campus"
    env = {**os.environ, "CAMPUS_HOME": str(home)}
    env.pop("CAMPUS_DB_URL", None)
    migrate(f"sqlite:///{home / 'campus.db'}")
    port, api, opa, console = (free_port() for _ in range(4))
    process = subprocess.Popen(
        [CAMPUS, "up", "--port", str(port), "--proxy-api-port", str(api), "--opa-port", str(opa), "--console-port", str(console)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        assert f"campus running at http://127.0.0.1:{port}/hub/" in line, line
        assert httpx.get(f"http://127.0.0.1:{port}/hub/health").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{opa}/health").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/hub/login").status_code == 200
        proxy_pid = int((home / "hub" / "proxy.pid").read_text())
        assert _alive(proxy_pid)
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=60)[0]
    assert process.returncode == 0, output
    assert "stopped" in output
    time.sleep(0.5)
    assert not _alive(proxy_pid)
    for p in (port, opa, api):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{p}/", timeout=2)


def test_campus_up_refuses_clashing_ports():
    result = subprocess.run(
        [CAMPUS, "up", "--port", "9000", "--opa-port", "9000"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: --port, --proxy-api-port, --opa-port, --console-port and --api-port must differ"]
