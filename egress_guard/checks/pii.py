"""PII: personal data of anyone, registered or not, found by Presidio.

Fast by construction (Presidio cell by cell runs spaCy on every cell, ~240 cells/s):
- table columns are scanned as their distinct values, joined into one text per column,
  by the pattern recognizers only (Korean RRN/phone/BRN, e-mail, cards, IBAN); a column
  whose values mostly have the shape of Korean names is reported as a name column;
- spaCy NER runs only where it can add something: on values and lines that hold a
  capitalised word pair (a Latin-script name), capped in number;
- free text (notebooks, documents, chart texts, image metadata, decoded base64/hex) gets
  the patterns everywhere and the Korean-name recognizer with its context rule.
Matches are mapped back to the row or text offset they came from; messages never repeat
the matched value (findings are audited).
"""

from __future__ import annotations

import bisect
import re

import numpy as np
import pandas as pd
from pydantic import Field

from egress_guard.artifacts import Artifact
from egress_guard.base import Check, CheckOptions
from egress_guard.context import CheckContext
from egress_guard.encodings import decode_blobs
from egress_guard.findings import Finding, Severity
from egress_guard.presidio_engine import analyzer, pattern_recognizers
from egress_guard.recognizers.kr_name import CONTEXT_WORDS, looks_like_name_column

LATIN_NAME_CANDIDATE = re.compile(r"\b[A-Z][a-z]+(?:[ \-][A-Z][a-z]+)+\b")
NAME_CONTEXT = "|".join(CONTEXT_WORDS)
# Which pre-filter of values each pattern recognizer needs (default: nine digits or more).
RECOGNIZER_FILTER = {"EmailRecognizer": "email", "KoreanNameRecognizer": "name", "IbanRecognizer": "digits"}


class Options(CheckOptions):
    entities: list[str] = ["KR_RRN", "KR_PHONE", "KR_BRN", "KR_NAME", "EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "PERSON"]
    # In a table, any of these is enough to refuse: they are never part of an aggregate.
    deny_entities: list[str] = ["KR_RRN", "KR_PHONE", "KR_BRN", "CREDIT_CARD", "EMAIL_ADDRESS"]
    score_threshold: float = Field(0.5, ge=0, le=1)
    max_ner_values: int = Field(3000, ge=0)
    name_column_share: float = Field(0.6, gt=0, le=1)


class PiiCheck(Check):
    name = "pii"
    Options = Options

    def analyze(self, context: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for artifact in context.artifacts:
            if artifact.table is not None:
                findings.extend(self._table(artifact))
            for block in artifact.texts:
                findings.extend(self._text(block.location, block.text))
                decoded = decode_blobs(block.text)
                if decoded:
                    findings.extend(self._text(f"{block.location}:encoded", "\n".join(decoded), encoded=True))
        return findings

    def _patterns(self, text: str) -> list:
        wanted = set(self.options.entities)
        results = []
        for recognizer in pattern_recognizers():
            entities = [e for e in recognizer.supported_entities if e in wanted]
            if entities:
                results.extend(r for r in recognizer.analyze(text, entities) if r.score >= self.options.score_threshold)
        return results

    def _ner(self, texts: list[str]) -> list[list]:
        """PERSON results per text, with spaCy run over all of them in one pass."""
        if "PERSON" not in self.options.entities or not texts:
            return [[] for _ in texts]
        engine = analyzer()
        joined, starts = _join(texts)
        results = engine.analyze(joined, language="en", entities=["PERSON"], score_threshold=self.options.score_threshold)
        per_text: list[list] = [[] for _ in texts]
        for result in results:
            per_text[_owner(starts, result.start)].append(result)
        return per_text

    def scan_values(self, values: list[str]) -> dict[str, set[int]]:
        """Which values (by index) contain which entity: patterns over all, NER over candidates.

        A Korean name counts only with a context word in the same value (a bare name
        cell is judged by the name-column rule instead).
        """
        by_entity: dict[str, set[int]] = {}
        # Each recognizer sees only the values it could match (digits, '@', a context word):
        # cheap vectorised filters keep the regex work to the few values that matter.
        series = pd.Series(values, dtype=object)
        digits = series.str.count(r"\d")
        filters = {
            "digits": np.flatnonzero((digits >= 9).to_numpy()),
            "email": np.flatnonzero(series.str.contains("@", regex=False).to_numpy()),
            "name": np.flatnonzero(series.str.contains(NAME_CONTEXT, regex=True).to_numpy()),
        }
        for recognizer in pattern_recognizers():
            entities = [e for e in recognizer.supported_entities if e in self.options.entities]
            if not entities:
                continue
            subset = filters[RECOGNIZER_FILTER.get(recognizer.name, "digits")]
            if not len(subset):
                continue
            joined, starts = _join([values[i] for i in subset])
            for result in recognizer.analyze(joined, entities):
                if result.score < self.options.score_threshold or (result.entity_type == "KR_NAME" and result.score < 0.8):
                    continue
                by_entity.setdefault(result.entity_type, set()).add(int(subset[_owner(starts, result.start)]))
        candidates = [i for i, v in enumerate(values) if LATIN_NAME_CANDIDATE.search(v)][: self.options.max_ner_values]
        for index, results in zip(candidates, self._ner([values[i] for i in candidates]), strict=True):
            if results:
                by_entity.setdefault("PERSON", set()).add(index)
        return by_entity

    def _table(self, artifact: Artifact) -> list[Finding]:
        findings = []
        table = artifact.table
        for column in table.columns:
            series = table[column]
            if pd.api.types.is_float_dtype(series):
                continue
            if pd.api.types.is_integer_dtype(series) and (series.abs().max() if len(series) else 0) < 10**8:
                continue  # counts and amounts: too short to be a phone, RRN or BRN
            distinct = [str(v) for v in pd.unique(series.dropna())]
            if not distinct:
                continue
            where = f"{artifact.name}:column {column}"
            if looks_like_name_column(distinct[:2000], self.options.name_column_share):
                findings.append(self.finding(Severity.deny, f"column {column!r} holds Korean personal names", where))
            by_entity = self.scan_values(distinct)
            for entity, owners in sorted(by_entity.items()):
                first = distinct[min(owners)]
                rows = np.flatnonzero(series.astype(str).to_numpy() == first)
                row = int(rows[0]) + 2 if len(rows) else "?"
                severity = Severity.deny if entity in self.options.deny_entities else Severity.review
                findings.append(self.finding(severity, f"column {column!r}: {len(owners)} value(s) contain {entity}", f"{artifact.name}:row {row}, column {column}"))
        return findings

    def _text(self, location: str, text: str, encoded: bool = False) -> list[Finding]:
        """Free text is scanned line by line, with the same filters as table values."""
        if not text.strip():
            return []
        by_entity = self.scan_values(text.splitlines())
        how = "encoded (base64/hex) text" if encoded else "text"
        findings = []
        for entity, lines in sorted(by_entity.items()):
            severity = Severity.deny if encoded or entity == "KR_RRN" else Severity.review
            findings.append(self.finding(severity, f"{how} contains {entity} on {len(lines)} line(s)", location))
        return findings


def _join(values: list[str]) -> tuple[str, list[int]]:
    starts, position = [], 0
    for value in values:
        starts.append(position)
        position += len(value) + 1
    return "\n".join(values), starts


def _owner(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1
