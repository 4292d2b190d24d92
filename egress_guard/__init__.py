"""The egress guard: checks every file that asks to leave the campus.

Files are opened safely into tables and texts (`opening`), then checked by plug-ins
(`checks/`, registered in `registry`): structure, fingerprints of the source datasets,
PII (Presidio with Korean recognizers), statistical disclosure control with recounts
against the source data, and the release ledger. The findings go to OPA's
`campus.egress` policy, which decides (`pipeline.decide`).
"""

from egress_guard.findings import Finding, Severity

__all__ = ["Finding", "Severity"]
