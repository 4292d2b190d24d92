"""Korean recognizers: positive and negative cases, table-driven (Presidio's test style)."""

from __future__ import annotations

import pytest

from egress_guard.recognizers import KoreanNameRecognizer, KrBrnRecognizer, KrPhoneRecognizer
from egress_guard.recognizers.kr_name import looks_like_name_column


def found(recognizer, text: str, entity: str, minimum: float = 0.5) -> list[str]:
    return [text[r.start : r.end] for r in recognizer.analyze(text, [entity]) if r.score >= minimum]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("연락처 010-1234-5678", ["010-1234-5678"]),
        ("call 01012345678 now", ["01012345678"]),
        ("+82 10 2345 6789", ["+82 10 2345 6789"]),
        ("서울 02-123-4567", ["02-123-4567"]),
        ("amount 1012345678.5", []),
        ("id 20250101", []),
    ],
)
def test_phone(text, expected):
    assert found(KrPhoneRecognizer(), text, "KR_PHONE") == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("사업자 220-81-62517", ["220-81-62517"]),  # valid check digit
        ("220-81-62518", []),  # wrong check digit
        ("2208162517", ["2208162517"]),
        ("total 2208162517.25", []),
    ],
)
def test_business_registration_number(text, expected):
    assert found(KrBrnRecognizer(), text, "KR_BRN") == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("고객 김민준 님이 방문", ["김민준"]),
        ("담당자: 박서윤", ["박서윤"]),
        ("남궁민수 씨", ["남궁민수"]),
        ("강남구 서초구 평균 금액", []),
        ("김민준", []),  # no context: too weak alone in free text
        ("연락처 정보 이번 정리", []),
    ],
)
def test_korean_names_need_context(text, expected):
    assert found(KoreanNameRecognizer(), text, "KR_NAME", 0.8) == expected


@pytest.mark.parametrize(
    "values,expected",
    [
        (["김민준", "이서연", "박지호", "최유나"], True),
        (["강남구", "서초구", "송파구", "마포구"], False),
        (["Jung-gu", "Mapo-gu", "Gangnam-gu"], False),
        (["김민준", "restaurant", "cafe", "bakery", "pharmacy"], False),
    ],
)
def test_name_column(values, expected):
    assert looks_like_name_column(values) is expected
