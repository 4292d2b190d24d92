"""Statistical disclosure control of tables (and of the queries behind figures).

Thresholds come from OPA (strictest over the source datasets' manifests). With
provenance, the guard re-runs the output's query against the source data
(egress_guard.recount) and applies to every cell the output shows:
- minimum cell count: contributors (distinct people when the dataset names them, rows
  otherwise) below min_cell_count;
- dominance: the n largest contributions above k of the cell total (n-k rule), and the
  p-ratio rule (the rest of the cell below p times the largest contribution);
- zeros, when a source dataset declares them disclosive;
- groups keyed by a direct identifier (every cell is one person), and MIN/MAX of a
  sensitive column (one contributor's value).
Record-level outputs are refused: a query that was not aggregated but returns sensitive or
identifying columns, a table with at least max_row_fraction of a source's rows, or a
column of near-unique identifier-like values. Without provenance, count columns are checked
at face value and the cells of other aggregates are reported as unverifiable.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pydantic import Field

from hub.catalog.manifest import ColumnClass
from egress_guard.artifacts import Artifact
from egress_guard.base import Check, CheckOptions
from egress_guard.context import CheckContext, LedgerTable, Thresholds
from egress_guard.findings import Finding, Severity
from egress_guard.provenance import ProvenanceEntry
from egress_guard.recount import QueryShape, nested_grouping, recount_query, shape_of
from egress_guard.source import SourceError, validate_select

COUNT_NAME = re.compile(r"^(n|cnt|count|counts|freq|frequency|num|number|size|total_count|people|persons|trips|customers|users|members|holders|transactions)$|(_count|_cnt|_n|_num|_freq)$|^(n_|num_|count_|number_of_)", re.I)
IDENTIFIER_VALUE = re.compile(r"^[A-Za-z]{0,4}[-_]?\d{4,}$|^\d{6}-?\d{7}$|^\d{3}-\d{3,4}-\d{4}$")
PROTECTED = {ColumnClass.direct_identifier.value, ColumnClass.quasi_identifier.value, ColumnClass.sensitive.value}


class Options(CheckOptions):
    recount: bool = True
    max_recount_rows: int = Field(200_000, ge=1)
    identifier_unique_share: float = Field(0.9, gt=0, le=1)
    min_rows_for_cardinality: int = Field(20, ge=2)


def key_strings(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One comparable string per row over `columns` (dates without midnight, whole floats as ints)."""
    parts = []
    for column in columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False)
        elif pd.api.types.is_float_dtype(values) and values.dropna().apply(float.is_integer).all():
            text = values.astype("Int64").astype(str)
        elif pd.api.types.is_float_dtype(values):
            # Six significant digits: JSON and spreadsheets do not round-trip every bit.
            text = values.map(lambda v: "" if pd.isna(v) else f"{v:.6g}")
        else:
            text = values.astype(str).str.strip().str.replace(r" 00:00:00$", "", regex=True)
        parts.append(text.fillna("").to_numpy(dtype=object))
    if not parts:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    joined = parts[0].astype(str)
    for part in parts[1:]:
        joined = np.char.add(np.char.add(joined.astype(str), "\x1f"), part.astype(str))
    return pd.Series(joined, index=frame.index, dtype=object)


