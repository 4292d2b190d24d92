"""Spawn-to-ready time of a sandboxed workspace, against the same server started without a sandbox.

`python -m bench.bench_spawn [--runs N]`. Starts a throw-away campus (OPA, hub, proxy) with
the demo users, then for N runs:

- end to end: POST /hub/api/users/alice/server until the hub reports the server ready
  (OPA decision, home and config written, bwrap, server start, bridge, proxy route);
- sandboxed server: the spawner's own measure from bwrap's start to the server's socket
  (audit detail `ready_seconds` of workspace.spawned);
- baseline: the same jupyterhub-singleuser command, same configuration and environment,
  started directly on the host (no bwrap, no uid switch) until its socket appears.

The ratio sandboxed / baseline is the cost of the sandbox itself. Goal: end to end <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select


def _baseline_once(campus_hub, token: str, work: Path) -> float:
    """Start the workspace server unsandboxed with the campus config; seconds to its socket."""
    from hub.singleuser.files import write_config
    from hub.spawner import workspace_files

    config = work / "config"
    write_config(config, user="alice")
    sock = work / "server.sock"
    sock.unlink(missing_ok=True)
    home = work / "home"
    home.mkdir(exist_ok=True)
    hub_sock = workspace_files.hub_socket_dir(campus_hub.settings) / "hub.sock"
    env = {
        "PATH": f"{sys.prefix}/bin:/usr/bin:/bin",
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_CONFIG_PATH": str(config),
        "JUPYTERHUB_API_TOKEN": token,
        "JUPYTERHUB_API_URL": "http+unix://" + str(hub_sock).replace("/", "%2F") + "/hub/api",
        "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-alice",
        "JUPYTERHUB_USER": "alice",
        "JUPYTERHUB_SERVER_NAME": "",
        "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/",
        "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:8888/user/alice/",
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_DISABLE_USER_CONFIG": "1",
    }
    start = time.monotonic()
    process = subprocess.Popen(
        # --allow-root: the bench runs as root and the baseline skips the uid switch too.
        [f"{sys.prefix}/bin/jupyterhub-singleuser", f"--ServerApp.sock={sock}", f"--LabApp.app_settings_dir={config}/lab/settings", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(work / "baseline.log", "ab"), cwd=home,
    )  # fmt: skip
    try:
        while not sock.exists():
            if process.poll() is not None:
                raise RuntimeError(f"baseline server exited with {process.returncode}: {(work / 'baseline.log').read_text()[-3000:]}")
            if time.monotonic() - start > 60:
                raise TimeoutError("baseline server not ready after 60 s")
            time.sleep(0.02)
        return time.monotonic() - start
    finally:
        process.terminate()
        process.wait(10)


def _sandboxed_ready_seconds(settings) -> list[float]:
    from hub.audit import AuditEvent
    from hub.db import session_scope

    with session_scope(settings.db_url) as session:
        rows = session.execute(select(AuditEvent).where(AuditEvent.event == "workspace.spawned").order_by(AuditEvent.seq)).scalars()
        return [r.details["ready_seconds"] for r in rows if "ready_seconds" in r.details]


def run(runs: int) -> dict:
    from tests.fixtures.hub import running_campus

    with tempfile.TemporaryDirectory(prefix="bench-spawn-") as base, running_campus(Path(base)) as campus_hub:
        alice = campus_hub.session("alice")
        end_to_end = []
        for _ in range(runs):
            start = time.monotonic()
            response = alice.spawn()
            if response.status_code >= 400:
                raise RuntimeError(f"spawn failed: {response.text}")
            end_to_end.append(time.monotonic() - start)
            alice.stop()
        sandboxed = _sandboxed_ready_seconds(campus_hub.settings)[-runs:]
        work = Path(base) / "baseline"
        work.mkdir()
        baseline = [_baseline_once(campus_hub, alice.token, work) for _ in range(runs)]
    return {"end_to_end": end_to_end, "sandboxed": sandboxed, "baseline": baseline}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv if argv is not None else [])
    if os.geteuid() != 0:
        print("bench_spawn: needs root (bubblewrap sandboxes with per-user uids); skipped")
        return
    result = run(args.runs)
    med = {k: statistics.median(v) for k, v in result.items()}
    print(f"spawn-to-ready, median of {args.runs} runs (goal end to end <= 5 s):")
    print(f"  end to end through the hub : {med['end_to_end']:.2f} s   (runs: {', '.join(f'{x:.2f}' for x in result['end_to_end'])})")
    print(f"  sandboxed server start     : {med['sandboxed']:.2f} s")
    print(f"  same server, no sandbox    : {med['baseline']:.2f} s")
    print(f"  sandbox / no sandbox       : {med['sandboxed'] / med['baseline']:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
