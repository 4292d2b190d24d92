"""Fingerprints: identifiers and rare quasi-identifier combinations of the source datasets.

Matches the hashed, normalised values of every registered dataset's direct identifiers
in every table cell and every text of the output (also inside base64/hex blobs), so an
identifier survives no reformatting the normaliser folds (case, spacing, dashes, digit
grouping, full-width forms, Hangul composition). In tables, columns whose values belong
to a quasi-identifier column are combined row by row and matched against the
combinations fewer than min_cell_count people share. A match also tells the guard which
dataset an output came from when provenance is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from egress_guard.artifacts import Artifact
from egress_guard.base import Check, CheckOptions
from egress_guard.context import CheckContext
from egress_guard.encodings import decode_blobs
from egress_guard.findings import Finding, Severity
from egress_guard.fingerprints import Fingerprints, contains, load_fingerprints
from egress_guard.normalize import hash_rows, hash_strings, long_enough, normalize_series, normalized_column, candidates_by_value


class Options(CheckOptions):
    # Share of a column's distinct values that must fall in a quasi-identifier's value set
    # for the column to be taken as that quasi-identifier.
    qi_column_share: float = Field(0.8, gt=0, le=1)


def _mask(count: int, what: str) -> str:
    return f"{count} value{'s' if count != 1 else ''} of {what}"


class FingerprintCheck(Check):
    name = "fingerprints"
    Options = Options

    def analyze(self, context: CheckContext) -> list[Finding]:
        prints = [fp for name in sorted(context.catalog) if (fp := load_fingerprints(context.fingerprints_root, name)) is not None]
        findings: list[Finding] = []
        missing = sorted(set(context.catalog) - {fp.dataset for fp in prints})
        for name in missing:
            findings.append(self.finding(Severity.review, f"dataset {name} has no fingerprints (rebuild them): identifiers of it cannot be matched"))
        for artifact in context.artifacts:
            if artifact.table is not None:
                findings.extend(self._table(artifact, prints, context))
            for block in artifact.texts:
                findings.extend(self._text(block.location, block.text, prints, context))
        return findings

    def _table(self, artifact: Artifact, prints: list[Fingerprints], context: CheckContext) -> list[Finding]:
        findings = []
        table = artifact.table
        decoded: list[str] = []
        for column in table.columns:
            series = table[column]
            if pd.api.types.is_float_dtype(series) and not series.dropna().apply(float.is_integer).all():
                continue  # measurements, not identifiers
            distinct = pd.Series(series.dropna().unique())
            free_text = series.dtype == object and any(" " in str(v) for v in distinct[:2000])
            if free_text:
                # Identifiers inside sentences: every word and run of words is a candidate
                # (a whole-value match is one of them).
                texts = [str(v) for v in distinct]
                for fp, owners in self.match_in_values(texts, prints).items():
                    context.datasets.add(fp)
                    first = texts[min(owners)]
                    row = int(np.flatnonzero((series.astype(str) == first).to_numpy())[0])
                    findings.append(self.finding(Severity.deny, f"column {column!r}: {len(owners)} text value(s) hold direct identifiers of {fp}", f"{artifact.name}:row {row + 2}, column {column}"))
                for value in distinct[:5000]:
                    if isinstance(value, str) and len(value) >= 24:
                        decoded.extend(decode_blobs(value, limit=4))
                continue
            if pd.api.types.is_integer_dtype(series) or pd.api.types.is_float_dtype(series):
                # Read back as numbers, "010…" phone numbers lose their leading zero.
                whole = distinct.astype("int64").astype(str)
                distinct = pd.concat([whole, "0" + whole], ignore_index=True)
            normal = normalize_series(distinct)
            keep = long_enough(normal)
            hashes = hash_strings(normal[keep])
            values = distinct[keep.to_numpy()]
            for fp in prints:
                hit = contains(fp.direct, hashes)
                if hit.any():
                    context.datasets.add(fp.dataset)
                    first = values.to_numpy()[hit][0]
                    row = int(np.flatnonzero((series == first).to_numpy())[0]) if (series == first).any() else 0
                    findings.append(self.finding(Severity.deny, f"column {column!r} holds {_mask(int(hit.sum()), 'direct identifiers of ' + fp.dataset)}", f"{artifact.name}:row {row + 2}, column {column}"))
            if series.dtype == object:
                for value in distinct[:5000]:
                    if isinstance(value, str) and len(value) >= 24:
                        decoded.extend(decode_blobs(value, limit=4))
        if decoded:
            findings.extend(self._text(f"{artifact.name}:encoded cells", "\n".join(decoded), prints, context, encoded=True))
        findings.extend(self._combinations(artifact, prints, context))
        return findings

    @staticmethod
    def match_in_values(values: list[str], prints: list[Fingerprints]) -> dict[str, set[int]]:
        """Which values (by index) hold an identifier of which dataset, anywhere in their text."""
        candidates, owners = candidates_by_value(values)
        if candidates.empty:
            return {}
        keep = long_enough(candidates).to_numpy()
        hashes = hash_strings(candidates[keep])
        owners = owners[keep]
        found: dict[str, set[int]] = {}
        for fp in prints:
            hit = contains(fp.direct, hashes)
            if hit.any():
                found[fp.dataset] = set(owners[hit].tolist())
        return found

    def _combinations(self, artifact: Artifact, prints: list[Fingerprints], context: CheckContext) -> list[Finding]:
        table = artifact.table
        findings = []
        # Normalise each column's distinct values once; rows are rebuilt from codes when needed.
        coded = {}
        for column in table.columns:
            codes, uniques = pd.factorize(table[column], use_na_sentinel=True)
            normal = normalized_column(pd.Series(uniques)).to_numpy(dtype=object)
            coded[column] = (codes, normal, hash_strings([v for v in normal if v != ""]))
        for fp in prints:
            matched: dict[str, str] = {}  # quasi-identifier -> output column
            for quasi, value_hashes in fp.quasi.items():
                for column, (_, normal, hashes) in coded.items():
                    if column in matched.values():
                        continue
                    if len(hashes) < 2 and str(column).casefold() != quasi.casefold():
                        continue
                    share = contains(value_hashes, hashes).mean() if len(hashes) else 0.0
                    if share >= self.options.qi_column_share:
                        matched[quasi] = column
                        break
            for subset, rare in zip(fp.subsets, fp.combos, strict=True):
                if rare.size == 0 or not all(q in matched for q in subset):
                    continue
                columns = {}
                for q in subset:
                    codes, normal, _ = coded[matched[q]]
                    columns[q] = np.where(codes >= 0, normal[np.maximum(codes, 0)] if len(normal) else "", "")
                rows = hash_rows(pd.DataFrame(columns))
                hit = contains(rare, rows)
                if hit.any():
                    context.datasets.add(fp.dataset)
                    row = int(np.flatnonzero(hit)[0])
                    columns = ", ".join(matched[q] for q in subset)
                    findings.append(
                        self.finding(
                            Severity.deny,
                            f"{int(hit.sum())} row(s) show a combination of ({columns}) that fewer than {fp.min_cell_count} people share in {fp.dataset}",
                            f"{artifact.name}:row {row + 2}",
                        )
                    )
                    break
        return findings

    def _text(self, location: str, text: str, prints: list[Fingerprints], context: CheckContext, encoded: bool = False) -> list[Finding]:
        if not text or not prints:
            return []
        candidates, _ = candidates_by_value(text.splitlines())
        candidates = candidates[long_enough(candidates).to_numpy()] if len(candidates) else candidates
        hashes = hash_strings(candidates)
        findings = []
        for fp in prints:
            hit = contains(fp.direct, hashes)
            if hit.any():
                context.datasets.add(fp.dataset)
                how = "encoded (base64/hex) " if encoded else ""
                findings.append(self.finding(Severity.deny, f"text holds {how}{_mask(int(hit.sum()), 'direct identifiers of ' + fp.dataset)}", location))
        if not encoded:
            decoded = decode_blobs(text)
            if decoded:
                findings.extend(self._text(f"{location}:encoded", "\n".join(decoded), prints, context, encoded=True))
        return findings

