"""Where the workspace keeps things and how big it is, read from the environment.

The spawner (sandbox or pod) sets these variables; see docs/internals.md, "Workspace view
of the data". Everything has a default that works in a plain local Jupyter, so that the
client can be tried (and tested) outside a campus.
"""

from __future__ import annotations

import os
from pathlib import Path

from dask.utils import parse_bytes


def data_dir() -> Path:
    """The read-only folder holding one sub-folder per granted dataset."""
    return Path(os.environ.get("CAMPUS_DATA_DIR", "/data"))


def catalog_file() -> Path:
    """The JSON file naming every registered dataset (granted or not), if the spawner wrote one."""
    return Path(os.environ.get("CAMPUS_CATALOG", "/run/campus/catalog.json"))


def scratch_dir() -> Path:
    """Where DuckDB and Dask spill to disk when a job outgrows memory.

    Not /tmp: in a sandbox /tmp may be a tmpfs, which is memory and would defeat spilling.
    """
    default = Path.home() / ".cache" / "campus"
    return Path(os.environ.get("CAMPUS_SCRATCH_DIR", default))


def memory_limit() -> int | None:
    """The workspace's memory limit in bytes, or None when unlimited/unknown.

    CAMPUS_MEM_LIMIT wins; MEM_LIMIT is what JupyterHub spawners set from `mem_limit`.
    Accepts bytes or a size such as "4G" / "4GiB".
    """
    for name in ("CAMPUS_MEM_LIMIT", "MEM_LIMIT"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                parsed = parse_bytes(value)
            except ValueError:
                raise ValueError(f"{name}={value!r} is not a size (use bytes or e.g. 4G)") from None
            return parsed if parsed > 0 else None
    return None


def cpus() -> int | None:
    """The workspace's CPU limit (whole CPUs, at least 1), or None when unknown.

    CAMPUS_CPUS wins; CPU_LIMIT is what JupyterHub spawners set from `cpu_limit`.
    """
    for name in ("CAMPUS_CPUS", "CPU_LIMIT"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return max(1, int(float(value)))
            except ValueError:
                raise ValueError(f"{name}={value!r} is not a number of CPUs") from None
    return None


def service_prefix() -> str:
    """The URL prefix of this Jupyter server (JupyterHub's /user/NAME/), ending in '/'."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return prefix if prefix.endswith("/") else prefix + "/"
