"""Settings of the console service, read once from the environment JupyterHub gives it.

| variable                    | default                   | what                                              |
|-----------------------------|---------------------------|---------------------------------------------------|
| JUPYTERHUB_SERVICE_PREFIX   | /services/console/        | URL prefix of every page                          |
| JUPYTERHUB_SERVICE_URL      | http://127.0.0.1:10102    | where the service listens (set by JupyterHub)     |
| CAMPUS_CONSOLE_IMPORT_ROOTS | $CAMPUS_HOME/incoming     | folders (os.pathsep-separated) a steward may register a server-side file from |
| CAMPUS_CONSOLE_HUB_SCOPES   | 1                         | also require the hub scope custom:campus:<role> for a role's pages (0: trust the campus users table alone) |
| CAMPUS_CONSOLE_MAX_UPLOAD_MB| 512                       | largest dataset upload                            |

The campus-wide settings (home, database, OPA) come from `hub.settings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hub.settings import CampusSettings, get_settings

# A campus role, and the hub scope that carries it in the OAuth token (JupyterHub RBAC).
ROLE_SCOPES = {
    "researcher": "custom:campus:research",
    "steward": "custom:campus:steward",
    "reviewer": "custom:campus:review",
}


@dataclass(frozen=True)
class ConsoleConfig:
    campus: CampusSettings
    prefix: str
    host: str
    port: int
    import_roots: tuple[Path, ...]
    require_hub_scopes: bool
    max_upload_bytes: int

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "ConsoleConfig":
        env = os.environ if environ is None else environ
        campus = CampusSettings.from_env(dict(env)) if environ is not None else get_settings()
        prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "/services/console/")
        prefix = "/" + prefix.strip("/") + "/"
        bind = urlsplit(env.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10102"))
        roots = env.get("CAMPUS_CONSOLE_IMPORT_ROOTS") or str(campus.home / "incoming")
        return cls(
            campus=campus,
            prefix=prefix,
            host=bind.hostname or "127.0.0.1",
            port=bind.port or 10102,
            import_roots=tuple(Path(p).resolve() for p in roots.split(os.pathsep) if p),
            require_hub_scopes=env.get("CAMPUS_CONSOLE_HUB_SCOPES", "1") != "0",
            max_upload_bytes=int(env.get("CAMPUS_CONSOLE_MAX_UPLOAD_MB", "512")) << 20,
        )

    @property
    def staging_root(self) -> Path:
        """Uploads waiting for the steward to confirm their columns (never served)."""
        return self.campus.run_dir / "console" / "staging"
