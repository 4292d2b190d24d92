"""Korean telephone numbers: mobile (010…), Seoul (02) and regional area codes, +82 forms."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer


class KrPhoneRecognizer(PatternRecognizer):
    PATTERNS = [
        Pattern("kr_mobile", r"(?<!\d)(?:\+82[ \-]?|0)1[016789][ \-.]?\d{3,4}[ \-.]?\d{4}(?!\d)", 0.7),
        Pattern("kr_seoul", r"(?<!\d)(?:\+82[ \-]?|0)2[ \-.)]\d{3,4}[ \-.]\d{4}(?!\d)", 0.6),
        Pattern("kr_area", r"(?<!\d)(?:\+82[ \-]?|0)(?:3[1-3]|4[1-4]|5[1-5]|6[1-4]|70)[ \-.)]\d{3,4}[ \-.]\d{4}(?!\d)", 0.6),
    ]
    CONTEXT = ["전화", "연락처", "휴대폰", "핸드폰", "phone", "tel", "mobile", "contact"]

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entity="KR_PHONE", name="KrPhoneRecognizer", patterns=self.PATTERNS, context=self.CONTEXT, supported_language=supported_language)

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = "".join(ch for ch in pattern_text if ch.isdigit())
        if digits.startswith("82"):
            digits = "0" + digits[2:]
        return 9 <= len(digits) <= 11
