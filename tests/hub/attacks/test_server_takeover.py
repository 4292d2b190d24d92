"""Attacks from inside the workspace on its own single-user server.

Every server-side refusal (download routes, the contents API's limits, the dashboard
filter, the Content-Security-Policy) is enforced by the workspace's Jupyter server, which
runs in the sandbox under the same uid as the user's kernels and terminals. Code in a
kernel must therefore not be able to put another server in its place, or to take over the
real one:

- swap the server's socket (the socket folder is the workspace's own) for a server of its
  own, which would answer the browser with any file and no policy;
- attach to the server with ptrace, or read or write its memory through /proc, or steal
  its listening socket with pidfd_getfd;
- find the server's listening socket among its own inherited descriptors.

Each attack is run from a real kernel in a real sandbox.
"""

from __future__ import annotations

import ast
import textwrap
import time
from pathlib import Path

import pytest
pytestmark = pytest.mark.slow

IMPOSTOR_MARKER = "IMPOSTOR-SERVER-5c1e"

# A web server of the user's own, put where the real server's socket was: it answers every
# request with the marker (it could as well answer with any file of the home, unfiltered).
IMPOSTOR = textwrap.dedent(
    f"""
    import os, socket
    path = "/run/jupyter/server.sock"
    os.unlink(path)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(16)
    while True:
        conn, _ = listener.accept()
        conn.recv(65536)
        body = b"{IMPOSTOR_MARKER}"
        conn.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % len(body) + body)
        conn.close()
    """
)

# The kernel's parent is the server that started it (pid 1 is bubblewrap's init, as root).
FIND_SERVER = (
    "import os\n"
    "pid = os.getppid()\n"
    "assert b'jupyterhub-singleuser' in open(f'/proc/{pid}/cmdline', 'rb').read(), 'the parent is not the server'\n"
    "assert f'Uid:\\t{os.getuid()}\\t' in open(f'/proc/{pid}/status').read(), 'the server runs under another uid'\n"
)


@pytest.fixture()
def alice(campus_hub):
    session = campus_hub.session("alice")
    assert session.spawn().status_code < 400
    yield session
    session.stop()


def test_a_server_of_the_users_own_in_place_of_the_socket_is_never_answered_to(campus_hub, alice):
    assert alice.server("GET", "api/status").status_code == 200
    out, error = alice.run(
        "import os, subprocess, sys, time\n"
        "before = os.stat('/run/jupyter/server.sock').st_ino\n"
        f"subprocess.Popen([sys.executable, '-c', {IMPOSTOR!r}], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "for _ in range(100):\n"
        "    time.sleep(0.05)\n"
        "    try:\n"
        "        if os.stat('/run/jupyter/server.sock').st_ino != before:\n"
        "            break\n"
        "    except FileNotFoundError:\n"
        "        pass\n"
        "print('swapped' if os.stat('/run/jupyter/server.sock').st_ino != before else 'not swapped')\n"
    )
    assert error is None and out.strip() == "swapped", (out, error)

    answers = [alice.server("GET", path) for path in ("api/status", "files/anything.csv", "lab")]
    for response in answers:
        assert IMPOSTOR_MARKER not in response.text, f"{response.request.url} was answered by the user's own server"
        assert response.status_code >= 400 or "/hub/" in str(response.url)

    # The workspace has been tampered with: the hub stops it and says why.
    assert alice.wait_until_stopped(), "the workspace kept running with its socket replaced"
    (event,) = campus_hub.audit_events("workspace.server_replaced", "alice")[-1:]
    assert event["reason"].startswith("the workspace's socket is answered by another process")

    # Started again, everything is back to normal.
    assert alice.spawn().status_code < 400
    assert alice.server("GET", "api/status").status_code == 200


# Tries each way of reading or driving another process of the same uid and prints a dict
# {attack: "denied" | what it got}. It runs as a process of its own for each target: a
# tracer that exits detaches its tracee (PTRACE_SEIZE does not stop it), so a probe that
# succeeds leaves the server running.
PROBE = textwrap.dedent(
    """
    import ctypes, errno, sys
    target = int(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    PTRACE_SEIZE, SYS_pidfd_open, SYS_pidfd_getfd = 0x4206, 434, 438
    results = {}
    for name in ("environ", "maps"):
        try:
            open(f"/proc/{target}/{name}", "rb").read(1)
            results[name] = "read"
        except PermissionError:
            results[name] = "denied"
    try:  # opening is where access is checked; then read the first mapping
        with open(f"/proc/{target}/mem", "rb") as mem:
            mem.seek(int(open(f"/proc/{target}/maps").readline().split("-")[0], 16))
            results["mem"] = "read" if mem.read(1) else "empty"
    except PermissionError:
        results["mem"] = "denied"
    rc = libc.ptrace(ctypes.c_long(PTRACE_SEIZE), ctypes.c_long(target), None, None)
    results["ptrace"] = "denied" if rc == -1 and ctypes.get_errno() == errno.EPERM else f"rc={rc}"
    pidfd = libc.syscall(SYS_pidfd_open, target, 0)
    stolen = [fd for fd in range(0, 3) if libc.syscall(SYS_pidfd_getfd, pidfd, fd, 0) >= 0]
    results["pidfd_getfd"] = "denied" if not stolen and ctypes.get_errno() == errno.EPERM else f"stole {stolen}"
    print(results)
    """
)

