"""Korean business registration numbers (사업자등록번호, XXX-XX-XXXXX) with their check digit.

The check digit: weights 1,3,7,1,3,7,1,3,5 over the first nine digits, plus the
ninth digit times 5 divided by 10; the tenth digit makes the sum a multiple of 10.
Without dashes a ten-digit number is only a weak candidate, so the check digit decides.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_valid(text: str) -> bool:
    digits = [int(c) for c in text if c.isdigit()]
    if len(digits) != 10:
        return False
    total = sum(d * w for d, w in zip(digits[:9], WEIGHTS, strict=True)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10 == digits[9]


class KrBrnRecognizer(PatternRecognizer):
    PATTERNS = [
        Pattern("kr_brn_dashed", r"(?<!\d)\d{3}-\d{2}-\d{5}(?!\d)", 0.5),
        Pattern("kr_brn_plain", r"(?<![\d\-.])\d{10}(?![\d\-]|\.\d)", 0.2),
    ]
    CONTEXT = ["사업자", "사업자등록번호", "등록번호", "brn", "business registration"]

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entity="KR_BRN", name="KrBrnRecognizer", patterns=self.PATTERNS, context=self.CONTEXT, supported_language=supported_language)

    def validate_result(self, pattern_text: str) -> bool | None:
        # A valid check digit makes the score 1.0; an invalid one drops the result.
        return brn_valid(pattern_text)
