"""Errors of the campus control plane.

One base class; each subclass names a kind of problem. Messages are one line that names
the offending key, value or state, because the CLI prints them as-is (exit code 2) and
the web service shows them to the user.
"""


class CampusError(Exception):
    """Base of every error the campus reports to a user."""


class ManifestError(CampusError):
    """A dataset manifest is malformed or does not match its data."""


class CatalogError(CampusError):
    """A catalog operation refers to something unknown or conflicts with existing state."""


class NotFound(CatalogError):
    """A named dataset, project, user or request does not exist."""


class PermissionDenied(CampusError):
    """The policy refused the action (or could not be asked: fail closed)."""


class PolicyUnavailable(PermissionDenied):
    """OPA could not be reached or gave no answer; the campus denies."""


class AuditChainBroken(CampusError):
    """The audit log's hash chain does not verify."""
