"""Column class suggestions from names and sampled values (hub/web/infer.py)."""

import pytest

from hub.web.infer import suggest


@pytest.mark.parametrize(
    "name, samples, expected",
    [
        ("holder_name", ["김민준"], "direct_identifier"),
        ("x1", ["900101-1234567", "850505-2345678"], "direct_identifier"),  # RRNs under any name
        ("contact", ["010-1234-5678", "010 2222 3333"], "direct_identifier"),
        ("reg", ["810-03-82910"], "direct_identifier"),  # business registration numbers
        ("owner", ["a@example.com"], "direct_identifier"),
        ("who", ["김민준", "이서연", "박지호"], "direct_identifier"),
        ("birth_year", ["1990"], "quasi_identifier"),
        ("sex", ["F", "M"], "quasi_identifier"),
        ("home_district", ["Mapo-gu"], "quasi_identifier"),
        ("amount_krw", ["1000"], "sensitive"),
        ("sales", ["1"], "sensitive"),
        # negative cases: places are not names, categories are not identifiers
        ("where", ["강남구", "마포구"], "attribute"),
        ("merchant_category", ["cafe", "grocery"], "attribute"),
        ("ts", ["2024-01-01 10:00:00"], "attribute"),
        ("note", ["900101-1234567", "n/a", "n/a", "n/a"], "attribute"),  # one odd cell does not flip a column
    ],
)
def test_suggestions(name, samples, expected):
    suggestion = suggest(name, samples)
    assert suggestion.column_class.value == expected
    assert suggestion.reason
