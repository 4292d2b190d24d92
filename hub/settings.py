"""Where the campus keeps its state, read once from the environment.

Every process of the campus (CLI, hub, services, tests) resolves its paths and service
addresses here, so that one environment variable moves a whole campus (tests point
CAMPUS_HOME at a temporary folder).

| variable          | default                              | what                                   |
|-------------------|--------------------------------------|----------------------------------------|
| CAMPUS_HOME       | <repo>/.campus                       | state folder (db, data root, homes)    |
| CAMPUS_DB_URL     | sqlite:///$CAMPUS_HOME/campus.db     | catalog + audit database (SQLAlchemy)  |
| CAMPUS_DATA_ROOT  | $CAMPUS_HOME/data                    | registered datasets, one folder each   |
| CAMPUS_OPA_URL    | http://127.0.0.1:8181                | the OPA server                         |
| CAMPUS_BIN_DIR    | <repo>/.campus/bin                   | pinned tools built by tools/ (opa, helm)|
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class CampusSettings(BaseModel):
    """Resolved locations and addresses of one campus."""

    model_config = ConfigDict(frozen=True, ignored_types=(cached_property,))

    home: Path
    db_url: str
    data_root: Path
    opa_url: str
    bin_dir: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "CampusSettings":
        env = os.environ if environ is None else environ
        home = Path(env.get("CAMPUS_HOME", REPO_ROOT / ".campus")).resolve()
        return cls(
            home=home,
            db_url=env.get("CAMPUS_DB_URL") or f"sqlite:///{home / 'campus.db'}",
            data_root=Path(env.get("CAMPUS_DATA_ROOT", home / "data")).resolve(),
            opa_url=env.get("CAMPUS_OPA_URL", "http://127.0.0.1:8181").rstrip("/"),
            bin_dir=Path(env.get("CAMPUS_BIN_DIR", REPO_ROOT / ".campus" / "bin")).resolve(),
        )

    @property
    def homes_root(self) -> Path:
        """Parent of every user's persistent workspace home."""
        return self.home / "homes"

    @property
    def releases_root(self) -> Path:
        """Parent of every user's released (approved) export files."""
        return self.home / "releases"

    @property
    def requests_root(self) -> Path:
        """Parent of the files of every export request, as received by the guard."""
        return self.home / "requests"

    @property
    def run_dir(self) -> Path:
        """Sockets, pid files and logs of running campus services."""
        return self.home / "run"

    @property
    def api_socket(self) -> Path:
        """The campus API's Unix socket, alone in its folder.

        Workspaces get the folder bound, not the socket file: a restarted API makes a new
        socket there, which running workspaces then see (a file bind would keep the old one).
        """
        return self.run_dir / "api" / "api.sock"

    def tool(self, name: str) -> Path:
        """Path of a pinned tool built by tools/ (e.g. "opa", "helm")."""
        return self.bin_dir / name


def get_settings() -> CampusSettings:
    """Settings for this process, from the current environment (not cached: tests change it)."""
    return CampusSettings.from_env()
