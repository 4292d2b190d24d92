"""The host-side folders of one workspace, written by the hub before the sandbox starts.

$CAMPUS_HOME/
  homes/<user>/                    persistent home, owned by the workspace uid, mode 0700
    examples/                      the example notebooks, copied at the first spawn only
  run/hub/hub.sock                 the hub's API socket (folder bound read-only in sandboxes)
  run/workspaces/<user>/           root-owned, removed when the workspace stops
    bwrap.pid                      for the hub only (not visible inside)
    sock/server.sock               the server's socket (bound read-write at /run/jupyter)
    etc/passwd, group, hosts       the only /etc entries the workspace sees besides system ones
    config/                        root-owned Jupyter config (bound read-only at /etc/campus/jupyter)
    catalog.json                   {"project", "datasets": every registered name, "mounted"}
                                   (bound read-only at /run/campus/catalog.json, for the client)
  run/workspace-logs/<user>.log    the sandbox's output (kept after stop, for the operator)

Files the sandbox sees read-only are written here by root and never by the workspace uid, so
a user cannot change their own server's configuration.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from hub.settings import CampusSettings
from hub.singleuser import files as singleuser_files


@dataclass(frozen=True)
class WorkspaceFiles:
    root: Path
    home: Path
    socket_dir: Path
    etc_dir: Path
    config_dir: Path
    hub_socket_dir: Path
    catalog_file: Path


def workspaces_root(settings: CampusSettings) -> Path:
    return settings.run_dir / "workspaces"


def hub_socket_dir(settings: CampusSettings) -> Path:
    return settings.run_dir / "hub"


def prepare(settings: CampusSettings, user: str, uid: int, hub_sockets: Path, *, catalog: dict) -> WorkspaceFiles:
    """(Re)create the run folder of `user`'s workspace and make sure its home exists.

    `catalog` is what the workspace's client is told about the campus (written as
    catalog.json): its project and the names of the registered datasets.
    """
    home = settings.homes_root / user
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, uid, uid)
    os.chmod(home, 0o700)
    settings.homes_root.chmod(0o711)  # others may traverse to their own home, not list

    root = workspaces_root(settings) / user
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, mode=0o755)
    socket_dir = root / "sock"
    socket_dir.mkdir(mode=0o700)
    os.chown(socket_dir, uid, uid)
    etc_dir = root / "etc"
    etc_dir.mkdir()
    (etc_dir / "passwd").write_text(
        f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n{user}:x:{uid}:{uid}::/home/{user}:/bin/bash\n"
    )
    (etc_dir / "group").write_text(f"root:x:0:\n{user}:x:{uid}:\n")
    (etc_dir / "hosts").write_text("127.0.0.1 localhost workspace\n::1 localhost\n")
    config_dir = root / "config"
    singleuser_files.write_config(config_dir, user=user)
    catalog_file = root / "catalog.json"
    catalog_file.write_text(json.dumps(catalog, indent=1), encoding="utf-8")
    return WorkspaceFiles(root, home, socket_dir, etc_dir, config_dir, hub_sockets, catalog_file)


def seed_examples(source: Path, home: Path, uid: int) -> bool:
    """Copy the example notebooks into `home`/examples once; True if they were copied.

    Runs as root inside a folder the user owns, so it never follows or replaces anything
    the user made: if `examples` exists in any form (a folder they emptied, a file, a
    symlink) nothing is copied, and every file is created exclusively, without following
    links, through a descriptor of the folder just made.
    """
    notebooks = sorted(source.glob("*.ipynb")) if source.is_dir() else []
    if not notebooks:
        return False
    try:
        os.mkdir(home / "examples", 0o700)
    except FileExistsError:
        return False
    folder = os.open(home / "examples", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        os.fchown(folder, uid, uid)
        for notebook in notebooks:
            fd = os.open(notebook.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
            with os.fdopen(fd, "wb") as out:
                os.fchown(out.fileno(), uid, uid)
                out.write(notebook.read_bytes())
    finally:
        os.close(folder)
    return True


def log_path(settings: CampusSettings, user: str) -> Path:
    folder = settings.run_dir / "workspace-logs"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{user}.log"


def remove(settings: CampusSettings, user: str) -> None:
    """Remove the run folder of `user`'s workspace (the home stays)."""
    shutil.rmtree(workspaces_root(settings) / user, ignore_errors=True)
