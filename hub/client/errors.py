"""Errors the workspace client shows to a researcher.

Each is one line that says what went wrong in the researcher's terms (a dataset name, a
line and column of the query), never a stack of library internals. In IPython they render
as that single line instead of a traceback.
"""

from __future__ import annotations


class CampusError(Exception):
    """Base of every error the `campus` client raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: the message is the whole story.
        return [f"{type(self).__name__}: {self}"]


class CampusQueryError(CampusError):
    """A query was refused or failed: unknown dataset, syntax error, engine error."""


class CampusClusterError(CampusError):
    """A Dask cluster could not be started within the workspace limits."""
