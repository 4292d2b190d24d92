"""The campus's credentials for the OPA server's REST API.

OPA runs with token authentication and authorization (policies/system/authz): a request
without the right bearer token gets 401. There are two tokens:

- the decision token (`CAMPUS_OPA_TOKEN`) asks the campus's questions, nothing else; the
  hub, the campus API and dask-gateway hold it;
- the catalog token (`CAMPUS_OPA_CATALOG_TOKEN`) may also replace the catalog at
  /v1/data/campus/catalog; only what writes the catalog holds it (the CLI, the console,
  `campus up`).

Each comes from its environment variable when set (Kubernetes: a Secret), else from a
file under $CAMPUS_HOME/secrets/ (folder 0700, files 0600) that `ensure_tokens` creates
with `secrets.token_urlsafe` when OPA first starts. They are deliberately not fields of
`CampusSettings`, whose repr ends up in logs and tracebacks; nothing here logs them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hub.settings import CampusSettings

Kind = Literal["decision", "catalog"]

ENV = {"decision": "CAMPUS_OPA_TOKEN", "catalog": "CAMPUS_OPA_CATALOG_TOKEN"}

# 32 random bytes, 43 URL-safe characters: above the 32-character floor that
# policies/system/authz/data.json sets for any token OPA accepts.
TOKEN_BYTES = 32


@dataclass(frozen=True)
class OpaTokens:
    """Both tokens of one campus (repr hides them)."""

    decision: str = field(repr=False)
    catalog: str = field(repr=False)

    def environment(self) -> dict[str, str]:
        """The variables that hand these tokens to OPA and to the campus's own processes."""
        return {ENV["decision"]: self.decision, ENV["catalog"]: self.catalog}


def secrets_dir(settings: CampusSettings) -> Path:
    return settings.home / "secrets"


def token_path(settings: CampusSettings, kind: Kind) -> Path:
    return secrets_dir(settings) / f"opa-{kind}.token"


def read_token(settings: CampusSettings, kind: Kind, environ: dict[str, str] | None = None) -> str | None:
    """The `kind` token: its environment variable, else its file; None when there is neither.

    A file that cannot be read (not root) counts as none: OPA then answers 401, and the
    client's refusal says that no token was sent.
    """
    env = os.environ if environ is None else environ
    value = env.get(ENV[kind], "").strip()
    if value:
        return value
    try:
        return token_path(settings, kind).read_text().strip() or None
    except OSError:
        return None


def ensure_tokens(settings: CampusSettings, environ: dict[str, str] | None = None) -> OpaTokens:
    """Both tokens, creating the file of each one that is neither set nor on disk yet."""
    found = {kind: read_token(settings, kind, environ) for kind in ENV}
    for kind, value in found.items():
        if value is None:
            found[kind] = _create(token_path(settings, kind))
    return OpaTokens(**found)


def _create(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    # O_EXCL: two processes starting at once must not overwrite each other's token;
    # the loser reads the winner's. 0600 from creation, never readable by others.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")
    return token
