"""Suggest a class for each column of a dataset being registered, from its name and values.

Only a suggestion shown beside the steward's choice, with the reason: the steward decides.
Rules are data (`NAME_RULES`, `VALUE_RULES`), checked in order; the first match wins, and a
value rule needs most sampled values to match so that one odd cell does not flip a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.catalog.manifest import ColumnClass

DI, QI, SE, AT = (ColumnClass.direct_identifier, ColumnClass.quasi_identifier, ColumnClass.sensitive, ColumnClass.attribute)

# Patterns over the column name (lowercase, '_' and '-' and spaces as separators).
NAME_RULES: list[tuple[re.Pattern, ColumnClass, str]] = [
    (re.compile(r"(^|_)(rrn|ssn|jumin|resident(_no|_number)?|passport|license_no)($|_)"), DI, "name looks like a national id"),
    (re.compile(r"(^|_)(brn|bizno|business_?(no|number|registration)|corp_?(no|number))($|_)"), DI, "name looks like a business registration number"),
    (re.compile(r"(^|_)(phone|mobile|tel|telephone|cell)($|_)"), DI, "name looks like a phone number"),
    (re.compile(r"(^|_)(e?mail)($|_)"), DI, "name looks like an e-mail address"),
    (re.compile(r"(^|_)(name|full_?name|first_?name|last_?name|surname|holder_name|이름|성명)($|_)"), DI, "name looks like a person's name"),
    (re.compile(r"(^|_)(address|addr|street)($|_)"), DI, "name looks like a street address"),
    (re.compile(r"(^|_)(holder|person|customer|patient|member|user|card)_?id($|_)"), DI, "name looks like a person's identifier"),
    (re.compile(r"(^|_)(birth|dob|birth_?year|birth_?date|age|age_?group)($|_)"), QI, "birth date or age combine with other columns to identify"),
    (re.compile(r"(^|_)(sex|gender)($|_)"), QI, "sex combines with other columns to identify"),
    (re.compile(r"(^|_)(district|gu|dong|zip|zipcode|postcode|postal_?code|home_\w+|residence)($|_)"), QI, "place of residence combines with other columns to identify"),
    (re.compile(r"(^|_)(nationality|occupation|job|marital)($|_)"), QI, "a personal trait that combines with other columns to identify"),
    (re.compile(r"(^|_)(amount|amt|krw|won|price|spend|spending|salary|income|wage|balance|revenue|sales|cost|debt)($|_)"), SE, "an amount: aggregate only, dominance applies"),
    (re.compile(r"(^|_)(diagnosis|disease|health|medical|religion|ethnicity)($|_)"), SE, "a special category of personal data"),
]

# Patterns over sampled values (strings, stripped).
VALUE_RULES: list[tuple[re.Pattern, ColumnClass, str]] = [
    (re.compile(r"^\d{6}-?[1-8]\d{6}$"), DI, "values look like resident registration numbers"),
    (re.compile(r"^\d{3}-\d{2}-\d{5}$"), DI, "values look like business registration numbers"),
    (re.compile(r"^(\+82[- ]?|0)1[016789][- ]?\d{3,4}[- ]?\d{4}$"), DI, "values look like Korean mobile numbers"),
    (re.compile(r"^0\d{1,2}-\d{3,4}-\d{4}$"), DI, "values look like Korean phone numbers"),
    (re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I), DI, "values look like e-mail addresses"),
    # Two to four Hangul syllables, but not a place (구 district, 동 neighbourhood, 시 city ...).
    (re.compile(r"^[가-힣]{1,3}[가-힣](?<![구동시군도읍면로길])$"), DI, "values look like Hangul personal names"),
]

MAJORITY = 0.6


@dataclass(frozen=True)
class Suggestion:
    column_class: ColumnClass
    reason: str


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def suggest(name: str, samples: list[str]) -> Suggestion:
    """The suggested class of a column named `name` whose sampled values are `samples`."""
    values = [s.strip() for s in samples if s is not None and s.strip()]
    for pattern, column_class, reason in VALUE_RULES:
        if values and sum(bool(pattern.match(v)) for v in values) >= MAJORITY * len(values):
            return Suggestion(column_class, reason)
    normal = _normalise(name)
    for pattern, column_class, reason in NAME_RULES:
        if pattern.search(normal):
            return Suggestion(column_class, reason)
    return Suggestion(AT, "no identifying pattern in the name or the values")
