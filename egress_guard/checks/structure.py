"""Structure: what could not be opened safely, or is not allowed to leave in this form.

The work is done while opening (egress_guard.opening): file type allow-list, sizes, rows,
archives and notebooks, image metadata, SVG active content. This check reports the
problems found there and refuses an empty request.
"""

from __future__ import annotations

from egress_guard.base import Check
from egress_guard.context import CheckContext
from egress_guard.findings import Finding, Severity


class StructureCheck(Check):
    name = "structure"

    def analyze(self, context: CheckContext) -> list[Finding]:
        findings = []
        if not context.artifacts:
            findings.append(self.finding(Severity.deny, "the request has no files"))
        for artifact in context.artifacts:
            for problem in artifact.problems:
                findings.append(self.finding(problem.severity, problem.message, artifact.name))
            if artifact.release_bytes is not None and artifact.top_level:
                findings.append(self.finding(Severity.info, "image metadata stripped before release", artifact.name))
        return findings
