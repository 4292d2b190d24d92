"""SandboxSpawner: each workspace is a bubblewrap sandbox on this machine (the embedded default).

The life of one workspace:

1. settle the workspace's project (project.py: the user's only one, or the one chosen on
   the spawn page) and ask OPA which datasets of that project the user may mount now
   (`campus.access`); if OPA cannot answer, refuse the spawn ("policy service
   unavailable") and audit the refusal (fail closed);
2. prepare the host side: the persistent home ($CAMPUS_HOME/homes/<user>, owned by the
   workspace uid, mode 0700), a root-owned run folder with the generated passwd/hosts
   files, the read-only Jupyter configuration and the workspace's catalog.json (its
   project and the names of all registered datasets), and a socket folder for the server;
3. create the workspace's cgroups (limits.py) and start bwrap (sandbox.py) with only the
   granted datasets bound read-only at /data/<name>;
4. wait for the server's Unix socket, pin the sandboxed process listening on it, open a
   loopback bridge to it (bridge.py) and return the bridge's URL to the hub, which routes
   the proxy there;
5. while it runs, JupyterHub's periodic poll re-asks OPA (recheck.py): a workspace whose
   user left the project, or holding a dataset its project may no longer use, is stopped
   and `workspace.access_withdrawn` is audited; a workspace whose socket is answered by
   another process than its server (code in a kernel swapped it) is stopped at once and
   `workspace.server_replaced` is audited;
6. on stop: kill the sandbox (its PID namespace dies with it), close the bridge, remove the
   run folder and the cgroups, audit. `cleanup_stale()` does the same at hub start for
   sandboxes a crashed hub left behind.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from jupyterhub.spawner import Spawner
from traitlets import Any, Integer, List, Unicode, default

from hub.errors import PolicyUnavailable
from hub.settings import REPO_ROOT, get_settings
from hub.spawner import limits, project, sandbox, seccomp, workspace_files
from hub.spawner.bridge import UnixBridge
from hub.spawner.recheck import REFUSED_MESSAGE, GrantRecheck

DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def policy_access(username: str, project_name: str | None = None):
    """Ask OPA (through the campus policy client) what `username` may mount in `project_name`."""
    from hub.policy.client import PolicyClient

    client = PolicyClient(get_settings().opa_url)
    try:
        return client.access(username, project=project_name)
    finally:
        client.close()


class SandboxSpawner(project.ProjectChoice, GrantRecheck, Spawner):
    """Spawns a JupyterHub single-user server inside a bubblewrap sandbox."""

    bwrap_path = Unicode(
        "bwrap",
        config=True,
        help="bubblewrap executable. Default: `bwrap` on PATH. Security: it runs as root; use the distribution's.",
    )

    uid_base = Integer(
        30000,
        config=True,
        help="""Workspace processes run as host uid/gid `uid_base + <hub user id>`.

        Default 30000. Security: one unprivileged uid per user keeps users apart even outside
        the sandbox's mount namespace and makes RLIMIT_NPROC a per-workspace cap; keep the
        range free of real accounts.""",
    )

    nproc_limit = Integer(
        512,
        config=True,
        help="Maximum processes and threads in a workspace (pids cgroup and RLIMIT_NPROC). Default 512; 0 = none.",
    )

    tmp_size = Integer(
        1024 * 1024 * 1024,
        config=True,
        help="Size in bytes of the workspace's private /tmp (a tmpfs, counted in its memory). Default 1 GiB.",
    )

    runtime_paths = List(
        Unicode(),
        config=True,
        help="""Host folders bound read-only at the same path so the workspace's Python runs:
        by default the venv, its base interpreter and the repository (the campus client is an
        editable install). Security: everything listed is readable by every workspace.""",
    )

    @default("runtime_paths")
    def _default_runtime_paths(self):
        paths = {sys.prefix, sys.base_prefix, str(REPO_ROOT)}
        # The repo contains the venv and the campus state folder when run from a checkout:
        # bind the repo's code only, never its state (.campus holds every home and dataset).
        return sorted(p for p in paths if not Path(p).is_relative_to("/usr"))

    examples_dir = Unicode(
        config=True,
        help="""Folder of example notebooks copied into a user's home (as ~/examples) at their
        first spawn; never again, so a user's edits or deletions stay. Default: the
        repository's datasets/notebooks when it exists; empty disables.""",
    )

    @default("examples_dir")
    def _default_examples_dir(self):
        folder = REPO_ROOT / "datasets" / "notebooks"
        return str(folder) if folder.is_dir() else ""

    access_decider = Any(
        policy_access,
        config=True,
        help="""Callable(username, project or None) -> AccessDecision (allowed, refused,
        error, projects, registered), sync or async.

        Default: the campus PolicyClient asking OPA's `campus.access`. Security: any error or
        a decision with `error` set refuses the spawn (fail closed).""",
    )

    ready_timeout = Integer(
        30,
        config=True,
        help="Seconds to wait for the server's socket before the spawn fails. Default 30.",
    )

    @default("cmd")
    def _default_cmd(self):
        return [os.path.join(sys.prefix, "bin", "jupyterhub-singleuser")]

    @default("port")
    def _default_port(self):
        # The server listens on its Unix socket only. JupyterHub still passes a port in
        # JUPYTERHUB_SERVICE_URL, and jupyter-server refuses --sock with any port but its
        # default (8888), so that is the port we announce (nothing binds it).
        return 8888

    @default("disable_user_config")
    def _default_disable_user_config(self):
        # Security: users cannot load their own server config from their home.
        return True

    @default("hub_connect_url")
    def _default_hub_connect_url(self):
        # The hub's socket folder is bound read-only at /run/jupyterhub (see sandbox.py).
        return "http+unix://" + f"{sandbox.HUB_DIR}/hub.sock".replace("/", "%2F")

    # --- state ---------------------------------------------------------------------------

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.proc: subprocess.Popen | None = None
        self.bridge: UnixBridge | None = None
        self.groups: limits.Cgroups | None = None
        self.mounted: list[str] = []
        self.project: str | None = None
        self.replacing = False  # stopping a workspace whose socket another process answers

    # No state to save or reload: a sandbox never outlives its hub (--die-with-parent), so
    # after a hub restart there is nothing to reattach to and poll() reports "stopped".

    @property
    def settings(self):
        return get_settings()

    @property
    def uid(self) -> int:
        return self.uid_base + int(self.user.id)

    @property
    def workspace_root(self) -> Path:
        return workspace_files.workspaces_root(self.settings) / self.user.name

    # --- policy --------------------------------------------------------------------------

    async def ask_policy(self, project_name: str | None):
        result = await asyncio.to_thread(self.access_decider, self.user.name, project_name)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def decide(self):
        """Settle self.project and return its access decision; refuse (audited) otherwise."""
        username = self.user.name
        try:
            wanted = project.requested(self.user_options)
            result = await self.ask_policy(wanted)
            error = getattr(result, "error", "no decision")
        except project.ProjectChoiceError:
            raise
        except Exception as exc:  # any failure to get an answer is a refusal
            result, error = None, f"{type(exc).__name__}: {exc}"
        if error:
            await asyncio.to_thread(self.audit_hook, "workspace.spawn_refused", username, {"error": str(error)})
            reason = str(error).removeprefix(f"{REFUSED_MESSAGE}: ")
            refusal = PolicyUnavailable(f"{REFUSED_MESSAGE}: workspace not started ({reason})")
            # JupyterHub shows this attribute to the user (API error and spawn page).
            refusal.jupyterhub_message = str(refusal)
            raise refusal
        try:
            self.project = project.choose(wanted, list(result.projects))
            project.remember(self, self.project)
        except project.ProjectChoiceError as refusal:
            await asyncio.to_thread(self.audit_hook, "workspace.spawn_refused", username, {"error": str(refusal)})
            raise
        return result

    def resolve_datasets(self, decision) -> tuple[dict[str, str], dict[str, str]]:
        """Host folders of the allowed datasets; anything odd is refused, not mounted."""
        data_root = self.settings.data_root
        mounts, refused = {}, dict(decision.refused)
        for name in decision.allowed:
            folder = data_root / name
            if not DATASET_NAME.match(name):
                refused[name] = "invalid dataset name"
            elif not folder.is_dir() or folder.is_symlink():
                refused[name] = "dataset folder missing"
            else:
                mounts[name] = str(folder)
        return mounts, refused

    # --- start / poll / stop ---------------------------------------------------------------

    def sandbox_env(self) -> dict[str, str]:
        env = self.get_env()
        user = self.user.name
        env.pop("PYTHONPATH", None)
        env.update(
            {
                "HOME": f"/home/{user}",
                "USER": user,
                "LOGNAME": user,
                "SHELL": "/bin/bash",
                "PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin",
                "TMPDIR": "/tmp",
                # Read-only, root-owned configuration; user config is disabled on top.
                "JUPYTER_CONFIG_DIR": sandbox.CONFIG_DIR,
                "JUPYTER_CONFIG_PATH": sandbox.CONFIG_DIR,
                "JUPYTER_PATH": f"{sandbox.CONFIG_DIR}/data",
                "JUPYTERHUB_DISABLE_USER_CONFIG": "1",
                "IPYTHONDIR": f"/home/{user}/.ipython",
                "CAMPUS_USER": user,
                "CAMPUS_DATA_DIR": sandbox.DATA_DIR,
                "CAMPUS_API_SOCKET": sandbox.API_SOCKET,
                "CAMPUS_CATALOG": sandbox.CATALOG_FILE,
            }
        )
        if self.project:
            env["CAMPUS_PROJECT"] = self.project
        return env

    async def start(self):
        decision = await self.decide()
        mounts, refused = self.resolve_datasets(decision)
        files = await asyncio.to_thread(
            workspace_files.prepare,
            self.settings,
            self.user.name,
            self.uid,
            self.hub_socket_dir(),
            catalog={"project": self.project, "datasets": sorted(decision.registered), "mounted": sorted(mounts)},
        )
        if self.examples_dir:
            await asyncio.to_thread(workspace_files.seed_examples, Path(self.examples_dir), files.home, self.uid)
        workspace_limits = limits.Limits(mem_bytes=int(self.mem_limit or 0), cpu=float(self.cpu_limit or 0), nproc=self.nproc_limit)
        self.groups = await asyncio.to_thread(
            limits.create, limits.group_name(self.settings.home, self.user.name), workspace_limits
        )
        # The seccomp program travels to bwrap as an inherited descriptor (seccomp.py).
        seccomp_fd = seccomp.program_fd()
        try:
            argv = sandbox.bwrap_argv(
                bwrap=self.bwrap_path,
                user=self.user.name,
                uid=self.uid,
                gid=self.uid,
                home=str(files.home),
                datasets=mounts,
                runtime_paths=self.runtime_paths,
                workspace_dir=str(files.socket_dir),
                etc_dir=str(files.etc_dir),
                config_dir=str(files.config_dir),
                catalog_file=str(files.catalog_file),
                hub_socket_dir=str(files.hub_socket_dir),
                api_socket_dir=str(self.api_socket_dir()),
                tmp_size=self.tmp_size,
                command=[*self.cmd, *self.get_args()],
                seccomp_fd=seccomp_fd,
            )
            self.log.info(
                "Starting sandbox for %s (uid %d, project %s, datasets %s, cgroups %s)",
                self.user.name, self.uid, self.project, sorted(mounts), self.groups.mode,
            )  # fmt: skip
            started = time.monotonic()
            log_path = workspace_files.log_path(self.settings, self.user.name)
            with open(log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    argv,
                    env=self.sandbox_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=limits.preexec(self.groups, workspace_limits),
                    close_fds=True,
                    pass_fds=(seccomp_fd,),
                )
        finally:
            os.close(seccomp_fd)
        (files.root / "bwrap.pid").write_text(str(self.proc.pid))
        self.mounted = sorted(mounts)
        self.grants_confirmed()
        await self._wait_for_socket(files.socket_dir / "server.sock", log_path)
        self.bridge = UnixBridge(str(files.socket_dir / "server.sock"), on_impostor=self._server_replaced)
        await self._pin_server()
        await self.bridge.start()
        await asyncio.to_thread(
            self.audit_hook,
            "workspace.spawned",
            self.user.name,
            {"project": self.project, "mounted": self.mounted, "refused": refused, "ready_seconds": round(time.monotonic() - started, 3)},
        )
        return self.bridge.url

    def api_socket_dir(self) -> Path:
        """Host folder of the campus API's socket (created here if the service is not up yet)."""
        folder = self.settings.api_socket.parent
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
        return folder

    def hub_socket_dir(self) -> Path:
        """Host folder of the hub's Unix socket (bound read-only into every sandbox)."""
        return workspace_files.hub_socket_dir(self.settings)

    async def _wait_for_socket(self, path: Path, log_path: Path) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] if log_path.exists() else []
                raise RuntimeError(
                    f"workspace server exited with code {self.proc.returncode} before it was ready: {' '.join(tail)[-300:]}"
                )
            if path.exists():
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"workspace server not ready after {self.ready_timeout} s")

    async def _pin_server(self) -> None:
        """Pin the process answering on the fresh socket (nothing of the user's runs yet).

        It must be a process of this sandbox; the socket can exist a moment before the
        server listens on it, hence the retries.
        """
        for _ in range(100):
            try:
                pid = await self.bridge.pin_listener()
                break
            except ConnectionRefusedError:
                await asyncio.sleep(0.05)
        else:
            raise RuntimeError("workspace server does not accept connections on its socket")
        if not _descends_from(pid, self.proc.pid):
            raise RuntimeError(f"workspace socket is answered by pid {pid}, which is not in the sandbox")

    def _server_replaced(self, pid: int) -> None:
        """The bridge met another listener on the socket: stop the workspace and say why."""
        if self.proc is None or self.replacing:
            return
        self.replacing = True
        details = {
            "project": self.project,
            "reason": f"the workspace's socket is answered by another process (pid {pid}), not its server "
            f"(pid {self.bridge.server_pid if self.bridge else '?'})",
        }
        self.log.warning("Stopping %s's workspace: %s", self.user.name, details["reason"])

        async def stop_tampered():
            try:
                await asyncio.to_thread(self.audit_hook, "workspace.server_replaced", self.user.name, details)
            finally:
                await self.stop()
                self.replacing = False

        asyncio.ensure_future(stop_tampered())

    async def poll(self):
        if self.proc is None:
            return 0
        status = self.proc.poll()
        if status is None and self.bridge is not None and await self.access_withdrawn():
            await self.stop()
            return 0
        return status

    async def stop(self, now=False):
        if self.bridge is not None:
            await self.bridge.stop()
            self.bridge = None
        if self.proc is not None:
            await asyncio.to_thread(_kill_tree, self.proc)
            self.proc = None
            await asyncio.to_thread(
                self.audit_hook, "workspace.stopped", self.user.name, {"project": self.project, "mounted": self.mounted}
            )
        if self.groups is not None:
            limits.remove(self.groups)
            self.groups = None
        workspace_files.remove(self.settings, self.user.name)


def _descends_from(pid: int, ancestor: int) -> bool:
    """Whether process `pid` is `ancestor` or one of its descendants (by /proc's PPid)."""
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        pid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
    return False


def _kill_tree(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """Stop bwrap's session; when bwrap (PID 1's parent) dies the PID namespace dies too."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


def _kill_stale(pid: str) -> None:
    """Kill a recorded sandbox session, but only if that pid is still a bwrap (not reused)."""
    try:
        if Path(f"/proc/{int(pid)}/comm").read_text().strip() == "bwrap":
            os.killpg(int(pid), signal.SIGKILL)
    except (OSError, ValueError):
        pass


def cleanup_stale(settings=None) -> list[str]:
    """Kill and remove sandboxes left by an earlier hub; return the users cleaned up."""
    settings = settings or get_settings()
    root = workspace_files.workspaces_root(settings)
    cleaned = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            pid_file = folder / "bwrap.pid"
            if pid_file.exists():
                _kill_stale(pid_file.read_text().strip())
            shutil.rmtree(folder, ignore_errors=True)
            cleaned.append(folder.name)
    limits.remove_all(limits.group_name(settings.home, ""))
    return cleaned


