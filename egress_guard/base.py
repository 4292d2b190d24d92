"""The plug-in interface of the guard's checks, after Presidio's EntityRecognizer.

A check has a `name` (what its findings are filed under and the policy names), an
`Options` model (its YAML options, unknown keys refused) and `analyze(context)`, which
returns findings and must not raise on bad input. One check per file in
egress_guard/checks/.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from egress_guard.context import CheckContext
from egress_guard.findings import Finding, Severity


class CheckOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(ABC):
    name: ClassVar[str]
    Options: ClassVar[type[CheckOptions]] = CheckOptions

    def __init__(self, options: CheckOptions | None = None):
        self.options = options or self.Options()

    @abstractmethod
    def analyze(self, context: CheckContext) -> list[Finding]:
        """Findings about the request in `context`."""

    def finding(self, severity: Severity, message: str, location: str = "") -> Finding:
        return Finding(check=self.name, severity=severity, message=message, location=location)
