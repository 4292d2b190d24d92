"""Running the checks over a request and asking the policy for the decision.

`check_request` opens the files, links provenance, infers source datasets when provenance
is missing (column names, then fingerprints), runs every registered check and returns a
`GuardReport`. A check that fails unexpectedly produces a deny finding (fail closed); a
policy outage (PolicyUnavailable) propagates, so the caller keeps the request and
releases nothing. `decide` sends the report to OPA's campus.egress policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hub.errors import PolicyUnavailable
from egress_guard.artifacts import TABLE_KINDS, Artifact
from egress_guard.context import CheckContext, LedgerTable, RequestInfo
from egress_guard.findings import Finding, Severity
from egress_guard.opening import open_request
from egress_guard.provenance import link, parse_provenance
from egress_guard.registry import CheckRegistry
from egress_guard.source import DatasetInfo


@dataclass
class GuardReport:
    findings: list[Finding]
    datasets: list[str]
    provenance_complete: bool
    files: list[dict]
    ledger: list[LedgerTable] = field(default_factory=list)
    release_bytes: dict[str, bytes] = field(default_factory=dict)

    def policy_input(self, request: RequestInfo) -> tuple[dict, list[dict]]:
        req = {"id": request.id, "user": request.user, "project": request.project, "datasets": self.datasets, "files": self.files, "provenance_complete": self.provenance_complete}
        return req, [f.as_input() for f in self.findings]


GENERIC_COLUMNS = frozenset({"n", "count", "total", "sum", "mean", "avg", "id", "name", "date", "month", "year", "hour", "day", "value", "category", "district", "sex"})


def _infer_from_columns(artifacts: list[Artifact], catalog: dict[str, DatasetInfo]) -> set[str]:
    """Datasets sharing a distinctive column name with a table of the request.

    Only used without provenance; guessing a source too many is safe (stricter
    thresholds, more reviewers), guessing none lets a table pass as sourceless.
    """
    found = set()
    for artifact in artifacts:
        if artifact.table is None:
            continue
        columns = {str(c).casefold() for c in artifact.table.columns} - GENERIC_COLUMNS
        for name, info in catalog.items():
            if columns & {c.name.casefold() for c in info.manifest.columns}:
                found.add(name)
    return found


def check_request(
    *,
    request: RequestInfo,
    root: Path,
    names: list[str],
    provenance: object,
    catalog: dict[str, DatasetInfo],
    fingerprints_root: Path,
    thresholds_provider: Callable[[list[str]], dict],
    earlier_releases: list[LedgerTable] | None = None,
    registry: CheckRegistry | None = None,
) -> GuardReport:
    registry = registry or CheckRegistry.from_yaml()
    artifacts = open_request(root, names, registry.limits)
    entries, provenance_error = parse_provenance(provenance)
    findings: list[Finding] = []
    if provenance_error:
        findings.append(Finding(check="provenance", severity=Severity.review, message=provenance_error))
    datasets = {d for e in entries for d in e.datasets}
    for unknown in sorted(datasets - set(catalog)):
        findings.append(Finding(check="provenance", severity=Severity.review, message=f"provenance names {unknown!r}, which is not a registered dataset"))
    datasets &= set(catalog)
    if not entries:
        datasets |= _infer_from_columns(artifacts, catalog)
    links = link(artifacts, entries)
    context = CheckContext(
        request=request,
        artifacts=artifacts,
        provenance=entries,
        links=links,
        catalog=catalog,
        fingerprints_root=fingerprints_root,
        thresholds_provider=thresholds_provider,
        earlier_releases=earlier_releases or [],
        datasets=datasets,
    )
    try:
        for check in registry.checks:
            try:
                findings.extend(check.analyze(context))
            except PolicyUnavailable:
                raise
            except Exception as error:  # noqa: BLE001 - a broken check must not let anything through
                findings.append(Finding(check=check.name, severity=Severity.deny, message=f"check failed: {type(error).__name__}: {str(error)[:200]}"))
    finally:
        context.close()
    checked = [a for a in artifacts if a.table is not None or a.kind in ("image", "svg", "pdf")]
    complete = bool(entries) and provenance_error is None and all(links.get(a.name) for a in checked)
    files = [{"name": a.name, "kind": "table" if a.table is not None and a.kind not in TABLE_KINDS else a.kind} for a in artifacts if a.top_level or a.table is not None]
    release = {a.name: a.release_bytes for a in artifacts if a.top_level and a.release_bytes is not None}
    return GuardReport(findings=findings, datasets=sorted(context.datasets), provenance_complete=complete, files=files, ledger=context.ledger_out, release_bytes=release)


def decide(report: GuardReport, request: RequestInfo, policy):
    """The policy's answer (hub.policy.client.EgressDecision: decision, reasons, error).

    The client answers deny with `error` set when OPA cannot be asked: fail closed.
    """
    req, findings = report.policy_input(request)
    return policy.egress(req, findings)
