"""`campus`: the client a researcher imports inside a Big Data Campus workspace.

    import campus
    campus.datasets()                          what this project may use
    campus.describe("card_spending")           its columns and how each must be treated
    df = campus.sql("SELECT ... FROM card_spending ...")      DuckDB, result as pandas
    ddf = campus.dask("bike_trips")            a Dask DataFrame; campus.cluster() for workers
    campus.provenance.log()                    what was read, for the egress guard
    campus.export(df, name=..., reason=...)    ask to take a result home
    %load_ext campus                           then %%sql cells

Heavy libraries (DuckDB, Dask, sqlglot) load on first use, so `import campus` is quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from campus import provenance
from campus.errors import CampusClusterError, CampusError, CampusQueryError

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe
    import distributed
    import pandas

__all__ = [
    "CampusClusterError",
    "CampusError",
    "CampusQueryError",
    "cluster",
    "dask",
    "datasets",
    "describe",
    "export",
    "provenance",
    "sql",
]


def datasets() -> "pandas.DataFrame":
    """The datasets granted to this project: name, title, tier, description, column classes."""
    from campus.catalog import datasets as _datasets

    return _datasets()


def describe(name: str) -> "pandas.DataFrame":
    """The columns of a granted dataset: name, type, class, description."""
    from campus.catalog import describe as _describe

    return _describe(name)


def sql(query: str, *, output: str = "pandas"):
    """Run a read-only SQL query (DuckDB) over the granted datasets, one view per dataset.

    output: "pandas" (default), "arrow" or "polars". Recorded in campus.provenance.log().
    """
    from campus.query import sql as _sql

    return _sql(query, output=output)


def dask(name: str, columns: list[str] | None = None, **options) -> "dask.dataframe.DataFrame":
    """A Dask DataFrame over a granted dataset (only `columns`, if given). Recorded in the log."""
    from campus.dataframes import dask as _dask

    return _dask(name, columns, **options)


def cluster(n_workers: int | None = None, memory_per_worker: int | str | None = None) -> "distributed.Client":
    """Start a Dask cluster inside the workspace, sized to its limits; returns the Client."""
    from campus.local_cluster import cluster as _cluster

    return _cluster(n_workers, memory_per_worker)


def load_ipython_extension(ipython) -> None:
    """`%load_ext campus`: registers the %sql / %%sql magics, and %export when available."""
    import importlib

    from campus.magic import CampusMagics

    ipython.register_magics(CampusMagics)
    try:
        exporter = importlib.import_module("campus.export")
    except ImportError:
        return
    if hasattr(exporter, "load_ipython_extension"):
        exporter.load_ipython_extension(ipython)


# campus.export is written by the egress guard's side of the project. It is imported here,
# at the end, rather than on first call: importing a submodule binds its name on the
# package, so a lazy import would turn `campus.export` into the module after first use.
try:
    from campus.export import export
except ImportError as _error:
    if _error.name != "campus.export":
        raise

    def export(*args, **kwargs):
        """Ask the egress guard to release a result (not available in this client version)."""
        raise CampusError("exports are not available in this version of the campus client")
