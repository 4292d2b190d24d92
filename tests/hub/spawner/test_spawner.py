"""The sandbox spawner through the real hub and proxy: log in, spawn, query, stop, audit.

Everything here goes through the browser's path: the hub's login form, the hub REST API
with the user's own token, the Jupyter kernel websocket through the proxy.
"""

from __future__ import annotations

import os
import subprocess

import duckdb
import pytest

from hub.catalog.service import open_catalog

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def alice(campus_hub):
    session = campus_hub.session("alice")
    assert session.spawn().status_code < 400
    yield session
    session.stop()


def test_login_with_wrong_password_fails(campus_hub):
    with pytest.raises(AssertionError, match="login of alice failed"):
        type(campus_hub.session("alice")).login(campus_hub, "alice", "not-her-password")


def test_duckdb_query_on_granted_dataset_gives_the_right_answer(campus_hub, alice):
    expected = duckdb.sql(
        f"select count(*), round(sum(amount_krw)) from '{campus_hub.settings.data_root}/card_spending/card_spending.parquet'"
    ).fetchall()[0]
    out, error = alice.run(
        "import duckdb\n"
        "print(duckdb.sql(\"select count(*), round(sum(amount_krw)) from '/data/card_spending/card_spending.parquet'\").fetchall()[0])"
    )
    assert error is None
    assert out.strip() == str(expected)


def test_workspace_sees_exactly_its_grants_home_and_campus_paths(alice):
    out, error = alice.run(
        "import os; print(sorted(os.listdir('/data')), sorted(os.listdir('/home')), os.getcwd(), os.getuid() != 0,"
        " os.environ['CAMPUS_USER'], os.environ['CAMPUS_API_SOCKET'])"
    )
    assert error is None
    assert out.strip() == "['card_spending'] ['alice'] /home/alice True alice /run/campus/api/api.sock"


def test_spawn_is_audited_with_mounted_datasets(campus_hub, alice):
    spawned = campus_hub.audit_events("workspace.spawned", "alice")
    assert spawned and spawned[-1]["mounted"] == ["card_spending"]


def test_home_persists_and_a_new_grant_appears_at_the_next_spawn(campus_hub):
    bob = campus_hub.session("bob")
    assert bob.spawn().status_code < 400
    kernel = bob.kernel()
    try:
        kernel.run("open('/home/bob/notes.txt', 'w').write('kept')")
        out, _ = kernel.run("import os; print(sorted(os.listdir('/data')))")
        assert out.strip() == "['store_sales']"
    finally:
        kernel.close()
    bob.stop()
    assert campus_hub.audit_events("workspace.stopped", "bob")

    with open_catalog(settings=campus_hub.settings) as catalog:
        catalog.grant("retail", "card_spending", actor="sam", expires="2099-01-01")
    try:
        assert bob.spawn().status_code < 400
        out, _ = bob.run("import os; print(sorted(os.listdir('/data')), open('/home/bob/notes.txt').read())")
        assert out.strip() == "['card_spending', 'store_sales'] kept"
        bob.stop()
    finally:
        with open_catalog(settings=campus_hub.settings) as catalog:
            catalog.revoke("retail", "card_spending", actor="sam")
    # Revoked: gone at the next spawn.
    assert bob.spawn().status_code < 400
    try:
        out, _ = bob.run("import os; print(sorted(os.listdir('/data')))")
    finally:
        bob.stop()
    assert out.strip() == "['store_sales']"


def test_stop_kills_every_sandbox_process_and_cleans_up(campus_hub):
    bob = campus_hub.session("bob")
    assert bob.spawn().status_code < 400
    run_dir = campus_hub.settings.run_dir / "workspaces" / "bob"
    pid = int((run_dir / "bwrap.pid").read_text())
    kernel = bob.kernel()
    kernel.run("import subprocess; subprocess.Popen(['sleep', '600'])")
    kernel.ws.close()
    bob.stop()
    assert not run_dir.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # The sleep was started inside the sandbox: it must have died with its PID namespace.
    processes = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout.splitlines()
    assert [p for p in processes if p.split(None, 1)[1:] == ["sleep 600"]] == []


def test_policy_service_down_refuses_the_spawn_and_audits_it(campus_hub):
    """Fail closed: no decision from OPA, no workspace."""
    from hub.policy.server import OpaServer
    from hub.up import push_catalog

    opa = campus_hub.campus.opa
    opa.stop()
    try:
        bob = campus_hub.session("bob")
        response = bob.spawn()
        assert response.status_code >= 400
        assert "policy service unavailable" in response.json()["message"]
        assert bob.server_state() == {}
        refused = campus_hub.audit_events("workspace.spawn_refused", "bob")
        assert refused and refused[-1]["error"]
    finally:
        campus_hub.campus.opa = OpaServer(settings=campus_hub.settings, port=opa.port).start()
        push_catalog(campus_hub.settings)
    assert bob.spawn().status_code < 400
    bob.stop()


def test_resource_limits_apply_to_the_workspace(campus_hub, alice):
    """Memory/CPU/process limits: cgroups where the host lets the hub write them, rlimits always."""
    from hub.spawner import limits

    out, error = alice.run("import resource; print(resource.getrlimit(resource.RLIMIT_NPROC)[0])")
    assert error is None and int(out) == 512
    mode = limits.probe()
    name = limits.group_name(alice.hub.settings.home, "alice")
    if mode == "v1":
        group = limits.CGROUP_ROOT / "memory" / limits.GROUP_PARENT / name
        assert int((group / "memory.limit_in_bytes").read_text()) == 4 * 1024**3
        assert (group / "cgroup.procs").read_text().split()
        assert int((limits.CGROUP_ROOT / "pids" / limits.GROUP_PARENT / name / "pids.max").read_text()) == 512
    elif mode == "v2":
        group = limits.CGROUP_ROOT / limits.GROUP_PARENT / name
        assert int((group / "memory.max").read_text()) == 4 * 1024**3


def test_a_socket_made_after_the_spawn_is_reached_from_the_workspace(campus_hub, alice):
    """The API's folder is bound, not its socket: a restarted API service is seen by running workspaces."""
    import socket
    import threading

    path = campus_hub.settings.api_socket.parent / "probe.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o666)
    listener.listen(1)
    received = []

    def answer():
        connection, _ = listener.accept()
        with connection:
            received.append(connection.recv(64))
            connection.sendall(b"pong")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        out, error = alice.run(
            "import socket\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect('/run/campus/api/probe.sock')\n"
            "s.sendall(b'ping'); print(s.recv(64).decode()); s.close()"
        )
    finally:
        thread.join(5)
        listener.close()
        path.unlink(missing_ok=True)
    assert error is None, error
    assert out.strip() == "pong" and received == [b"ping"]