# The server, and as the control a process of the kernel's own: the same attacks must
# succeed there, or the probe proves nothing.
PROBE_BOTH = FIND_SERVER + (
    "import subprocess, sys\n"
    "control = subprocess.Popen(['/bin/sleep', '60'])\n"
    "def probe(target):\n"
    f"    return eval(subprocess.run([sys.executable, '-c', {PROBE!r}, str(target)], capture_output=True, text=True, check=True).stdout)\n"
    "try:\n"
    "    print({'server': probe(pid), 'control': probe(control.pid)})\n"
    "finally:\n"
    "    control.kill()\n"
)


def test_the_server_cannot_be_traced_or_its_memory_read(alice):
    out, error = alice.run(PROBE_BOTH)
    assert error is None, error
    results = ast.literal_eval(out.strip())
    assert results["control"] == {
        "mem": "read",
        "environ": "read",
        "maps": "read",
        "ptrace": "rc=0",
        "pidfd_getfd": "stole [0, 1, 2]",
    }, "the probe cannot even reach a process of the kernel's own"
    assert results["server"] == {
        "mem": "denied",
        "environ": "denied",
        "maps": "denied",
        "ptrace": "denied",
        "pidfd_getfd": "denied",
    }


def test_the_servers_listening_socket_is_not_among_a_kernels_descriptors(alice):
    out, error = alice.run(
        "import os\n"
        "inodes = set()\n"
        "for line in open('/proc/net/unix').read().splitlines()[1:]:\n"
        "    fields = line.split()\n"
        "    if len(fields) >= 8 and fields[7] == '/run/jupyter/server.sock':\n"
        "        inodes.add(fields[6])\n"
        "assert inodes, 'the server socket is not listed'\n"
        "def target(fd):\n"
        "    try:\n"
        "        return os.readlink(f'/proc/self/fd/{fd}')\n"
        "    except OSError:  # the descriptor listdir itself used\n"
        "        return ''\n"
        "held = [fd for fd in os.listdir('/proc/self/fd') if target(fd) in {f'socket:[{i}]' for i in inodes}]\n"
        "print('held' if held else 'none')\n"
    )
    assert (out.strip(), error) == ("none", None)


def test_a_killed_server_takes_the_whole_workspace_with_it(alice):
    """Killing the server from a kernel cannot leave the kernels running without it."""
    kernel = alice.kernel()
    try:
        kernel.run(FIND_SERVER + "import signal, threading\nthreading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()\n")
    finally:
        try:
            kernel.ws.close()
        except Exception:  # noqa: BLE001 - the server and its websocket are gone
            pass
    deadline = time.monotonic() + 60
    while alice.server("GET", "api/status").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert alice.wait_until_stopped(timeout=60), "the hub still lists a workspace whose server is dead"


def test_a_link_in_place_of_the_socket_leads_the_bridge_nowhere_else(campus_hub, alice):
    """The bridge opens the socket path on the host: a symlink there would lead it, as root,
    to any socket of the host (here the hub's own, whose host path the sandbox's mountinfo
    shows). Its listener is not the workspace's server, so nothing is forwarded."""
    out, error = alice.run(
        "import os\n"
        "hub_dir = next(line.split()[3] for line in open('/proc/self/mountinfo') if line.split()[4] == '/run/jupyterhub')\n"
        "os.unlink('/run/jupyter/server.sock')\n"
        "os.symlink(f'{hub_dir}/hub.sock', '/run/jupyter/server.sock')\n"
        "print(os.readlink('/run/jupyter/server.sock'))\n"
    )
    assert error is None and out.strip().endswith("/hub.sock"), (out, error)
    assert Path(out.strip()).is_socket(), "the link does not name the hub's socket on the host"

    response = alice.server("GET", "hub/api/")
    assert "x-jupyterhub-version" not in response.headers, "the hub answered through alice's workspace route"
    assert response.status_code == 503
    assert alice.wait_until_stopped(), "the workspace kept running with its socket replaced"
    events = campus_hub.audit_events("workspace.server_replaced", "alice")
    assert events and "another process" in events[-1]["reason"]
