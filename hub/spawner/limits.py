"""Resource limits of a workspace: a cgroup per sandbox where the host lets us, rlimits always.

What works depends on the host, so `probe()` finds out and the spawner logs it:

- cgroup v2 (a unified hierarchy with the memory/pids/cpu controllers delegated): one
  group per workspace with memory.max, pids.max and cpu.max;
- cgroup v1 (hybrid hosts, such as the development machines of this project): one group
  per workspace in each of the memory, pids and cpu hierarchies;
- neither writable (an unprivileged hub, a locked-down container): only rlimits.
  RLIMIT_NPROC counts processes per host uid, and every workspace runs as its own uid, so
  it is a real per-workspace process cap; RLIMIT_AS stands in for the memory limit, which
  is cruder (it counts reserved address space, not memory used).

The sandbox's first process joins its groups in `preexec` (after fork, before exec of
bwrap), so that every process the workspace ever starts is inside them.
systemd-run scopes are not used: the hosts we run on have no running systemd.
"""

from __future__ import annotations

import hashlib
import os
import resource
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP_PARENT = "campus"


@dataclass(frozen=True)
class Limits:
    """Limits of one workspace; 0 means "no limit"."""

    mem_bytes: int = 0
    cpu: float = 0.0
    nproc: int = 0


@dataclass
class Cgroups:
    """The cgroup folders of one workspace (empty when cgroups are not usable here)."""

    mode: str  # "v2", "v1" or "none"
    dirs: list[Path] = field(default_factory=list)

    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]


def group_name(campus_home: Path, user: str) -> str:
    """The cgroup name of `user`'s workspace on the campus whose state is at `campus_home`.

    Prefixed with a tag of the campus, so that campuses sharing a host (a staging campus
    next to production, test campuses) never share, overwrite or clean up each other's
    groups. `group_name(home, "")` is the prefix of all of one campus's groups.
    """
    tag = hashlib.sha256(str(Path(campus_home).resolve()).encode()).hexdigest()[:10]
    return f"{tag}-{user}"


def probe(root: Path = CGROUP_ROOT) -> str:
    """Which cgroup layout this host lets the hub write: "v2", "v1" or "none"."""
    if (root / "cgroup.controllers").exists():
        controllers = (root / "cgroup.controllers").read_text().split()
        if {"memory", "pids"} <= set(controllers) and os.access(root, os.W_OK):
            return "v2"
        return "none"
    if all(os.access(root / c, os.W_OK) for c in ("memory", "pids", "cpu")):
        return "v1"
    return "none"


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def create(name: str, limits: Limits, root: Path = CGROUP_ROOT) -> Cgroups:
    """Create (or reuse) the groups of workspace `name` and set their limits."""
    mode = probe(root)
    if mode == "v2":
        parent = root / GROUP_PARENT
        parent.mkdir(exist_ok=True)
        # Delegate the controllers to our children (the root enables them for `parent`).
        _write(parent / "cgroup.subtree_control", "+memory +pids +cpu")
        group = parent / name
        group.mkdir(exist_ok=True)
        if limits.mem_bytes:
            _write(group / "memory.max", str(limits.mem_bytes))
            _write(group / "memory.swap.max", "0")
        if limits.nproc:
            _write(group / "pids.max", str(limits.nproc))
        if limits.cpu:
            _write(group / "cpu.max", f"{int(limits.cpu * 100_000)} 100000")
        return Cgroups("v2", [group])
    if mode == "v1":
        dirs = []
        for controller in ("memory", "pids", "cpu"):
            group = root / controller / GROUP_PARENT / name
            group.mkdir(parents=True, exist_ok=True)
            dirs.append(group)
        if limits.mem_bytes:
            _write(dirs[0] / "memory.limit_in_bytes", str(limits.mem_bytes))
        if limits.nproc:
            _write(dirs[1] / "pids.max", str(limits.nproc))
        if limits.cpu:
            _write(dirs[2] / "cpu.cfs_period_us", "100000")
            _write(dirs[2] / "cpu.cfs_quota_us", str(int(limits.cpu * 100_000)))
        return Cgroups("v1", dirs)
    return Cgroups("none")


def remove(groups: Cgroups) -> None:
    """Remove the groups once their processes are gone (a busy group is left for later)."""
    for group in groups.dirs:
        try:
            group.rmdir()
        except OSError:
            pass


def remove_all(prefix: str, root: Path = CGROUP_ROOT) -> None:
    """Remove the workspace groups named `prefix`… left by an earlier hub (stale-sandbox cleanup)."""
    parents = [root / GROUP_PARENT] + [root / c / GROUP_PARENT for c in ("memory", "pids", "cpu")]
    for parent in parents:
        if parent.is_dir():
            for group in parent.iterdir():
                if group.is_dir() and group.name.startswith(prefix):
                    try:
                        group.rmdir()
                    except OSError:
                        pass


def preexec(groups: Cgroups, limits: Limits):
    """A function for Popen(preexec_fn=...): join the groups, set rlimits, set umask.

    Runs in the forked child before exec, so it only does plain system calls.
    """
    procs = groups.procs_files()
    use_as = limits.mem_bytes and groups.mode == "none"

    def _enter() -> None:
        pid = str(os.getpid()).encode()
        for path in procs:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)
        if limits.nproc:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
        if use_as:
            resource.setrlimit(resource.RLIMIT_AS, (limits.mem_bytes, limits.mem_bytes))
        # bwrap creates mount points with the caller's umask; files the hub writes stay private.
        os.umask(0o022)

    return _enter