class SdcCheck(Check):
    name = "sdc"
    Options = Options

    def analyze(self, context: CheckContext) -> list[Finding]:
        thresholds = context.thresholds()
        findings: list[Finding] = []
        for artifact in context.artifacts:
            entries = context.links.get(artifact.name, [])
            if artifact.table is not None:
                findings.extend(self._face_value(artifact, context, thresholds, linked=bool(entries)))
                for entry in entries[:1]:
                    findings.extend(self._with_provenance(artifact, entry, context, thresholds))
            elif artifact.kind in ("image", "svg", "pdf"):
                for entry in entries:
                    findings.extend(self._with_provenance(artifact, entry, context, thresholds))
        return findings

    # -- tables at face value -------------------------------------------------------------

    def _face_value(self, artifact: Artifact, context: CheckContext, th: Thresholds, linked: bool) -> list[Finding]:
        table = artifact.table
        findings = []
        rows = len(table)
        for name in sorted(context.datasets):
            info = context.catalog.get(name)
            if info and info.row_count and rows >= th.max_row_fraction * info.row_count:
                findings.append(self.finding(Severity.deny, f"record-level output: {rows} rows is at least {th.max_row_fraction:.0%} of the {info.row_count} rows of {name}", artifact.name))
        counts = [c for c in table.columns if COUNT_NAME.search(str(c)) and pd.api.types.is_numeric_dtype(table[c])]
        for column in counts:
            values = table[column]
            small = (values > 0) & (values < th.min_cell_count)
            if small.any():
                row = int(np.flatnonzero(small.to_numpy())[0])
                findings.append(self.finding(Severity.deny, f"{int(small.sum())} cell(s) of {column!r} count fewer than {th.min_cell_count}", f"{artifact.name}:row {row + 2}, column {column}"))
            if th.zeros_disclosive and (values == 0).any():
                row = int(np.flatnonzero((values == 0).to_numpy())[0])
                findings.append(self.finding(Severity.deny, f"{int((values == 0).sum())} zero cell(s) of {column!r}, and zeros are disclosive for these datasets", f"{artifact.name}:row {row + 2}, column {column}"))
        if rows >= self.options.min_rows_for_cardinality:
            for column in table.columns:
                series = table[column].dropna()
                if series.dtype != object or series.empty:
                    continue
                unique_share = series.nunique() / len(series)
                sample = series.sample(min(len(series), 2000), random_state=0) if len(series) > 2000 else series
                id_like = sample.astype(str).str.match(IDENTIFIER_VALUE).mean()
                if unique_share >= self.options.identifier_unique_share and id_like >= 0.8:
                    findings.append(self.finding(Severity.deny, f"record-level output: column {column!r} holds near-unique identifier-like values", f"{artifact.name}:column {column}"))
        if not linked and not counts and rows > 1:
            findings.append(self.finding(Severity.review, "no provenance links this table to a query: its cell counts could not be checked against the source", artifact.name))
        return findings

    # -- with provenance -------------------------------------------------------------------

    def _with_provenance(self, artifact: Artifact, entry: ProvenanceEntry, context: CheckContext, th: Thresholds) -> list[Finding]:
        is_table = artifact.table is not None
        findings = []
        known = {n: context.catalog[n] for n in entry.datasets if n in context.catalog}
        classes = {f"{n}.{c}": k for n, info in known.items() for c, k in info.column_classes.items()}
        raw_protected = [c.name for c in entry.output_columns if not c.aggregated and any(classes.get(s) in PROTECTED for s in c.sources)]
        if not entry.aggregated and raw_protected:
            severity = Severity.deny if is_table else Severity.review
            what = "table" if is_table else "figure or document"
            findings.append(self.finding(severity, f"record-level output: the {what} comes from a query that returns {', '.join(raw_protected[:4])} without aggregating", artifact.name))
        for name, info in known.items():
            if entry.rows and info.row_count and entry.rows >= th.max_row_fraction * info.row_count and not entry.aggregated:
                findings.append(self.finding(Severity.deny if is_table else Severity.review, f"record-level output: its query returned {entry.rows} of the {info.row_count} rows of {name}", artifact.name))
        if not self.options.recount or not known:
            return findings
        try:
            tree = validate_select(entry.sql, set(context.catalog))
        except SourceError as error:
            return [*findings, self.finding(Severity.review, f"provenance query cannot be re-run: {error}", artifact.name)]
        shape = shape_of(tree, context.catalog)
        if not shape.aggregated:
            nested = nested_grouping(tree, context.catalog) if entry.aggregated else None
            if nested:
                findings.append(self.finding(Severity.deny, f"grouped by the direct identifier {nested[0]!r}: every cell describes one person", artifact.name))
            elif nested is not None:
                # Groups made in WITH clauses or sub-queries: legitimate, but the recount
                # below handles one level of GROUP BY only, so a person checks the cells.
                findings.append(self.finding(Severity.review, "the query aggregates inside WITH clauses or sub-queries: its cell sizes could not be recounted", artifact.name))
            elif entry.aggregated:
                findings.append(self.finding(Severity.deny, "provenance claims an aggregate, but the query does not aggregate", artifact.name))
            return findings
        for column in shape.identifier_keys:
            findings.append(self.finding(Severity.deny, f"aggregated by the direct identifier {column!r}: every cell describes one person", artifact.name))
        for column in shape.extremes:
            findings.append(self.finding(Severity.review, f"{column!r} is a MIN or MAX of a sensitive column: it is one contributor's value", artifact.name))
        try:
            cells = context.source.query(recount_query(tree, shape, context.catalog, th.dominance_n), self.options.max_recount_rows)
            result = context.source.query(tree, self.options.max_recount_rows)
        except SourceError as error:
            return [*findings, self.finding(Severity.review, f"cells could not be recounted: {error}", artifact.name)]
        findings.extend(self._cells(artifact, shape, cells, result, context, th))
        return findings

    def _cells(self, artifact: Artifact, shape: QueryShape, cells: pd.DataFrame, result: pd.DataFrame, context: CheckContext, th: Thresholds) -> list[Finding]:
        findings = []
        names = [name for name, _ in shape.keys]
        key_columns = [f"__k{i}" for i in range(len(names))]
        cells = cells.rename(columns=dict(zip(key_columns, names, strict=True)))
        cell_keys = key_strings(cells, names)
        # Only the cells the output shows: the query's HAVING/LIMIT, then the exported rows.
        if names and set(names) <= set(result.columns):
            cells = cells[cell_keys.isin(set(key_strings(result, names)))]
        table = artifact.table
        if table is not None:
            present = [n for n in names if n in table.columns]
            if names and len(present) == len(names):
                shown = key_strings(table, names)
                cells = cells[key_strings(cells, names).isin(set(shown))]
            common = [c for c in table.columns if c in result.columns]
            if common and len(table) and not key_strings(table, common).isin(set(key_strings(result, common))).all():
                findings.append(self.finding(Severity.review, "the table differs from a re-run of the query it claims to come from", artifact.name))
        where = lambda frame: f"{artifact.name}:cell {key_strings(frame.head(1), names).iloc[0].replace(chr(31), ' / ')}" if names and len(frame) else artifact.name  # noqa: E731
        small = cells[cells["__n"] < th.min_cell_count]
        if len(small):
            findings.append(self.finding(Severity.deny, f"{len(small)} cell(s) have fewer than {th.min_cell_count} contributors (smallest: {int(small['__n'].min())})", where(small)))
        for index, (output, function, _) in enumerate(shape.summed):
            total = cells[f"__t{index}"].astype(float)
            top = cells[f"__top{index}"].apply(lambda v: sorted((float(x) for x in (v if v is not None else [])), reverse=True))
            top_n = top.apply(lambda v: sum(v[: th.dominance_n]))
            first = top.apply(lambda v: v[0] if v else 0.0)
            second = top.apply(lambda v: v[1] if len(v) > 1 else 0.0)
            valid = total > 0
            nk = valid & (top_n > th.dominance_k * total)
            pratio = valid & ((total - first - second) < th.p_ratio * first)
            dominated = cells[(nk | pratio) & (cells["__n"] >= th.min_cell_count)]
            if len(dominated):
                findings.append(self.finding(Severity.deny, f"{len(dominated)} cell(s) of {output!r} ({function}) are dominated by their {th.dominance_n} largest contributors (n-k {th.dominance_n}/{th.dominance_k:.2f} or p-ratio {th.p_ratio:.2f})", where(dominated)))
        if table is not None and names and all(n in table.columns for n in names):
            counts = cells.set_index(key_strings(cells, names))["__n"]
            context.ledger_out.append(LedgerTable(request_id=context.request.id, name=artifact.name, datasets=sorted(shape.tables), dims=sorted(n.casefold() for n in names), cells={k: float(v) for k, v in counts.items()} if _dims_sorted(names) else _resorted(cells, names)))
        return findings


def _dims_sorted(names: list[str]) -> bool:
    return [n.casefold() for n in names] == sorted(n.casefold() for n in names)


def _resorted(cells: pd.DataFrame, names: list[str]) -> dict[str, float]:
    order = sorted(names, key=str.casefold)
    return {k: float(v) for k, v in zip(key_strings(cells, order), cells["__n"], strict=True)}
