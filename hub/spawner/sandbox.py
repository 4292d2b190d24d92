"""The bubblewrap command line of one workspace sandbox: a pure, keyword-only builder.

Everything the sandbox can see is listed here and nowhere else, so a test can pin the whole
view with a golden list. The stateful spawner (hub/spawner/spawner.py) resolves the inputs
(paths, granted datasets, ids) and calls `bwrap_argv`.

How the sandbox is entered, and why:

- bwrap runs as root on the host WITHOUT a user namespace, so it can bind the pieces of
  root-only folders the Python runtime needs (the venv's base interpreter lives under
  /root/.pyenv here) and so the workspace can run as a distinct, unprivileged host uid.
  Only CAP_SETUID/CAP_SETGID are kept, for `setpriv`, which drops to the workspace uid and
  clears every capability set before the server starts. Inside: uid != 0, no capabilities.
- New mount, PID, IPC, UTS and network namespaces (cgroup too where supported). The only
  network interface is loopback, down to the namespace: no route, no resolver.
- The filesystem starts empty (a tmpfs root). Host folders appear only where bound: system
  folders and the Python runtime read-only, the user's home read-write, each granted dataset
  read-only at /data/<name>, the workspace's run folder (server socket) read-write, the
  hub's socket folder, the campus API's socket folder and the workspace's catalog.json
  (read-only).
  No host /home, /root, /proc, /dev, /tmp.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath

# Paths inside the sandbox (docs/internals.md "Workspace view of the data").
DATA_DIR = "/data"
RUN_DIR = "/run/jupyter"
SERVER_SOCKET = f"{RUN_DIR}/server.sock"
HUB_DIR = "/run/jupyterhub"
API_DIR = "/run/campus/api"
API_SOCKET = f"{API_DIR}/api.sock"
CATALOG_FILE = "/run/campus/catalog.json"
CONFIG_DIR = "/etc/campus/jupyter"
ETC_FILES = ("passwd", "group", "hosts")

# Host system folders every Linux program expects, bound read-only when they exist.
SYSTEM_DIRS = ("/usr", "/etc/alternatives", "/etc/ssl/certs")
# Merged-/usr distributions: these are symlinks into /usr on the host.
USR_LINKS = {"/bin": "usr/bin", "/sbin": "usr/sbin", "/lib": "usr/lib", "/lib64": "usr/lib64"}


def _parents(path: str) -> list[str]:
    """Ancestors of `path` below /, outermost first ('/a/b/c' -> ['/a', '/a/b'])."""
    parts = PurePosixPath(path).parents
    return [str(p) for p in reversed(list(parts)) if str(p) != "/"]


class _Argv:
    """Accumulates bwrap options, creating world-traversable parent folders on the way.

    bwrap creates missing parents of a mount point with mode 0700 (owned by root); the
    workspace uid could not traverse them, so each parent is made explicitly with 0755.
    """

    def __init__(self) -> None:
        self.args: list[str] = []
        self._dirs: set[str] = {"/"}

    def dir(self, path: str, mode: str = "0755") -> None:
        for parent in [*_parents(path), path]:
            if parent not in self._dirs:
                self.args += ["--perms", mode, "--dir", parent]
                self._dirs.add(parent)

    def mount(self, option: str, src: str, dest: str) -> None:
        for parent in _parents(dest):
            self.dir(parent)
        self.args += [option, src, dest]
        self._dirs.add(dest)


def bwrap_argv(
    *,
    bwrap: str,
    user: str,
    uid: int,
    gid: int,
    home: str,
    datasets: Mapping[str, str],
    runtime_paths: Iterable[str],
    workspace_dir: str,
    etc_dir: str,
    config_dir: str,
    catalog_file: str | None,
    hub_socket_dir: str,
    api_socket_dir: str | None,
    tmp_size: int,
    command: Sequence[str],
    seccomp_fd: int | None = None,
    shm_size: int = 64 * 1024 * 1024,
    system_dirs: Iterable[str] = SYSTEM_DIRS,
    usr_links: Mapping[str, str] = USR_LINKS,
    hostname: str = "workspace",
) -> list[str]:
    """The full argv that starts `command` as `uid` inside a fresh sandbox for `user`.

    `datasets` maps a granted dataset name to its host folder; `runtime_paths` are host
    folders the Python runtime needs (venv, base interpreter, the repo for editable
    installs), bound read-only at the same path. `etc_dir` holds generated passwd, group
    and hosts files; `config_dir` the root-owned Jupyter configuration of this workspace;
    `catalog_file` the workspace's root-owned catalog.json (project, registered datasets).
    `seccomp_fd` is an inherited descriptor holding the seccomp program (seccomp.py).
    """
    a = _Argv()
    a.args += [
        bwrap,
        # No user namespace (see module docstring): the uid switch happens in setpriv.
        "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session",
        "--hostname", hostname,
        "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
        "--proc", "/proc",
        "--dev", "/dev",
    ]  # fmt: skip
    a._dirs.update({"/proc", "/dev"})
    if seccomp_fd is not None:
        a.args += ["--seccomp", str(seccomp_fd)]
    # POSIX semaphores and shared memory (multiprocessing locks, so Dask's worker nanny)
    # live in /dev/shm: a private one, counted in the workspace's memory like /tmp.
    a.args += ["--size", str(shm_size), "--perms", "1777", "--tmpfs", "/dev/shm"]
    a._dirs.add("/dev/shm")
    for src in system_dirs:
        a.mount("--ro-bind-try", src, src)
    for link, target in usr_links.items():
        a.args += ["--symlink", target, link]
        a._dirs.add(link)
    for name in ETC_FILES:
        a.mount("--ro-bind", f"{etc_dir}/{name}", f"/etc/{name}")
    # The private /tmp comes before the runtime binds: a campus checked out under /tmp (as a
    # CI clone may be) must stay visible inside, not be hidden by the fresh tmpfs.
    a.args += ["--size", str(tmp_size), "--perms", "1777", "--tmpfs", "/tmp"]
    a._dirs.add("/tmp")
    for path in runtime_paths:
        a.mount("--ro-bind", path, path)
    a.mount("--ro-bind", config_dir, CONFIG_DIR)
    a.mount("--bind", home, f"/home/{user}")
    a.dir(DATA_DIR)
    for name in sorted(datasets):
        a.mount("--ro-bind", datasets[name], f"{DATA_DIR}/{name}")
    a.mount("--bind", workspace_dir, RUN_DIR)
    a.mount("--ro-bind", hub_socket_dir, HUB_DIR)
    if catalog_file:
        a.mount("--ro-bind", catalog_file, CATALOG_FILE)
    if api_socket_dir:
        # The folder, read-only, not the socket file: a restarted API service makes a new
        # socket in it, which a running workspace must see. Connecting to a socket needs no
        # write access to its filesystem. Without the service, exports fail with a clear
        # error from the client instead of the spawn failing.
        a.mount("--ro-bind", api_socket_dir, API_DIR)
    a.args += ["--chdir", f"/home/{user}", "--"]
    a.args += [
        "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
    ]  # fmt: skip
    a.args += list(command)
    return a.args
