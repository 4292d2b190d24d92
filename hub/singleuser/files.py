"""Writes the read-only Jupyter configuration folder of one workspace.

<config>/
  jupyter_server_config.py     marks the server not dumpable (hardening.py), runs server_config.apply(c)
  labconfig/page_config.json   download/export plugins and the Javascript renderer disabled, locked
  lab/settings/overrides.json  lab defaults (no news, no hidden files)
  custom/custom.css            the watermark with the user's name
  data/kernels/python3/        the only Python kernel: runs ipython/display.py at start
  ipython/display.py           pandas display limits, DuckDB offline settings

The folder is written by the hub (root) and bound read-only, so a user can neither edit it
nor shadow it (user config is disabled: JUPYTERHUB_DISABLE_USER_CONFIG).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from hub.spawner import sandbox

TEMPLATES = Path(__file__).parent / "templates"


def _css_string(text: str) -> str:
    """Quote `text` for a CSS `content:` string (user names are plain, but never trust)."""
    return "".join(ch if ch.isalnum() or ch in " ._-@" else f"\\{ord(ch):x} " for ch in text)


def kernel_spec() -> dict:
    return {
        "argv": [
            f"{sys.prefix}/bin/python",
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            f"--IPKernelApp.exec_files={sandbox.CONFIG_DIR}/ipython/display.py",
        ],
        "display_name": "Python 3 (campus)",
        "language": "python",
        "metadata": {"debugger": True},
    }


def write_config(config_dir: Path, *, user: str) -> None:
    """Create `config_dir` with the workspace configuration of `user` (replacing any old one)."""
    shutil.rmtree(config_dir, ignore_errors=True)
    (config_dir / "labconfig").mkdir(parents=True)
    (config_dir / "lab" / "settings").mkdir(parents=True)
    (config_dir / "custom").mkdir()
    (config_dir / "ipython").mkdir()
    kernel_dir = config_dir / "data" / "kernels" / "python3"
    kernel_dir.mkdir(parents=True)
    (config_dir / "jupyter_server_config.py").write_text(
        '"""Campus workspace server configuration (root-owned, read-only)."""\n'
        "from hub.singleuser.hardening import make_undumpable\n"
        "from hub.singleuser.server_config import apply\n\n"
        "# Runs in the server process before it listens: no kernel or terminal (same uid)\n"
        "# can trace the server or read its memory from here on (hardening.py).\n"
        "make_undumpable()\n"
        "apply(c)  # noqa: F821 - `c` is the config object Jupyter provides\n"
    )
    # jupyter_core migrates old IPython config into the config dir once and records it in
    # this file; the folder is read-only, so mark it done (there is nothing to migrate).
    (config_dir / "migrated").write_text("campus\n")
    shutil.copy(TEMPLATES / "page_config.json", config_dir / "labconfig" / "page_config.json")
    shutil.copy(TEMPLATES / "overrides.json", config_dir / "lab" / "settings" / "overrides.json")
    shutil.copy(TEMPLATES / "display.py", config_dir / "ipython" / "display.py")
    watermark = _css_string(f"{user}\\A campus — do not copy")
    css = (TEMPLATES / "custom.css").read_text().replace("__WATERMARK__", watermark)
    (config_dir / "custom" / "custom.css").write_text(css)
    (kernel_dir / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1))
    for path in [config_dir, *config_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
