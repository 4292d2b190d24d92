"""Korean personal names written in Hangul (e.g. 김민준), which spaCy's English model misses.

A name is a common surname syllable followed by one or two given-name syllables, standing
alone (no Hangul right before or after). That shape also fits many ordinary words and most
district names (강남구, 서초구), so: place-name endings are excluded, a bare match scores
low, and a context word next to it (고객, 성명, 님, name…) raises the score. For whole
table columns the PII check decides by the share of values that fit (see
`looks_like_name_column`). Names of registered people are caught by fingerprints anyway.
"""

from __future__ import annotations

import re
from pathlib import Path

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult

SURNAMES = (Path(__file__).resolve().parent.parent / "data" / "kr_surnames.txt").read_text(encoding="utf-8").split()
# Endings of places and things, never of a name in the campus data (구 district, 동 ward…).
NOT_NAME_ENDINGS = tuple("구동시군읍면리로길역점관원청부과팀")
NAME_CORE = "(?:" + "|".join(sorted(SURNAMES, key=len, reverse=True)) + ")[가-힣]{1,2}"
NAME_ALONE = re.compile(rf"^{NAME_CORE}$")
CONTEXT_WORDS = ("고객", "성명", "이름", "회원", "담당자", "환자", "님", "씨", "name", "holder", "customer", "patient")
# Ordinary words that have the shape of a name (surname syllable + one or two syllables).
STOP_WORDS = frozenset((Path(__file__).resolve().parent.parent / "data" / "kr_name_stopwords.txt").read_text(encoding="utf-8").split())


def is_name(value: str) -> bool:
    return bool(NAME_ALONE.match(value)) and not value.endswith(NOT_NAME_ENDINGS) and value not in STOP_WORDS


def looks_like_name_column(values: list[str], min_share: float = 0.6) -> bool:
    """Do most distinct values of a column look like Korean names?"""
    values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if len(values) < 3:
        return False
    return sum(is_name(v) for v in values) / len(values) >= min_share


class KoreanNameRecognizer(PatternRecognizer):
    PATTERNS = [Pattern("kr_name", rf"(?<![가-힣]){NAME_CORE}(?![가-힣])", 0.3)]
    CONTEXT_SCORE = 0.85
    WINDOW = 12

    def __init__(self, supported_language: str = "en"):
        # No Presidio context list: its lemma-based enhancer would boost every match in a
        # text that merely contains a context word anywhere; `analyze` looks next to the match.
        super().__init__(supported_entity="KR_NAME", name="KoreanNameRecognizer", patterns=self.PATTERNS, context=[], supported_language=supported_language)

    def validate_result(self, pattern_text: str) -> bool | None:
        return False if pattern_text in STOP_WORDS else None

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        # Presidio's context enhancer needs spaCy lemmas, which Hangul does not get from the
        # English model: look for the context words in a character window instead.
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        lowered = text.casefold()
        for result in results:
            before = lowered[max(0, result.start - self.WINDOW) : result.start]
            after = lowered[result.end : result.end + 3]
            # Right next to a context word ("담당자 홍길동", "홍길동 님") even a name with a
            # place-like ending (동, 청…) counts; a context word further back only for the rest.
            tight = before.rstrip(" :").endswith(CONTEXT_WORDS) or after.startswith(("님", "씨", " 님", " 씨"))
            loose = any(word in before for word in CONTEXT_WORDS) and is_name(text[result.start : result.end])
            if tight or loose:
                result.score = max(result.score, self.CONTEXT_SCORE)
        return results
