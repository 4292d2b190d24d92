"""`campus.cluster`: a Dask LocalCluster inside the workspace, sized to its limits.

The workers are processes of the workspace itself, listening on loopback only: a
sandboxed workspace has no other network, and none is needed. The dashboard is reached
the way every other workspace web page is, under the server's own prefix
(`/user/NAME/proxy/PORT/status`), never through a new route: the server's dashboard
proxy (hub/singleuser/dashboard_proxy.py) passes the dashboard's routes and nothing else.

Sizing: one single-threaded worker process per CPU of the workspace, sharing
CLUSTER_MEMORY_SHARE of its memory limit; what a worker cannot hold it spills to the
scratch folder, which is what lets an aggregation over data larger than memory finish.
"""

from __future__ import annotations

import os
import threading

import dask
from distributed import Client, LocalCluster

from campus import workspace
from campus.errors import CampusClusterError

# The kernel (and DuckDB inside it) keeps the rest of the workspace memory.
CLUSTER_MEMORY_SHARE = 0.6
# A worker process holds about 200-250 MB once pandas and pyarrow are loaded, and Dask
# pauses it at 80 % of its limit: below this it would sit paused, never finishing.
MIN_WORKER_MEMORY = 400_000_000

_client: Client | None = None
_lock = threading.Lock()


def dashboard_link_template() -> str:
    """Dask formats this with the dashboard's port: a path under the Jupyter server's prefix."""
    return workspace.service_prefix() + "proxy/{port}/status"


def sizing(n_workers: int | None = None, memory_per_worker: int | str | None = None) -> tuple[int, int | str]:
    """(workers, memory limit per worker) from arguments, else from the workspace limits."""
    workers = n_workers or workspace.cpus() or os.cpu_count() or 1
    if workers < 1:
        raise CampusClusterError(f"n_workers must be at least 1, not {workers}")
    limit = workspace.memory_limit()
    if memory_per_worker is None and limit:
        share = int(limit * CLUSTER_MEMORY_SHARE)
        if share < MIN_WORKER_MEMORY:
            raise CampusClusterError(
                f"this workspace's memory ({limit / 1e9:.1f} GB) is too small for Dask workers "
                f"(each needs {MIN_WORKER_MEMORY / 1e6:.0f} MB): use campus.sql, which works within it"
            )
        if n_workers is None:
            workers = min(workers, share // MIN_WORKER_MEMORY)  # fewer, viable workers
        memory_per_worker = share // workers
    return workers, memory_per_worker if memory_per_worker is not None else "auto"


def cluster(n_workers: int | None = None, memory_per_worker: int | str | None = None) -> Client:
    """Start (once per kernel) a local Dask cluster and return its Client.

    Later Dask computations in the kernel run on it. Arguments override the sizing taken
    from CAMPUS_CPUS / CAMPUS_MEM_LIMIT.
    """
    global _client
    with _lock:
        if _client is not None and _client.status == "running":
            return _client
        workers, memory = sizing(n_workers, memory_per_worker)
        spill = workspace.scratch_dir() / "dask"
        try:
            spill.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CampusClusterError(f"cannot create the spill folder {spill}: {error.strerror}") from None
        dask.config.set({"distributed.dashboard.link": dashboard_link_template()})
        try:
            local = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=memory,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                local_directory=str(spill),
            )
        except (OSError, ValueError, TimeoutError, RuntimeError) as error:
            raise CampusClusterError(f"the Dask cluster did not start: {error}") from None
        _client = Client(local)
        return _client


def shutdown() -> None:
    """Stop the cluster, if one was started."""
    global _client
    with _lock:
        if _client is not None:
            cluster_ = _client.cluster
            _client.close()
            if cluster_ is not None:
                cluster_.close()
        _client = None
