"""The release ledger: what the project already took out, and what a new table adds to it.

Each released aggregate table is remembered by its dimensions and its recounted cells
(hub.egress keeps them). A new table over the same source and dimensions is compared with
every earlier one, and with the other tables of the same request: if a cell, or the
total, differs by fewer than min_cell_count contributors (but not zero), subtracting the
two isolates a group that no single table shows — the differencing attack (one category
or one person left out, totals that subtract to a small cell).
"""

from __future__ import annotations

from egress_guard.base import Check
from egress_guard.context import CheckContext, LedgerTable
from egress_guard.findings import Finding, Severity


class LedgerCheck(Check):
    name = "ledger"

    def analyze(self, context: CheckContext) -> list[Finding]:
        if not context.ledger_out:
            return []
        threshold = context.thresholds().min_cell_count
        findings = []
        for index, new in enumerate(context.ledger_out):
            others = [*context.earlier_releases, *context.ledger_out[:index]]
            for old in others:
                if old.dims != new.dims or not set(old.datasets) & set(new.datasets):
                    continue
                problem = _difference(old, new, threshold)
                if problem:
                    source = f"earlier release {old.request_id} ({old.name})" if old.request_id != new.request_id else f"{old.name} in this request"
                    findings.append(self.finding(Severity.deny, f"differencing with {source}: {problem}", new.name))
                    break
        return findings


def _difference(old: LedgerTable, new: LedgerTable, threshold: int) -> str | None:
    common = set(old.cells) & set(new.cells)
    for key in sorted(common):
        delta = abs(new.cells[key] - old.cells[key])
        if 0 < delta < threshold:
            return f"cell {key.replace(chr(31), ' / ')} differs by {delta:g} contributors (fewer than {threshold})"
    if common:
        delta = abs(sum(new.cells[k] for k in common) - sum(old.cells[k] for k in common))
        if 0 < delta < threshold:
            return f"totals differ by {delta:g} contributors (fewer than {threshold})"
    # One category more or less: its cell is the difference of the two totals.
    extra = set(old.cells) ^ set(new.cells)
    if common and len(extra) == 1:
        delta = abs(sum(new.cells.values()) - sum(old.cells.values()))
        if 0 < delta < threshold:
            return f"the tables differ by one category worth {delta:g} contributors (fewer than {threshold})"
    return None
