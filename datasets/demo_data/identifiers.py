"""Synthetic Korean identifiers with valid check digits.

Faker's ko_KR `ssn()` produces invalid check digits (FACTS.md), and the egress guard's
recognizers score a valid check digit higher, so the demo makes its own.
"""

from __future__ import annotations

import numpy as np

RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def rrn_check_digit(first12: str) -> int:
    total = sum(int(d) * w for d, w in zip(first12, RRN_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def make_rrn(rng: np.random.Generator, birth_year: int, sex: str) -> str:
    """A resident registration number YYMMDD-GNNNNNC for a person born in `birth_year`."""
    month = int(rng.integers(1, 13))
    day = int(rng.integers(1, 29))
    century_digit = {("M", 1900): 1, ("F", 1900): 2, ("M", 2000): 3, ("F", 2000): 4}[(sex, 1900 if birth_year < 2000 else 2000)]
    serial = "".join(str(d) for d in rng.integers(0, 10, size=5))
    first12 = f"{birth_year % 100:02d}{month:02d}{day:02d}{century_digit}{serial}"
    return f"{first12[:6]}-{first12[6:]}{rrn_check_digit(first12)}"


def rrn_is_valid(rrn: str) -> bool:
    digits = rrn.replace("-", "")
    return len(digits) == 13 and digits.isdigit() and rrn_check_digit(digits[:12]) == int(digits[12])


def brn_check_digit(first9: str) -> int:
    digits = [int(d) for d in first9]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS, strict=True)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def make_brn(rng: np.random.Generator) -> str:
    """A business registration number XXX-XX-XXXXX with a valid check digit."""
    first9 = f"{int(rng.integers(101, 900)):03d}{int(rng.integers(1, 90)):02d}" + "".join(str(d) for d in rng.integers(0, 10, size=4))
    number = first9 + str(brn_check_digit(first9))
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"


def brn_is_valid(brn: str) -> bool:
    digits = brn.replace("-", "")
    return len(digits) == 10 and digits.isdigit() and brn_check_digit(digits[:9]) == int(digits[9])


def make_mobile(rng: np.random.Generator) -> str:
    return f"010-{int(rng.integers(2000, 10000)):04d}-{int(rng.integers(0, 10000)):04d}"
