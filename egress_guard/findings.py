"""What a check reports: findings with a severity the `campus.egress` policy understands.

`deny` means the output must not leave as it is, `review` asks a human, `info` is kept for
the record. The policy, not the guard, turns findings into a decision.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    deny = "deny"
    review = "review"
    info = "info"


class Finding(BaseModel):
    """One problem found in an output. `location` names file, then table cell or text offset."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: str
    severity: Severity
    message: str
    location: str = ""

    def as_input(self) -> dict:
        """The finding as the policy input and the CLI print it."""
        return {"check": self.check, "severity": self.severity.value, "message": self.message, "location": self.location}


SEVERITY_RANK = {Severity.info: 0, Severity.review: 1, Severity.deny: 2}
