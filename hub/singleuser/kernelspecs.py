"""The workspace's kernel specs come from the campus's read-only folder only.

jupyter_client searches `jupyter_path("kernels")` and then `$IPYTHONDIR/kernels`, which is
in the user's home and is not removed by JupyterHub's disable_user_config; its
`kernel_dirs` is not configurable. `/kernelspecs/<name>/<file>` serves any file of a
spec's folder (and `allowed_kernelspecs` does not filter that route), so a "kernel" of the
user's own would serve whatever is put beside its kernel.json: a copy of the rows.
"""

from __future__ import annotations

from jupyter_client.kernelspec import KernelSpecManager
from traitlets import default

from hub.spawner import sandbox


class CampusKernelSpecManager(KernelSpecManager):
    """KernelSpecManager that searches only the campus's read-only kernels folder."""

    @default("kernel_dirs")
    def _campus_kernel_dirs(self) -> list[str]:
        return [f"{sandbox.CONFIG_DIR}/data/kernels"]
