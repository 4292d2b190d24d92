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


def _children(pid: int) -> dict[int, str]:
    """Child processes of `pid` and their command lines (from /proc)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    found[int(entry)] = cmdline.read().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_campus_up_restores_the_catalog_after_opa_restarts(tmp_path):
    """The hub's catalog-resync service pushes the catalog into a restarted OPA."""
    if os.geteuid() != 0:
        pytest.skip("campus up needs root (bubblewrap sandboxes)")
    from hub.catalog.service import open_catalog
    from hub.policy.server import OpaServer
    from hub.policy.sync import fetch_catalog
    from hub.settings import CampusSettings
    from hub.up import Campus

    home = tmp_path / "campus"
    settings = CampusSettings.from_env({"CAMPUS_HOME": str(home)})
    migrate(settings.db_url)
    campus = Campus(settings, port=free_port(), proxy_api_port=free_port(), opa_port=free_port(), console_port=free_port(), start_api=False)
    with campus:
        with open_catalog(settings=campus.settings) as catalog:
            catalog.create_user("alice", ["researcher"], actor="operator:test")
        resync = [pid for pid, command in _children(campus.hub.pid).items() if "hub.policy.resync" in command]
        assert len(resync) == 1, _children(campus.hub.pid)

        campus.opa.stop()
        campus.opa = OpaServer(settings=campus.settings, port=campus.opa_port).start()
        assert fetch_catalog(campus.settings.opa_url) is None
        deadline = time.monotonic() + 25  # one 10 s tick, plus the service's start
        while fetch_catalog(campus.settings.opa_url) is None and time.monotonic() < deadline:
            time.sleep(0.25)
        assert fetch_catalog(campus.settings.opa_url)["users"] == {"alice": {"roles": ["researcher"]}}
    time.sleep(0.5)
    assert not _alive(resync[0]), "the service stops with the hub"
